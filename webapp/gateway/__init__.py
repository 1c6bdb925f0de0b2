"""The payment gateway interface. Cubby only ever holds a gateway's token for a card, never its number."""
from abc import ABC, abstractmethod
from dataclasses import dataclass


NOT_CONFIGURED = "This account is not configured to accept online payments."  # seed 004, when no gateway is set


class GatewayError(Exception):
    """The gateway refused or failed; the message is for the payer."""


class Declined(GatewayError):
    """The card was refused: no money moved."""


class GatewayTimeout(GatewayError):
    """No answer in time: the charge may or may not have happened; retry with the same key to find out."""


@dataclass(frozen=True)
class Card:
    """What a token stands for, as much as Cubby may keep: a card, or (kind "bank") a bank account, whose brand is
    the bank's name and which has no expiry."""

    token: str
    brand: str
    last4: str
    exp_month: int | None
    exp_year: int | None
    kind: str = "card"


@dataclass(frozen=True)
class Charge:
    reference: str
    amount_cents: int
    card: Card


class Provider(ABC):
    """prepare() never moves money; confirm() charges once per idempotency key; refund() gives money back.

    A card entered on a hosted card page is charged by that page's own Pay (the provider's, or Cubby's page with
    the provider's card field), and its token never travels through the browser. The provider's notification
    settles the payment whether or not the payer comes back.
    """

    name = ""

    @abstractmethod
    def prepare(self, key, amount_cents, description, return_url):
        """The URL of the provider's hosted card page for this payment."""

    @abstractmethod
    def confirm(self, key, token, amount_cents):
        """Charge the card; the same key always answers with the same Charge. Raises Declined or GatewayTimeout."""

    @abstractmethod
    def charge_for(self, key):
        """The Charge the provider made for this idempotency key, or None (reconciliation asks this)."""

    @abstractmethod
    def refund(self, reference, amount_cents, key):
        """Give back part or all of a charge, once per key; returns the refund's reference."""


def provider_named(name):
    """The provider called `name` (as stored on a payment), or None."""
    from .sandbox import SandboxProvider
    from .stripe_gateway import StripeProvider

    provider = {"sandbox": SandboxProvider, "stripe": StripeProvider}.get(name)
    return provider and provider()


def provider_for(company):
    """The company's configured provider, or None when it takes no online payments."""
    return provider_named(company.payment_gateway)
