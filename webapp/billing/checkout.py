"""Checkout: one payment for the whole cart, applied across its orders and posted to the ledger.

Money safety: the payment, its idempotency key and the locks on its orders are stored before the gateway is
called. Only the request whose conditional update moved the payment from Pending to Processing asks the gateway
to charge, outside any transaction; anyone else only asks the provider what happened. Settling is a conditional
change from Processing in one transaction with its ledger entries and receipt, so a double click, a retry, a
cancel racing the charge or a timeout charge once and post once. A charge that lands on a payment given up
meanwhile is refunded. Reconciliation (billing/reconcile.py) finishes payments left in Processing.
"""
import datetime
import logging
import time
import uuid

from peewee import IntegrityError

from ..database import write_transaction
from ..gateway import NOT_CONFIGURED, Declined, GatewayError, provider_for, provider_named
from ..models import Allocation, CartItem, CheckoutLock, LedgerEntry, Order, Payment, PaymentMethod, utcnow
from ..outbox import deliver
from ..pending.services import has_pending_payment
from ..registration.services import RegistrationRefused
from ..templating import money
from .allocation import allocate
from .card_registrations import give_back, place_registrations, register_free, register_paid
from .cart import CartLine, cart_of
from .ledger import lock_households, order_balances, order_tags, unapplied_credit
from .receipts import queue_receipt

log = logging.getLogger(__name__)
MINIMUM_CENTS = 100
FOLLOW_UP_TRIES, FOLLOW_UP_PAUSE = 8, 0.25  # seconds
ABANDONED_AFTER = datetime.timedelta(minutes=30)
STOPPED_AND_REFUNDED = ("This payment was stopped while your card was being charged, so the charge goes back to "
                        "your card. Nothing is owed for it; please try again.")


class CheckoutRefused(Exception):
    """Checkout cannot go ahead; the message says why and nothing was charged."""


class ChargeRefunded(CheckoutRefused):
    """The card was charged after the payment was given up, and the charge is refunded."""


class PaymentUnsettled(Exception):
    """The provider has not said how the charge ended: the payer looks again later; nothing more is charged."""


def _release(payment, state, from_states=(Payment.PENDING,), **values):
    """Move an open payment to a final state and free its orders for other checkouts (inside a transaction)."""
    updated = Payment.update(state=state, settled_at=utcnow(), **values).where(
        (Payment.id == payment.id) & Payment.state.in_(from_states)
    ).execute()
    if updated:
        give_back(payment, payment.user_id, "card payment declined" if state == Payment.FAILED else "checkout cancelled")
        CheckoutLock.delete().where(CheckoutLock.payment == payment).execute()
    return updated


def cancel_abandoned(user):
    """Checkouts nobody finished: the user's own earlier ones, and anyone's left pending for too long.

    Only Pending payments: one in Processing may be charged this very moment, so only its outcome ends it.
    """
    stale = Payment.select().where(
        (Payment.state == Payment.PENDING)
        & ((Payment.user == user) | (Payment.created_at < utcnow() - ABANDONED_AFTER))
    )
    for payment in stale:
        _release(payment, Payment.CANCELLED)


def _check_amount(company, amount, total):
    if amount == total:
        return
    if not company.partial_payment:
        raise CheckoutRefused("This business takes the whole balance in one payment.")
    least = max(company.min_partial_payment_cents or 0, MINIMUM_CENTS)
    if amount < least:
        raise CheckoutRefused(f"Pay at least {money(least)}.")
    if amount > total:
        raise CheckoutRefused("That is more than the total of your cart.")


def _open_payment(user, lines, amount, **values):
    """Store the payment, its allocations and the locks on its orders (inside a transaction)."""
    allocations = allocate(amount, [(line.order.id, line.balance) for line in lines])
    orders = {line.order.id: line.order for line in lines}
    payment = Payment.create(
        key=uuid.uuid4().hex, user=user, payer_account=lines[0].order.account_id, amount_cents=amount, **values
    )
    for order_id, share in allocations:
        Allocation.create(payment=payment, order=order_id, amount_cents=share)
        try:
            with write_transaction():  # a savepoint: the failed insert must not spoil the transaction
                CheckoutLock.create(order=order_id, payment=payment)
        except IntegrityError:
            raise CheckoutRefused(
                f"Order #{orders[order_id].number} is being paid by someone else right now. "
                "Nothing was charged; look again in a few minutes."
            ) from None
    return payment


def start_checkout(company, user, amount=None, save_method=False):
    """Open a card payment for the cart (the gateway is not called yet). Returns (payment, cart).

    The cart's registrations are placed on new orders (cart.placed) with their seats held, in the same
    transaction, so capacity holds however many checkouts run at once. Registrations that cost nothing are
    Registered at once; when nothing is left to pay the payment is None.
    """
    provider = provider_for(company)
    if provider is None:
        raise CheckoutRefused(f"{NOT_CONFIGURED} Please pay at the front desk.")
    with write_transaction():
        cancel_abandoned(user)
        cart = cart_of(user)
        CartItem.delete().where((CartItem.user == user) & CartItem.order.in_([o.id for o in cart.paid_off])).execute()
        if not cart.lines and not cart.registrations:
            raise CheckoutRefused("Your cart has nothing to pay.")
        amount = cart.total if amount is None else amount
        _check_amount(company, amount, cart.total)
        if cart.registrations and amount != cart.total:
            raise CheckoutRefused("Registrations are paid in full: pay the whole total of your cart.")
        if cart.registrations and has_pending_payment({i.student.billing_account_id for i in cart.registrations}):
            raise CheckoutRefused("You have an order in Pending Payment: you can register again once it is paid.")
        try:
            cart.placed = place_registrations(user, cart.registrations)
        except RegistrationRefused as refused:
            raise CheckoutRefused(str(refused)) from None
        register_free(cart.placed, user)
        lines = cart.lines + [CartLine(o, o.balance, o.balance) for o in cart.placed if o.balance]
        if not lines:
            return None, cart
        payment = _open_payment(user, lines, amount, gateway=provider.name, save_method=save_method)
    return payment, cart


def pay(company, payment, token):
    """Charge the card for an open payment and settle it; safe to call again for the same payment.

    Returns (payment, settled_now): settled_now is True only for the one call that posted the money.
    """
    with write_transaction():
        moved = Payment.update(state=Payment.PROCESSING, processing_at=utcnow()).where(
            (Payment.id == payment.id) & (Payment.state == Payment.PENDING)
        ).execute()
    provider = provider_named(payment.gateway)
    if not moved:  # another request moved it: never charge for it here, only find out what happened
        return follow_up(provider, Payment.get_by_id(payment.id))
    try:
        charge = provider.confirm(payment.key, token, payment.amount_cents)  # no transaction open
    except Declined as declined:
        with write_transaction():
            _release(payment, Payment.FAILED, from_states=[Payment.PROCESSING], failure=str(declined))
        raise CheckoutRefused(str(declined)) from None
    except GatewayError:  # a timeout, or any other failure: whether the card was charged is unknown until asked
        raise PaymentUnsettled(
            "We could not hear back from the card network. Press Try again: you will not be charged twice."
        ) from None
    return record_charge(provider, payment, charge)


def follow_up(provider, payment):
    """A payment this request did not start charging: its outcome, asking the provider while it is in Processing."""
    for _ in range(FOLLOW_UP_TRIES):  # a double click: the first request usually settles within moments
        if payment.state != Payment.PROCESSING:
            break
        time.sleep(FOLLOW_UP_PAUSE)
        payment = Payment.get_by_id(payment.id)
    if payment.state == Payment.SUCCEEDED:
        return payment, False
    if payment.state != Payment.PROCESSING:
        raise CheckoutRefused(payment.failure or "This payment was cancelled. Nothing was charged.")
    try:
        charge = provider.charge_for(payment.key)
    except GatewayError:
        charge = None
    if charge is None:
        raise PaymentUnsettled("Your payment is still being confirmed by the card network. Nothing more will be "
                               "charged; press Try again in a minute.")
    return record_charge(provider, payment, charge)


def record_charge(provider, payment, charge):
    """Settle a charge the provider made; if the payment was given up meanwhile, refund it. Returns (payment, settled_now)."""
    ids = _settle(payment, charge)
    if ids is not None:
        deliver(ids)
        return Payment.get_by_id(payment.id), True
    current = Payment.get_by_id(payment.id)
    if current.state == Payment.SUCCEEDED:
        return current, False  # a concurrent request settled it
    try:
        refund_given_up(provider, current, charge)
    except GatewayError:  # the refund stays due: reconciliation asks the provider again
        log.warning("payment %s: the refund of a charge on a given-up payment failed; it stays due", payment.key)
    raise ChargeRefunded(STOPPED_AND_REFUNDED)


def refund_given_up(provider, payment, charge):
    """Give back a charge that landed on a failed or cancelled payment; a refund the provider refuses stays due."""
    with write_transaction():
        Payment.update(state=Payment.REFUND_DUE, gateway_reference=charge.reference, failure=STOPPED_AND_REFUNDED).where(
            (Payment.id == payment.id) & Payment.state.in_([Payment.FAILED, Payment.CANCELLED, Payment.REFUND_DUE])
        ).execute()
    provider.refund(charge.reference, charge.amount_cents, key=f"{payment.key}-given-up")  # once per key
    return mark_refunded(payment)


def mark_refunded(payment):
    """Refund Due → Refunded, once (the refund's answer, or the provider's webhook about it); the row count."""
    with write_transaction():
        return Payment.update(state=Payment.REFUNDED).where(
            (Payment.id == payment.id) & (Payment.state == Payment.REFUND_DUE)).execute()


def _allocated_households(payment):
    return [o.account_id for o in Order.select(Order.account).join(Allocation).where(Allocation.payment == payment)]


def _post_allocations(payment, kind, memo, created_by):
    """Ledger entries for the payment's allocations; what an order no longer owes becomes credit."""
    allocations = list(Allocation.select(Allocation, Order).join(Order).where(Allocation.payment == payment))
    balances = order_balances([a.order_id for a in allocations])
    tags = order_tags([a.order for a in allocations])
    for allocation in allocations:
        student_id, location_id = tags.get(allocation.order_id, (None, None))
        applied = min(allocation.amount_cents, max(balances[allocation.order_id], 0))
        common = dict(account=allocation.order.account_id, kind=kind, payer_account=payment.payer_account_id,
                      created_by=created_by, memo=memo, payment=payment)
        if applied:
            LedgerEntry.create(amount_cents=-applied, order=allocation.order_id, student=student_id,
                               location=location_id, **common)
        if allocation.amount_cents > applied:  # staff took a payment meanwhile: keep the money as credit
            LedgerEntry.create(amount_cents=applied - allocation.amount_cents, **{**common, "memo": "Overpayment credit"})
    CartItem.delete().where(
        (CartItem.user == payment.user_id) & CartItem.order.in_([a.order_id for a in allocations])
    ).execute()


def _settle(payment, charge):
    """Record the charge once: ledger entries, registrations, a saved card if asked for, the receipt in the outbox.

    Returns the receipt's message ids, or None when the payment was no longer in Processing.
    """
    with write_transaction():
        lock_households(_allocated_households(payment))  # the balances read below stay true until the commit
        settled = Payment.update(
            state=Payment.SUCCEEDED, settled_at=utcnow(), gateway_reference=charge.reference,
            card_brand=charge.card.brand, card_last4=charge.card.last4,
        ).where((Payment.id == payment.id) & (Payment.state == Payment.PROCESSING)).execute()
        if not settled:
            return None
        paid_by = "Bank account payment" if charge.card.kind == PaymentMethod.BANK else "Card payment"
        _post_allocations(payment, LedgerEntry.PAYMENT, f"{paid_by} ({charge.card.brand} {charge.card.last4})",
                          payment.user_id)
        register_paid(payment, payment.user_id)
        CheckoutLock.delete().where(CheckoutLock.payment == payment).execute()
        if payment.save_method:
            save_payment_method(payment.user_id, payment.gateway, charge.card)
        return queue_receipt(Payment.get_by_id(payment.id))


def save_payment_method(user_id, gateway, card):
    """Keep the card's token for later checkouts: at most three per guardian, the first one the default."""
    saved = PaymentMethod.select().where(PaymentMethod.user == user_id)
    if saved.count() >= PaymentMethod.MAX_PER_GUARDIAN or saved.where(PaymentMethod.token == card.token).exists():
        return None
    from ..models import Company

    return PaymentMethod.create(
        user=user_id, gateway=gateway, token=card.token, kind=card.kind, brand=card.brand, last4=card.last4,
        exp_month=card.exp_month, exp_year=card.exp_year, is_default=not saved.exists(),
        recurring=Company.current().require_recurring_authorization,  # saved under that rule: authorized
    )


def cancel(payment):
    """The payer turned back on the card page: nothing was charged, and the orders are free again."""
    with write_transaction():
        _release(payment, Payment.CANCELLED)


def apply_credit(user, account):
    """Use the household's unapplied credit on the cart, oldest order first, with a receipt; no gateway involved."""
    with write_transaction():
        lock_households([account.id])  # reading the credit and spending it is one decision
        cancel_abandoned(user)
        cart = cart_of(user)
        credit = unapplied_credit(account)
        lines = [line for line in cart.lines if line.order.account_id == account.id]
        if not lines or not credit:
            raise CheckoutRefused("There is no credit to apply to this cart.")
        cart.lines, cart.registrations = lines, []  # registrations are paid by card or Send Bill
        amount = min(credit, cart.total)
        payment = _open_payment(user, cart.lines, amount, method=Payment.CREDIT, state=Payment.SUCCEEDED,
                                settled_at=utcnow())
        _post_allocations(payment, LedgerEntry.CREDIT, "Credit applied", user)
        LedgerEntry.create(account=account, kind=LedgerEntry.CREDIT, amount_cents=amount, created_by=user,
                           payment=payment, memo=f"Credit used for payment {payment.key[:8]}")
        CheckoutLock.delete().where(CheckoutLock.payment == payment).execute()
        receipt = queue_receipt(payment)
    deliver(receipt)
    return payment
