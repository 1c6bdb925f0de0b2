"""An instructor's classes and the roster of each meeting."""
from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user

from ..access import role_required
from ..clock import local_now
from ..confirm import ask_first, confirmed
from ..errors import error_response
from ..extensions import htmx
from ..models import Evaluation, Order, User
from ..numbers import requested_page
from ..registration.on_account import register_on_account
from ..registration.services import RegistrationRefused
from ..templating import current_company, money, render
from .classes import class_list, course_or_404, students_to_register
from .evaluations import latest_evaluations, level_skill_or_none, record_evaluation
from .forms import EvaluateForm, MarkForm, RegisterOnAccountForm
from .roster import enrolled_student_or_404, may_mark, meeting_or_404, roster, roster_reasons, skills_on_roster
from .services import AttendanceRefused, mark_attendance, my_meetings, records_for, rosters_to_submit, submit_roster

bp = Blueprint("attendance", __name__, url_prefix="/classes")
ROSTER_ROLES = (User.INSTRUCTOR, User.STAFF)


@bp.route("/")
@role_required(*ROSTER_ROLES)
def my_classes():
    """Staff: every course with its next class. An instructor: rosters still to submit, today's and the next two
    weeks' meetings, then their own courses; htmx (the pager) gets only the courses."""
    start = local_now().replace(hour=0, minute=0, second=0)
    courses, total, pages = class_list(current_user, start, requested_page())
    listed = dict(courses=courses, total=total, pages=pages, page=min(requested_page(), pages))
    if current_user.role == User.STAFF:
        return render("attendance/my_classes.html", "classes", **listed)
    meetings = my_meetings(current_user, start, days=14)
    today = [m for m in meetings if m.starts_at.date() == start.date()]
    return render("attendance/my_classes.html", "classes", overdue=rosters_to_submit(current_user, start),
                  today=today, upcoming=meetings[len(today):], **listed)


def _render_register(course, form, status=200, block="content", refusal=None):
    text = request.values.get("q", "")[:100].strip()
    students, total, pages = students_to_register(text, course, requested_page()) if text else ([], 0, 1)
    return render("attendance/register.html", block, status=status, course=course, form=form, q=text,
                  students=students, total=total, pages=pages, page=min(requested_page(), pages), refusal=refusal)


@bp.route("/courses/<int:course_id>/register")
@role_required(User.INSTRUCTOR)
def register(course_id):
    """Find a student by name (or household) to register in one of the instructor's courses; htmx gets the results."""
    return _render_register(course_or_404(current_user, course_id), RegisterOnAccountForm(), block="results")


@bp.route("/courses/<int:course_id>/register", methods=["POST"])
@role_required(User.INSTRUCTOR)
def register_student(course_id):
    """Register the picked student and put the order on account: the family may pay it online (seed 000, rule a)."""
    course = course_or_404(current_user, course_id)
    form = RegisterOnAccountForm()
    block = "results" if htmx else "content"
    if not form.validate_on_submit():
        return _render_register(course, form, status=422, block=block)
    student = form.picked
    try:
        _, order = register_on_account(current_company(), current_user, course, student, Order.INSTRUCTOR_ONLINE,
                                       "Registered by the instructor online")
    except RegistrationRefused as refused:
        return _render_register(course_or_404(current_user, course_id), form, status=409, block=block,
                                refusal=str(refused))
    owed = (f" Order #{order.number} ({money(course.price_cents)}) is on account: the family can pay it "
            "under Pay an Order Balance." if order else "")
    flash(f"{student.name} is registered in {course.name}.{owed}", "success")
    if htmx:
        return _render_register(course_or_404(current_user, course_id), RegisterOnAccountForm(formdata=None),
                                block="results")
    return redirect(url_for(".register", course_id=course.id, q=request.form.get("q") or None), 303)


def _render_roster(meeting, block="content", status=200, row_errors=None, submit_error=None, skill_errors=None,
                   open_skills=None, typed_comment=None):
    return render(
        "attendance/roster.html", block, status=status, meeting=meeting, can_mark=may_mark(current_user, meeting),
        row_errors=row_errors or {}, submit_error=submit_error, started=meeting.starts_at <= local_now(),
        skill_errors=skill_errors or {}, open_skills=open_skills or request.args.get("skills", type=int),
        typed_comment=typed_comment, **roster(meeting),
    )


@bp.route("/meetings/<int:meeting_id>")
@role_required(*ROSTER_ROLES)
def meeting_roster(meeting_id):
    """The roster of one meeting: each enrolled student's attendance, with one-tap marks."""
    return _render_roster(meeting_or_404(current_user, meeting_id))


@bp.route("/meetings/<int:meeting_id>/students/<int:student_id>", methods=["POST"])
@role_required(*ROSTER_ROLES)
def mark(meeting_id, student_id):
    """Mark one student present or absent with a reason; htmx gets back just that student's row."""
    meeting = meeting_or_404(current_user, meeting_id)
    student = enrolled_student_or_404(meeting, student_id)
    reasons = roster_reasons()
    form = MarkForm(reasons)
    if not form.validate_on_submit():
        if not htmx:
            return _render_roster(meeting, status=422, row_errors={student.id: " ".join(form.mark.errors)})
        return _render_row(meeting, student, reasons, status=422, error=" ".join(form.mark.errors))
    try:
        mark_attendance(current_user, meeting, student, form.reason)
    except AttendanceRefused as refused:
        return error_response(403, str(refused))
    flash(f"{student.first_name} {student.last_name}: {form.reason.name if form.reason else 'Present'}.", "success")
    if htmx:
        return _render_row(meeting, student, reasons)
    return redirect(url_for(".meeting_roster", meeting_id=meeting.id, _anchor=f"roster-row-{student.id}"), 303)


def _render_row(meeting, student, reasons, status=200, error=None):
    # The row is block "row" of the roster template, inside the students loop: rendered alone it gets the
    # loop's variables (student, records, ...) from this context, so the page and its row stay one template.
    return render(
        "attendance/roster.html", "row", status=status, meeting=meeting, student=student, reasons=reasons,
        records=records_for([meeting.id], [student.id]), can_mark=may_mark(current_user, meeting),
        row_errors={student.id: error} if error else {}, focus=bool(htmx), skill_errors={}, open_skills=None,
        **skills_on_roster(meeting, [student.id]),
    )


@bp.route("/meetings/<int:meeting_id>/students/<int:student_id>/skills/<int:skill_id>", methods=["POST"])
@role_required(*ROSTER_ROLES)
def evaluate(meeting_id, student_id, skill_id):
    """Evaluate one skill of a student on the roster (one tap); htmx gets back just that skill."""
    meeting = meeting_or_404(current_user, meeting_id)
    student = enrolled_student_or_404(meeting, student_id)
    skill = level_skill_or_none(meeting.course.level, skill_id) or abort(404)
    form = EvaluateForm()
    if not form.validate_on_submit():
        error = " ".join(form.status.errors + form.comment.errors)
        if not htmx:
            return _render_roster(meeting, status=422, skill_errors={(student.id, skill.id): error},
                                  open_skills=student.id, typed_comment=form.comment.data)
        return _render_skill(meeting, student, skill, status=422, error=error, comment=form.comment.data)
    try:
        evaluation = record_evaluation(current_user, meeting, student, skill, form.status.data, form.comment.data or "",
                                       local_now().date())
    except AttendanceRefused as refused:
        return error_response(403, str(refused))
    flash(f"{student.first_name} {student.last_name}: {skill.name} {evaluation.status_label.lower()}.", "success")
    if htmx:
        return _render_skill(meeting, student, skill)
    return redirect(url_for(".meeting_roster", meeting_id=meeting.id, skills=student.id,
                            _anchor=f"skill-{student.id}-{skill.id}"), 303)


def _render_skill(meeting, student, skill, status=200, error=None, comment=None):
    # Block "skill" of the roster template, inside the row's skills loop: the same template as the page.
    return render(
        "attendance/roster.html", "skill", status=status, meeting=meeting, student=student, skill=skill,
        evaluations=latest_evaluations([student.id], [skill.id]), skill_focus=bool(htmx), statuses=Evaluation.LABELS,
        can_mark=may_mark(current_user, meeting),
        skill_errors={(student.id, skill.id): error} if error else {}, typed_comment=comment,
    )


@bp.route("/meetings/<int:meeting_id>/submit", methods=["POST"])
@role_required(*ROSTER_ROLES)
def submit(meeting_id):
    """Submit the roster once the class has started: records who and when; afterwards only staff may change it."""
    meeting = meeting_or_404(current_user, meeting_id)
    on_roster = roster(meeting)
    unmarked = [s for s in on_roster["students"] if (meeting.id, s.id) not in on_roster["records"]]
    if unmarked and not meeting.roster_submitted_at and meeting.starts_at <= local_now() and not confirmed():
        names = ", ".join(f"{s.first_name} {s.last_name}" for s in unmarked)
        return ask_first(f"Submit the roster with {len(unmarked)} not marked?",
                         f"Not marked: {names}. Their families will read \"Not marked\", and after submitting only "
                         "the office can change the roster.", "Yes, submit the roster",
                         url_for(".meeting_roster", meeting_id=meeting.id))
    try:
        meeting = submit_roster(current_user, meeting, local_now())
    except AttendanceRefused as refused:
        return _render_roster(meeting, block="roster" if htmx else "content", status=409, submit_error=str(refused))
    flash("Roster submitted.", "success")
    if htmx:
        return _render_roster(meeting_or_404(current_user, meeting.id), block="roster")
    return redirect(url_for(".meeting_roster", meeting_id=meeting.id), 303)
