"""Pay an Order Balance."""
from flask import Blueprint, abort

from ..access import family, role_required
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
    if not (family().may_pay or family().balance_accounts):
        abort(403)
    orders = with_lines(payable_online_orders(family().account_ids))
    return render("billing/pay_balance.html", "content", orders=orders)
