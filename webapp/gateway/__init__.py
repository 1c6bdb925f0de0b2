"""The payment gateway interface. Cubby only ever holds a gateway's token for a card, never its number."""
from abc import ABC, abstractmethod
from dataclasses import dataclass


class GatewayError(Exception):
    """The gateway refused or failed; the message is for the payer."""


class Declined(GatewayError):
    """The card was refused: no money moved."""


class GatewayTimeout(GatewayError):
    """No answer in time: the charge may or may not have happened; retry with the same key to find out."""


@dataclass(frozen=True)
class Card:
    """What a token stands for, as much as Cubby may keep."""

    token: str
    brand: str
    last4: str
    exp_month: int
    exp_year: int


@dataclass(frozen=True)
class Charge:
    reference: str
    amount_cents: int
    card: Card


class Provider(ABC):
    """prepare() never moves money; confirm() charges once per idempotency key; refund() gives money back."""

    name = ""

    @abstractmethod
    def prepare(self, key, amount_cents, description, return_url):
        """The URL of the provider's hosted card page for this payment."""

    @abstractmethod
    def card(self, token):
        """The Card behind a token, or None when the provider does not know it."""

    @abstractmethod
    def confirm(self, key, token, amount_cents):
        """Charge the card; the same key always answers with the same Charge. Raises Declined or GatewayTimeout."""

    @abstractmethod
    def refund(self, reference, amount_cents):
        """Give back part or all of a charge; returns the refund's reference."""


def provider_for(company):
    """The company's configured provider, or None when it takes no online payments."""
    from .sandbox import SandboxProvider

    return {"sandbox": SandboxProvider}.get(company.payment_gateway, lambda: None)()
