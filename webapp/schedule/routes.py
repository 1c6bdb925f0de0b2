"""Upcoming Courses."""
from flask import Blueprint, request
from flask_login import current_user

from ..access import role_required, visible_students
from ..clock import local_now
from ..models import User
from ..templating import render
from .services import upcoming_meetings

bp = Blueprint("schedule", __name__, url_prefix="/schedule")
WEEKS_PER_PAGE = 4


@bp.route("/")
@role_required(User.PATRON)
def upcoming():
    """The family's upcoming meetings, four weeks at a time."""
    weeks = min(max(request.args.get("weeks", WEEKS_PER_PAGE, type=int), WEEKS_PER_PAGE), 52)
    students = visible_students(current_user)
    meetings = upcoming_meetings(students, local_now(), days=weeks * 7)
    return render(
        "schedule/upcoming.html", "schedule", meetings=meetings, students=list(students), weeks=weeks,
        more_weeks=weeks + WEEKS_PER_PAGE,
    )
