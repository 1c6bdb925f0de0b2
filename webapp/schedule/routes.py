"""Upcoming Courses with the Absent? column, and future absences."""
import datetime

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user

from ..access import family, role_required, student_or_404
from ..billing.ledger import enrollment_orders
from ..attendance.services import AttendanceRefused, clear_absence, patron_reasons, report_absence
from ..clock import local_now
from ..errors import error_response
from ..extensions import htmx
from ..models import AbsenceReason, Enrollment, Course, Student, User
from ..numbers import whole_number
from ..templating import current_company, day, render
from . import future_absences as future
from .forms import AbsenceByDateForm, AbsenceByEnrollmentForm
from .services import absent_cell, absent_cells, meeting_of_student_or_404, upcoming_meetings

bp = Blueprint("schedule", __name__, url_prefix="/schedule")
WEEKS_PER_PAGE = 4
RECENT_DAYS = 14  # recent meetings stay listed, read-only, so families see how the instructor marked them


@bp.route("/")
@role_required(User.PATRON)
def upcoming():
    """The family's upcoming meetings, four weeks at a time, each with its Absent? cell."""
    weeks = min(max(request.args.get("weeks", WEEKS_PER_PAGE, type=whole_number), WEEKS_PER_PAGE), 52)
    now = local_now()
    since = (now - datetime.timedelta(days=RECENT_DAYS)).replace(hour=0, minute=0, second=0)
    meetings = upcoming_meetings(family().student_ids, since, now + datetime.timedelta(weeks=weeks))
    return render(
        "schedule/upcoming.html", "schedule", meetings=meetings, cells=absent_cells(meetings, now),
        dues=_enrollment_dues(meetings),
        students=family().students, weeks=weeks, more_weeks=weeks + WEEKS_PER_PAGE, now=now,
        future_absences=current_company().future_absences,
    )


def _enrollment_dues(meetings):
    """[(enrollment, order)] for listed enrollments with a balance payable online, shown to those who may see it."""
    scope = family()
    if not current_company().pay_balances_online or not (scope.may_pay or scope.balance_accounts):
        return []
    orders = enrollment_orders(scope.account_ids, current_user)
    dues, seen = [], set()
    for m in meetings:
        enrollment = m.course.enrollment
        order = orders.get((enrollment.student.id, m.course.id))
        if order and order.id not in seen:
            seen.add(order.id)
            order.in_cart, order.balance = bool(order.in_cart), int(order.balance)
            dues.append((enrollment, m.course, order))
    return dues


def _cell_or_404(meeting_id, student_id):
    student = student_or_404(current_user, student_id)
    return absent_cell(meeting_of_student_or_404(student, meeting_id), student, local_now(), record_read=True)


def _cell_response(cell, picking=False, status=200, error=None, changed=False):
    return render("schedule/absence.html", "cell", status=status, cell=cell, picking=picking,
                  reasons=patron_reasons() if picking else [], error=error, focus=bool(htmx), changed=changed and bool(htmx))


def _back_to_schedule(cell):
    return redirect(url_for("schedule.upcoming") + f"#{cell.id}", 303)


@bp.route("/absence/<int:meeting_id>/<int:student_id>")
@role_required(User.PATRON)
def absence(meeting_id, student_id):
    """The patron-usable reasons to pick from (a page without JavaScript, the cell in place with htmx)."""
    cell = _cell_or_404(meeting_id, student_id)
    return _cell_response(cell, picking=cell.changeable and "cancel" not in request.args)


@bp.route("/absence/<int:meeting_id>/<int:student_id>", methods=["POST"])
@role_required(User.PATRON)
def report(meeting_id, student_id):
    """Report the student absent with the picked reason."""
    cell = _cell_or_404(meeting_id, student_id)
    reason = AbsenceReason.get_or_none(AbsenceReason.id == request.form.get("reason", type=whole_number))
    if reason is None:
        return _cell_response(cell, picking=True, status=422, error="Pick one of the reasons.")
    if not cell.shows(reason):
        try:
            report_absence(current_company(), current_user, cell.meeting, cell.student, reason, local_now())
        except AttendanceRefused as refused:
            return error_response(403, str(refused))
        cell = absent_cell(cell.meeting, cell.student, local_now())
    flash(f"{cell.student.first_name} is reported absent ({reason.name}) on {day(cell.meeting.starts_at)}.", "success")
    return _cell_response(cell, changed=True) if htmx else _back_to_schedule(cell)


@bp.route("/absence/<int:meeting_id>/<int:student_id>/clear", methods=["POST"])
@role_required(User.PATRON)
def clear(meeting_id, student_id):
    """Take back a reported absence."""
    cell = _cell_or_404(meeting_id, student_id)
    try:
        clear_absence(cell.meeting, cell.student, local_now())
    except AttendanceRefused as refused:
        return error_response(403, str(refused))
    flash(f"{cell.student.first_name} is expected on {day(cell.meeting.starts_at)} again.", "success")
    if htmx:
        return _cell_response(absent_cell(cell.meeting, cell.student, local_now()), changed=True)
    return _back_to_schedule(cell)


def _future_absence_forms(students, reasons):
    today = local_now().date()
    by_date, by_enrollment = AbsenceByDateForm(prefix="date"), AbsenceByEnrollmentForm(prefix="class")
    enrollments = (
        Enrollment.select(Enrollment, Student, Course)
        .join(Student)
        .switch(Enrollment)
        .join(Course)
        .where(Enrollment.student.in_([s.id for s in students]) & Enrollment.status.in_(Enrollment.ACTIVE))
        .order_by(Student.first_name, Course.name)
    )
    by_date.student.choices = [(s.id, s.name) for s in students]
    by_enrollment.enrollment.choices = [(e.id, f"{e.student.first_name} · {e.course.name}") for e in enrollments]
    for form in (by_date, by_enrollment):
        form.set_choices(reasons)
        form.today = today
    return by_date, by_enrollment, {e.id: e for e in enrollments}


def _future_absences_page(by_date, by_enrollment, students, status=200):
    return render(
        "schedule/future_absences.html", "content", status=status, by_date=by_date, by_enrollment=by_enrollment,
        absences=future.scheduled_absences(family().student_ids, local_now().date()),
        students=students,
    )


def _future_absences_enabled():
    if not current_company().future_absences:
        abort(404)


@bp.route("/future-absences")
@role_required(User.PATRON)
def future_absences():
    """Scheduled future absences and the two ways to create one."""
    _future_absences_enabled()
    students = family().students
    by_date, by_enrollment, _ = _future_absence_forms(students, patron_reasons())
    return _future_absences_page(by_date, by_enrollment, students)


@bp.route("/future-absences", methods=["POST"])
@role_required(User.PATRON)
def create_future_absence():
    """Create Future Absence By Date or By Enrollment."""
    _future_absences_enabled()
    students = family().students
    by_date, by_enrollment, enrollments = _future_absence_forms(students, patron_reasons())
    form = by_enrollment if request.form.get("kind") == "enrollment" else by_date
    if form.validate_on_submit():
        reason = AbsenceReason.get_by_id(form.reason.data)
        if form is by_date:
            student, course = Student.get_by_id(form.student.data), None
            first, last = form.first_day.data, form.last_day.data
            times = dict(from_time=form.from_time.data, until_time=form.until_time.data)
        else:
            enrollment = enrollments[form.enrollment.data]
            student, course, first, last, times = enrollment.student, enrollment.course, form.day.data, form.day.data, {}
        try:
            future.create_future_absence(
                current_company(), current_user, student, reason, first, last, local_now(), course=course, **times
            )
        except future.NoMeetingsCovered as empty:
            (form.first_day if form is by_date else form.day).errors.append(str(empty))
        else:
            flash(f"The future absence for {student.first_name} is scheduled.", "success")
            return redirect(url_for("schedule.future_absences"), 303)
    return _future_absences_page(by_date, by_enrollment, students, status=422)


@bp.route("/future-absences/<int:absence_id>/cancel", methods=["POST"])
@role_required(User.PATRON)
def cancel_future_absence(absence_id):
    """Cancel a scheduled future absence."""
    _future_absences_enabled()
    absence = future.future_absence_or_404(family().student_ids, absence_id)
    future.cancel_future_absence(absence, local_now())
    flash("The future absence is cancelled; the classes it covered are no longer marked absent.", "success")
    return redirect(url_for("schedule.future_absences"), 303)
