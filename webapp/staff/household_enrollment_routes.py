"""Staff routes for enrolling a household's student (or putting them on a full course's waitlist), and dropping
and transferring its students' enrollments; they join the household blueprint."""
from flask import abort, flash, redirect, request, url_for
from flask_login import current_user

from ..access import billing_required
from ..account.enrollments import EnrollmentRefused, drop_enrollment, drop_terms, dropped_message
from ..account.transfers import moved_message, transfer_enrollment, transfer_terms
from ..billing.charges import ChargeRefused
from ..clock import local_now
from ..models import Account, Course, Enrollment, Student
from ..registration.services import RegistrationRefused
from ..templating import current_company, money, render
from .enrollments import billed_student, courses_to_enroll, enroll_student, is_full, waitlist_student
from .household_forms import EnrollForm
from .household_routes import _household, bp


def _enroll_form(account):
    """The posted Enroll a student form with its choices; a student of another household or an unknown course is 404."""
    form = EnrollForm()
    students = list(Student.select().where(Student.billing_account == account.id).order_by(Student.first_name))
    form.set_choices(students, courses_to_enroll(local_now()))
    if form.student.data and form.student.data not in dict(form.student.choices):
        abort(404)  # an id typed into the form, not one the page offered
    if form.course.data and not Course.select().where(Course.id == form.course.data).exists():
        abort(404)
    return form


def _enrolled_message(student, course, order):
    if order is None:
        return f"{student.first_name} is enrolled in {course.name}."
    where = "on account" if order.on_account else "to pay at the front desk"
    return (f"{student.first_name} is enrolled in {course.name}; order #{order.number} for "
            f"{money(course.price_cents)} is {where}.")


def _chosen(account_id):
    """The household, its posted Enroll a student form, and the student and course it names (None when invalid)."""
    account = Account.get_or_none(Account.id == account_id) or abort(404)
    form = _enroll_form(account)
    if not form.validate_on_submit():
        return account, form, None, None
    return account, form, billed_student(account, form.student.data), Course.get_by_id(form.course.data)


@bp.route("/<int:account_id>/enrollments", methods=["POST"])
@billing_required
def enroll(account_id):
    """Enroll a student: a seat in the course and its order; a full course offers the waitlist instead."""
    account, form, student, course = _chosen(account_id)
    if student is None:
        return _household(account, 422, enroll_form=form)
    try:
        _, order = enroll_student(current_company(), current_user, student, course, form.on_account.data,
                                  form.payable_online.data, form.external_note.data or "")
    except (RegistrationRefused, ChargeRefused) as refused:
        form.course.errors.append(str(refused).replace("nothing was charged", "nothing was stored"))
        return _household(account, 422, enroll_form=form, full_course=course if is_full(course, student) else None)
    flash(_enrolled_message(student, course, order), "success")
    return redirect(url_for(".household", account_id=account.id), 303)


@bp.route("/<int:account_id>/waitlist", methods=["POST"])
@billing_required
def waitlist(account_id):
    """Put the student on the full course's waitlist (offered when Enroll a student found it full)."""
    account, form, student, course = _chosen(account_id)
    if student is None:
        return _household(account, 422, enroll_form=form)
    try:
        waitlist_student(current_user, student, course)
    except RegistrationRefused as refused:
        form.course.errors.append(str(refused))
        return _household(account, 422, enroll_form=form)
    flash(f"{student.first_name} is on the {course.name} waitlist.", "success")
    return redirect(url_for(".household", account_id=account.id), 303)


def _household_enrollment(account_id, enrollment_id):
    """(household, student, enrollment) of a student billed to the household; anything else is 404."""
    account = Account.get_or_none(Account.id == account_id) or abort(404)
    enrollment = (Enrollment.select(Enrollment, Student).join(Student)
                  .where((Enrollment.id == enrollment_id) & (Student.billing_account == account.id)).first())
    if enrollment is None:
        abort(404)
    return account, enrollment.student, enrollment


def _change_page(account, student, enrollment, status=200, error=None, field_error=None):
    """Drop or transfer one enrollment: the family's terms, shown to staff whatever the company's switches."""
    now = local_now()
    drop, transfer, refused = None, None, None
    try:
        drop, transfer = drop_terms(student, enrollment, now), transfer_terms(student, enrollment, now)
    except EnrollmentRefused as why:
        refused = str(why)
    return render("staff/household_enrollment.html", "content", status=409 if refused and status == 200 else status,
                  account=account, student=student, enrollment=enrollment, drop=drop, transfer=transfer,
                  error=error or refused, field_error=field_error)


@bp.route("/<int:account_id>/enrollments/<int:enrollment_id>")
@billing_required
def enrollment(account_id, enrollment_id):
    """Drop or transfer an enrollment: what each would void, charge or credit, before staff confirm."""
    return _change_page(*_household_enrollment(account_id, enrollment_id))


@bp.route("/<int:account_id>/enrollments/<int:enrollment_id>/drop", methods=["POST"])
@billing_required
def drop(account_id, enrollment_id):
    """Drop the enrollment as Drop Enrollment does (even while families may not drop); the seat goes to the waitlist."""
    account, student, enrollment = _household_enrollment(account_id, enrollment_id)
    try:
        terms = drop_enrollment(current_user, student, enrollment.id, local_now(), by_staff=True)
    except EnrollmentRefused as refused:
        return _change_page(account, student, enrollment, 409, error=str(refused))
    flash(dropped_message(student, terms), "success")
    return redirect(url_for(".household", account_id=account.id), 303)


@bp.route("/<int:account_id>/enrollments/<int:enrollment_id>/transfer", methods=["POST"])
@billing_required
def transfer(account_id, enrollment_id):
    """Move the enrollment to another course as Transfer Enrollment does; the difference charged or credited."""
    account, student, enrollment = _household_enrollment(account_id, enrollment_id)
    chosen = request.form.get("course", "")
    if not chosen.isdigit():
        return _change_page(account, student, enrollment, 422, field_error="Choose the course to transfer to.")
    try:
        old, new = transfer_enrollment(current_user, student, enrollment.id, int(chosen), local_now(), by_staff=True)
    except EnrollmentRefused as refused:
        return _change_page(account, student, enrollment, 409, error=str(refused))
    flash(moved_message(student, old, new), "success")
    return redirect(url_for(".household", account_id=account.id), 303)
