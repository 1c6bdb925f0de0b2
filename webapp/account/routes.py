"""My Account: its sections in the seed's order (Login/Security is a page of its own: account/security.py)."""
from flask import Blueprint, abort
from flask_login import current_user, login_required

from ..access import family, role_required
from ..billing.ledger import last_payment, unapplied_credit, visible_balances
from ..billing.methods import family_methods
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
    payment methods (any guardian with portal access); a patron of no household gets 403."""
    return payments_page()


def offers_bank_accounts(gateway):
    """A bank account is offered when the company takes eChecks, on the sandbox's page (Stripe's is cards only)."""
    return bool(gateway) and gateway.name == "sandbox" and current_company().echecks


def payments_page(add_form=None, status=200):
    """The Payments page, with Add Payment Method's form as posted when it was refused."""
    from ..billing.forms import AddPaymentMethodForm

    household = family()
    if not (household.may_save_methods or household.balance_accounts):
        abort(403)
    seen = [a.id for a in household.balance_accounts]
    credits = [(a, unapplied_credit(a)) for a in household.balance_accounts]  # one query per household of the user
    gateway = provider_for(current_company())
    if add_form is None:
        add_form = AddPaymentMethodForm(formdata=None)
    add_form.set_kinds(offers_bank_accounts(gateway))
    return render("account/payments.html", "content", status=status, add_form=add_form,
                  balances=visible_balances(household, current_company()),
                  credits=[(a, cents) for a, cents in credits if cents], last_payment=last_payment(seen) if seen else None,
                  methods=family_methods(current_user.id, household.account_ids) if household.may_save_methods else [],
                  gateway=gateway)


from . import contact_routes, history, locations, makeup_routes, student_routes, student_sections  # noqa: E402,F401 (their routes join this blueprint)
