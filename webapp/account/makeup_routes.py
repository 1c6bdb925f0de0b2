"""Your Student(s) → Makeups with tokens: the student's tokens, Use a token (choose a makeup class) and cancelling
that booking. Shown only while the company's makeup tokens are on (404 otherwise)."""
from flask import abort, flash, redirect, request, url_for
from flask_login import current_user

from ..access import role_required, student_or_404
from ..clock import local_now
from ..extensions import htmx
from ..models import Location, MakeupToken, User
from ..numbers import whole_number
from ..templating import clock, current_company, day, render
from .locations import chosen_location
from .makeup_requests import NOTE_LENGTH, past_makeups, request_makeup, request_meetings, requests_on
from .makeup_tokens import MakeupRefused, cancel_makeup, is_usable, makeup_meetings, student_tokens, use_token
from .routes import bp
from .student_records import editable_student_or_403


def _tokens_on():
    if not current_company().makeup_tokens:
        abort(404)


def _requests_on():
    if not requests_on(current_company()):
        abort(404)


def _makeups_page(student, status=200, error=None):
    locations = list(Location.select().order_by(Location.name))
    location_id = chosen_location(current_user, locations)
    now = local_now()
    return render("account/makeups.html", "content", status=status, student=student, error=error, now=now,
                  tokens=student_tokens(student, location_id, now.date()),
                  location=next((place for place in locations if place.id == location_id), None))


@bp.route("/students/<int:student_id>/makeups")
@role_required(User.PATRON)
def makeups(student_id):
    """Makeups: the student's tokens here, elsewhere, pending, expired and spent; or, with requests instead of
    tokens, Request a Makeup and Past Makeups."""
    if requests_on(current_company()):
        return _requests_page(student_or_404(current_user, student_id))
    _tokens_on()
    return _makeups_page(student_or_404(current_user, student_id))


def _requests_page(student):
    return render("account/makeup_requests.html", "content", student=student, requests=past_makeups(student))


def _request_form(student, status=200, error=None, chosen=None, note=""):
    return render("account/makeup_request.html", "content", status=status, student=student, error=error,
                  chosen=chosen, note=note, meetings=request_meetings(student, local_now()), note_length=NOTE_LENGTH)


@bp.route("/students/<int:student_id>/makeups/request")
@role_required(User.PATRON)
def request_makeup_form(student_id):
    """Request a Makeup: the open meetings of eligible courses in the next four weeks, and a note."""
    _requests_on()
    return _request_form(editable_student_or_403(current_user, student_id))


@bp.route("/students/<int:student_id>/makeups/request", methods=["POST"])
@role_required(User.PATRON)
def request_makeup_route(student_id):
    """Store the request (guardians of the billing household only); staff are mailed."""
    _requests_on()
    student = editable_student_or_403(current_user, student_id)
    meeting_id = request.form.get("meeting", type=whole_number)
    note = request.form.get("note", "").strip()
    if len(note) > NOTE_LENGTH:
        return _request_form(student, 422, chosen=meeting_id, note=note[:NOTE_LENGTH * 2],
                             error={"note": f"Use at most {NOTE_LENGTH} characters."})
    if meeting_id is None:
        return _request_form(student, 422, note=note, error={"meeting": "Choose a class for the makeup."})
    try:
        made = request_makeup(current_user, student, meeting_id, note, local_now())
    except MakeupRefused as refused:
        return _request_form(student, 409, chosen=meeting_id, note=note, error={"meeting": str(refused)})
    meeting = made.meeting
    flash(f"A makeup for {student.first_name} at {meeting.course.name} on {day(meeting.starts_at)} is requested; "
          "you will get an email when the school decides.", "success")
    if htmx:
        return _requests_page(student)
    return redirect(url_for("account.makeups", student_id=student.id), 303)


def _token_or_404(student, token_id):
    token = MakeupToken.get_or_none((MakeupToken.id == token_id) & (MakeupToken.student == student.id))
    if token is None:
        abort(404)
    return token


def _use_page(student, token, status=200, error=None, chosen=None):
    now = local_now()
    usable = is_usable(token, now.date())
    return render("account/makeup_use.html", "content", status=status, student=student, token=token, error=error,
                  chosen=chosen, usable=usable, location=Location.get_by_id(token.location_id),
                  meetings=makeup_meetings(student, token, now) if usable else [])


def _editable_token(student_id, token_id):
    """The student (of the user's billing household, else 403) and one of their tokens (else 404)."""
    _tokens_on()
    student = editable_student_or_403(current_user, student_id)
    return student, _token_or_404(student, token_id)


def _back_to_makeups(student, message):
    flash(message, "success")
    if htmx:
        return _makeups_page(student)
    return redirect(url_for("account.makeups", student_id=student.id), 303)


@bp.route("/students/<int:student_id>/makeups/<int:token_id>")
@role_required(User.PATRON)
def use_token_form(student_id, token_id):
    """Use a token: the open meetings of eligible courses at the token's location in the next four weeks."""
    return _use_page(*_editable_token(student_id, token_id))


@bp.route("/students/<int:student_id>/makeups/<int:token_id>", methods=["POST"])
@role_required(User.PATRON)
def use_token_route(student_id, token_id):
    """Book the chosen makeup class with the token (guardians of the billing household only)."""
    student, token = _editable_token(student_id, token_id)
    meeting_id = request.form.get("meeting", type=whole_number)
    if meeting_id is None:
        return _use_page(student, token, status=422, error="Choose a class for the makeup.")
    try:
        meeting = use_token(current_user, student, token.id, meeting_id, local_now())
    except MakeupRefused as refused:
        return _use_page(student, _token_or_404(student, token_id), status=409, error=str(refused),
                         chosen=meeting_id)
    return _back_to_makeups(student, f"{student.first_name} is booked for a makeup: {meeting.course.name} on "
                                     f"{day(meeting.starts_at)} at {clock(meeting.starts_at)}. The token is Pending.")


@bp.route("/students/<int:student_id>/makeups/<int:token_id>/cancel", methods=["POST"])
@role_required(User.PATRON)
def cancel_makeup_route(student_id, token_id):
    """Cancel a makeup booked with a token before it starts: the token is Available again."""
    student, token = _editable_token(student_id, token_id)
    try:
        meeting = cancel_makeup(student, token.id, local_now())
    except MakeupRefused as refused:
        return _makeups_page(student, status=409, error=str(refused))
    return _back_to_makeups(student, f"The makeup in {meeting.course.name} is cancelled; {student.first_name}'s "
                                     "token is available again.")
