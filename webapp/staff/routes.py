"""The staff home."""
from flask import Blueprint

from ..access import role_required
from ..models import User
from ..templating import render
from .services import orders_with_balance

bp = Blueprint("staff", __name__, url_prefix="/staff")


@bp.route("/")
@role_required(User.STAFF)
def index():
    """Orders that still have a balance, across households."""
    return render("staff/index.html", "content", orders=orders_with_balance())
