"""Applying Stripe's webhook events: each is only a hint that something changed, so the PaymentIntent or its
refunds are read again from Stripe and handed to the same services reconciliation uses. Applying one event
twice, or two events in any order, or an event and the family's own request at once, changes things once."""
import logging

from ..models import Payment
from .stripe_gateway import StripeIntent, StripeProvider, _metadata, charge_of, client, translated

log = logging.getLogger(__name__)
INTENT_EVENTS = ("payment_intent.succeeded", "payment_intent.payment_failed")


def _payment_of(intent_id):
    known = StripeIntent.get_or_none(StripeIntent.intent_id == intent_id)
    return known and Payment.get_or_none(Payment.key == known.payment_key)


def apply_event(event):
    """Apply one verified event; a word for the response saying what it did."""
    if event.type in INTENT_EVENTS:
        return _intent_changed(event.data.object.id)
    if event.type == "charge.refunded":
        return _charge_refunded(event.data.object.payment_intent)
    return "ignored"


def _intent_changed(intent_id):
    """A PaymentIntent succeeded or failed: settle, refund or fail its payment by what Stripe holds now."""
    from ..billing.reconcile import learned_charge, learned_failure

    payment = _payment_of(intent_id)
    if payment is None:
        return "not a Cubby payment"
    with translated("the payment"):
        intent = client().v1.payment_intents.retrieve(intent_id)
        charge = charge_of(intent) if intent.status == "succeeded" else None
    if charge:
        return learned_charge(StripeProvider(), payment, charge) or "already known"
    if intent.status in ("requires_payment_method", "canceled") and (intent.last_payment_error or intent.status == "canceled"):
        error = intent.last_payment_error
        return learned_failure(payment, (error and error.message) or "The card payment was cancelled.") or "already known"
    return "waiting"


def _charge_refunded(intent_id):
    """Money went back to the card: every refund Stripe holds for the payment is posted once."""
    from ..billing.refunds import learned_refund

    payment = _payment_of(intent_id) if intent_id else None
    if payment is None:
        return "not a Cubby payment"
    with translated("the refunds"):
        refunds = [r for r in client().v1.refunds.list({"payment_intent": intent_id, "limit": 100}).data
                   if r.status == "succeeded"]
    recorded = [learned_refund(payment, r.id, r.amount, _metadata(r).get("cubby_refund")) for r in refunds]
    return "recorded" if any(recorded) else "already known"
