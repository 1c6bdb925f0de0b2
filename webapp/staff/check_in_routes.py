"""Check-in by QR code (when the company uses QR codes): staff type or scan a student's code."""
from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user

from ..access import role_required
from ..account.check_in_codes import CheckInRefused, check_in
from ..attendance.services import AttendanceRefused
from ..clock import local_now
from ..extensions import htmx
from ..models import User
from ..templating import current_company, render

bp = Blueprint("check_in", __name__, url_prefix="/staff/check-in")


def _page(status=200, error=None, code=""):
    return render("staff/check_in.html", "content", status=status, error=error, code=code)


@bp.route("/", methods=["GET", "POST"])
@role_required(User.STAFF)
def index():
    """The check-in page; a posted code marks its student present at the meeting happening now."""
    if not current_company().student_qr_codes:
        abort(404)
    if request.method == "GET":
        return _page()
    code = request.form.get("code", "")[:100]
    try:
        student, meeting = check_in(current_user, code, local_now())
    except (CheckInRefused, AttendanceRefused) as refused:
        return _page(status=422, error=str(refused), code=code)
    flash(f"{student.name} is checked in: present at {meeting.course.name}.", "success")
    return _page() if htmx else redirect(url_for("check_in.index"), 303)
