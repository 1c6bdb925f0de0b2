"""The sandbox gateway's notifications: the card page's Pay charges, and Cubby learns of it only through a signed,
recent notification, applied once however often it comes."""
import json
import time

import pytest

from billing_helpers import SUCCESS_CARD, balances, charges, dana, enter_card, payments_posted  # noqa: F401
from webapp.gateway import sandbox
from webapp.gateway.sandbox import SandboxEvent
from webapp.gateway.sandbox_events import SIGNATURE_HEADER, WEBHOOK, signature
from webapp.models import Payment


@pytest.fixture
def charged_unnotified(app, dana, monkeypatch):
    """Dana tapped Pay on the card page; the sandbox charged, and its notification has not been posted."""
    monkeypatch.setattr(sandbox, "notify", lambda: None)
    _, key, _ = enter_card(dana, SUCCESS_CARD)
    event = SandboxEvent.get()
    body = json.dumps({"id": event.id, "type": event.type, "payment_key": key, "message": ""}).encode()
    return key, body


def post(app, body, header):
    return app.test_client().post(WEBHOOK, data=body, headers={SIGNATURE_HEADER: header,
                                                                "Content-Type": "application/json"})


@pytest.mark.parametrize("spoil", ["body", "secret", "header", "stale"])
def test_a_notification_with_a_bad_signature_is_400_and_changes_nothing(app, charged_unnotified, outbox, spoil):
    key, body = charged_unnotified
    with app.app_context():
        header = signature(body, int(time.time()) - (600 if spoil == "stale" else 0))
    if spoil == "body":
        body = body.replace(b"charge.succeeded", b"charge.failed")
    elif spoil == "secret":
        header = header[:-4] + "0000"
    elif spoil == "header":
        header = ""
    answer = post(app, body, header)
    assert answer.status_code == 400 and answer.get_data(as_text=True) == "bad signature\n"
    assert Payment.get(Payment.key == key).state == Payment.PENDING and balances(1001) == {1001: 14000}
    assert outbox == []


def test_a_notification_settles_once_however_often_it_comes(app, charged_unnotified, outbox):
    key, body = charged_unnotified
    with app.app_context():
        header = signature(body, int(time.time()))
    assert post(app, body, header).get_data(as_text=True) == "settled\n"
    again = post(app, body, header)
    assert again.status_code == 200 and again.get_data(as_text=True) == "already known\n"
    assert Payment.get(Payment.key == key).state == Payment.SUCCEEDED and balances(1001, 1002) == {1001: 0, 1002: 0}
    assert payments_posted(1001, 1002) == 3 and charges() == 1 and len(outbox) == 1


def test_a_forged_failure_cannot_fail_a_payment_the_sandbox_charged(app, charged_unnotified):
    key, body = charged_unnotified
    failure = json.dumps({"id": "evt_x", "type": "charge.failed", "payment_key": key, "message": "no"}).encode()
    with app.app_context():
        answer = post(app, failure, signature(failure, int(time.time())))
    assert answer.get_data(as_text=True) == "settled\n"  # Cubby asks the sandbox what it holds, not the event
    assert Payment.get(Payment.key == key).state == Payment.SUCCEEDED


def test_a_notification_about_no_cubby_payment_is_acknowledged_and_ignored(app):
    body = json.dumps({"id": "evt_y", "type": "charge.succeeded", "payment_key": "nope"}).encode()
    with app.app_context():
        answer = post(app, body, signature(body, int(time.time())))
    assert answer.status_code == 200 and answer.get_data(as_text=True) == "not a Cubby payment\n"
