"""Staff routes for households: a search over names, guardians and students, one household's page, and creating
and changing households, their guardians and their students."""
from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user

from ..access import billing_required, may_bill, role_required
from ..billing.charges import ChargeRefused, void_balance
from ..billing.forms import CardRefundForm, VoidForm
from ..billing.refunds import RefundRefused, RefundUnsettled, refund_offline, request_refund
from ..clock import local_now
from ..models import Account, Guardian, Order, Payment, Student, User
from ..numbers import requested_page
from ..templating import current_company, money, render
from ..audit import changes_to
from .enrollments import courses_to_enroll
from .household_changes import (LINK_SHOWN, HouseholdRefused, add_guardian, create_household, invite_again, link_student,
                                save_household, save_student, students_to_link, unlink_student)
from .household_forms import EnrollForm, HouseholdForm, NewHouseholdForm, StaffGuardianForm, StaffStudentForm
from .households import household_page, search

bp = Blueprint("staff_households", __name__, url_prefix="/staff/households")


@bp.route("/")
@role_required(User.STAFF)
def index():
    """Households by name, narrowed by what was typed (a household, guardian or student name, or an email)."""
    text = request.args.get("q", "")[:100].strip()
    households, total, pages = search(text, requested_page())
    return render("staff/households.html", "results", q=text, households=households, total=total,
                  page=min(requested_page(), pages), pages=pages)


def _saved(form, save, *args):
    """Save a valid form; a refusal becomes an error next to its field. What `save` returned, or None."""
    if not form.validate_on_submit():
        return None
    try:
        return save(*args) or True
    except HouseholdRefused as refused:
        getattr(form, refused.field).errors.append(str(refused))
        return None


def _form_page(template, form, **context):
    return render(template, "content", status=422 if form.errors else 200, form=form, **context)


@bp.route("/new", methods=["GET", "POST"])
@role_required(User.STAFF)
def new_household():
    """New household: its name, division and primary guardian, who gets an invitation to set a password."""
    form = NewHouseholdForm()
    account = _saved(form, lambda: create_household(current_user, *form.household(), form.guardian()))
    if account:
        flash(f"Created {account.name}. The invitation is on its way to {form.email.data}.", "success")
        return redirect(url_for(".household", account_id=account.id), 303)
    return _form_page("staff/household_form.html", form)


@bp.route("/<int:account_id>/guardians", methods=["POST"])
@role_required(User.STAFF)
def new_guardian(account_id):
    """Add Guardian: another guardian of the household, invited by email to set a password."""
    account = Account.get_or_none(Account.id == account_id) or abort(404)
    form = StaffGuardianForm(prefix="guardian")
    guardian = _saved(form, lambda: add_guardian(current_user, account, form.name.data, form.email.data,
                                                 form.relation.data))
    if guardian:
        flash(f"Added {guardian.user.name} to {account.name}. The invitation is on its way to {guardian.user.email}.",
              "success")
        return redirect(url_for(".household", account_id=account.id), 303)
    return _household(account, 422, guardian_form=form)


@bp.route("/<int:account_id>/guardians/<int:guardian_id>/invite", methods=["POST"])
@role_required(User.STAFF)
def send_invitation(account_id, guardian_id):
    """Send the invitation again: a new link for a guardian who has not accepted yet (an expired or lost email)."""
    guardian = (Guardian.select(Guardian, User, Account).join(User).join_from(Guardian, Account)
                .where((Guardian.id == guardian_id) & (Guardian.account == account_id)).first()) or abort(404)
    if invite_again(current_user, guardian):
        flash(f"A new invitation is on its way to {guardian.user.email}; the earlier link no longer works.", "success")
    else:
        flash(f"{guardian.user.name} has no invitation waiting: nothing was sent.", "error")
    return redirect(url_for(".household", account_id=guardian.account_id), 303)


@bp.route("/<int:account_id>/edit", methods=["GET", "POST"])
@role_required(User.STAFF)
def edit_household(account_id):
    """Change a household's name or division."""
    account = Account.get_or_none(Account.id == account_id) or abort(404)
    form = HouseholdForm(account)
    if _saved(form, save_household, account, *form.household()):
        flash(f"Saved {form.name.data}.", "success")
        return redirect(url_for(".household", account_id=account.id), 303)
    return _form_page("staff/household_form.html", form, account=account)


@bp.route("/<int:account_id>/students/new", methods=["GET", "POST"], defaults={"student_id": None})
@bp.route("/<int:account_id>/students/<int:student_id>/edit", methods=["GET", "POST"])
@role_required(User.STAFF)
def student(account_id, student_id):
    """Add a student billed to the household, or change one of its students' name and date of birth."""
    account = Account.get_or_none(Account.id == account_id) or abort(404)
    student = None
    if student_id is not None:  # a linked student is changed from the household that is billed for them
        student = Student.get_or_none((Student.id == student_id) & (Student.billing_account == account.id)) or abort(404)
    form = StaffStudentForm(student)
    saved = _saved(form, save_student, account, student, form.values())
    if saved:
        flash(f"Saved {saved.name}." if student else f"Added {saved.name} to {account.name}.", "success")
        return redirect(url_for(".household", account_id=account.id), 303)
    return _form_page("staff/student_form.html", form, account=account, student=student,
                      changes=changes_to(student) if student else None)


@bp.route("/<int:account_id>/students/link")
@role_required(User.STAFF)
def find_student_to_link(account_id):
    """Find a student billed to another household to link with this one, by name."""
    account = Account.get_or_none(Account.id == account_id) or abort(404)
    text = request.args.get("q", "")[:100].strip()
    return render("staff/link_student.html", "results", account=account, q=text,
                  students=students_to_link(account, text), shown=LINK_SHOWN)


@bp.route("/<int:account_id>/students/<int:student_id>/link", methods=["POST"])
@role_required(User.STAFF)
def link(account_id, student_id):
    """Link the student with this household; the bill stays where it is."""
    account = Account.get_or_none(Account.id == account_id) or abort(404)
    student = Student.get_or_none(Student.id == student_id) or abort(404)
    try:
        link_student(account, student)
    except HouseholdRefused as refused:
        flash(str(refused), "error")
    else:
        flash(f"Linked {student.name} with {account.name}; {student.name}'s bills stay where they are.", "success")
    return redirect(url_for(".household", account_id=account.id), 303)


@bp.route("/<int:account_id>/students/<int:student_id>/unlink", methods=["POST"])
@role_required(User.STAFF)
def unlink(account_id, student_id):
    """End the household's link with a student billed elsewhere."""
    account = Account.get_or_none(Account.id == account_id) or abort(404)
    student = Student.get_or_none(Student.id == student_id) or abort(404)
    if not unlink_student(account, student):
        abort(404)
    flash(f"{student.name} is no longer linked with {account.name}.", "success")
    return redirect(url_for(".household", account_id=account.id), 303)


@bp.route("/<int:account_id>")
@role_required(User.STAFF)
def household(account_id):
    """One household: guardians, students and enrollments; its balance, orders and ledger with "Access Billing Tab"."""
    account = Account.get_or_none(Account.id == account_id) or abort(404)
    return _household(account)


def _household(account, status=200, form=None, failed_key=None, void_form=None, failed_order=None, enroll_form=None,
               full_course=None, guardian_form=None):
    billing = may_bill(current_user)
    page = household_page(account, billing, current_company(), requested_page())
    if enroll_form is None and page.ledger is not None:  # only staff who may bill enroll
        enroll_form = EnrollForm(formdata=None)
        enroll_form.set_choices([s for s in page.students if s.billing_account_id == account.id],
                                courses_to_enroll(local_now()))
    return render("staff/household.html", "content", status=status, household=page,
                  form=form or CardRefundForm(formdata=None), failed_key=failed_key,
                  void_form=void_form or VoidForm(formdata=None), failed_order=failed_order,
                  enroll_form=enroll_form, full_course=full_course, changes=changes_to(account, with_billing=billing),
                  guardian_form=guardian_form or StaffGuardianForm(formdata=None, prefix="guardian"))


@bp.route("/<int:account_id>/payments/<key>/refund", methods=["POST"])
@billing_required
def refund(account_id, key):
    """Give back part or all of one of the household's payments: to the card, or recorded as handed back."""
    account = Account.get_or_none(Account.id == account_id) or abort(404)
    payment = Payment.get_or_none((Payment.key == key) & (Payment.payer_account == account.id)) or abort(404)
    form = CardRefundForm()
    if form.validate_on_submit():
        give_back = request_refund if payment.method == Payment.CARD else refund_offline
        try:
            give_back(current_user, payment, form.amount.cents, (form.reason.data or "").strip())
        except (RefundRefused, RefundUnsettled) as refused:
            form.amount.errors.append(str(refused))
        else:
            flash(f"{money(form.amount.cents)} of the {payment.method_label.lower()} payment is refunded.", "success")
            return redirect(url_for(".household", account_id=account.id), 303)
    return _household(account, 422, form, key)


@bp.route("/<int:account_id>/orders/<int:number>/void", methods=["POST"])
@billing_required
def void(account_id, number):
    """Write off part or all of what one of the household's orders still owes."""
    account = Account.get_or_none(Account.id == account_id) or abort(404)
    order = Order.get_or_none((Order.number == number) & (Order.account == account.id)) or abort(404)
    form = VoidForm()
    if form.validate_on_submit():
        try:
            void_balance(current_user, order, form.amount.cents, (form.reason.data or "").strip())
        except ChargeRefused as refused:
            form.amount.errors.append(str(refused))
        else:
            flash(f"{money(form.amount.cents)} of order #{order.number} is voided.", "success")
            return redirect(url_for(".household", account_id=account.id), 303)
    return _household(account, 422, void_form=form, failed_order=order.number)


from . import household_enrollment_routes  # noqa: E402,F401 (its routes join this blueprint)
