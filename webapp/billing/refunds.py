"""Refunds of settled card payments: asked for by staff in Cubby, or made in the provider's dashboard and learned
from its webhook. Either way one CardRefund row per provider refund, and one set of ledger entries for it.

The amount still refundable is decided under the household lock, with the Requested row stored before the
provider is called (no transaction is open during the call); the answer is recorded by a conditional change
from Requested. A refund whose answer was lost stays Requested and is finished by reconciliation with the same
idempotency key, so the card is refunded once.
"""
import datetime
import logging
import uuid

from peewee import IntegrityError, fn

from ..audit import record_billing, with_notes
from ..database import write_transaction
from ..gateway import Declined, GatewayError, provider_named
from ..models import Allocation, CardRefund, LedgerEntry, Order, Payment, utcnow
from ..outbox import deliver, queue_mail
from .checkout import mark_refunded
from .ledger import lock_households
from .receipts import receipt_recipients

log = logging.getLogger(__name__)
WAIT_MINUTES = 5


class RefundRefused(Exception):
    """The refund cannot be made; the message says why and nothing was given back."""


class RefundUnsettled(Exception):
    """The provider did not answer: the refund stays requested and reconciliation finishes it."""


def _households(payment):
    return [o.account_id for o in Order.select(Order.account).join(Allocation).where(Allocation.payment == payment)]


def refundable_cents(payment):
    """What is left to give back: the payment less every refund requested or made."""
    taken = (CardRefund.select(fn.COALESCE(fn.SUM(CardRefund.amount_cents), 0))
             .where((CardRefund.payment == payment) & (CardRefund.state != CardRefund.FAILED)).scalar())
    return payment.amount_cents - taken


def _store_refund(staff, payment, cents, reason, to_card):
    """Inside a write transaction: decide under the household lock whether `cents` is left to give back, and store the
    refund (Requested for the card, Succeeded when handed back offline)."""
    lock_households(_households(payment))  # what is left to refund is read and spent under one lock
    payment = Payment.get_by_id(payment.id)
    if payment.state != Payment.SUCCEEDED or (
            (payment.method != Payment.CARD or not payment.gateway_reference) if to_card
            else payment.method not in Payment.OFFLINE_LABELS):
        raise RefundRefused("Only a settled card payment can be refunded to the card." if to_card else
                            "Only a settled cash, check, transfer or purchase-order payment is refunded here.")
    if cents <= 0:
        raise RefundRefused("Enter an amount above zero.")
    if cents > refundable_cents(payment):
        raise RefundRefused("That is more than is left of this payment to refund.")
    settled = {} if to_card else {"state": CardRefund.SUCCEEDED, "settled_at": utcnow()}
    return CardRefund.create(key=f"{'refund' if to_card else 'offline'}-{uuid.uuid4().hex}", payment=payment,
                             amount_cents=cents, requested_by=staff, reason=reason[:200], **settled)


def request_refund(staff, payment, cents, reason=""):
    """Give `cents` of a settled card payment back to the card; returns the CardRefund (Succeeded)."""
    with write_transaction():
        refund = _store_refund(staff, payment, cents, reason, to_card=True)
    return _ask_provider(refund)


def refund_offline(staff, payment, cents, reason=""):
    """Record money handed back for a cash, check, transfer or purchase-order payment (no provider to ask): its
    ledger entries and the email, in one transaction; returns the refund."""
    with write_transaction():
        refund = _store_refund(staff, payment, cents, reason, to_card=False)
        ids = _post(refund)
        _audit(refund)
    deliver(ids)
    return refund


def with_refunds(payments):
    """The payments, each with .refunded (given back or asked for; failed refunds left out) and .left to refund:
    one query for all of them."""
    ids = [p.id for p in payments] or [0]
    refunded = dict(CardRefund.select(CardRefund.payment, fn.SUM(CardRefund.amount_cents))
                    .where(CardRefund.payment.in_(ids) & (CardRefund.state != CardRefund.FAILED))
                    .group_by(CardRefund.payment).tuples())
    for payment in payments:
        payment.refunded = int(refunded.get(payment.id, 0))
        payment.left = payment.amount_cents - payment.refunded
    return payments


def refund_memo(payment):
    """How a refund of this payment reads on the family's ledger."""
    if payment.method == Payment.CARD:
        return f"Refund to {payment.card_brand} {payment.card_last4}"
    return f"{payment.method_label} refund"


def _ask_provider(refund):
    payment = refund.payment
    try:
        reference = provider_named(payment.gateway).refund(payment.gateway_reference, refund.amount_cents,
                                                           key=refund.key)  # no transaction open
    except Declined as declined:
        with write_transaction():
            CardRefund.update(state=CardRefund.FAILED, failure=str(declined)[:200], settled_at=utcnow()).where(
                (CardRefund.id == refund.id) & (CardRefund.state == CardRefund.REQUESTED)).execute()
        raise RefundRefused(f"{declined} Nothing was refunded.") from None
    except GatewayError:
        raise RefundUnsettled("The card network did not answer. The refund is finished automatically within a few "
                              "minutes; do not refund it again.") from None
    record_refund(refund, reference)
    return CardRefund.get_by_id(refund.id)


def record_refund(refund, reference):
    """Post a refund the provider made, once: Requested → Succeeded with its ledger entries and the email; True if
    this call posted it."""
    with write_transaction():
        lock_households(_households(refund.payment))
        done = CardRefund.update(state=CardRefund.SUCCEEDED, reference=reference, settled_at=utcnow()).where(
            (CardRefund.id == refund.id) & (CardRefund.state == CardRefund.REQUESTED)).execute()
        if not done:
            return False
        posted = CardRefund.get_by_id(refund.id)
        ids = _post(posted)
        _audit(posted)
    deliver(ids)
    return True


def learned_refund(payment, reference, cents, key=None):
    """The provider says it refunded `cents` of this payment (a webhook): post it if Cubby has not yet.

    A refund Cubby asked for names its key; one made in the provider's dashboard is recorded as it stands.
    Returns "recorded" or None when it was already known.
    """
    if payment.state in (Payment.REFUND_DUE, Payment.REFUNDED):  # a charge on a given-up payment, given back
        return "recorded" if cents >= payment.amount_cents and mark_refunded(payment) else None
    if CardRefund.select().where(CardRefund.reference == reference).exists():
        return None
    mine = CardRefund.get_or_none((CardRefund.key == key) & (CardRefund.payment == payment)) if key else None
    if mine is not None:  # Cubby asked for it and its answer was lost (or is on its way): post it now
        return "recorded" if record_refund(mine, reference) else None
    try:
        with write_transaction():
            lock_households(_households(payment))
            if Payment.get_by_id(payment.id).state != Payment.SUCCEEDED:
                return None  # a given-up payment's refund: its state, not the ledger, records it
            refund = CardRefund.create(key=f"provider-{reference}", payment=payment, amount_cents=cents,
                                       state=CardRefund.SUCCEEDED, reference=reference, settled_at=utcnow(),
                                       reason="Refunded in the payment provider's dashboard")
            ids = _post(refund)
    except IntegrityError:  # the same refund learned at the same moment: posted once
        return None
    deliver(ids)
    return "recorded"


def _audit(refund):
    """Inside the transaction that posts it: a refund staff gave, on the Changes list of the payer's household and of
    each household whose order it paid (one made in the provider's dashboard is only on the ledger)."""
    payment = refund.payment
    if refund.requested_by_id is None:
        return
    how = f"refunded to {payment.card_brand} ending {payment.card_last4}" if payment.method == Payment.CARD \
        else "handed back"
    record_billing([payment.payer_account_id, *_households(payment)],
                   with_notes({f"{payment.method_label.lower()} payment {how}_cents": [None, refund.amount_cents]},
                              reason=refund.reason),
                   "refunded", by=refund.requested_by_id)


def _post(refund):
    """Inside the transaction: a refund entry per order, last paid first, then the email (a receipt)."""
    payment = refund.payment
    paid = list(LedgerEntry.select().where((LedgerEntry.payment == payment) & (LedgerEntry.kind != LedgerEntry.REFUND))
                .order_by(LedgerEntry.id.desc()))
    back = {}
    for entry in LedgerEntry.select().where((LedgerEntry.payment == payment) & (LedgerEntry.kind == LedgerEntry.REFUND)):
        back[entry.order_id] = back.get(entry.order_id, 0) + entry.amount_cents
    left = refund.amount_cents
    for entry in paid:
        if left <= 0:
            break
        share = min(left, -entry.amount_cents - back.get(entry.order_id, 0))
        if share <= 0:
            continue
        back[entry.order_id] = back.get(entry.order_id, 0) + share
        LedgerEntry.create(account=entry.account_id, kind=LedgerEntry.REFUND, amount_cents=share, order=entry.order_id,
                           student=entry.student_id, location=entry.location_id, payer_account=entry.payer_account_id,
                           payment=payment, created_by=refund.requested_by_id,
                           memo=refund_memo(payment))
        left -= share
    from ..templating import current_company

    company = current_company()
    return queue_mail(receipt_recipients(payment), f"Your refund from {company.name}", "emails/refund",
                      category="receipt", payment=payment, refund=refund, company=company)


def finish_requested_refunds(older_than_minutes=WAIT_MINUTES):
    """Refunds whose answer was lost: ask again with the same key, and post what the provider made; how many."""
    since = utcnow() - datetime.timedelta(minutes=older_than_minutes)
    finished = 0
    for refund in list(CardRefund.select().where(  # read first, as finish_stuck_payments does
            (CardRefund.state == CardRefund.REQUESTED) & (CardRefund.created_at <= since))):
        try:
            finished += _ask_provider(refund).state == CardRefund.SUCCEEDED
        except (RefundRefused, RefundUnsettled):
            log.warning("card refund %s is not finished yet", refund.key)
    return finished
