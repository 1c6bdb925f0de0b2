"""Your Student(s), per student: Enrollments (current, waitlist, past; Cancel Waitlist, Drop and Transfer Enrollment), Evaluations, Attendance,
Passes and the QR code. An option the company switched off is absent (404), not greyed."""
from flask import abort, flash, redirect, request, url_for
from flask_login import current_user

from ..access import family, role_required, student_or_404
from ..attendance.evaluations import evaluated_skills
from ..clock import local_now
from ..extensions import htmx
from ..models import User
from ..packages.access import money_visible
from ..packages.passes import student_passes
from ..templating import current_company, render
from .attendance_record import attendance_of
from .check_in_codes import code_of, qr_svg, rotate_code
from .enrollments import (
    EnrollmentRefused, cancel_waitlist, drop_enrollment, drop_terms, dropped_message, enrollment_of, student_enrollments,
)
from .routes import bp
from .transfers import moved_message, transfer_enrollment, transfer_terms
from .student_records import editable_student_or_403


def _switched_on(preference):
    if not getattr(current_company(), preference):
        abort(404)


def _shown(name):
    """A Show/Hide toggle from the query string (links, so it works with JavaScript off)."""
    return request.args.get(name) == "1"


def _enrollments_page(student, status=200, error=None, show_waitlist=None):
    show_waitlist = _shown("waitlist") if show_waitlist is None else show_waitlist
    rows = student_enrollments(student, local_now())
    return render("account/enrollments.html", "content", status=status, student=student, rows=rows,
                  show_waitlist=show_waitlist, show_past=_shown("past"), error=error,
                  may_cancel=current_company().cancel_waitlist
                  and student.billing_account_id in family().account_ids,
                  may_drop=current_company().allow_drop and family().may_pay_for(student.billing_account_id),
                  may_transfer=current_company().allow_transfer and family().may_pay_for(student.billing_account_id))


@bp.route("/students/<int:student_id>/enrollments")
@role_required(User.PATRON)
def enrollments(student_id):
    """View Current Enrollments, Show/Hide Waitlist Enrollments and Past Enrollments."""
    return _enrollments_page(student_or_404(current_user, student_id))


@bp.route("/students/<int:student_id>/waitlist/<int:enrollment_id>/cancel", methods=["POST"])
@role_required(User.PATRON)
def cancel_waitlist_enrollment(student_id, enrollment_id):
    """Cancel Waitlist (when the company allows it): guardians of the billing household only."""
    _switched_on("cancel_waitlist")
    student = editable_student_or_403(current_user, student_id)
    try:
        course = cancel_waitlist(student, enrollment_id)
    except EnrollmentRefused as refused:
        return _enrollments_page(student, status=409, error=str(refused), show_waitlist=True)
    flash(f"{student.first_name} is off the {course.name} waitlist.", "success")
    if htmx:
        return _enrollments_page(student, show_waitlist=True)
    return redirect(url_for("account.enrollments", student_id=student.id, waitlist=1), 303)


def _payer_enrollment(student_id, enrollment_id):
    """The student and enrollment for a drop: another household's 404, a guardian without the payment grant 403."""
    student = student_or_404(current_user, student_id)
    enrollment = enrollment_of(student, enrollment_id)
    if enrollment is None:
        abort(404)
    if not family().may_pay_for(student.billing_account_id):
        abort(403)
    return student, enrollment


def _back_to_enrollments(student, message):
    """After a drop or transfer: the enrollments with the message (a fragment under htmx, else a redirect)."""
    flash(message, "success")
    if htmx:
        return _enrollments_page(student)
    return redirect(url_for("account.enrollments", student_id=student.id), 303)


def _drop_page(student, enrollment, error=None):
    try:
        terms = drop_terms(student, enrollment, local_now())
    except EnrollmentRefused as refused:
        terms, error = None, error or str(refused)
    return render("account/drop.html", "content", status=409 if error else 200, student=student,
                  enrollment=enrollment, terms=terms, error=error)


@bp.route("/students/<int:student_id>/enrollments/<int:enrollment_id>/drop")
@role_required(User.PATRON)
def drop(student_id, enrollment_id):
    """Drop Enrollment (when enabled): the effective date and what is voided, charged and kept, before confirming."""
    _switched_on("allow_drop")
    return _drop_page(*_payer_enrollment(student_id, enrollment_id))


@bp.route("/students/<int:student_id>/enrollments/<int:enrollment_id>/drop", methods=["POST"])
@role_required(User.PATRON)
def confirm_drop(student_id, enrollment_id):
    """Drop the enrollment: posted to the ledger, the seat offered to the waitlist."""
    _switched_on("allow_drop")
    student, enrollment = _payer_enrollment(student_id, enrollment_id)
    try:
        terms = drop_enrollment(current_user, student, enrollment.id, local_now())
    except EnrollmentRefused as refused:
        return _drop_page(student, enrollment, error=str(refused))
    return _back_to_enrollments(student, dropped_message(student, terms))


def _transfer_page(student, enrollment, error=None, field_error=None, status=None):
    try:
        terms = transfer_terms(student, enrollment, local_now())
    except EnrollmentRefused as refused:
        terms, error = None, error or str(refused)
    return render("account/transfer.html", "content", status=status or (409 if error else 200), student=student,
                  enrollment=enrollment, terms=terms, error=error, field_error=field_error)


@bp.route("/students/<int:student_id>/enrollments/<int:enrollment_id>/transfer")
@role_required(User.PATRON)
def transfer(student_id, enrollment_id):
    """Transfer Enrollment (when enabled): the open courses of the same division with seats, and each price difference."""
    _switched_on("allow_transfer")
    return _transfer_page(*_payer_enrollment(student_id, enrollment_id))


@bp.route("/students/<int:student_id>/enrollments/<int:enrollment_id>/transfer", methods=["POST"])
@role_required(User.PATRON)
def confirm_transfer(student_id, enrollment_id):
    """Move the enrollment to the chosen course; the difference charged or credited through the ledger."""
    _switched_on("allow_transfer")
    student, enrollment = _payer_enrollment(student_id, enrollment_id)
    chosen = request.form.get("course", "")
    if not chosen.isdigit():
        return _transfer_page(student, enrollment, field_error="Choose the course to transfer to.", status=422)
    try:
        old, new = transfer_enrollment(current_user, student, enrollment.id, int(chosen), local_now())
    except EnrollmentRefused as refused:
        return _transfer_page(student, enrollment, error=str(refused))
    return _back_to_enrollments(student, moved_message(student, old, new))


@bp.route("/students/<int:student_id>/evaluations")
@role_required(User.PATRON)
def evaluations(student_id):
    """Evaluations: the skills of the levels of the student's current courses, each with its latest evaluation."""
    student = student_or_404(current_user, student_id)
    rows = student_enrollments(student, local_now())
    levels = sorted({row.course.level for row in rows.current if row.course.level})
    return render("account/evaluations.html", "content", student=student, levels=evaluated_skills(student, levels))


@bp.route("/students/<int:student_id>/attendance")
@role_required(User.PATRON)
def attendance(student_id):
    """Attendance (when enabled): every meeting of the current (and, shown, past) enrollments, with totals."""
    _switched_on("show_attendance")
    student = student_or_404(current_user, student_id)
    now = local_now()
    rows = student_enrollments(student, now)
    show_past = _shown("past")
    return render("account/attendance.html", "content", student=student, show_past=show_past,
                  current=attendance_of(student, rows.current, now),
                  past=attendance_of(student, rows.past, now) if show_past else [], has_past=bool(rows.past))


@bp.route("/students/<int:student_id>/passes")
@role_required(User.PATRON)
def passes(student_id):
    """Passes (when enabled): name, punches used and remaining, purchased, active, expiry, and the amount paid
    where the user may see the household's balance."""
    _switched_on("show_passes")
    student = student_or_404(current_user, student_id)
    shows_money = money_visible(current_user)(student.billing_account_id)
    return render("account/passes.html", "content", student=student, today=local_now().date(),
                  passes=student_passes([student.id], shows_money), shows_money=shows_money)


def _is_primary_of(student):
    return any(m.is_primary and m.account_id == student.billing_account_id for m in family().memberships)


def _qr_page(student, status=200):
    code = code_of(student)
    return render("account/qr.html", "content", status=status, student=student, code=code,
                  svg=qr_svg(code) if code else None, may_rotate=_is_primary_of(student))


@bp.route("/students/<int:student_id>/qr")
@role_required(User.PATRON)
def qr_code(student_id):
    """QR Codes (when enabled): the student's check-in code as a QR code, and the code as text."""
    _switched_on("student_qr_codes")
    return _qr_page(student_or_404(current_user, student_id))


@bp.route("/students/<int:student_id>/qr", methods=["POST"])
@role_required(User.PATRON)
def rotate_qr_code(student_id):
    """A new code for the student (the first one, or a replacement): the primary guardian only."""
    _switched_on("student_qr_codes")
    student = student_or_404(current_user, student_id)
    if not _is_primary_of(student):
        abort(403)
    rotate_code(student)
    flash(f"{student.first_name} has a new check-in code; the old one no longer works.", "success")
    if htmx:
        return _qr_page(student)
    return redirect(url_for("account.qr_code", student_id=student.id), 303)
