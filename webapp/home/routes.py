"""Each role's home."""
import datetime

from flask import Blueprint, redirect, url_for
from flask_login import current_user, login_required

from ..access import family
from ..billing.ledger import payable_online_orders, payments_made, visible_balances
from ..clock import local_now
from ..models import User
from ..packages.routes import household_packages
from ..schedule.services import households_upcoming_meetings
from ..templating import current_company, render

bp = Blueprint("home", __name__)


@bp.route("/")
def index():
    """Signed-out visitors go to sign in; everyone else to their role's home."""
    if not current_user.is_authenticated:
        return redirect(url_for("auth.sign_in"))
    if current_user.role == User.INSTRUCTOR:
        return redirect(url_for("attendance.my_classes"))
    if current_user.role == User.STAFF:
        return redirect(url_for("staff.index"))
    return redirect(url_for("home.dashboard"))


@bp.route("/home")
@login_required
def dashboard():
    """The family dashboard: Upcoming Courses, Pay an Order Balance, My Account."""
    if current_user.role != User.PATRON:
        return redirect(url_for("home.index"))
    balances = visible_balances(family(), current_company())
    transactions = [m.account_id for m in family().memberships if m.can_view_transactions]
    now = local_now()
    next_up = households_upcoming_meetings(family().account_ids, now, now + datetime.timedelta(days=14))[:3]
    orders_due = []  # a payer who may not see the balance still sees what to pay online
    if current_company().pay_balances_online and family().may_pay and not balances:
        orders_due = payable_online_orders(family().account_ids)
    return render(
        "home/family.html", "content", packages=household_packages(current_user, family().account_ids),
        next_up=next_up, balances=balances, orders_due=orders_due,
        may_pay=family().may_pay, payments=payments_made(transactions) if transactions else [],
    )
