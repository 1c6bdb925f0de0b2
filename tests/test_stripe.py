"""The Stripe provider against localstripe, a real (fake) Stripe server: pay, decline, save a card, pay with it,
add a card without paying, refunds, and the webhooks: before and after the browser returns, duplicated, with a
bad signature."""
from billing_helpers import balances, payments_posted
from conftest import page_text
from stripe_helpers import (  # noqa: F401 (fixtures)
    DECLINES_ON_CHARGE, PAYS, REFUSED_AT_SETUP, deliver, element_confirms_setup,
    pay_through_stripe, stripe_app, stripe_dana, webhooks,
)
from webapp.gateway.stripe_gateway import StripeCustomer, StripeIntent
from webapp.models import CheckoutLock, LedgerEntry, Payment, PaymentMethod, User


def intent_of(localstripe, key):
    return localstripe.client().v1.payment_intents.retrieve(StripeIntent.get(StripeIntent.payment_key == key).intent_id)


def test_a_card_payment_through_stripe_pays_both_orders(stripe_app, stripe_dana, localstripe):
    outbox = stripe_app.extensions["mailman"].outbox
    response, key, _ = pay_through_stripe(stripe_dana, localstripe)
    assert response.status_code == 303 and response.headers["Location"] == f"/billing/payments/{key}"
    assert "Total paid $320.00" in page_text(stripe_dana.get(response.headers["Location"]))
    assert balances(1001, 1002) == {1001: 0, 1002: 0} and payments_posted(1001, 1002) == 3
    payment = Payment.get(Payment.key == key)
    intent = intent_of(localstripe, key)
    assert (payment.state, payment.gateway, payment.gateway_reference) == (Payment.SUCCEEDED, "stripe", intent.id)
    assert (intent.status, intent.amount, intent.currency, intent.metadata["cubby_payment"]) == ("succeeded", 32000, "usd", key)
    customer = localstripe.client().v1.customers.retrieve(StripeCustomer.get().customer_id)
    assert customer.email == "parent@example.com" and intent.customer == customer.id
    assert (payment.card_brand, payment.card_last4) == ("Visa", "4242")
    assert PaymentMethod.select().count() == 0  # not asked to keep it: and Stripe no longer holds it for Dana
    method = localstripe.client().v1.payment_methods.retrieve(intent.payment_method)
    assert method.customer is None
    assert [m.subject for m in outbox] == ["Your receipt from Riverside Arts Academy"]


def test_a_card_declined_by_stripe_leaves_every_balance_untouched(stripe_dana, localstripe):
    response, key, _ = pay_through_stripe(stripe_dana, localstripe, DECLINES_ON_CHARGE)
    assert response.status_code == 303 and response.headers["Location"] == f"/billing/payments/{key}"
    text = page_text(stripe_dana.get(response.headers["Location"]))
    assert "Payment not made" in text and "Your card was declined." in text and "Nothing was charged." in text
    assert balances(1001, 1002) == {1001: 14000, 1002: 18000}
    assert Payment.get(Payment.key == key).state == Payment.FAILED and CheckoutLock.select().count() == 0
    assert intent_of(localstripe, key).status == "requires_payment_method"


def test_a_card_stripe_refuses_to_save_is_never_charged(stripe_dana, localstripe):
    started = stripe_dana.post("/billing/checkout", data={"method": "new"})
    card_page = started.headers["Location"]
    element_confirms_setup(localstripe, stripe_dana.get(card_page).get_data(as_text=True), REFUSED_AT_SETUP,
                           expect_ok=False)
    refused = stripe_dana.post(card_page)
    assert refused.status_code == 422 and "The card was not accepted." in page_text(refused)
    assert Payment.get().state == Payment.PENDING and not StripeIntent.select().exists()


def test_the_card_page_is_only_the_payers_own(stripe_app, stripe_dana, localstripe):
    started = stripe_dana.post("/billing/checkout", data={"method": "new"})
    card_page = started.headers["Location"]
    chris = stripe_app.test_client()
    from conftest import sign_in

    sign_in(chris, "partner@example.com")
    assert chris.get(card_page).status_code == 404 and chris.post(card_page).status_code == 404
    assert stripe_app.test_client().get(card_page).status_code in (302, 303)  # signed out: the sign-in page


def test_the_card_page_lets_in_stripe_and_nothing_else(stripe_dana, localstripe):
    started = stripe_dana.post("/billing/checkout", data={"method": "new"})
    page = stripe_dana.get(started.headers["Location"])
    policy = page.headers["Content-Security-Policy"]
    assert f"script-src 'self' {localstripe.url}" in policy and f"connect-src 'self' {localstripe.url}" in policy
    assert "unsafe-eval" not in policy and "frame-ancestors 'none'" in policy
    assert "4242" not in page.get_data(as_text=True)


def test_a_card_saved_while_paying_pays_the_next_order_without_the_card_page(stripe_app, stripe_dana, localstripe):
    from webapp.billing.charges import create_order
    from webapp.models import Account, Company

    pay_through_stripe(stripe_dana, localstripe, save=True)
    method = PaymentMethod.get()
    assert (method.gateway, method.brand, method.last4, method.is_default) == ("stripe", "Visa", "4242", True)
    assert method.token.startswith("pm_")
    customer = StripeCustomer.get().customer_id
    assert localstripe.client().v1.payment_methods.retrieve(method.token).customer == customer  # kept at Stripe
    sam, smith = User.get(User.email == "staff@example.com"), Account.get(Account.name == "Smith household")
    with stripe_app.app_context():
        new = create_order(Company.current(), sam, smith, [("Recital costume", 4500, None)], payable_online=True)
    stripe_dana.post(f"/billing/cart/orders/{new.number}")
    response = stripe_dana.post("/billing/checkout", data={"method": str(method.id)})
    assert response.status_code == 303 and response.headers["Location"].startswith("/billing/payments/")
    assert balances(new.number) == {new.number: 0}
    key = response.headers["Location"].rsplit("/", 1)[1]
    intent = intent_of(localstripe, key)
    assert (intent.amount, intent.customer, intent.payment_method) == (4500, customer, method.token)
    assert localstripe.client().v1.payment_methods.retrieve(method.token).customer == customer  # still saved


def test_add_a_card_without_paying_uses_a_setup_intent(stripe_app, stripe_dana, localstripe):
    assert "Add Payment Method" in page_text(stripe_dana.get("/account/payments"))
    assert stripe_dana.get("/stripe-gateway/cards").status_code == 405  # making a SetupIntent is a POST
    started = stripe_dana.post("/stripe-gateway/cards")
    assert started.status_code == 303 and started.headers["Location"].startswith("/stripe-gateway/cards/")
    page = stripe_dana.get(started.headers["Location"])
    assert "Add a card" in page_text(page) and "nothing is charged now" in page_text(page)
    setup_intent = element_confirms_setup(localstripe, page.get_data(as_text=True), "5555555555554444")
    saved = stripe_dana.post(started.headers["Location"])
    assert saved.status_code == 303 and saved.headers["Location"] == "/account/payments"
    method = PaymentMethod.get()
    assert (method.gateway, method.last4, method.user.email) == ("stripe", "4444", "parent@example.com")
    assert localstripe.client().v1.setup_intents.retrieve(setup_intent).status == "succeeded"
    assert Payment.select().count() == 0  # nothing was paid
    assert "ending 4444 is saved" in page_text(stripe_dana.get("/account/payments"))
    again = stripe_dana.post(started.headers["Location"])  # the same page posted twice keeps one card
    assert again.status_code == 303 and PaymentMethod.select().count() == 1


def test_add_a_card_needs_a_guardian_not_the_payment_grant(stripe_app, localstripe):
    from conftest import sign_in

    sam = stripe_app.test_client()
    sign_in(sam, "staff@example.com")
    assert sam.post("/stripe-gateway/cards").status_code == 403
    assert not StripeCustomer.select().exists()
    jo = stripe_app.test_client()  # a secondary guardian with portal access saves methods (seed 004's NOTE)
    sign_in(jo, "nanny@example.com")
    started = jo.post("/stripe-gateway/cards")
    assert started.status_code == 303 and "Add a card" in page_text(jo.get(started.headers["Location"]))


def refund_entries():
    return [(e.order.number, e.amount_cents) for e in
            LedgerEntry.select().where((LedgerEntry.kind == LedgerEntry.REFUND) & LedgerEntry.payment.is_null(False)).order_by(LedgerEntry.id)]


def test_staff_refund_part_of_a_card_payment_through_stripe(stripe_app, stripe_dana, localstripe):
    from conftest import sign_in
    from webapp.models import CardRefund

    outbox = stripe_app.extensions["mailman"].outbox
    _, key, _ = pay_through_stripe(stripe_dana, localstripe)
    sam = stripe_app.test_client()
    sign_in(sam, "staff@example.com")
    assert "$320.00 from Smith household" in page_text(sam.get("/staff/billing/card-payments"))
    response = sam.post(f"/staff/billing/card-payments/{key}/refund", data={"amount": "50.00", "reason": "Class cancelled"})
    assert response.status_code == 303
    assert "$50.00 is refunded to Visa ending 4242" in page_text(sam.get(response.headers["Location"]))
    (made,) = localstripe.client().v1.refunds.list({"payment_intent": intent_of(localstripe, key).id}).data
    assert (made.amount, made.metadata["cubby_refund"]) == (5000, CardRefund.get().key)
    assert CardRefund.get().state == CardRefund.SUCCEEDED and CardRefund.get().reference == made.id
    assert refund_entries() == [(1002, 5000)]  # the last order paid owes again first
    assert balances(1001, 1002) == {1001: 0, 1002: 5000}
    assert outbox[-1].subject == "Your refund from Riverside Arts Academy" and "$50.00" in outbox[-1].body
    assert "Class cancelled" in outbox[-1].alternatives[0][0]
    too_much = sam.post(f"/staff/billing/card-payments/{key}/refund", data={"amount": "270.01"})
    assert too_much.status_code == 422 and "more than is left" in page_text(too_much)
    rest = sam.post(f"/staff/billing/card-payments/{key}/refund", data={"amount": "270.00"})
    assert rest.status_code == 303 and balances(1001, 1002) == {1001: 14000, 1002: 18000}
    assert refund_entries() == [(1002, 5000), (1002, 13000), (1001, 14000)]
    assert "Refunded in full." in page_text(sam.get("/staff/billing/card-payments"))
    receipt = page_text(stripe_dana.get(f"/billing/payments/{key}"))
    assert "#1001 $140.00" in receipt and "Total paid $320.00" in receipt  # the receipt still says what was paid


def test_only_billing_staff_refund_and_bad_amounts_are_refused(stripe_app, stripe_dana, localstripe):
    from conftest import sign_in
    from webapp.models import CardRefund

    _, key, _ = pay_through_stripe(stripe_dana, localstripe)
    for email in ("instructor@example.com", "parent@example.com"):
        other = stripe_app.test_client()
        sign_in(other, email)
        assert other.post(f"/staff/billing/card-payments/{key}/refund", data={"amount": "5"}).status_code == 403
    sam = stripe_app.test_client()
    sign_in(sam, "staff@example.com")
    for amount in ("0", "-5", "1e3", "ten"):
        assert sam.post(f"/staff/billing/card-payments/{key}/refund", data={"amount": amount}).status_code == 422
    assert sam.post("/staff/billing/card-payments/nope/refund", data={"amount": "5"}).status_code == 404
    assert not CardRefund.select().exists() and not refund_entries()
