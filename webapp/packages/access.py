"""Who may see a package or a student's packages and passes, and who may see the money on them.

Families see their households' packages (another household's: 404) and money only with the balance grant.
Staff and instructors need "View All Student Enrollments" (instructors also see the students they teach);
money and every staff package screen need "Access Billing Tab" (403 without).
"""
from flask import abort

from ..access import billing_required, family, may_bill, permission_codes, student_or_404  # noqa: F401 (re-exported)
from ..models import Course, Enrollment, PackagePurchase, Permission, Student, User


def _teaches(user, student_id):
    return Enrollment.select().join(Course).where(
        (Enrollment.student == student_id) & (Course.instructor == user)
        & Enrollment.status.in_(Enrollment.ACTIVE)
    ).exists()


def _may_see_any_student(user, student_id):
    """Staff or instructor: 'View All Student Enrollments', or (instructors) a student of their classes."""
    if Permission.VIEW_ALL_STUDENT_ENROLLMENTS in permission_codes(user) or may_bill(user):
        return True
    return user.role == User.INSTRUCTOR and student_id is not None and _teaches(user, student_id)


def _refuse(user):
    abort(403 if user.role == User.STAFF else 404)


def viewable_student_or_404(user, student_id):
    """A student whose packages and passes the user may see."""
    if user.role == User.PATRON:
        return student_or_404(user, student_id)
    student = Student.get_or_none(Student.id == student_id) or abort(404)
    if not _may_see_any_student(user, student.id):
        _refuse(user)
    return student


def visible_purchases(user, query):
    """Narrow a purchases query to what a family member may see (staff and instructors were checked already)."""
    return query.where(PackagePurchase.account.in_(family(user).account_ids)) if user.role == User.PATRON else query


def viewable_purchase_or_404(user, purchase):
    """The sold package (with its package and student), if the user may see it; None or another's answers 404."""
    if purchase is None:
        abort(404)
    if user.role == User.PATRON:
        if purchase.account_id not in family(user).account_ids:
            abort(404)
    elif not _may_see_any_student(user, purchase.student_id):
        _refuse(user)
    return purchase


def money_visible(user):
    """A predicate on a household id: may the user see the money of that household's packages and passes?"""
    if user.role == User.PATRON:
        allowed = {account.id for account in family(user).balance_accounts}
        return lambda account_id: account_id in allowed
    billing = may_bill(user)
    return lambda account_id: billing


def history_visible(user, purchase):
    """Families need the transaction-history grant for the household; staff the billing tab."""
    if user.role == User.PATRON:
        return any(m.can_view_transactions for m in family(user).memberships if m.account_id == purchase.account_id)
    return may_bill(user)
