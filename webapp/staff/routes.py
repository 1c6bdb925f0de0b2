"""The staff home, the absence-reason code table, and moving or cancelling a meeting."""
import datetime

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user

from ..access import may_bill, role_required
from ..clock import local_now
from ..confirm import ask_first, confirmed
from ..extensions import htmx
from ..models import AbsenceReason, Company, Course, Location, Meeting, User
from ..numbers import requested_page
from ..registration.services import RegistrationRefused, seats_taken
from ..registration.waitlist import offer_next_seat, waiting
from ..schedule.changes import MeetingChangeRefused, cancel_meeting, move_meeting
from ..templating import clock, day, render
from ..audit import changes_to
from .forms import MoveMeetingForm, ReasonForm
from .preferences import GROUPS, PreferencesForm, save_preferences
from .services import (
    ReasonNameTaken, absence_reasons, course_meetings, courses_with_meetings_to_come, orders_with_balance, save_reason,
)

bp = Blueprint("staff", __name__, url_prefix="/staff")


@bp.route("/")
@role_required(User.STAFF)
def index():
    """The staff console's areas and, for staff who may bill, the orders that still have a balance (paged, searched
    by order number or household)."""
    if not may_bill(current_user):
        return render("staff/index.html", "content")
    text = request.args.get("q", "")[:100].strip()
    page = requested_page()
    orders, more = orders_with_balance(text, page)
    return render("staff/index.html", "results", orders=orders, q=text, page=page, more=more)


def _save(form, reason_id=None):
    """Save a valid form; a name taken meanwhile becomes an error next to the field. Returns the reason or None."""
    if not form.validate_on_submit():
        return None
    try:
        return save_reason(reason_id, **form.values())
    except ReasonNameTaken:
        form.name.errors.append(f"There is already a reason called “{form.name.data}”.")
        return None


@bp.route("/reasons")
@role_required(User.STAFF)
def reasons():
    """The absence-reason code table, with a form to add one."""
    return render("staff/reasons.html", "content", reasons=absence_reasons(), form=ReasonForm(formdata=None))


@bp.route("/reasons", methods=["POST"])
@role_required(User.STAFF)
def add_reason():
    """Add an absence reason; htmx gets back the table and a fresh form."""
    form = ReasonForm()
    reason = _save(form)
    if reason is None:
        return render("staff/reasons.html", "reasons", status=422, reasons=absence_reasons(), form=form)
    flash(f"Added “{reason.name}”.", "success")
    if htmx:
        return render("staff/reasons.html", "reasons", reasons=absence_reasons(), form=ReasonForm(formdata=None))
    return redirect(url_for(".reasons"), 303)


@bp.route("/reasons/<int:reason_id>", methods=["GET", "POST"])
@role_required(User.STAFF)
def edit_reason(reason_id):
    """Rename an absence reason, change who may use it, retire it, or move it in the order."""
    reason = AbsenceReason.get_or_none(AbsenceReason.id == reason_id) or abort(404)
    form = ReasonForm(reason_id=reason.id, obj=reason)
    saved = _save(form, reason.id)
    if saved:
        flash(f"Saved “{saved.name}”.", "success")
        return redirect(url_for(".reasons"), 303)
    status = 422 if form.errors else 200
    return render("staff/reason.html", "content", status=status, reason=reason, form=form, changes=changes_to(reason))


@bp.route("/courses")
@role_required(User.STAFF)
def courses():
    """Every course, with how many meetings it still has."""
    return render("staff/courses.html", "content", courses=courses_with_meetings_to_come(local_now()))


def _course_or_404(course_id):
    return (Course.select(Course, Location).join(Location).where(Course.id == course_id).first()) or abort(404)


def _course_page(course, status=200, **context):
    now = local_now()
    return render("staff/course.html", "content", status=status, course=course, now=now,
                  meetings=course_meetings(course, now - datetime.timedelta(days=14)), waitlist=waiting(course),
                  seats_free=max(course.capacity - seats_taken([course.id])[course.id], 0),
                  changes=changes_to(course), **context)


@bp.route("/courses/<int:course_id>")
@role_required(User.STAFF)
def course(course_id):
    """A course's waitlist, and its meetings from two weeks ago on, each to move or cancel while still to come."""
    return _course_page(_course_or_404(course_id))


@bp.route("/courses/<int:course_id>/offer", methods=["POST"])
@role_required(User.STAFF)
def offer(course_id):
    """Offer the free seat to the next student on the waitlist, held for the company's hold time."""
    course = _course_or_404(course_id)
    try:
        made = offer_next_seat(current_user, course.id)
    except RegistrationRefused as refused:
        return _course_page(course, status=409, refused=str(refused))
    names = ", ".join(e.student.first_name for e in made)
    flash(f"A seat in {course.name} is held for {names}; the family is told by email.", "success")
    return redirect(url_for(".course", course_id=course.id, _anchor="waitlist"), 303)


def _when(meeting):
    return f"{day(meeting.starts_at, 'EEEE d MMMM')}, {clock(meeting.starts_at)}"


def _meeting_or_404(meeting_id):
    return (Meeting.select(Meeting, Course, Location).join(Course).join(Location)
            .where(Meeting.id == meeting_id).first()) or abort(404)


@bp.route("/meetings/<int:meeting_id>/move", methods=["GET", "POST"])
@role_required(User.STAFF)
def move(meeting_id):
    """Move one meeting to another date or time; its families get an email."""
    meeting = _meeting_or_404(meeting_id)
    form = MoveMeetingForm(data={"day": meeting.starts_at.date(), "starts": meeting.starts_at.time(),
                                 "ends": meeting.ends_at.time()})
    status = 200
    if form.validate_on_submit():
        try:
            moved = move_meeting(current_user, meeting.id, *form.times())
        except MeetingChangeRefused as refused:
            form.day.errors.append(str(refused))
        else:
            flash(f"{moved.course.name} moved to {_when(moved)}. Its families are told by email.",
                  "success")
            return redirect(url_for(".course", course_id=meeting.course_id, _anchor=f"meeting-{meeting.id}"), 303)
    if form.errors:
        status = 422
    return render("staff/move_meeting.html", "content", status=status, meeting=meeting, form=form)


@bp.route("/meetings/<int:meeting_id>/cancel", methods=["POST"])
@role_required(User.STAFF)
def cancel(meeting_id):
    """Cancel one meeting, after asking; its families get an email and their absences for it are dropped."""
    meeting = _meeting_or_404(meeting_id)
    back = url_for(".course", course_id=meeting.course_id)
    if not confirmed():
        return ask_first(f"Cancel {meeting.course.name} on {_when(meeting)}?",
                         "Its families get an email, and the absences they reported for it are dropped. "
                         "This cannot be undone.", "Cancel this class", back)
    try:
        cancel_meeting(current_user, meeting.id)
    except MeetingChangeRefused as refused:
        response = _course_page(meeting.course, status=409, refused=str(refused))
        if htmx:  # the form asked for itself: the refusal takes the page, as the question did
            response.headers.update({"HX-Retarget": "#main", "HX-Reswap": "innerHTML"})
        return response
    flash(f"{meeting.course.name} on {_when(meeting)} is cancelled. Its families are told by email.",
          "success")
    return redirect(f"{back}#meeting-{meeting.id}", 303)


@bp.route("/preferences", methods=["GET", "POST"])
@role_required(User.STAFF)
def preferences():
    """Company preferences: what families may do online, and how."""
    company = Company.current()
    form = PreferencesForm(obj=company)
    if form.validate_on_submit():
        save_preferences(form.values())
        flash("Preferences saved. Families see them on their next page.", "success")
        return redirect(url_for(".preferences"), 303)
    return render("staff/preferences.html", "content", status=422 if form.errors else 200, form=form, groups=GROUPS,
                  changes=changes_to(company))
