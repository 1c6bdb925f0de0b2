"""An instructor's classes."""
from flask import Blueprint
from flask_login import current_user

from ..access import role_required
from ..clock import local_now
from ..models import User
from ..templating import render
from .services import my_meetings

bp = Blueprint("attendance", __name__, url_prefix="/classes")


@bp.route("/")
@role_required(User.INSTRUCTOR)
def my_classes():
    """Today's and upcoming meetings of the instructor's own classes."""
    start = local_now().replace(hour=0, minute=0, second=0)
    return render("attendance/my_classes.html", "content", meetings=my_meetings(current_user, start, days=14))
