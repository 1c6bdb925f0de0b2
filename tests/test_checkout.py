"""Checkout: one payment across the cart's orders, through the sandbox gateway, charged exactly once."""
import re
import threading

import pytest

from billing_helpers import (
    DECLINED_CARD, NO_FUNDS_CARD, SUCCESS_CARD, TIMEOUT_CARD, balances, charges, dana, enter_card, in_threads, order,  # noqa: F401
    pay_with_card, payments_posted,
)
from conftest import page_text
from webapp.billing import checkout
from webapp.extensions import db
from webapp.gateway.sandbox import SandboxToken
from webapp.models import Account, Allocation, CheckoutLock, Company, LedgerEntry, Payment, PaymentMethod, User


def test_one_card_payment_pays_both_orders_with_a_receipt_and_an_email(dana, outbox):
    response, key, _ = pay_with_card(dana, SUCCESS_CARD)
    receipt = page_text(response)
    assert "Receipt" in receipt and "Confirm" not in receipt
    assert "#1001 $140.00 $0.00" in receipt and "#1002 $180.00 $0.00" in receipt and "Total paid $320.00" in receipt
    assert balances(1001, 1002) == {1001: 0, 1002: 0}
    assert [a.amount_cents for a in Allocation.select().order_by(Allocation.id)] == [14000, 18000]
    assert payments_posted(1001, 1002) == 3 and charges() == 1  # the demo's earlier payment on #1001, and these two
    (email,) = outbox
    assert email.to == ["parent@example.com"]
    assert "Order #1001: $140.00 applied, new balance $0.00" in email.body and "Total paid: $320.00" in email.body
    assert "Your cart is empty." in page_text(dana.get("/billing/cart"))


def test_cubby_keeps_the_token_never_the_card_number(dana):
    pay_with_card(dana, SUCCESS_CARD, save=True)
    method = PaymentMethod.get()
    assert (method.brand, method.last4, method.is_default) == ("Visa", "4242", True)
    assert method.token.startswith("tok_")
    stored = " ".join(str(v) for model in (PaymentMethod, Payment, SandboxToken) for row in model.select().dicts()
                      for v in row.values())
    assert "4242424242424242" not in stored and "4242 4242 4242 4242" not in stored


def test_a_saved_card_pays_later_without_the_card_page(dana, signed_in):
    pay_with_card(dana, SUCCESS_CARD, save=True)
    method = PaymentMethod.get()
    sam, smith = User.get(User.email == "staff@example.com"), Account.get(Account.name == "Smith household")
    from webapp.billing.charges import create_order
    create_order(Company.current(), sam, smith, [("Recital costume", 4500, None)], payable_online=True)
    new = LedgerEntry.select().order_by(LedgerEntry.id.desc()).first().order
    dana.post(f"/billing/cart/orders/{new.number}")
    response = dana.post("/billing/checkout", data={"method": str(method.id)})
    assert response.status_code == 303 and response.headers["Location"].startswith("/billing/payments/")
    assert balances(new.number) == {new.number: 0}
    assert "Visa ending 4242" in page_text(dana.get(response.headers["Location"]))


def test_the_card_pages_pay_is_the_one_tap_and_the_payment_settles_without_the_browser_coming_back(dana, outbox):
    result, key, answer = enter_card(dana, SUCCESS_CARD)  # the payer closes the tab here
    assert answer.headers["Location"] == f"http://localhost/billing/payments/{key}"
    assert Payment.get(Payment.key == key).state == Payment.SUCCEEDED and charges() == 1
    assert balances(1001, 1002) == {1001: 0, 1002: 0} and len(outbox) == 1


def test_tapping_pay_twice_on_the_card_page_charges_once(dana, outbox):
    hosted = dana.post("/billing/checkout", data={"method": "new"}).headers["Location"]
    card = {"number": SUCCESS_CARD, "expiry": "12/39", "cvc": "123", "name": "Dana Smith"}
    first, second = dana.post(hosted, data=card), dana.post(hosted, data=card)
    assert first.headers["Location"] == second.headers["Location"]
    assert charges() == 1 and payments_posted(1001, 1002) == 3 and len(outbox) == 1


def test_two_taps_on_the_card_page_at_once_charge_once(app, dana, outbox):
    hosted = dana.post("/billing/checkout", data={"method": "new"}).headers["Location"]
    card = {"number": SUCCESS_CARD, "expiry": "12/39", "cvc": "123", "name": "Dana Smith"}
    results = in_threads(app, *[lambda: dana.post(hosted, data=card).status_code] * 2)
    assert [r for r, _ in results] == [303, 303]
    assert charges() == 1 and balances(1001, 1002) == {1001: 0, 1002: 0} and len(outbox) == 1


def test_a_declined_card_leaves_every_balance_untouched_and_says_why(dana):
    response, key, _ = pay_with_card(dana, DECLINED_CARD)
    text = page_text(response)
    assert "Payment not made" in text and "Your card was declined." in text and "Nothing was charged." in text
    assert "Back to your cart" in text
    assert balances(1001, 1002) == {1001: 14000, 1002: 18000}
    assert Payment.get(Payment.key == key).state == Payment.FAILED and charges() == 0
    assert CheckoutLock.select().count() == 0  # the orders are free for the next try


def test_insufficient_funds_says_so(dana):
    response, _, _ = pay_with_card(dana, NO_FUNDS_CARD)
    assert "insufficient funds" in page_text(response)
    assert balances(1001, 1002) == {1001: 14000, 1002: 18000}


def test_a_late_notification_shows_processing_until_it_comes_and_looking_changes_nothing(app, dana, outbox):
    from webapp.gateway.sandbox import SandboxEvent
    from webapp.gateway.sandbox_events import deliver_due

    response, key, result = pay_with_card(dana, TIMEOUT_CARD)
    text, html = page_text(response), response.get_data(as_text=True)
    assert "Confirming your payment" in text and "This page updates itself." in text and "Check again" in text
    assert f'hx-get="/billing/payments/{key}" hx-trigger="every 2s"' in html
    assert charges() == 1 and balances(1001) == {1001: 14000}  # charged at the sandbox, not yet known to Cubby
    for _ in range(3):
        dana.get(result)  # the page looking again is a GET: it settles nothing
    assert Payment.get(Payment.key == key).state == Payment.PENDING and len(outbox) == 0
    with app.app_context():
        assert deliver_due() == 0  # not due yet
        SandboxEvent.update(due_at=SandboxEvent.created_at).execute()  # the notification arrives
        assert deliver_due() == 1
    assert "Receipt" in page_text(dana.get(result)) and balances(1001, 1002) == {1001: 0, 1002: 0}
    assert charges() == 1 and len(outbox) == 1


def test_a_saved_card_that_times_out_settles_through_the_notification(app, dana, outbox):
    pay_with_card(dana, TIMEOUT_CARD, save=True)  # the notification is late for the card page's own charge
    from webapp.gateway.sandbox import SandboxEvent
    from webapp.gateway.sandbox_events import deliver_due

    SandboxEvent.update(due_at=SandboxEvent.created_at).execute()
    with app.app_context():
        deliver_due()
    sam, smith = User.get(User.email == "staff@example.com"), Account.get(Account.name == "Smith household")
    from webapp.billing.charges import create_order
    create_order(Company.current(), sam, smith, [("Recital costume", 4500, None)], payable_online=True)
    new = LedgerEntry.select().order_by(LedgerEntry.id.desc()).first().order
    dana.post(f"/billing/cart/orders/{new.number}")
    response = dana.post("/billing/checkout", data={"method": str(PaymentMethod.get().id)})
    assert response.status_code == 303  # the charge timed out, and its notification settled it meanwhile
    assert "Receipt" in page_text(dana.get(response.headers["Location"])) and balances(new.number) == {new.number: 0}
    assert charges() == 2 and len(outbox) == 2


def test_concurrent_charges_of_one_payment_post_one_set_of_entries(app, dana, outbox):
    dana.post("/billing/checkout", data={"method": "new"})
    payment = Payment.get()
    company, token = Company.current(), SandboxToken.create(
        token="tok_saved", brand="Visa", last4="4242", exp_month=12, exp_year=2039, outcome="succeeds").token
    results = in_threads(app, *[lambda: checkout.pay(company, Payment.get_by_id(payment.id), token)] * 2)
    unsettled = [e for _, e in results if isinstance(e, checkout.PaymentUnsettled)]  # the second asked mid-charge
    assert [e for _, e in results if e and e not in unsettled] == []
    assert charges() == 1 and balances(1001, 1002) == {1001: 0, 1002: 0} and len(outbox) == 1


def test_two_guardians_checking_out_the_same_orders_at_once_are_charged_once(dana, signed_in):
    chris = signed_in("partner@example.com")
    chris.post("/billing/cart/orders/1001")
    company = Company.current()
    users = [User.get(User.email == e) for e in ("parent@example.com", "partner@example.com")]
    db.close()
    barrier, started, refused = threading.Barrier(2), [], []

    def check_out(user):
        try:
            barrier.wait()
            started.append(checkout.start_checkout(company, user)[0])
        except checkout.CheckoutRefused as error:
            refused.append(str(error))
        finally:
            db.close()

    threads = [threading.Thread(target=check_out, args=(user,)) for user in users]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert len(started) == 1 and len(refused) == 1
    assert "Order #1001 is being paid by someone else right now" in refused[0]


def test_the_other_guardian_can_pay_once_the_first_checkout_is_abandoned(dana, signed_in):
    dana.post("/billing/checkout", data={"method": "new"})  # Dana is on the card page
    key = Payment.get().key
    chris = signed_in("partner@example.com")
    chris.post("/billing/cart/orders/1001")
    refused = chris.post("/billing/checkout", data={"method": "new"})
    assert refused.status_code == 422 and "being paid by someone else" in page_text(refused)
    checkout.cancel(Payment.get(Payment.key == key))
    assert chris.post("/billing/checkout", data={"method": "new"}).status_code == 303


def test_without_a_gateway_checkout_explains_that_online_payments_are_not_taken(dana):
    Company.update(payment_gateway="").execute()
    assert "This account is not configured to accept online payments." in page_text(dana.get("/billing/cart"))
    response = dana.post("/billing/checkout", data={"method": "new"})
    assert response.status_code == 422 and "not configured to accept online payments" in page_text(response)
    assert Payment.select().count() == 0


@pytest.mark.parametrize("amount, message", [
    ("0.50", "Pay at least $1.00."),
    ("0", "Pay at least $1.00."),
    ("-5", "Pay at least $1.00."),
    ("320.01", "That is more than the total of your cart."),
    ("ten dollars", "Enter an amount like 25.00."),
    ("1.005", "Enter an amount like 25.00."),
])
def test_partial_payment_amounts_are_checked(dana, amount, message):
    Company.update(partial_payment=True).execute()
    response = dana.post("/billing/checkout", data={"method": "new", "amount": amount})
    assert response.status_code == 422 and message in page_text(response)
    assert Payment.select().count() == 0


def test_a_partial_payment_goes_to_the_oldest_order_first(dana):
    Company.update(partial_payment=True).execute()
    response, _, _ = pay_with_card(dana, SUCCESS_CARD, amount="150.00")
    assert "Receipt" in page_text(response)
    assert balances(1001, 1002) == {1001: 0, 1002: 17000}


def test_without_partial_payment_the_whole_total_is_taken(dana):
    response = dana.post("/billing/checkout", data={"method": "new", "amount": "50"})
    assert response.status_code == 422 and "takes the whole balance" in page_text(response)


def test_credit_is_offered_and_applied_before_the_card(dana):
    smith = Account.get(Account.name == "Smith household")
    LedgerEntry.create(account=smith, kind=LedgerEntry.CREDIT, amount_cents=-5000, memo="Goodwill credit")
    assert "Your household has $50.00 of credit." in page_text(dana.get("/billing/cart"))
    response = dana.post("/billing/cart/apply-credit")
    assert response.status_code == 303
    assert "#1001 $50.00 $90.00" in page_text(dana.get(response.headers["Location"]))
    assert balances(1001, 1002) == {1001: 9000, 1002: 18000}
    assert "Apply credit" not in page_text(dana.get("/billing/cart"))


def test_someone_elses_payment_is_404(dana, signed_in):
    _, key, _ = enter_card(dana, SUCCESS_CARD)
    chris = signed_in("partner@example.com")
    assert chris.get(f"/billing/payments/{key}").status_code == 404
    assert signed_in("staff@example.com").get(f"/billing/payments/{key}").status_code == 403


def test_leaving_the_card_page_charges_nothing(dana):
    dana.post("/billing/checkout", data={"method": "new"})
    key = Payment.get().key
    cancelled = dana.get(f"/billing/payments/{key}?cancelled=1")
    assert "You left the card page, so nothing was charged." in page_text(cancelled)
    assert charges() == 0 and Payment.get().state == Payment.PENDING  # a GET changes nothing


def test_saved_cards_are_capped_at_three_and_one_is_default(dana, outbox):
    from webapp.billing.checkout import save_payment_method
    from webapp.gateway import Card

    dana_id = User.get(User.email == "parent@example.com").id
    for n in range(4):
        save_payment_method(dana_id, "sandbox", Card(f"tok_{n}", "Visa", f"000{n}", 12, 2039))
    methods = list(PaymentMethod.select().order_by(PaymentMethod.id))
    assert len(methods) == 3 and [m.is_default for m in methods] == [True, False, False]
    text = page_text(dana.get("/account/payments"))
    assert "Visa ending 0000 · expires 12/39 · Default" in text and "Visa ending 0003" not in text
    dana.post(f"/billing/payment-methods/{methods[2].id}/default")
    assert PaymentMethod.get_by_id(methods[2].id).is_default and not PaymentMethod.get_by_id(methods[0].id).is_default
    dana.post(f"/billing/payment-methods/{methods[2].id}/delete")
    assert PaymentMethod.select().count() == 2 and PaymentMethod.get_by_id(methods[0].id).is_default


def test_another_guardians_saved_card_is_404(dana, signed_in):
    from webapp.billing.checkout import save_payment_method
    from webapp.gateway import Card

    save_payment_method(User.get(User.email == "parent@example.com").id, "sandbox", Card("tok_x", "Visa", "4242", 1, 2039))
    method = PaymentMethod.get()
    chris = signed_in("partner@example.com")
    assert chris.post(f"/billing/payment-methods/{method.id}/delete").status_code == 404
    assert signed_in("staff@example.com").post(f"/billing/payment-methods/{method.id}/delete").status_code == 403
    assert PaymentMethod.select().count() == 1


def test_checkout_uses_the_current_balance_and_drops_orders_paid_meanwhile(app, dana):
    from webapp.billing.charges import record_offline_payment

    sam, smith = User.get(User.email == "staff@example.com"), Account.get(Account.name == "Smith household")
    with app.app_context():  # the receipts are mailed
        record_offline_payment(sam, order(1001), smith, 14000, "cash")
        record_offline_payment(sam, order(1002), smith, 8000, "cash")
    response, key, _ = pay_with_card(dana, SUCCESS_CARD)
    text = page_text(response)  # told on the page the payer comes back to
    assert "Order #1001 has been paid meanwhile" in text and "changed to $100.00" in text and "Receipt" in text
    assert Payment.get(Payment.key == key).amount_cents == 10000
    assert balances(1001, 1002) == {1001: 0, 1002: 0}
    assert "Your cart is empty." in page_text(dana.get("/billing/cart"))


def test_the_receipt_is_kept_in_the_outbox_and_a_mail_failure_keeps_the_payment(dana, monkeypatch):
    from flask_mailman import EmailMessage

    from webapp.models import OutboxMessage

    def refuse(self, *args, **kwargs):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr(EmailMessage, "send", refuse)
    response, key, _ = pay_with_card(dana, SUCCESS_CARD)
    assert "Receipt" in page_text(response) and balances(1001, 1002) == {1001: 0, 1002: 0}
    message = OutboxMessage.get(OutboxMessage.subject == "Your receipt from Riverside Arts Academy")
    assert message.to == "parent@example.com" and message.status == OutboxMessage.UNSENT
    assert "Total paid: $320.00" in message.body


def test_the_cart_shown_after_add_to_cart_offers_the_default_saved_card(dana):
    from webapp.billing.checkout import save_payment_method
    from webapp.gateway import Card

    save_payment_method(User.get(User.email == "parent@example.com").id, "sandbox", Card("tok_d", "Visa", "4242", 12, 2039))
    method = PaymentMethod.get()
    dana.post("/billing/cart/orders/1001/remove")
    html = dana.post("/billing/cart/orders/1001", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert f'checked id="method-0" name="method" type="radio" value="{method.id}"' in html or re.search(
        rf'<input[^>]*checked[^>]*value="{method.id}"', html)


def test_any_gateway_failure_mid_charge_leaves_the_payment_for_reconciliation_not_a_500(dana, monkeypatch):
    from webapp.gateway import GatewayError
    from webapp.gateway.sandbox import SandboxProvider

    def refuses(self, *args):
        raise GatewayError("the provider answered something unexpected")

    from webapp.gateway import Card

    save_payment_method = checkout.save_payment_method
    save_payment_method(User.get(User.email == "parent@example.com").id, "sandbox", Card("tok_s", "Visa", "4242", 1, 2039))
    monkeypatch.setattr(SandboxProvider, "confirm", refuses)
    response = dana.post("/billing/checkout", data={"method": str(PaymentMethod.get().id)})
    key = Payment.get().key
    assert response.status_code == 303 and response.headers["Location"] == f"/billing/payments/{key}"
    assert "Your card payment is being confirmed" in page_text(dana.get(f"/billing/payments/{key}"))
    assert Payment.get(Payment.key == key).state == Payment.PROCESSING and balances(1001) == {1001: 14000}
