"""Stripe's webhooks against localstripe: signed events it sent, delivered before and after the browser returns,
twice, at the same moment as the browser, with a bad signature; refunds learned from charge.refunded."""
import json
import threading
import time

import pytest

from billing_helpers import balances, payments_posted
from conftest import page_text, sign_in
from fuzz_helpers import database_fingerprint
from stripe_helpers import (  # noqa: F401 (fixtures)
    DECLINES_ON_CHARGE, charge_refunded_event, deliver, pay_through_stripe, signed, stripe_app,
    stripe_dana, webhooks,
)
from webapp.gateway import Declined, GatewayTimeout
from webapp.gateway.stripe_gateway import StripeEvent, StripeIntent, StripeProvider
from webapp.models import CardRefund, CheckoutLock, LedgerEntry, Payment, utcnow


@pytest.fixture
def lost_answer(monkeypatch):
    """Stripe confirms the payment but its answer never reaches Cubby (a dropped connection, a killed worker)."""
    real = StripeProvider.confirm

    def confirm(self, *args):
        try:
            real(self, *args)
        except Declined:
            pass
        raise GatewayTimeout("the answer was lost on the way back")

    monkeypatch.setattr(StripeProvider, "confirm", confirm)
    return monkeypatch


def intent_id(key):
    return StripeIntent.get(StripeIntent.payment_key == key).intent_id


def receipts(app):
    return [m for m in app.extensions["mailman"].outbox if m.subject.startswith("Your receipt")]


def test_a_webhook_before_the_browser_returns_settles_the_payment(stripe_app, stripe_dana, localstripe, webhooks,
                                                                  lost_answer):
    response, key, card_page = pay_through_stripe(stripe_dana, localstripe)
    assert response.headers["Location"] == f"/billing/payments/{key}"  # the family closes the tab here
    assert "Your card payment is being confirmed" in page_text(stripe_dana.get(f"/billing/payments/{key}"))
    assert Payment.get(Payment.key == key).state == Payment.PROCESSING and balances(1001) == {1001: 14000}
    body, signature = webhooks.wait_for("payment_intent.succeeded", intent_id(key))
    applied = deliver(stripe_app.test_client(), body, signature)
    assert applied.status_code == 200 and applied.get_data(as_text=True) == "settled\n"
    assert Payment.get(Payment.key == key).state == Payment.SUCCEEDED and CheckoutLock.select().count() == 0
    assert balances(1001, 1002) == {1001: 0, 1002: 0} and len(receipts(stripe_app)) == 1
    lost_answer.undo()
    back = stripe_dana.post(card_page)  # Pay tapped again, later
    assert back.status_code == 303 and back.headers["Location"] == f"/billing/payments/{key}"
    assert payments_posted(1001, 1002) == 3 and len(receipts(stripe_app)) == 1


def test_a_webhook_after_the_browser_returned_changes_nothing(stripe_app, stripe_dana, localstripe, webhooks):
    response, key, _ = pay_through_stripe(stripe_dana, localstripe)
    assert Payment.get(Payment.key == key).state == Payment.SUCCEEDED
    before = fingerprint()
    body, signature = webhooks.wait_for("payment_intent.succeeded", intent_id(key))
    first = deliver(stripe_app.test_client(), body, signature)
    assert first.status_code == 200 and first.get_data(as_text=True) == "already known\n"
    assert payments_posted(1001, 1002) == 3 and len(receipts(stripe_app)) == 1
    assert StripeEvent.get().event_id == json.loads(body)["id"]
    assert fingerprint(skip={"stripe_event"}) == {k: v for k, v in before.items() if k != "stripe_event"}


def test_a_duplicated_webhook_is_applied_once(stripe_app, stripe_dana, localstripe, webhooks, lost_answer):
    _, key, _ = pay_through_stripe(stripe_dana, localstripe)
    body, signature = webhooks.wait_for("payment_intent.succeeded", intent_id(key))
    client = stripe_app.test_client()
    assert deliver(client, body, signature).get_data(as_text=True) == "settled\n"
    again = deliver(client, body, signature)
    assert again.status_code == 200 and again.get_data(as_text=True) == "already applied\n"
    assert payments_posted(1001, 1002) == 3 and len(receipts(stripe_app)) == 1 and StripeEvent.select().count() == 1


def test_the_same_webhook_twice_at_once_settles_once(stripe_app, stripe_dana, localstripe, webhooks, lost_answer):
    _, key, _ = pay_through_stripe(stripe_dana, localstripe)
    body, signature = webhooks.wait_for("payment_intent.succeeded", intent_id(key))
    answers = at_the_same_moment(lambda: deliver(stripe_app.test_client(), body, signature).status_code,
                                 lambda: deliver(stripe_app.test_client(), body, signature).status_code)
    assert answers == [200, 200]
    assert payments_posted(1001, 1002) == 3 and len(receipts(stripe_app)) == 1
    assert Payment.get(Payment.key == key).state == Payment.SUCCEEDED


def test_a_webhook_racing_a_second_tap_on_pay_posts_once(stripe_app, stripe_dana, localstripe, webhooks, lost_answer):
    _, key, card_page = pay_through_stripe(stripe_dana, localstripe)
    body, signature = webhooks.wait_for("payment_intent.succeeded", intent_id(key))
    lost_answer.undo()
    answers = at_the_same_moment(
        lambda: stripe_dana.post(card_page).status_code,
        lambda: deliver(stripe_app.test_client(), body, signature).status_code)
    assert answers == [303, 200]
    assert payments_posted(1001, 1002) == 3 and len(receipts(stripe_app)) == 1
    assert balances(1001, 1002) == {1001: 0, 1002: 0}
    charges = localstripe.client().v1.charges.list({"customer": localstripe.client().v1.payment_intents.retrieve(
        intent_id(key)).customer}).data
    assert len(charges) == 1  # charged once at Stripe


def fingerprint(skip=()):
    """The database's fingerprint, but for the tables named."""
    return {table: value for table, value in database_fingerprint().items() if table not in skip}


def at_the_same_moment(*calls):
    """Run each call in its own thread, released together; their results in order."""
    barrier, results = threading.Barrier(len(calls)), [None] * len(calls)

    def run(i):
        barrier.wait()
        results[i] = calls[i]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    [t.start() for t in threads]
    [t.join(60) for t in threads]
    return results


@pytest.mark.parametrize("spoil", ["body", "secret", "header", "stale"])
def test_a_webhook_with_a_bad_signature_is_400_and_changes_nothing(stripe_app, stripe_dana, localstripe, webhooks,
                                                                   lost_answer, spoil):
    _, key, _ = pay_through_stripe(stripe_dana, localstripe)
    body, signature = webhooks.wait_for("payment_intent.succeeded", intent_id(key))
    event = json.loads(body)
    if spoil == "body":
        body = body.replace(b'"amount": 32000', b'"amount": 1')
    elif spoil == "secret":
        body, signature = signed(event, "whsec_someone_else")
    elif spoil == "header":
        signature = ""
    else:
        body, signature = signed(event, localstripe.webhook_secret, timestamp=int(time.time()) - 3600)
    before = fingerprint()
    answer = deliver(stripe_app.test_client(), body, signature)
    assert answer.status_code == 400 and answer.get_data(as_text=True) == "bad signature\n"
    assert fingerprint() == before and Payment.get(Payment.key == key).state == Payment.PROCESSING


def test_not_json_or_no_webhook_secret_is_a_4xx(stripe_app, app_with, localstripe):
    assert deliver(stripe_app.test_client(), b"{not json", "t=1,v1=00").status_code == 400
    unconfigured = app_with()
    assert deliver(unconfigured.test_client(), b"{}", "t=1,v1=00").status_code == 404


def test_a_payment_failed_webhook_fails_a_payment_left_in_processing(stripe_app, stripe_dana, localstripe, webhooks,
                                                                     lost_answer):
    response, key, _ = pay_through_stripe(stripe_dana, localstripe, DECLINES_ON_CHARGE)
    assert Payment.get(Payment.key == key).state == Payment.PROCESSING
    body, signature = webhooks.wait_for("payment_intent.payment_failed", intent_id(key))
    answer = deliver(stripe_app.test_client(), body, signature)
    assert answer.get_data(as_text=True) == "failed\n"
    payment = Payment.get(Payment.key == key)
    assert payment.state == Payment.FAILED and payment.failure == "Your card was declined."
    assert CheckoutLock.select().count() == 0 and balances(1001, 1002) == {1001: 14000, 1002: 18000}


def test_an_unknown_payment_intent_is_acknowledged_and_ignored(stripe_app, localstripe):
    event = {"id": "evt_other_app", "object": "event", "type": "payment_intent.succeeded", "created": int(time.time()),
             "data": {"object": {"id": "pi_not_ours", "object": "payment_intent"}}}
    before = fingerprint(skip={"stripe_event"})
    answer = deliver(stripe_app.test_client(), *signed(event, localstripe.webhook_secret))
    assert answer.status_code == 200 and answer.get_data(as_text=True) == "not a Cubby payment\n"
    assert fingerprint(skip={"stripe_event"}) == before


# Refunds learned from charge.refunded (localstripe sends no such event: these are signed here, around its real charge)

def refund_entries():
    return [(e.order.number, e.amount_cents) for e in
            LedgerEntry.select().where((LedgerEntry.kind == LedgerEntry.REFUND) & LedgerEntry.payment.is_null(False)).order_by(LedgerEntry.id)]


def test_a_refund_made_in_the_stripe_dashboard_is_posted_once(stripe_app, stripe_dana, localstripe):
    _, key, _ = pay_through_stripe(stripe_dana, localstripe)
    localstripe.client().v1.refunds.create({"payment_intent": intent_id(key), "amount": 2500})  # not through Cubby
    event = charge_refunded_event(localstripe, intent_id(key))
    client = stripe_app.test_client()
    assert deliver(client, *signed(event, localstripe.webhook_secret)).get_data(as_text=True) == "recorded\n"
    refund = CardRefund.get()
    assert (refund.amount_cents, refund.state, refund.requested_by) == (2500, CardRefund.SUCCEEDED, None)
    assert refund_entries() == [(1002, 2500)] and balances(1002) == {1002: 2500}
    assert deliver(client, *signed(event, localstripe.webhook_secret)).get_data(as_text=True) == "already applied\n"
    event["id"] += "-resent"  # Stripe's next event about the same charge names the same refund
    assert deliver(client, *signed(event, localstripe.webhook_secret)).get_data(as_text=True) == "already known\n"
    assert refund_entries() == [(1002, 2500)] and CardRefund.select().count() == 1
    assert stripe_app.extensions["mailman"].outbox[-1].subject == "Your refund from Riverside Arts Academy"


def lose_refund_answers(monkeypatch):
    """Stripe makes the refund, but its answer never reaches Cubby."""
    real = StripeProvider.refund

    def refund_then_lose_the_answer(self, *args, **kwargs):
        real(self, *args, **kwargs)
        raise GatewayTimeout("the answer was lost")

    monkeypatch.setattr(StripeProvider, "refund", refund_then_lose_the_answer)


def test_a_staff_refund_whose_answer_was_lost_is_finished_by_the_webhook(stripe_app, stripe_dana, localstripe,
                                                                         monkeypatch):
    from webapp import jobs

    _, key, _ = pay_through_stripe(stripe_dana, localstripe)
    lose_refund_answers(monkeypatch)
    sam = stripe_app.test_client()
    sign_in(sam, "staff@example.com")
    answer = sam.post(f"/staff/billing/card-payments/{key}/refund", data={"amount": "40.00"})
    assert answer.status_code == 422 and "finished automatically" in page_text(answer)
    assert CardRefund.get().state == CardRefund.REQUESTED and refund_entries() == []
    again = sam.post(f"/staff/billing/card-payments/{key}/refund", data={"amount": "280.01"})
    assert "more than is left" in page_text(again)  # the requested refund already counts
    monkeypatch.undo()
    event = charge_refunded_event(localstripe, intent_id(key))
    assert deliver(stripe_app.test_client(), *signed(event, localstripe.webhook_secret)).get_data(
        as_text=True) == "recorded\n"
    assert CardRefund.get().state == CardRefund.SUCCEEDED and refund_entries() == [(1002, 4000)]
    with stripe_app.app_context():
        assert jobs.reconcile_payments.call_local()["refunds finished"] == 0  # nothing left to finish
    assert len(localstripe.client().v1.refunds.list({"payment_intent": intent_id(key)}).data) == 1


def test_reconciliation_finishes_a_lost_refund_without_refunding_twice(stripe_app, stripe_dana, localstripe,
                                                                      monkeypatch):
    import datetime

    from webapp import jobs

    _, key, _ = pay_through_stripe(stripe_dana, localstripe)
    lose_refund_answers(monkeypatch)
    sam = stripe_app.test_client()
    sign_in(sam, "staff@example.com")
    sam.post(f"/staff/billing/card-payments/{key}/refund", data={"amount": "40.00"})
    monkeypatch.undo()
    CardRefund.update(created_at=utcnow() - datetime.timedelta(minutes=6)).execute()
    with stripe_app.app_context():
        assert jobs.reconcile_payments.call_local()["refunds finished"] == 1
    assert CardRefund.get().state == CardRefund.SUCCEEDED and refund_entries() == [(1002, 4000)]
    assert len(localstripe.client().v1.refunds.list({"payment_intent": intent_id(key)}).data) == 1  # asked twice, once


def test_a_refund_webhook_for_a_payment_already_refunded_changes_nothing(stripe_app, stripe_dana, localstripe,
                                                                         webhooks, lost_answer):
    from webapp.billing.reconcile import learned_charge

    _, key, _ = pay_through_stripe(stripe_dana, localstripe)  # charged at Stripe, the answer lost: Processing
    Payment.update(state=Payment.CANCELLED).where(Payment.key == key).execute()  # given up meanwhile
    body, signature = webhooks.wait_for("payment_intent.succeeded", intent_id(key))
    assert deliver(stripe_app.test_client(), body, signature).get_data(as_text=True) == "refunded\n"
    assert Payment.get(Payment.key == key).state == Payment.REFUNDED
    (made,) = localstripe.client().v1.refunds.list({"payment_intent": intent_id(key)}).data
    assert made.amount == 32000
    before = fingerprint(skip={"stripe_event"})
    event = charge_refunded_event(localstripe, intent_id(key))
    answer = deliver(stripe_app.test_client(), *signed(event, localstripe.webhook_secret))
    assert answer.status_code == 200 and answer.get_data(as_text=True) == "already known\n"
    assert fingerprint(skip={"stripe_event"}) == before and refund_entries() == []
    with stripe_app.app_context():  # the charge learned again, now the payment is Refunded: nothing happens
        assert learned_charge(StripeProvider(), Payment.get(Payment.key == key), None) is None
    assert len(localstripe.client().v1.refunds.list({"payment_intent": intent_id(key)}).data) == 1


def test_reconciliation_settles_a_stripe_payment_left_in_processing(stripe_app, stripe_dana, localstripe, lost_answer):
    import datetime

    from webapp import jobs

    _, key, _ = pay_through_stripe(stripe_dana, localstripe)
    Payment.update(processing_at=utcnow() - datetime.timedelta(minutes=6)).where(Payment.key == key).execute()
    with stripe_app.app_context():
        assert jobs.reconcile_payments.call_local()["settled"] == 1
    assert Payment.get(Payment.key == key).state == Payment.SUCCEEDED and balances(1001, 1002) == {1001: 0, 1002: 0}
