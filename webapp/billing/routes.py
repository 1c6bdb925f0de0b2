"""Pay an Order Balance."""
from flask import Blueprint, abort
from flask_login import current_user

from ..access import member_account_ids, memberships, role_required
from ..models import User
from ..templating import current_company, render
from .ledger import payable_online_orders, with_lines

bp = Blueprint("billing", __name__, url_prefix="/billing")


@bp.route("/pay-balance")
@role_required(User.PATRON)
def pay_balance():
    """Orders the family may pay online, with their balances."""
    if not current_company().pay_balances_online:
        abort(404)
    households = list(memberships(current_user))
    if not any(m.can_make_payments or m.can_view_balance for m in households):
        abort(403)
    orders = with_lines(payable_online_orders(member_account_ids(current_user)))
    return render("billing/pay_balance.html", "content", orders=orders)
