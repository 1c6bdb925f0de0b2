"""Staff routes for households: a search over names, guardians and students, and one household's page."""
from flask import Blueprint, abort, request
from flask_login import current_user

from ..access import may_bill, role_required
from ..models import Account, User
from ..numbers import whole_number
from ..templating import current_company, render
from .households import household_page, search

bp = Blueprint("staff_households", __name__, url_prefix="/staff/households")


def _page_number():
    return max(request.args.get("page", 1, type=whole_number), 1)


@bp.route("/")
@role_required(User.STAFF)
def index():
    """Households by name, narrowed by what was typed (a household, guardian or student name, or an email)."""
    text = request.args.get("q", "")[:100].strip()
    households, total, pages = search(text, _page_number())
    return render("staff/households.html", "results", q=text, households=households, total=total,
                  page=min(_page_number(), pages), pages=pages)


@bp.route("/<int:account_id>")
@role_required(User.STAFF)
def household(account_id):
    """One household: guardians, students and enrollments; its balance, orders and ledger with "Access Billing Tab"."""
    account = Account.get_or_none(Account.id == account_id) or abort(404)
    page = household_page(account, may_bill(current_user), current_company(), _page_number())
    return render("staff/household.html", "content", household=page)
