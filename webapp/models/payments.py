"""Carts, payments and their allocations to orders, stored payment methods."""
import peewee as pw

from .base import BaseModel, utcnow
from .billing import Order
from .people import Account, User


class CartItem(BaseModel):
    """An order balance in a user's cart; kept across sign-outs and devices."""

    user = pw.ForeignKeyField(User, backref="cart", on_delete="CASCADE")
    order = pw.ForeignKeyField(Order, on_delete="CASCADE")
    # The balance the family saw when adding it, so checkout can say when it changed since.
    balance_when_added = pw.IntegerField()
    added_at = pw.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("user", "order"), True),)


class PaymentMethod(BaseModel):
    """A saved card or bank account: only the gateway's token and what the family needs to recognise it."""

    MAX_PER_GUARDIAN = 3
    CARD, BANK = "card", "bank"
    TYPE_LABELS = {CARD: "Credit Card", BANK: "Bank Account"}  # seed 004's Payment Type

    user = pw.ForeignKeyField(User, backref="payment_methods", on_delete="CASCADE")
    gateway = pw.CharField(max_length=32)
    token = pw.CharField(max_length=128)
    kind = pw.CharField(max_length=16, default=CARD)
    brand = pw.CharField(max_length=32)  # the card's brand, or the bank's name
    last4 = pw.CharField(max_length=4)  # of the card number, or of the account number
    exp_month = pw.IntegerField(null=True)  # cards only
    exp_year = pw.IntegerField(null=True)
    is_default = pw.BooleanField(default=False)
    recurring = pw.BooleanField(default=False)  # "This payment method is authorized for recurring billing"
    created_at = pw.DateTimeField(default=utcnow)

    @property
    def type_label(self):
        return self.TYPE_LABELS[self.kind]

    @property
    def label(self):
        """How the family names it: "Visa ending 4242", "Sandbox Test Bank ending 6789"."""
        return f"{self.brand} ending {self.last4}"

    @property
    def expires(self):
        """"MM/YY" for a card; None for a bank account, which does not expire."""
        return f"{self.exp_month:02d}/{self.exp_year % 100:02d}" if self.kind == self.CARD else None


class Payment(BaseModel):
    """One payment for a cart, applied across its orders. The key is the gateway's idempotency key."""

    PENDING = "pending"  # created; the gateway has not been asked to move money yet
    PROCESSING = "processing"  # the gateway was asked; a timeout leaves it here until reconciliation settles it
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    REFUND_DUE = "refund_due"  # charged after it was given up: the money goes back to the card
    REFUNDED = "refunded"

    CARD = "card"
    CREDIT = "credit"
    CASH = "cash"
    CHECK = "check"
    TRANSFER = "transfer"
    PURCHASE_ORDER = "po"
    OFFLINE_LABELS = {CASH: "Cash", CHECK: "Check", TRANSFER: "Bank transfer", PURCHASE_ORDER: "Purchase order"}

    key = pw.CharField(max_length=64, unique=True)
    user = pw.ForeignKeyField(User, null=True, backref="payments", on_delete="SET NULL")
    payer_account = pw.ForeignKeyField(Account, backref="payments", on_delete="RESTRICT")
    method = pw.CharField(max_length=16, default=CARD)
    amount_cents = pw.IntegerField()
    state = pw.CharField(max_length=16, default=PENDING)
    gateway = pw.CharField(max_length=32, default="")
    gateway_reference = pw.CharField(max_length=128, default="")
    card_brand = pw.CharField(max_length=32, default="")
    card_last4 = pw.CharField(max_length=4, default="")
    save_method = pw.BooleanField(default=False)
    failure = pw.CharField(max_length=200, default="")
    note = pw.CharField(max_length=200, default="")
    created_at = pw.DateTimeField(default=utcnow)
    processing_at = pw.DateTimeField(null=True)  # when the gateway was asked: reconciliation waits a while after it
    settled_at = pw.DateTimeField(null=True)

    @property
    def method_label(self):
        """How it was paid, as staff and the family read it: Card, Cash, Check, …"""
        return "Card" if self.method == self.CARD else self.OFFLINE_LABELS.get(self.method, self.method.capitalize())


class Allocation(BaseModel):
    """The part of a payment applied to one order."""

    payment = pw.ForeignKeyField(Payment, backref="allocations", on_delete="CASCADE")
    order = pw.ForeignKeyField(Order, backref="allocations", on_delete="RESTRICT")
    amount_cents = pw.IntegerField()

    class Meta:
        indexes = ((("payment", "order"), True),)


class CheckoutLock(BaseModel):
    """An order being paid right now; the unique order keeps a second checkout of it out."""

    order = pw.ForeignKeyField(Order, unique=True, on_delete="CASCADE")
    payment = pw.ForeignKeyField(Payment, backref="locks", on_delete="CASCADE")
    created_at = pw.DateTimeField(default=utcnow)


class CardRefund(BaseModel):
    """Money given back to the card of a settled card payment: asked of the provider, then posted to the ledger.

    The row is stored (Requested) before the provider is called, so the amount still refundable is decided under
    one lock and a lost answer is finished later with the same key; the provider's refund reference is unique, so
    a refund learned twice (the staff request and a webhook) is posted once.
    """

    REQUESTED = "requested"
    SUCCEEDED = "succeeded"
    FAILED = "failed"

    key = pw.CharField(max_length=64, unique=True)  # the provider's idempotency key
    payment = pw.ForeignKeyField(Payment, backref="card_refunds", on_delete="RESTRICT")
    amount_cents = pw.IntegerField()
    state = pw.CharField(max_length=16, default=REQUESTED)
    reference = pw.CharField(max_length=128, null=True, unique=True)
    requested_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")  # None: made in the provider's dashboard
    reason = pw.CharField(max_length=200, default="")
    failure = pw.CharField(max_length=200, default="")
    created_at = pw.DateTimeField(default=utcnow)
    settled_at = pw.DateTimeField(null=True)
