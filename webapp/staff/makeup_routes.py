"""Makeup requests for staff (while families request makeups): the open requests, Approve, or Decline with a
reason; 404 while the company does not take requests."""
from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user

from ..access import role_required
from ..account.makeup_requests import REASON_LENGTH, approve_request, decline_request, open_requests, requests_on
from ..account.makeup_tokens import MakeupRefused
from ..clock import local_now
from ..extensions import htmx
from ..models import User
from ..templating import current_company, day, render

bp = Blueprint("staff_makeups", __name__, url_prefix="/staff/makeups")


def _page(status=200, error=None, errors=None, reasons=None):
    """The open requests; `error` a refusal (the request may no longer be listed), `errors` by request id."""
    return render("staff/makeup_requests.html", "content", status=status, requests=open_requests(), error=error,
                  errors=errors or {}, reasons=reasons or {}, reason_length=REASON_LENGTH)


@bp.before_request
def _requests_on():
    if not requests_on(current_company()):
        abort(404)


@bp.route("/")
@role_required(User.STAFF)
def index():
    """The makeup requests waiting for a decision, oldest first."""
    return _page()


def _decided(found, message):
    flash(f"{found.student.name}'s makeup at {found.meeting.course.name} on {day(found.meeting.starts_at)} "
          f"{message}; the family is emailed.", "success")
    return _page() if htmx else redirect(url_for("staff_makeups.index"), 303)


@bp.route("/<int:request_id>/approve", methods=["POST"])
@role_required(User.STAFF)
def approve(request_id):
    """Approve: the seat at the meeting is held for the student."""
    try:
        found = approve_request(current_user, request_id, local_now())
    except LookupError:
        abort(404)
    except MakeupRefused as refused:
        return _page(409, error=str(refused))
    return _decided(found, "is approved")


@bp.route("/<int:request_id>/decline", methods=["POST"])
@role_required(User.STAFF)
def decline(request_id):
    """Decline with the reason the family is told."""
    reason = request.form.get("reason", "").strip()
    if not reason or len(reason) > REASON_LENGTH:
        message = "Give the family a reason." if not reason else f"Use at most {REASON_LENGTH} characters."
        return _page(422, errors={request_id: message}, reasons={request_id: reason[:REASON_LENGTH * 2]})
    try:
        found = decline_request(current_user, request_id, reason)
    except LookupError:
        abort(404)
    except MakeupRefused as refused:
        return _page(409, error=str(refused))
    return _decided(found, "is declined")
