"""My Account: its sections in the seed's order (Login/Security is a page of its own: account/security.py)."""
from flask import Blueprint, abort
from flask_login import current_user, login_required

from ..access import family, role_required
from ..billing.methods import saved_methods
from ..gateway import provider_for
from ..models import User
from ..templating import current_company, render

bp = Blueprint("account", __name__, url_prefix="/account")


@bp.route("/")
@login_required
def index():
    """My Account."""
    from .locations import location_form

    return render("account/index.html", "content", households=family().memberships, students=family().students,
                  location_form=location_form(current_user) if current_user.role == User.PATRON else None)


@bp.route("/payments")
@role_required(User.PATRON)
def payments():
    """Payments: the stored payment methods (for a guardian with the payment grant; anyone else 403)."""
    if not family().may_pay:
        abort(403)
    return render("account/payments.html", "content", methods=saved_methods(current_user),
                  gateway=provider_for(current_company()))


from . import contact_routes, locations, student_routes, student_sections  # noqa: E402,F401 (their routes join this blueprint)
