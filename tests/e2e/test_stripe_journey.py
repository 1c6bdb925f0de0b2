"""The Stripe path in the browser, against localstripe and its Elements shim: Dana pays two orders with a new card
and saves it, localstripe's webhook reaches Cubby, she pays a new order with the saved card, and Sam refunds part
of the first payment. localstripe's shim stands in for Stripe's card Element; its bare inputs are not Stripe's
accessible iframe, so axe is not run on the card page itself."""
import re
import time

import pytest
from playwright.sync_api import expect

from stripe_helpers import stripe_app  # noqa: F401 (a fixture)
from webapp.gateway.stripe_gateway import StripeEvent, StripeIntent
from webapp.models import Account, Company, Payment, PaymentMethod, User

from .conftest import assert_fits_phone, check, main_nav, sign_in
from .test_checkout_journey import Watched, order_card


@pytest.fixture
def app(stripe_app):
    """The live server's app: a fresh demo database with Stripe (localstripe) as its gateway."""
    return stripe_app


def enter_card_in_the_element(page, total, number):
    """The Stripe card page: the shim's inputs stand where Stripe's Element would."""
    expect(page).to_have_url(re.compile(r"/stripe-gateway/pay/[^/]+$"))
    expect(page.get_by_role("heading", name=f"Pay {total}", level=1)).to_be_visible()
    assert_fits_phone(page)
    page.get_by_label("Name on card").fill("Dana Smith")
    element = page.locator("#card-element")
    element.get_by_placeholder("number").fill(number)
    element.get_by_placeholder("exp_month").fill("12")
    element.get_by_placeholder("exp_year").fill("39")
    element.get_by_placeholder("cvc").fill("123")
    element.get_by_placeholder("postal_code").fill("12345")
    page.get_by_role("button", name=f"Pay {total}", exact=True).tap()


def wait_for_webhook(payment_key, timeout=10):
    """localstripe posts payment_intent.succeeded to the live server about a second after the charge."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if StripeEvent.select().where(StripeEvent.type == "payment_intent.succeeded").count() >= len(
                StripeIntent.select()) and StripeIntent.select().where(StripeIntent.payment_key == payment_key).exists():
            return
        time.sleep(0.1)
    raise AssertionError("localstripe's webhook never reached Cubby")


def test_dana_pays_through_stripe_saves_the_card_pays_again_and_sam_refunds(new_context, live_server, localstripe, app):
    localstripe.send_webhooks_to(f"{live_server.url}/stripe-gateway/webhook")
    watched = Watched(new_context())
    page = watched.page
    sign_in(page, "parent@example.com")
    main_nav(page, "Upcoming Courses")
    page.get_by_role("button", name="Add Order #1001 to Cart").tap()
    expect(page).to_have_url(re.compile(r"/billing/cart$"))
    page.goto("/billing/pay-balance")
    order_card(page, 1002).get_by_role("button", name="Add to Cart").tap()
    expect(page.get_by_text("Total $320.00")).to_be_visible()
    page.get_by_label("Save this card for next time").check()
    page.get_by_role("button", name="Pay $320.00", exact=True).tap()

    enter_card_in_the_element(page, "$320.00", "4242424242424242")
    expect(page).to_have_url(re.compile(r"/billing/payments/[^/?]+$"))
    expect(page.get_by_role("heading", name="Receipt", level=1)).to_be_visible()
    expect(page.get_by_text("Thank you: your payment is received.")).to_be_visible()
    check(page)
    first = Payment.get(Payment.gateway == "stripe")
    assert first.state == Payment.SUCCEEDED and first.gateway_reference.startswith("pi_")
    wait_for_webhook(first.key)  # the webhook arrived after the browser returned: nothing changed
    assert Payment.get_by_id(first.id).state == Payment.SUCCEEDED

    # The card is saved with Stripe and offered next time.
    main_nav(page, "My Account")
    page.get_by_role("link", name="Stored payment information").tap()
    expect(page.get_by_text(re.compile(r"Visa ending 4242 · expires 12/39 · Default"))).to_be_visible()
    check(page)
    from webapp.billing.charges import create_order

    with app.app_context():
        new = create_order(Company.current(), User.get(User.email == "staff@example.com"),
                           Account.get(Account.name == "Smith household"), [("Recital costume", 4500, None)],
                           payable_online=True)
    page.goto("/billing/pay-balance")
    order_card(page, new.number).get_by_role("button", name="Add to Cart").tap()
    expect(page.get_by_role("radio", name=re.compile(r"^Visa ending 4242"))).to_be_checked()
    page.get_by_role("button", name="Pay $45.00", exact=True).tap()
    expect(page.get_by_role("heading", name="Receipt", level=1)).to_be_visible()  # no card page with a saved card
    expect(page.get_by_text("Visa ending 4242")).to_be_visible()
    second = Payment.select().where(Payment.gateway == "stripe").order_by(Payment.id.desc()).get()
    assert second.amount_cents == 4500 and second.state == Payment.SUCCEEDED
    method = PaymentMethod.get()
    intent = localstripe.client().v1.payment_intents.retrieve(second.gateway_reference)
    assert intent.payment_method == method.token and intent.status == "succeeded"
    wait_for_webhook(second.key)
    watched.assert_clean()

    # Sam refunds $50.00 of the first payment to the card.
    staff = Watched(new_context())
    sam = staff.page
    sign_in(sam, "staff@example.com")
    sam.get_by_role("link", name="Card payments and refunds").tap()
    card = sam.locator("li.card").filter(has=sam.get_by_role("heading", name="$320.00 from Smith household"))
    card.get_by_label(re.compile(r"^Amount to refund")).fill("50.00")
    card.get_by_label(re.compile(r"^Reason")).fill("Class cancelled")
    card.get_by_role("button", name=re.compile(r"^Refund up to \$320\.00")).tap()
    expect(sam.get_by_text("$50.00 is refunded to Visa ending 4242.")).to_be_visible()
    expect(card.get_by_text("$50.00 refunded")).to_be_visible()
    check(sam)
    (refund,) = localstripe.client().v1.refunds.list({"payment_intent": first.gateway_reference}).data
    assert refund.amount == 5000
    staff.assert_clean()
