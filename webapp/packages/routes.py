"""Package widgets and pages, a student's packages and Passes, redeeming a punch, an instructor invoicing a lesson."""
from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user, login_required

from ..clock import local_now
from ..extensions import htmx
from ..models import PackageAllotment, PackagePurchase, PunchPass, User
from ..templating import clock, current_company, day, render
from .access import (
    history_visible, may_bill, money_visible, viewable_purchase_or_404, viewable_student_or_404, visible_purchases,
)
from .balances import (
    household_purchases, package_balance, package_balances, package_history, purchase_by_id, purchases_query,
)
from .forms import InvoiceForm, RedeemForm, add_refusal
from .passes import drop_in_meetings, redeem_punch, redeem_window, student_passes
from .services import PackageRefused, invoice_usage
from .staff_routes import bp as staff_bp

bp = Blueprint("packages", __name__)
bp.register_blueprint(staff_bp)


def household_packages(user, account_ids):
    """The widgets of these households' packages, money only where the user may see it (three queries at most)."""
    purchases = household_purchases(account_ids) if account_ids else []
    shows = money_visible(user)
    return package_balances(purchases, lambda p: shows(p.account_id))


def _purchase_or_404(purchase_id):
    return viewable_purchase_or_404(current_user, purchase_by_id(purchase_id))


def _back(purchase):
    """Where the package page leads back to: the family's home, or the student's page for staff and instructors."""
    if current_user.role == User.PATRON:
        return url_for("home.dashboard", _anchor=f"package-{purchase.id}"), "Home"
    if purchase.student_id:
        return url_for("packages.student", student_id=purchase.student_id), purchase.student.name
    return url_for("packages.staff.index"), "Packages"


@bp.route("/packages/<int:purchase_id>")
@login_required
def package(purchase_id):
    """The package page (widget expanded, History where allowed); for htmx the widget alone, expanded or collapsed."""
    purchase = _purchase_or_404(purchase_id)
    pkg = package_balance(purchase, money_visible(current_user)(purchase.account_id))
    expanded = request.args.get("expanded") != "0"
    if htmx:
        return render("packages/package.html", "widget", pkg=pkg, expanded=expanded, focus=True)
    back_url, back_label = _back(purchase)
    return render(
        "packages/package.html", pkg=pkg, expanded=expanded, back_url=back_url, back_label=back_label,
        history=package_history(purchase) if history_visible(current_user, purchase) else None,
        staff_url=url_for("packages.staff.balances", purchase_id=purchase.id) if may_bill(current_user) else None,
    )


def _may_redeem(user):
    return user.role == User.STAFF or (user.role == User.PATRON and current_company().guardian_punch_redeem)


def _redeem_forms(passes, posted=None):
    """A RedeemForm per redeemable pass offering the drop-in meetings it has not punched (`posted` reads the post)."""
    if not _may_redeem(current_user):
        return {}
    now = local_now()
    open_passes = [view for view in passes if view.redeemable(now.date())]
    meetings = drop_in_meetings(open_passes, *redeem_window(current_user, now))
    forms = {}
    for view in open_passes:
        pass_id = view.punch_pass.id
        form = RedeemForm(prefix=f"pass-{pass_id}", formdata=request.form if pass_id == posted else None)
        form.meetings = {m.id: m for m in meetings[pass_id]}
        form.meeting.choices = [(m.id, f"{day(m.starts_at)}, {clock(m.starts_at)}") for m in meetings[pass_id]]
        forms[pass_id] = form
    return forms


def _lesson_forms(purchases, posted=None):
    """Instructors invoice lessons: a form per package of the student that includes hours."""
    if current_user.role != User.INSTRUCTOR:
        return {}
    forms = {}
    for pkg in purchases:
        hours = [line.allotment for line in pkg.hours]
        if hours and pkg.purchase.student_id:
            form = InvoiceForm(prefix=f"lesson-{pkg.purchase.id}",
                               formdata=request.form if pkg.purchase.id == posted else None)
            form.allotment.choices = [(a.id, a.name) for a in hours]
            forms[pkg.purchase.id] = form
    return forms


def _student_page(student, block="content", status=200, error=None, redeem_forms=None, lesson_forms=None):
    """The student page (or one of its blocks); forms that were just posted are passed in to show their errors."""
    purchases = visible_purchases(current_user, purchases_query()).where(
        (PackagePurchase.student == student.id)
        | (PackagePurchase.student.is_null() & (PackagePurchase.account == student.billing_account_id))
    )
    shows = money_visible(current_user)
    packages = package_balances(list(purchases), lambda p: shows(p.account_id))
    passes = student_passes([student.id], shows(student.billing_account_id))
    return render(
        "packages/student.html", block, status=status, student=student, packages=packages, passes=passes,
        today=local_now().date(), error=error, may_sell=may_bill(current_user),
        redeem_forms={**_redeem_forms(passes), **(redeem_forms or {})},
        lesson_forms={**_lesson_forms(packages), **(lesson_forms or {})},
    )


def _student_page_after_post(student, status=200, **posted):
    """After a post: htmx gets the Passes block, a plain post the page (a 303 back to it when it worked)."""
    if status == 200 and not htmx:
        return redirect(url_for(".student", student_id=student.id, _anchor="passes"), 303)
    return _student_page(student, "passes" if htmx else "content", status=status, **posted)


@bp.route("/packages/students/<int:student_id>")
@login_required
def student(student_id):
    """A student's packages (widgets) and Passes."""
    return _student_page(viewable_student_or_404(current_user, student_id))


@bp.route("/packages/passes/<int:pass_id>/redeem", methods=["POST"])
@login_required
def redeem(pass_id):
    """Redeem a punch for a drop-in meeting: staff, or a guardian when the company allows it online."""
    punch_pass = PunchPass.get_or_none(PunchPass.id == pass_id) or abort(404)
    student = viewable_student_or_404(current_user, punch_pass.student_id)
    if not _may_redeem(current_user):
        abort(403)
    forms = _redeem_forms(student_passes([student.id], False), posted=pass_id)
    form = forms.get(pass_id)
    if form is None:
        return _student_page_after_post(student, 409, error="This pass cannot be used: it is used up, expired or not active.")
    if form.validate_on_submit():
        meeting = form.meetings[form.meeting.data]
        try:
            redeem_punch(current_user, punch_pass, meeting, local_now().date())
        except PackageRefused as refused:
            return _student_page_after_post(student, 409, error=str(refused))
        flash(f"Punch redeemed for {punch_pass.name}: {day(meeting.starts_at)}, {clock(meeting.starts_at)}.", "success")
        return _student_page_after_post(student)
    return _student_page_after_post(student, 422, redeem_forms=forms)


@bp.route("/packages/<int:purchase_id>/lessons", methods=["POST"])
@login_required
def invoice_lesson(purchase_id):
    """An instructor invoices the hours of a lesson against a student's package; the office marks it paid."""
    if current_user.role != User.INSTRUCTOR:
        abort(403)
    purchase = _purchase_or_404(purchase_id)
    student = viewable_student_or_404(current_user, purchase.student_id) if purchase.student_id else abort(404)
    forms = _lesson_forms([package_balance(purchase, False)], posted=purchase.id)
    form = forms.get(purchase.id) or abort(404)
    if form.validate_on_submit():
        allotment = PackageAllotment.get_by_id(form.allotment.data)
        try:
            invoice = invoice_usage(current_user, purchase, allotment, form.quantity.data, form.memo.data)
        except PackageRefused as refused:
            add_refusal(form, refused, "quantity")
        else:
            flash(f"Invoice #{invoice.id} for {invoice.quantity} h {allotment.name} is waiting for the office to "
                  "mark it paid.", "success")
            return redirect(url_for(".student", student_id=student.id), 303)
    return _student_page(student, status=422, lesson_forms=forms)
