"""My Account: its sections in the seed's order (Login/Security is a page of its own: account/security.py)."""
from flask import Blueprint, abort
from flask_login import current_user, login_required

from ..access import family, role_required
from ..billing.ledger import last_payment, unapplied_credit, visible_balances
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
    """Payments: what is outstanding, the credit and the last payment (with the balance grant), and the stored
    payment methods (with the payment grant); anyone with neither gets 403."""
    household = family()
    if not (household.may_pay or household.balance_accounts):
        abort(403)
    seen = [a.id for a in household.balance_accounts]
    credits = [(a, unapplied_credit(a)) for a in household.balance_accounts]  # one query per household of the user
    return render("account/payments.html", "content", balances=visible_balances(household, current_company()),
                  credits=[(a, cents) for a, cents in credits if cents], last_payment=last_payment(seen) if seen else None,
                  methods=saved_methods(current_user) if household.may_pay else [],
                  gateway=provider_for(current_company()))


from . import contact_routes, history, locations, makeup_routes, student_routes, student_sections  # noqa: E402,F401 (their routes join this blueprint)
