"""Helpers for the Stripe tests: the app on localstripe, the card Element's part played over HTTP as
localstripe's own Elements shim plays it, a sink that keeps localstripe's signed webhooks until a test delivers
them, and events signed like Stripe's for the ones localstripe does not send."""
import hashlib
import hmac
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from conftest import CsrfClient, TEST_CONFIG, sign_in
from webapp import create_app
from webapp.models import Company, Payment

WEBHOOK = "/stripe-gateway/webhook"
PAYS, DECLINES_ON_CHARGE, REFUSED_AT_SETUP = "4242424242424242", "4000000000000341", "4000000000000002"


class WebhookSink:
    """Receives localstripe's webhook posts and keeps them (body and signature) for the test to deliver."""

    def __init__(self):
        received = self.received = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                received.append((body, self.headers["Stripe-Signature"]))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_for(self, event_type, object_id, timeout=10):
        """The (body, signature) of the first event of that type about that object (localstripe sends after 1 s)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for body, signature in self.received:
                event = json.loads(body)
                if event["type"] == event_type and event["data"]["object"]["id"] == object_id:
                    return body, signature
            time.sleep(0.05)
        raise AssertionError(f"no {event_type} webhook for {object_id}; got {[json.loads(b)['type'] for b, _ in self.received]}")

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def webhooks(localstripe):
    """localstripe's webhooks, kept by a sink on a free port."""
    sink = WebhookSink()
    localstripe.send_webhooks_to(sink.url)
    yield sink
    sink.stop()


@pytest.fixture
def stripe_app(fresh_database_url, tmp_path, localstripe):
    """The app on a fresh demo database, with Stripe (localstripe) as the company's gateway."""
    from conftest import release_connections

    app = create_app({**TEST_CONFIG, "DATABASE_URL": fresh_database_url(tmp_path), **localstripe.config()})
    app.test_client_class = CsrfClient
    app.extensions["mailman"].outbox = []
    Company.update(payment_gateway="stripe").execute()
    yield app
    release_connections()


@pytest.fixture
def stripe_dana(stripe_app):
    """Dana signed in, with #1001 ($140.00) and #1002 ($180.00) in her cart, paying through Stripe."""
    client = stripe_app.test_client()
    assert sign_in(client, "parent@example.com").status_code == 303
    client.post("/billing/cart/orders/1001")
    client.post("/billing/cart/orders/1002")
    return client


def element_confirms_setup(localstripe, page_html, number, expect_ok=True):
    """What Stripe.js's confirmCardSetup does in the browser (as localstripe's shim does): the card goes to Stripe."""
    secret = re.search(r'data-client-secret="([^"]+)"', page_html).group(1)
    assert re.search(r'data-publishable-key="pk_test_cubby"', page_html)
    setup_intent = secret.split("_secret_")[0]
    response = httpx.post(f"{localstripe.url}/v1/setup_intents/{setup_intent}/confirm", json={
        "key": localstripe.publishable_key, "use_stripe_sdk": True, "client_secret": secret,
        "payment_method_data": {"type": "card", "card": {"number": number, "exp_month": "12", "exp_year": "2039",
                                                          "cvc": "123"}, "billing_details": {"name": "Dana Smith"}}})
    assert (response.status_code == 200) == expect_ok, response.text
    return setup_intent


def pay_through_stripe(client, localstripe, number=PAYS, save=False, method="new"):
    """Checkout → the card page → the Element saves the card at Stripe → the page's Pay charges it.

    Returns (the answer to Pay: a redirect to the result page, or to the cart when refused; payment key; the card
    page's URL, to tap Pay again)."""
    data = {"method": method, **({"save_card": "y"} if save else {})}
    started = client.post("/billing/checkout", data=data)
    assert started.status_code == 303, started.get_data(as_text=True)[-800:]
    card_page = started.headers["Location"]
    assert card_page.startswith("/stripe-gateway/pay/")
    page = client.get(card_page)
    assert page.status_code == 200
    element_confirms_setup(localstripe, page.get_data(as_text=True), number)
    paid = client.post(card_page)
    assert paid.status_code == 303, paid.get_data(as_text=True)[-800:]
    key = Payment.select().order_by(Payment.id.desc()).get().key
    return paid, key, card_page


def deliver(client, body, signature):
    """Post a webhook to Cubby as Stripe would."""
    return client.post(WEBHOOK, data=body, headers={"Stripe-Signature": signature, "Content-Type": "application/json"},
                       csrf=False)


def signed(event, secret, timestamp=None):
    """(body, Stripe-Signature) of an event, signed as Stripe signs (for events localstripe never sends)."""
    body = json.dumps(event).encode()
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return body, f"t={timestamp},v1={digest}"


def charge_refunded_event(localstripe, intent_id):
    """A charge.refunded event carrying the PaymentIntent's real charge, as localstripe holds it now."""
    api = localstripe.client()
    intent = api.v1.payment_intents.retrieve(intent_id)
    charge_id = intent.latest_charge if isinstance(intent.latest_charge, str) else intent.latest_charge.id
    charge = api.v1.charges.retrieve(charge_id).to_dict()
    return {"id": f"evt_refund_{charge_id}_{int(time.time() * 1000)}", "object": "event", "type": "charge.refunded",
            "created": int(time.time()), "data": {"object": charge}}
