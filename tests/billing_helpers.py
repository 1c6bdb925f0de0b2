"""Helpers for the cart and checkout tests: orders, balances, a walk through the hosted card page, threads."""
import re
import threading

import pytest

from conftest import page_text

from webapp.billing.ledger import order_balances
from webapp.extensions import db
from webapp.gateway.sandbox import SandboxCharge, SandboxToken
from webapp.models import LedgerEntry, Order, Payment

SUCCESS_CARD, DECLINED_CARD, NO_FUNDS_CARD, TIMEOUT_CARD = (
    "4242 4242 4242 4242", "4000 0000 0000 0002", "4000 0000 0000 9995", "4000 0000 0000 0119")
HTMX = {"HX-Request": "true"}


@pytest.fixture
def dana(signed_in):
    """Dana signed in, with #1001 ($140.00) and #1002 ($180.00) in her cart."""
    client = signed_in("parent@example.com")
    client.post("/billing/cart/orders/1001")
    client.post("/billing/cart/orders/1002")
    return client


def order(number):
    return Order.get(Order.number == number)


def balances(*numbers):
    """{order number: balance in cents}."""
    ids = {order(n).id: n for n in numbers}
    return {ids[order_id]: balance for order_id, balance in order_balances(list(ids)).items()}


def payments_posted(*numbers):
    """How many payment entries the ledger holds for these orders."""
    orders = Order.select(Order.id).where(Order.number.in_(numbers))
    return LedgerEntry.select().where((LedgerEntry.kind == LedgerEntry.PAYMENT) & LedgerEntry.order.in_(orders)).count()


def charges():
    return SandboxCharge.select().count()


def enter_card(client, number, save=False, amount=None):
    """Check out the cart with a new card and tap Pay on the hosted card page, which charges it (or refuses it).

    Returns (the result page's URL the card page sends the payer back to, payment key, the card page's answer)."""
    data = {"method": "new"}
    if save:
        data["save_card"] = "y"
    if amount is not None:
        data["amount"] = amount
    response = client.post("/billing/checkout", data=data)
    assert response.status_code == 303, page_text(response)
    hosted = response.headers["Location"]
    assert hosted.startswith("/sandbox-gateway/pay/")
    back = client.post(hosted, data={"number": number, "expiry": "12/39", "cvc": "123", "name": "Dana Smith"})
    assert back.status_code == 303
    result = back.headers["Location"]
    key = re.search(r"/billing/payments/([0-9a-f]+)$", result).group(1)
    return result, key, back


def pay_with_card(client, number, **kwargs):
    """The whole card journey; returns (the result page the payer comes back to, payment key, its URL)."""
    result, key, _ = enter_card(client, number, **kwargs)
    return client.get(result), key, result


def on_the_card_page(client):
    """Check out with a new card and stop on the hosted card page. Returns (the open payment, the token of a card
    the sandbox knows, for calling checkout.pay as a saved card's checkout does)."""
    assert client.post("/billing/checkout", data={"method": "new"}).status_code == 303
    token = SandboxToken.create(token=f"tok_{SandboxToken.select().count()}_test", brand="Visa", last4="4242",
                                exp_month=12, exp_year=2039, outcome="succeeds").token
    return Payment.select().order_by(Payment.id.desc()).get(), token


def in_threads(app, *calls):
    """Run each call in its own thread (with an app context) at the same moment; returns [(result, error)]."""
    barrier, results = threading.Barrier(len(calls)), [None] * len(calls)
    db.close()

    def run(i, call):
        with app.app_context():
            try:
                barrier.wait()
                results[i] = (call(), None)
            except Exception as error:  # noqa: BLE001 (returned to the test)
                results[i] = (None, error)
            finally:
                db.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    return results
