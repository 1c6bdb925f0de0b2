"""The Stripe provider: each guardian is a Stripe Customer; cards are entered in Stripe's card Element on a page of
Cubby's and saved to that customer with a SetupIntent; the payment is a PaymentIntent that Cubby confirms on the
server when the payer presses Pay on the review page, with an idempotency key per step.

Confirming on the server keeps checkout's rule that only the request that moved a payment to Processing charges
(a PaymentIntent confirmed in the browser would charge before Cubby had decided to). The card number goes from
the Element to Stripe only; Cubby keeps the PaymentMethod id, the brand, the last four digits and the expiry.
"""
import logging
import secrets
from urllib.parse import urlsplit

import peewee as pw
import stripe
from flask import current_app, url_for

from ..database import write_transaction
from ..models import Payment, PaymentMethod, User
from ..models.base import BaseModel, utcnow
from . import Card, Charge, Declined, GatewayError, GatewayTimeout, Provider

log = logging.getLogger(__name__)
BRANDS = {"visa": "Visa", "mastercard": "Mastercard", "amex": "American Express", "discover": "Discover",
          "diners": "Diners Club", "jcb": "JCB", "unionpay": "UnionPay"}
NEEDS_ACTION = ("Your bank wants to confirm this payment in its own app, which Cubby cannot show yet. "
                "Nothing was charged; please try another card.")


class StripeCustomer(BaseModel):
    """The Stripe Customer of a guardian, who holds the guardian's saved cards."""

    user = pw.ForeignKeyField(User, unique=True, on_delete="CASCADE")
    customer_id = pw.CharField(max_length=64, unique=True)
    created_at = pw.DateTimeField(default=utcnow)


class StripeCardPage(BaseModel):
    """One visit to the card page: its SetupIntent, and once the card is saved, the card.

    payment_key is the payment it is for, or None for Add a card (no payment)."""

    id = pw.CharField(max_length=64, primary_key=True)
    payment_key = pw.CharField(max_length=64, null=True, index=True)
    user = pw.ForeignKeyField(User, on_delete="CASCADE")
    setup_intent = pw.CharField(max_length=64, unique=True)
    client_secret = pw.CharField(max_length=128)
    amount_cents = pw.IntegerField(default=0)
    description = pw.CharField(max_length=200, default="")
    return_url = pw.CharField(max_length=500, default="")
    payment_method = pw.CharField(max_length=64, null=True)
    brand = pw.CharField(max_length=32, default="")
    last4 = pw.CharField(max_length=4, default="")
    exp_month = pw.IntegerField(default=0)
    exp_year = pw.IntegerField(default=0)
    created_at = pw.DateTimeField(default=utcnow)

    def card(self):
        return Card(self.payment_method, self.brand, self.last4, self.exp_month, self.exp_year)


class StripeIntent(BaseModel):
    """The PaymentIntent of a Cubby payment (payment key → intent id), stored before it is ever confirmed."""

    payment_key = pw.CharField(max_length=64, unique=True)
    intent_id = pw.CharField(max_length=64, unique=True)
    created_at = pw.DateTimeField(default=utcnow)


class StripeEvent(BaseModel):
    """A webhook event already applied, so that Stripe's retries and duplicates are answered without work."""

    event_id = pw.CharField(max_length=64, unique=True)
    type = pw.CharField(max_length=64)
    received_at = pw.DateTimeField(default=utcnow)


MODELS = [StripeCustomer, StripeCardPage, StripeIntent, StripeEvent]


def client():
    """A Stripe client for the configured key and API address (localstripe's in the tests)."""
    config = current_app.config
    if not config.get("STRIPE_SECRET_KEY"):
        raise GatewayError("Card payments are not set up yet (STRIPE_SECRET_KEY). Please pay at the front desk.")
    return stripe.StripeClient(
        config["STRIPE_SECRET_KEY"], base_addresses={"api": config["STRIPE_API_BASE"]}, max_network_retries=2,
        http_client=stripe.RequestsClient(timeout=20),
    )


def api_origins():
    """The origins the card page's script is loaded from and talks to (for its Content-Security-Policy)."""
    config = current_app.config
    origin = lambda url: "{0.scheme}://{0.netloc}".format(urlsplit(url))  # noqa: E731
    return origin(config["STRIPE_JS_URL"]), origin(config["STRIPE_API_BASE"])


def translated(what):
    """Turn the Stripe library's errors into the gateway's: a refusal, an unknown outcome, or a failure."""

    class Translate:
        def __enter__(self):
            return self

        def __exit__(self, kind, error, traceback):
            if error is None or not isinstance(error, stripe.StripeError):
                return False
            if isinstance(error, stripe.CardError):
                raise Declined(error.user_message or "Your card was declined.") from error
            if isinstance(error, (stripe.APIConnectionError, stripe.RateLimitError)) or (
                    error.http_status or 0) >= 500:
                raise GatewayTimeout(f"Stripe did not answer in time ({what}).") from error
            log.warning("Stripe refused %s: %s", what, error)
            raise GatewayError(f"Stripe refused {what}.") from error

    return Translate()


def brand_name(brand):
    return BRANDS.get(brand, (brand or "Card").title())


def customer_for(user):
    """The guardian's Stripe Customer id, made on first need (the idempotency key makes a retry reuse it)."""
    known = StripeCustomer.get_or_none(StripeCustomer.user == user.id)
    if known:
        return known.customer_id
    with translated("the customer"):
        made = client().v1.customers.create({"email": user.email, "name": user.name, "metadata": {"cubby_user": str(user.id)}},
                                            {"idempotency_key": f"cubby-customer-{user.id}"})
    try:
        with write_transaction():
            return StripeCustomer.create(user=user.id, customer_id=made.id).customer_id
    except pw.IntegrityError:  # made at the same moment by another request: one customer per guardian
        return StripeCustomer.get(StripeCustomer.user == user.id).customer_id


def open_card_page(user, payment=None, return_url=""):
    """A SetupIntent for the guardian and the card page that completes it; returns the page."""
    customer = customer_for(user)
    key = payment.key if payment else None
    with translated("the card page"):
        setup = client().v1.setup_intents.create(
            {"customer": customer, "usage": "on_session", "payment_method_types": ["card"],
             "metadata": {"cubby_payment": key or "", "cubby_user": str(user.id)}},
            {"idempotency_key": f"cubby-setup-{key}" if key else f"cubby-setup-{secrets.token_hex(12)}"})
    with write_transaction():
        return StripeCardPage.create(
            id=secrets.token_urlsafe(24), payment_key=key, user=user.id, setup_intent=setup.id,
            client_secret=setup.client_secret, amount_cents=payment.amount_cents if payment else 0,
            description="", return_url=return_url)


def card_entered(page):
    """After the Element confirmed the page's SetupIntent: the card, kept on the guardian's customer; None if not."""
    api = client()
    with translated("the card"):
        setup = api.v1.setup_intents.retrieve(page.setup_intent)  # what Stripe says, never what the page posted
        if setup.status != "succeeded" or not setup.payment_method:
            return None
        method_id = setup.payment_method if isinstance(setup.payment_method, str) else setup.payment_method.id
        # Stripe attaches it with the SetupIntent; localstripe does not. Attaching again to the same customer is a no-op.
        method = api.v1.payment_methods.attach(method_id, {"customer": customer_for(page.user)})
    card = method.card
    with write_transaction():
        StripeCardPage.update(payment_method=method.id, brand=brand_name(card.brand), last4=card.last4,
                              exp_month=card.exp_month, exp_year=card.exp_year).where(
            (StripeCardPage.id == page.id) & StripeCardPage.payment_method.is_null()).execute()
    return StripeCardPage.get_by_id(page.id)


def charge_of(intent, card=None):
    method = intent.payment_method
    if card is None:
        details = client().v1.payment_methods.retrieve(method if isinstance(method, str) else method.id).card
        card = Card(method if isinstance(method, str) else method.id, brand_name(details.brand), details.last4,
                    details.exp_month, details.exp_year)
    return Charge(intent.id, intent.amount, card)


class StripeProvider(Provider):
    name = "stripe"

    def prepare(self, key, amount_cents, description, return_url):
        payment = Payment.get(Payment.key == key)
        page = open_card_page(payment.user, payment, return_url)
        StripeCardPage.update(description=description[:200]).where(StripeCardPage.id == page.id).execute()
        return url_for("stripe_gateway.card_page", page_id=page.id)

    def _intent_for(self, payment, method_id):
        """The payment's PaymentIntent, created (not confirmed) and stored on first need."""
        known = StripeIntent.get_or_none(StripeIntent.payment_key == payment.key)
        if known:
            return known.intent_id
        with translated("the payment"):
            try:
                intent = client().v1.payment_intents.create(
                    {"amount": payment.amount_cents, "currency": _currency(), "customer": customer_for(payment.user),
                     "payment_method": method_id, "payment_method_types": ["card"],
                     "metadata": {"cubby_payment": payment.key}},
                    {"idempotency_key": f"{payment.key}-intent"})
            except stripe.InvalidRequestError:  # e.g. a card saved on another guardian's customer
                raise Declined("This card cannot be used for this payment. Please enter the card again.") from None
        with write_transaction():
            StripeIntent.create(payment_key=payment.key, intent_id=intent.id)
        return intent.id

    def confirm(self, key, token, amount_cents):
        payment = Payment.get(Payment.key == key)
        intent_id = self._intent_for(payment, token)
        api = client()
        try:
            with translated("the payment"):
                intent = api.v1.payment_intents.retrieve(intent_id)
                if intent.status == "requires_confirmation":
                    try:
                        intent = api.v1.payment_intents.confirm(intent_id, {}, {"idempotency_key": f"{key}-confirm"})
                    except stripe.InvalidRequestError:  # confirmed meanwhile, or a card Stripe will not take
                        intent = api.v1.payment_intents.retrieve(intent_id)
                charge = self._outcome(api, intent)
        except Declined:
            self._forget_unsaved_card(payment, token)
            raise
        self._forget_unsaved_card(payment, token)
        return charge

    @staticmethod
    def _outcome(api, intent):
        if intent.status == "succeeded":
            return charge_of(intent)
        if intent.status in ("processing", "requires_capture"):
            raise GatewayTimeout("Stripe is still processing the payment.")
        if intent.status == "requires_action":
            api.v1.payment_intents.cancel(intent.id)
            raise Declined(NEEDS_ACTION)
        error = intent.last_payment_error
        raise Declined((error and error.message) or "Your card was declined.")

    @staticmethod
    def _forget_unsaved_card(payment, method_id):
        """A card entered for this payment alone leaves the guardian's customer again (best effort)."""
        if payment.save_method or PaymentMethod.select().where(
                (PaymentMethod.user == payment.user_id) & (PaymentMethod.token == method_id)).exists():
            return
        try:
            client().v1.payment_methods.detach(method_id)
        except stripe.StripeError:
            log.warning("payment %s: the card it used could not be detached", payment.key, exc_info=True)

    def charge_for(self, key):
        known = StripeIntent.get_or_none(StripeIntent.payment_key == key)
        if known is None:
            return None  # no PaymentIntent was stored, so none was confirmed: nothing was charged
        api = client()
        with translated("the payment"):
            intent = api.v1.payment_intents.retrieve(known.intent_id)
            if intent.status in ("processing", "requires_capture"):
                raise GatewayTimeout("Stripe is still processing the payment.")
            return charge_of(intent) if intent.status == "succeeded" else None

    def refund(self, reference, amount_cents, key):
        api = client()
        with translated("the refund"):
            # Once per key even where the API forgets idempotency keys (localstripe does): look for it first.
            for made in api.v1.refunds.list({"payment_intent": reference, "limit": 100}).data:
                if _metadata(made).get("cubby_refund") == key:
                    return made.id
            try:
                made = api.v1.refunds.create(
                    {"payment_intent": reference, "amount": amount_cents, "metadata": {"cubby_refund": key}},
                    {"idempotency_key": key})
            except stripe.InvalidRequestError as refused:
                raise Declined(refused.user_message or "Stripe refused the refund.") from None
        return made.id


def _currency():
    from ..templating import current_company

    return current_company().currency.lower()


def _metadata(thing):
    """A Stripe object's metadata as a plain dict."""
    return thing.metadata.to_dict() if thing.metadata else {}
