"""Attacks on the money paths: races with cancels and credit, card tokens as bearer credentials, payments stuck in
Processing, a $0 cart, receipts that must match the ledger, order numbers under load, grants revoked mid-cart."""
import pytest

from billing_helpers import (  # noqa: F401 (dana is a fixture)
    SUCCESS_CARD, TIMEOUT_CARD, balances, charges, dana, enter_card, in_threads, on_the_card_page, order, pay_with_card,
)
from conftest import page_text
from registration_helpers import course, register
from webapp.billing import checkout
from webapp.billing.charges import create_order, record_offline_payment
from webapp.gateway import Card, sandbox
from webapp.gateway.sandbox import SandboxCharge, SandboxToken
from webapp.models import (
    Account, CheckoutLock, Company, Enrollment, Guardian, LedgerEntry, Order, Payment, PaymentMethod, Student, User,
    utcnow,
)


def user(email):
    return User.get(User.email == email)


def smith():
    return Account.get(Account.name == "Smith household")


def every_charge_is_accounted_for():
    """Each charge the sandbox made is one settled payment with its ledger entries, or refunded in full."""
    for charge in SandboxCharge.select():
        payment = Payment.get(Payment.key == charge.idempotency_key)
        posted = -sum(e.amount_cents for e in LedgerEntry.select().where(LedgerEntry.payment == payment))
        if payment.state == Payment.SUCCEEDED:
            assert posted == payment.amount_cents == charge.amount_cents and charge.refunded_cents == 0
        else:
            assert payment.state == Payment.REFUNDED, f"charged, but the payment is {payment.state}"
            assert posted == 0 and charge.refunded_cents == charge.amount_cents


# 1. Charged while cancelled

def test_a_payment_cancelled_just_before_the_charge_is_never_charged(app, dana):
    seen, token = on_the_card_page(dana)  # what the paying request read: still Pending
    key = seen.key
    assert dana.post("/billing/checkout", data={"method": "new"}).status_code == 303  # cancels the first
    assert Payment.get(Payment.key == key).state == Payment.CANCELLED
    with app.app_context(), pytest.raises(checkout.CheckoutRefused, match="cancelled"):
        checkout.pay(Company.current(), seen, token)
    assert charges() == 0 and balances(1001, 1002) == {1001: 14000, 1002: 18000}


def test_a_second_checkout_racing_the_charge_never_leaves_money_unrecorded(app, signed_in):
    dana, company, sam = signed_in("parent@example.com"), Company.current(), user("staff@example.com")
    for n in range(6):
        new = create_order(company, sam, smith(), [(f"Costume {n}", 1000, None)], payable_online=True)
        dana.post(f"/billing/cart/orders/{new.number}")
        seen, token = on_the_card_page(dana)
        results = in_threads(app, lambda: checkout.pay(company, seen, token), lambda: checkout.start_checkout(company, seen.user))
        # Either may be refused (cancelled, or the orders being paid); nothing else may go wrong, a deadlock included.
        assert [e for _, e in results if e and not isinstance(e, checkout.CheckoutRefused)] == []
    every_charge_is_accounted_for()


def test_cancelling_never_touches_a_payment_being_charged(app, dana):
    key = on_the_card_page(dana)[0].key
    Payment.update(state=Payment.PROCESSING).where(Payment.key == key).execute()
    checkout.cancel(Payment.get(Payment.key == key))
    with app.app_context():
        checkout.cancel_abandoned(user("parent@example.com"))
    assert Payment.get(Payment.key == key).state == Payment.PROCESSING and CheckoutLock.select().count() == 2


def test_a_charge_that_lands_after_the_payment_was_given_up_is_refunded(app, dana, monkeypatch):
    """Reconciliation gave the payment up while the card network was still charging it: the money goes back."""
    monkeypatch.setattr(sandbox, "notify", lambda: None)  # the provider's notification comes later
    payment, token = on_the_card_page(dana)
    key = payment.key
    confirm = checkout.provider_for(Company.current()).__class__.confirm

    def slow_network(self, *args):
        charge = confirm(self, *args)
        Payment.update(state=Payment.FAILED).where(Payment.key == key).execute()  # given up meanwhile
        return charge

    monkeypatch.setattr(checkout.provider_for(Company.current()).__class__, "confirm", slow_network)
    with app.app_context(), pytest.raises(checkout.ChargeRefunded, match="goes back to your card"):
        checkout.pay(Company.current(), payment, token)
    assert charges() == 1 and SandboxCharge.get().refunded_cents == 32000
    assert Payment.get(Payment.key == key).state == Payment.REFUNDED
    assert balances(1001, 1002) == {1001: 14000, 1002: 18000}
    every_charge_is_accounted_for()


def test_a_refund_the_provider_refuses_stays_due_until_reconciliation(app, dana, monkeypatch):
    from webapp.billing.reconcile import reconcile
    from webapp.gateway import GatewayTimeout

    monkeypatch.setattr(sandbox, "notify", lambda: None)
    payment, token = on_the_card_page(dana)
    key = payment.key
    provider = type(checkout.provider_for(Company.current()))
    confirm, refund = provider.confirm, provider.refund

    def slow_network(self, *args):
        charge = confirm(self, *args)
        Payment.update(state=Payment.FAILED).where(Payment.key == key).execute()
        return charge

    def network_down(self, *args, **kwargs):
        raise GatewayTimeout("no answer")

    monkeypatch.setattr(provider, "confirm", slow_network)
    monkeypatch.setattr(provider, "refund", network_down)
    with app.app_context(), pytest.raises(checkout.ChargeRefunded):
        checkout.pay(Company.current(), payment, token)
    assert Payment.get(Payment.key == key).state == Payment.REFUND_DUE and SandboxCharge.get().refunded_cents == 0
    monkeypatch.setattr(provider, "refund", refund)
    with app.app_context():
        assert reconcile()["refunded"] == 1  # due refunds are retried at once, whatever their age
    assert Payment.get(Payment.key == key).state == Payment.REFUNDED and SandboxCharge.get().refunded_cents == 32000
    every_charge_is_accounted_for()


# 2. Credit spent twice

def test_two_apply_credits_at_once_spend_the_credit_once(app, dana):
    LedgerEntry.create(account=smith(), kind=LedgerEntry.CREDIT, amount_cents=-5000, memo="Goodwill credit")
    dana_user = user("parent@example.com")
    results = in_threads(app, *[lambda: checkout.apply_credit(dana_user, smith())] * 2)
    assert sorted(type(error).__name__ for _, error in results) == ["CheckoutRefused", "NoneType"]
    assert balances(1001, 1002) == {1001: 9000, 1002: 18000}
    credit = sum(e.amount_cents for e in LedgerEntry.select().where(
        (LedgerEntry.account == smith()) & LedgerEntry.order.is_null()))
    assert credit == 0


# 3. Card tokens are bearer credentials

def test_another_households_saved_card_token_cannot_pay(dana):
    checkout.save_payment_method(user("grandparents@example.com").id, "sandbox",
                                 Card("tok_forest", "Visa", "1111", 12, 2039))
    SandboxToken.create(token="tok_forest", brand="Visa", last4="1111", exp_month=12, exp_year=2039, outcome="succeeds")
    forest_card = PaymentMethod.get(PaymentMethod.token == "tok_forest")
    response = dana.post("/billing/checkout", data={"method": str(forest_card.id)})
    assert response.status_code == 422 and charges() == 0 and Payment.select().count() == 0
    assert balances(1001, 1002) == {1001: 14000, 1002: 18000}


def test_no_url_or_page_carries_the_card_token_and_no_route_takes_one(dana):
    result, key, answer = enter_card(dana, SUCCESS_CARD)
    token = SandboxToken.get().token
    page = dana.get(result).get_data(as_text=True)
    assert token not in result and token not in page and "Visa ending 4242" in page
    assert dana.post(f"/billing/payments/{key}/pay", data={"token": token}).status_code in (404, 405)


def test_a_card_page_charges_only_its_own_payment_with_its_own_amount(dana):
    hosted = dana.post("/billing/checkout", data={"method": "new"}).headers["Location"]
    first = Payment.get()
    dana.post("/billing/checkout", data={"method": "new"})  # a second checkout: the first is cancelled
    dana.post(hosted, data={"number": SUCCESS_CARD, "expiry": "12/39", "cvc": "123", "name": "Dana Smith"})
    (charge,) = SandboxCharge.select()
    assert charge.idempotency_key == first.key and charge.amount_cents == 32000
    assert Payment.get_by_id(first.id).state == Payment.REFUNDED and charge.refunded_cents == 32000  # given up: back
    every_charge_is_accounted_for()


# 4. Stuck in Processing

def test_reconciliation_settles_a_timed_out_charge_and_frees_its_orders(app, dana, signed_in, outbox, monkeypatch):
    monkeypatch.setattr(sandbox, "notify", lambda: None)  # the notification is lost
    payment, token = on_the_card_page(dana)
    key = payment.key
    SandboxToken.update(outcome="times_out").where(SandboxToken.token == token).execute()
    with app.app_context(), pytest.raises(checkout.PaymentUnsettled):
        checkout.pay(Company.current(), payment, token)
    assert Payment.get(Payment.key == key).state == Payment.PROCESSING
    chris = signed_in("partner@example.com")
    chris.post("/billing/cart/orders/1001")
    assert "being paid by someone else" in page_text(chris.post("/billing/checkout", data={"method": "new"}))
    result = app.test_cli_runner().invoke(args=["payments", "reconcile", "--older-than", "0"])
    assert result.exit_code == 0 and "settled 1" in result.output, result.output
    assert Payment.get(Payment.key == key).state == Payment.SUCCEEDED and CheckoutLock.select().count() == 0
    assert balances(1001, 1002) == {1001: 0, 1002: 0} and charges() == 1
    assert [m.subject for m in outbox] == ["Your receipt from Riverside Arts Academy"]
    every_charge_is_accounted_for()


def test_reconciliation_fails_a_payment_the_provider_never_charged_and_releases_it(app, dana, signed_in):
    from webapp.billing.reconcile import reconcile

    register(dana, "Pottery for Kids", "Amy")
    key = on_the_card_page(dana)[0].key
    Payment.update(state=Payment.PROCESSING).where(Payment.key == key).execute()  # killed before the gateway call
    with app.app_context():
        assert reconcile(older_than_minutes=5) == {"settled": 0, "failed": 0, "refunded": 0, "cancelled": 0}  # too young
        assert reconcile(older_than_minutes=0)["failed"] == 1
    payment = Payment.get(Payment.key == key)
    assert payment.state == Payment.FAILED and CheckoutLock.select().count() == 0 and charges() == 0
    assert not Enrollment.select().where(Enrollment.student == Student.get(Student.first_name == "Amy"),
                                         Enrollment.course == course("Pottery for Kids")).exists()
    chris = signed_in("partner@example.com")
    chris.post("/billing/cart/orders/1001")
    assert chris.post("/billing/checkout", data={"method": "new"}).status_code == 303


def test_a_charged_checkout_whose_notification_was_lost_is_settled_not_cancelled_as_abandoned(app, dana, outbox, monkeypatch):
    from webapp.billing.reconcile import cancel_abandoned_checkouts
    monkeypatch.setattr(sandbox, "notify", lambda: None)
    _, key, _ = enter_card(dana, SUCCESS_CARD)
    assert Payment.get(Payment.key == key).state == Payment.PENDING and charges() == 1
    Payment.update(created_at=utcnow() - checkout.ABANDONED_AFTER * 2).execute()
    with app.app_context():
        assert cancel_abandoned_checkouts() == 0
    assert Payment.get(Payment.key == key).state == Payment.SUCCEEDED and balances(1001, 1002) == {1001: 0, 1002: 0}
    assert len(outbox) == 1
    every_charge_is_accounted_for()


# 5. A $0 cart

def test_a_cart_with_only_a_free_registration_registers_without_the_gateway(signed_in):
    free = signed_in("parent@example.com")
    pottery = course("Pottery for Kids")
    type(pottery).update(price_cents=0).where(type(pottery).id == pottery.id).execute()
    register(free, "Pottery for Kids", "Amy")
    response = free.post("/billing/checkout", data={"method": "new"})
    assert response.status_code == 303 and not response.headers["Location"].startswith("/sandbox-gateway")
    assert "Amy is registered in Pottery for Kids" in page_text(free.get(response.headers["Location"]))
    amy = Student.get(Student.first_name == "Amy")
    assert Enrollment.get(student=amy, course=pottery).status == Enrollment.REGISTERED
    assert charges() == 0 and Payment.select().count() == 0


def test_a_free_registration_beside_an_order_is_registered_with_the_payment(dana):
    pottery = course("Pottery for Kids")
    type(pottery).update(price_cents=0).where(type(pottery).id == pottery.id).execute()
    register(dana, "Pottery for Kids", "Amy")
    response, key, _ = pay_with_card(dana, SUCCESS_CARD)
    assert "Receipt" in page_text(response)
    amy = Student.get(Student.first_name == "Amy")
    assert Enrollment.get(student=amy, course=pottery).status == Enrollment.REGISTERED
    assert "Your cart is empty." in page_text(dana.get("/billing/cart"))


# 7. Receipts that tell the truth

def test_applying_credit_sends_a_receipt(app, dana, outbox):
    LedgerEntry.create(account=smith(), kind=LedgerEntry.CREDIT, amount_cents=-5000, memo="Goodwill credit")
    response = dana.post("/billing/cart/apply-credit")
    assert response.status_code == 303
    (email,) = outbox
    assert email.to == ["parent@example.com"] and "Paid with: credit on your account" in email.body
    assert "Order #1001: $50.00 applied, new balance $90.00" in email.body


def test_a_receipt_shows_what_was_kept_as_credit(app, dana, outbox):
    hosted = dana.post("/billing/checkout", data={"method": "new"}).headers["Location"]
    with app.app_context():  # meanwhile, at the desk
        record_offline_payment(user("staff@example.com"), order(1001), smith(), 4500, "cash")
    outbox.clear()
    response = dana.post(hosted, data={"number": SUCCESS_CARD, "expiry": "12/39", "cvc": "123", "name": "Dana Smith"})
    receipt = page_text(dana.get(response.headers["Location"]))
    assert "#1001 $95.00 $0.00" in receipt and "#1002 $180.00 $0.00" in receipt
    assert "Kept as credit on your account $45.00" in receipt and "Total paid $320.00" in receipt
    (email,) = outbox
    assert "Order #1001: $95.00 applied" in email.body and "Kept as credit on your account: $45.00" in email.body


# 8. Order numbers

def test_fifty_orders_created_at_once_get_fifty_distinct_numbers(app):
    company, sam, household = Company.current(), user("staff@example.com"), smith()

    def two_orders():
        return [create_order(company, sam, household, [("Workshop fee", 500, None)]).number for _ in range(2)]

    results = in_threads(app, *[two_orders] * 25)
    assert [error for _, error in results if error] == []
    numbers = [n for made, _ in results for n in made]
    assert len(set(numbers)) == 50 and min(numbers) > 1007


# 9. Grants revoked while something waits in the cart

def test_a_removed_guardian_no_longer_sees_or_pays_that_households_cart(app, signed_in):
    karie = user("grandparents@example.com")
    Guardian.create(user=karie, account=smith(), can_make_payments=True, can_view_balance=True)
    client = signed_in("grandparents@example.com")
    assert client.post("/billing/cart/orders/1001").status_code in (200, 303)
    Guardian.delete().where((Guardian.user == karie) & (Guardian.account == smith())).execute()
    client.get("/billing/cart")  # the message of adding it
    assert "Your cart is empty." in page_text(client.get("/billing/cart"))
    response = client.post("/billing/checkout", data={"method": "new"})
    assert response.status_code == 422 and "nothing to pay" in page_text(response)
    assert Payment.select().count() == 0


def test_a_revoked_payment_grant_takes_the_households_orders_and_registrations_out_of_checkout(app, signed_in):
    karie = user("grandparents@example.com")
    membership = Guardian.create(user=karie, account=smith(), can_make_payments=True, can_view_balance=True)
    client = signed_in("grandparents@example.com")
    client.post("/billing/cart/orders/1001")
    register(client, "Pottery for Kids", "Amy")
    Guardian.update(can_make_payments=False).where(Guardian.id == membership.id).execute()
    with app.app_context():
        cart = checkout.cart_of(karie)
        assert cart.lines == [] and cart.registrations == []
        with pytest.raises(checkout.CheckoutRefused, match="nothing to pay"):
            checkout.start_checkout(Company.current(), karie)
    assert Order.select().count() == 7 and Payment.select().count() == 0


def test_reconciliation_command_reports_nothing_to_do(app):
    result = app.test_cli_runner().invoke(args=["payments", "reconcile"])
    assert result.exit_code == 0 and "settled 0, failed 0, refunded 0" in result.output



def test_a_payment_taken_at_the_desk_sends_the_household_a_receipt(signed_in, outbox):
    sam = signed_in("staff@example.com")
    response = sam.post("/staff/billing/payments/new", data={"order_number": "1003", "payer": smith().id,
                                                            "amount": "35.00", "method": "check", "note": "#118"})
    assert response.status_code == 303
    (email,) = [m for m in outbox if m.subject.startswith("Your receipt")]
    assert email.to == ["parent@example.com"] and "Paid with: Check (#118)" in email.body
    assert "Order #1003: $35.00 applied, new balance $0.00" in email.body
