"""Pay an Order Balance, the cart, checkout and receipts."""
from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user

from ..access import cart_changed, family, role_required
from ..account.routes import offers_bank_accounts, payments_page
from ..database import write_transaction
from ..extensions import htmx
from ..gateway import NOT_CONFIGURED, GatewayError, provider_for
from ..models import Payment, PaymentMethod, User
from ..pending.services import has_pending_payment
from ..registration.forms import SendBillForm
from ..templating import current_company, money, render
from . import checkout
from .cart import CartRefused, add_to_cart, cart_of, cart_order_ids, payable_order_or_404, remove_from_cart, with_lines
from .forms import NEW_CARD, AddPaymentMethodForm, CheckoutForm, PaymentMethodForm
from .ledger import payable_online_orders, unapplied_credit
from .methods import delete_method, make_default, method_or_404, saved_methods, update_method
from .receipts import paid_with, planned_lines, receipt_lines

bp = Blueprint("billing", __name__, url_prefix="/billing")


def _require_pay_online():
    """The company preference "Pay order balances online" is on (404 otherwise)."""
    if not current_company().pay_balances_online:
        abort(404)


def _require_payer():
    _require_pay_online()
    if not family().may_pay:
        abort(403)


@bp.route("/pay-balance")
@role_required(User.PATRON)
def pay_balance():
    """Orders the family may pay online, with their balances, each with Add to Cart."""
    _require_pay_online()
    if not (family().may_pay or family().balance_accounts):
        abort(403)
    orders = with_lines(payable_online_orders(family().account_ids))
    return render("billing/pay_balance.html", "content", orders=orders, in_cart=cart_order_ids(current_user))


def _usable_methods():
    """The saved cards the company's gateway can charge (a card saved with another gateway is not offered)."""
    gateway = provider_for(current_company())
    return [m for m in saved_methods(current_user) if gateway and m.gateway == gateway.name]


def require_cart():
    """The one cart: 404 when the business takes neither online payments nor purchase orders, 403 without the grant."""
    company = current_company()
    if not (company.pay_balances_online or company.send_bill):
        abort(404)
    if not family().may_pay:
        abort(403)


def cart_page(status=200, form=None, send_bill_form=None):
    """The one cart: order balances and registrations, one total, card checkout and, for registrations, Send Bill."""
    company = current_company()
    cart = cart_of(current_user)
    if not company.pay_balances_online:  # the balances wait in the cart until the business takes them online again
        cart.lines, cart.paid_off = [], []
    saved = _usable_methods()
    fresh = form is None  # the cart after Add to Cart is a POST's answer, yet its form was not posted
    form = form or CheckoutForm(formdata=None)
    form.set_methods(saved, fresh=fresh)
    credit_account = next((m.account for m in family().memberships if m.can_make_payments), None)
    pending = bool(cart.registrations) and has_pending_payment(family().account_ids)
    return render(
        "billing/cart.html", "content", status=status, cart=cart, form=form, saved=saved,
        gateway=provider_for(company), credit=unapplied_credit(credit_account) if credit_account else 0,
        send_bill_form=send_bill_form or SendBillForm(formdata=None), pending=pending,
    )


@bp.route("/cart")
@role_required(User.PATRON)
def cart():
    """The one cart: order balances and registrations, paid in one checkout (or the registrations billed)."""
    require_cart()
    return cart_page()


@bp.route("/cart/orders/<int:number>", methods=["POST"])
@role_required(User.PATRON)
def add(number):
    """Add Order #N to Cart; the next page shown is the cart containing it."""
    _require_payer()
    order = payable_order_or_404(family(), number)
    status, added = 200, 0
    try:
        added = add_to_cart(current_user, order)
        flash(f"Order #{order.number} is in your cart.", "success")
    except CartRefused as refused:
        flash(str(refused), "error")
        status = 422
    if not htmx:
        return redirect(url_for("billing.cart") if status == 200 else url_for("billing.pay_balance"), 303)
    # The cart replaces the page's main content in place, and the address follows.
    cart_changed(added)
    response = cart_page(status=status)
    response.headers.update({"HX-Retarget": "#main", "HX-Reswap": "innerHTML", "HX-Push-Url": url_for("billing.cart")})
    return response


@bp.route("/cart/orders/<int:number>/remove", methods=["POST"])
@role_required(User.PATRON)
def remove(number):
    """Take an order out of the cart."""
    _require_payer()
    order = payable_order_or_404(family(), number)
    removed = 0
    try:
        removed = remove_from_cart(current_user, order)
        flash(f"Order #{order.number} is out of your cart.", "success")
    except CartRefused as refused:
        flash(str(refused), "error")
    cart_changed(-removed)
    return cart_page() if htmx else redirect(url_for("billing.cart"), 303)


@bp.route("/checkout", methods=["POST"])
@role_required(User.PATRON)
def start_checkout():
    """One payment for the cart: with a saved card at once, or on the gateway's card page."""
    _require_payer()
    form = CheckoutForm()
    saved = {str(m.id): m for m in _usable_methods()}
    form.set_methods(list(saved.values()))
    if not form.validate_on_submit():
        return cart_page(status=422, form=form)
    company = current_company()
    try:
        payment, cart = checkout.start_checkout(
            company, current_user, amount=form.amount.cents, save_method=form.save_card.data)
    except checkout.CheckoutRefused as refused:
        form.amount.errors.append(str(refused))
        return cart_page(status=422, form=form)
    for order in cart.paid_off:
        flash(f"Order #{order.number} has been paid meanwhile, so it is left out of this payment.", "warning")
    for line in cart.changed:
        flash(f"The balance of order #{line.order.number} changed to {money(line.balance)} since you added it; "
              "this payment uses the new balance.", "warning")
    if payment is None:  # only free registrations: registered already
        for item in cart.registrations:
            flash(f"{item.student.first_name} is registered in {item.course.name}.", "success")
        return redirect(url_for("registration.mine"), 303)
    if form.method.data != NEW_CARD:
        return pay_now(payment, saved[form.method.data].token)
    return_url = url_for("billing.receipt", key=payment.key, _external=True)
    numbers = [line.order.number for line in cart.lines] + [order.number for order in cart.placed]
    description = f"{company.name}: orders " + ", ".join(f"#{number}" for number in numbers)
    try:
        card_page = provider_for(company).prepare(payment.key, payment.amount_cents, description, return_url)
    except GatewayError as error:  # the provider is down: nothing was charged, and the orders are free again
        checkout.cancel(payment)
        form.amount.errors.append(f"{error} Nothing was charged; please try again in a few minutes.")
        return cart_page(status=503, form=form)
    return redirect(card_page, 303)


def _payment_or_404(key):
    """One of the signed-in user's own payments."""
    payment = Payment.get_or_none((Payment.key == key) & (Payment.user == current_user))
    if payment is None:
        abort(404)
    return payment


def pay_now(payment, token):
    """Charge a saved card, or the card just entered on Cubby's own card page, and show how it went."""
    try:
        checkout.pay(current_company(), payment, token)
    except (checkout.PaymentUnsettled, checkout.CheckoutRefused):
        pass  # declined, refunded or still unknown: the payment's own state says so on the result page
    return redirect(url_for("billing.receipt", key=payment.key), 303)


@bp.route("/payments/<key>")
@role_required(User.PATRON)
def receipt(key):
    """Where the card page sends the payer back: the receipt once paid, else how the payment stands (only shown:
    the provider's notification settles it, and this page looks again until it has)."""
    payment = _payment_or_404(key)
    if payment.state != Payment.SUCCEEDED:
        return render("billing/payment_result.html", "content", payment=payment, lines=planned_lines(payment),
                      left_card_page="cancelled" in request.args)
    lines, kept = receipt_lines(payment)
    return render("billing/receipt.html", "content", payment=payment, lines=lines, kept=kept, paid_with=paid_with(payment))


@bp.route("/cart/apply-credit", methods=["POST"])
@role_required(User.PATRON)
def apply_credit():
    """Use the household's credit on the cart before paying by card."""
    _require_payer()
    account = next((m.account for m in family().memberships if m.can_make_payments), None)
    try:
        payment = checkout.apply_credit(current_user, account)
    except checkout.CheckoutRefused as refused:
        flash(str(refused), "error")
        return redirect(url_for("billing.cart"), 303)
    flash(f"{money(payment.amount_cents)} of credit is applied.", "success")
    return redirect(url_for("billing.receipt", key=payment.key), 303)


@bp.route("/payment-methods/new", methods=["POST"])
@role_required(User.PATRON)
def add_method():
    """Add Payment Method without paying: the provider's card page saves it, and its notification keeps it here."""
    if not family().may_save_methods:
        abort(403)
    provider = provider_for(current_company())
    if provider is None:
        flash(f"{NOT_CONFIGURED} Payment methods cannot be added.", "error")
        return redirect(url_for("account.payments"), 303)
    if provider.name != "sandbox":  # Stripe's Add a card is its own page (gateway/stripe_routes.py)
        abort(404)
    if len(saved_methods(current_user)) >= PaymentMethod.MAX_PER_GUARDIAN:
        flash("You already keep three payment methods: delete one to add another.", "error")
        return redirect(url_for("account.payments"), 303)
    form = AddPaymentMethodForm()
    form.set_kinds(offers_bank_accounts(provider))
    if not form.validate_on_submit():
        return payments_page(add_form=form, status=422)
    back = url_for("account.payments", _external=True)
    with write_transaction():
        if form.kind.data == PaymentMethod.BANK:
            page = provider.prepare_bank_account(current_user.id, back)
        else:
            page = provider.prepare_card(current_user.id, back)
    return redirect(page, 303)


@bp.route("/payment-methods/<int:method_id>/default", methods=["POST"])
@role_required(User.PATRON)
def default_method(method_id):
    """Make a saved card the default."""
    method = method_or_404(current_user, method_id)
    make_default(method)
    flash(f"{method.label} is now your default payment method.", "success")
    return redirect(url_for("account.payments"), 303)


@bp.route("/payment-methods/<int:method_id>", methods=["GET", "POST"])
@role_required(User.PATRON)
def edit_method(method_id):
    """View/Edit a saved payment method: Set to Default?, and its recurring billing authorization."""
    method = method_or_404(current_user, method_id)
    form = PaymentMethodForm(obj=None, set_default=method.is_default, recurring=method.recurring)
    if form.validate_on_submit():
        update_method(method, form.set_default.data, form.recurring.data)
        flash(f"{method.label} is saved.", "success")
        return redirect(url_for("account.payments"), 303)
    return render("account/payment_method.html", "content", method=method, form=form,
                  required=current_company().require_recurring_authorization)


@bp.route("/payment-methods/<int:method_id>/delete", methods=["POST"])
@role_required(User.PATRON)
def forget_method(method_id):
    """Delete a saved card (not while the school requires every saved method for recurring billing)."""
    method = method_or_404(current_user, method_id)
    if current_company().require_recurring_authorization:
        flash("This school keeps saved payment methods for recurring billing: ask the front desk to remove one.",
              "error")
        return redirect(url_for("account.payments"), 303)
    delete_method(method)
    flash(f"{method.label} is deleted.", "success")
    return redirect(url_for("account.payments"), 303)
