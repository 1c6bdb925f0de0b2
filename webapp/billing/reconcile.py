"""Reconciliation: payments left in Processing (a timeout, a killed worker) are settled, failed or refunded by
asking their provider about the idempotency key; abandoned checkouts are cancelled. `flask payments reconcile`."""
import datetime
import logging

import click
from flask.cli import AppGroup
from peewee import fn

from ..database import write_transaction
from ..extensions import db
from ..gateway import GatewayError, provider_named
from ..models import Payment, utcnow
from .checkout import ABANDONED_AFTER, CheckoutRefused, _release, record_charge, refund_given_up

log = logging.getLogger(__name__)
payments_cli = AppGroup("payments", help="Card payments.")
WAIT_MINUTES = 5  # a charge in flight answers well within this; only then may "no charge" mean none will come
NEVER_CHARGED = "The card network never confirmed this payment, so nothing was charged."


def reconcile(older_than_minutes=WAIT_MINUTES):
    """Finish every payment in Processing longer than that, refund what is due, cancel abandoned checkouts; counts."""
    return {**finish_stuck_payments(older_than_minutes), "cancelled": cancel_abandoned_checkouts()}


def finish_stuck_payments(older_than_minutes=WAIT_MINUTES):
    """Settle, fail or refund each payment in Processing longer than that, and every refund due; counts."""
    done = {"settled": 0, "failed": 0, "refunded": 0}
    since = utcnow() - datetime.timedelta(minutes=older_than_minutes)
    # Read them all first: on SQLite a select still being read holds its snapshot, and a write transaction begun
    # under it fails at once ("database is locked", no busy wait) when another process wrote meanwhile.
    stuck = list(Payment.select().where(
        ((Payment.state == Payment.PROCESSING) & (fn.COALESCE(Payment.processing_at, Payment.created_at) <= since))
        | (Payment.state == Payment.REFUND_DUE)
    ).order_by(Payment.id))
    for payment in stuck:
        provider = provider_named(payment.gateway)
        try:
            outcome = _finish(provider, payment)
        except GatewayError:  # the provider is not answering: the next run asks again
            log.warning("payment %s: the provider did not answer; left for the next run", payment.key)
            continue
        if outcome:
            done[outcome] += 1
    return done


def cancel_abandoned_checkouts():
    """Checkouts left Pending (on the card page) for longer than ABANDONED_AFTER are cancelled; how many.

    The provider is asked first: its card page may have charged one whose notification has not come yet."""
    cancelled = 0
    stale = list(Payment.select().where(
        (Payment.state == Payment.PENDING) & (Payment.created_at < utcnow() - ABANDONED_AFTER)))
    for payment in stale:
        provider = provider_named(payment.gateway)
        try:
            charge = provider.charge_for(payment.key) if provider else None
        except GatewayError:  # not answering: cancelling now could drop a charge; the next run asks again
            continue
        if charge:
            charged_on_card_page(provider, payment, charge)
            continue
        with write_transaction():
            cancelled += _release(payment, Payment.CANCELLED)
    return cancelled


def _finish(provider, payment):
    """Settle, fail or refund one payment by what its provider holds; which it was, or None if another request did."""
    charge = provider.charge_for(payment.key)
    if charge is None:
        if payment.state == Payment.REFUND_DUE:
            return None
        with write_transaction():
            released = _release(payment, Payment.FAILED, from_states=[Payment.PROCESSING], failure=NEVER_CHARGED)
        return "failed" if released else None
    return learned_charge(provider, payment, charge)


def learned_charge(provider, payment, charge):
    """The provider charged this payment (reconciliation asked, or a webhook said): settle it, or refund it if it
    was given up meanwhile; "settled", "refunded", or None when there was nothing left to do."""
    payment = Payment.get_by_id(payment.id)
    if payment.state not in (Payment.PROCESSING, Payment.FAILED, Payment.CANCELLED, Payment.REFUND_DUE):
        return None  # Pending: Cubby never asked for this charge yet; Succeeded or Refunded: already known
    if payment.state == Payment.REFUND_DUE:
        return "refunded" if refund_given_up(provider, payment, charge) else None
    try:
        _, settled_now = record_charge(provider, payment, charge)
    except CheckoutRefused:
        return "refunded"
    return "settled" if settled_now else None


def charged_on_card_page(provider, payment, charge):
    """The provider's card page charged this payment (its notification said, or Cubby asked): settle it as if Cubby
    had asked for the charge; learned_charge reads the state again, so whoever moves it first wins."""
    with write_transaction():
        Payment.update(state=Payment.PROCESSING, processing_at=utcnow()).where(
            (Payment.id == payment.id) & (Payment.state == Payment.PENDING)).execute()
    return learned_charge(provider, payment, charge)


def learned_failure(payment, failure):
    """The provider refused the charge of an open payment (a webhook said): it fails and frees its orders."""
    with write_transaction():
        released = _release(payment, Payment.FAILED, from_states=[Payment.PENDING, Payment.PROCESSING],
                            failure=failure[:200])
    return "failed" if released else None


@payments_cli.command("reconcile")
@click.option("--older-than", "older_than", default=WAIT_MINUTES, show_default=True, type=click.IntRange(min=0),
              help="Minutes a payment must have been in Processing.")
def reconcile_command(older_than):
    """Settle, fail or refund payments stuck in Processing; cancel abandoned checkouts."""
    with db.connection_context():
        done = reconcile(older_than)
    click.echo(", ".join(f"{what} {count}" for what, count in done.items()))
