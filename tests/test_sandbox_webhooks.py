"""The sandbox gateway's notifications: the card page's Pay charges, and Cubby learns of it only through a signed,
recent notification, applied once however often it comes."""
import json
import time

import pytest

from billing_helpers import SUCCESS_CARD, balances, charges, dana, enter_card, payments_posted  # noqa: F401
from conftest import page_text
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


def test_add_payment_method_saves_a_card_on_the_sandbox_page_without_charging(dana, outbox):
    from webapp.models import PaymentMethod

    assert "Add Payment Method" in dana.get("/account/payments").get_data(as_text=True)
    card_page = dana.post("/billing/payment-methods/new").headers["Location"]
    page = dana.get(card_page).get_data(as_text=True)
    assert "Add a card" in page and "Save the card" in page and "Pay $" not in page
    back = dana.post(card_page, data={"number": SUCCESS_CARD, "expiry": "12/39", "cvc": "123", "name": "Dana Smith"})
    assert back.status_code == 303 and back.headers["Location"].endswith("/account/payments")
    (method,) = PaymentMethod.select()
    assert (method.brand, method.last4, method.is_default) == ("Visa", "4242", True)
    assert charges() == 0 and Payment.select().count() == 0 and outbox == []
    assert "Visa ending 4242 · expires 12/39 · Default" in page_text(dana.get("/account/payments"))


def test_a_declined_card_is_not_saved_and_says_why_on_the_card_page(dana):
    from webapp.models import PaymentMethod

    card_page = dana.post("/billing/payment-methods/new").headers["Location"]
    refused = dana.post(card_page, data={"number": "4000 0000 0000 0002", "expiry": "12/39", "cvc": "123",
                                         "name": "Dana Smith"})
    assert refused.status_code == 422 and "Your card was declined." in refused.get_data(as_text=True)
    assert PaymentMethod.select().count() == 0


def test_a_fourth_payment_method_is_refused_with_a_message(dana):
    from webapp.billing.checkout import save_payment_method
    from webapp.gateway import Card
    from webapp.models import PaymentMethod, User

    for n in range(3):
        save_payment_method(User.get(User.email == "parent@example.com").id, "sandbox", Card(f"tok_{n}", "Visa", f"000{n}", 1, 2039))
    assert "Add Payment Method" not in page_text(dana.get("/account/payments"))
    refused = dana.post("/billing/payment-methods/new", follow_redirects=True)
    assert "You already keep three payment methods" in page_text(refused) and PaymentMethod.select().count() == 3


def test_add_payment_method_needs_a_guardian_and_a_gateway(signed_in, dana):
    from webapp.models import Company

    assert signed_in("staff@example.com").post("/billing/payment-methods/new").status_code == 403
    Company.update(payment_gateway="").execute()
    answer = dana.post("/billing/payment-methods/new", follow_redirects=True)
    assert "not configured to accept online payments" in page_text(answer)


def _two_cards():
    from webapp.billing.checkout import save_payment_method
    from webapp.gateway import Card
    from webapp.models import User

    dana_id = User.get(User.email == "parent@example.com").id
    return [save_payment_method(dana_id, "sandbox", Card(f"tok_{n}", "Visa", f"000{n}", 1, 2039)) for n in range(2)]


def test_view_edit_sets_the_default_and_the_recurring_authorization(dana):
    from webapp.models import PaymentMethod

    first, second = _two_cards()
    text = page_text(dana.get("/account/payments"))
    assert "Credit Card · Visa ending 0000 · expires 01/39 · Default · Recurring billing: not authorized" in text
    page = page_text(dana.get(f"/billing/payment-methods/{second.id}"))
    assert "Set to Default?" in page and "This payment method is authorized for recurring billing" in page
    dana.post(f"/billing/payment-methods/{second.id}", data={"set_default": "y", "recurring": "y"})
    assert PaymentMethod.get_by_id(second.id).is_default and PaymentMethod.get_by_id(second.id).recurring
    assert not PaymentMethod.get_by_id(first.id).is_default
    assert "Visa ending 0001 · expires 01/39 · Default · Recurring billing: authorized" in page_text(dana.get("/account/payments"))
    dana.post(f"/billing/payment-methods/{second.id}", data={})
    assert not PaymentMethod.get_by_id(second.id).recurring and PaymentMethod.get_by_id(second.id).is_default


def test_when_the_school_requires_recurring_authorization_methods_are_neither_deleted_nor_switched_off(dana):
    from webapp.billing.checkout import save_payment_method
    from webapp.gateway import Card
    from webapp.models import Company, PaymentMethod, User

    Company.update(require_recurring_authorization=True).execute()
    method = save_payment_method(User.get(User.email == "parent@example.com").id, "sandbox", Card("tok_r", "Visa", "4242", 1, 2039))
    assert method.recurring
    text = page_text(dana.get("/account/payments"))
    assert "Recurring billing: authorized" in text and "Delete" not in text
    assert "requires it of every saved method" in page_text(dana.get(f"/billing/payment-methods/{method.id}"))
    dana.post(f"/billing/payment-methods/{method.id}", data={})  # the switch off, sent by hand
    refused = dana.post(f"/billing/payment-methods/{method.id}/delete", follow_redirects=True)
    assert "ask the front desk" in page_text(refused)
    assert PaymentMethod.get_by_id(method.id).recurring and PaymentMethod.select().count() == 1


def test_another_guardians_method_is_404_and_staff_403_on_view_edit(dana, signed_in):
    from webapp.models import PaymentMethod

    first, _ = _two_cards()
    chris = signed_in("partner@example.com")
    assert chris.get(f"/billing/payment-methods/{first.id}").status_code == 404
    assert chris.post(f"/billing/payment-methods/{first.id}", data={"recurring": "y"}).status_code == 404
    assert signed_in("staff@example.com").get(f"/billing/payment-methods/{first.id}").status_code == 403
    assert not PaymentMethod.get_by_id(first.id).recurring
    fragment = dana.get(f"/billing/payment-methods/{first.id}", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in fragment and "Set to Default?" in fragment
