"""Registrations waiting in a cart, Send Bill purchase orders, the order-status audit and the mail outbox."""
import peewee as pw

from .base import BaseModel, utcnow
from .billing import Order
from .people import Student, User
from .teaching import Course


class RegistrationItem(BaseModel):
    """A course for a student in a user's cart; checkout turns it into an order line and an enrollment."""

    user = pw.ForeignKeyField(User, backref="registrations_in_cart", on_delete="CASCADE")
    course = pw.ForeignKeyField(Course, on_delete="CASCADE")
    student = pw.ForeignKeyField(Student, on_delete="CASCADE")
    added_at = pw.DateTimeField(default=utcnow)
    # Set while a card checkout is paying for it: the order it was placed on. The row then holds the seat
    # (the seat count sees it) until the payment settles (it becomes an enrollment) or fails (back to null).
    order = pw.ForeignKeyField(Order, null=True, backref="held_registrations", on_delete="SET NULL")

    class Meta:
        indexes = ((("user", "course", "student"), True),)


class PurchaseOrder(BaseModel):
    """The purchase order a Send Bill checkout billed, and who checked out."""

    order = pw.ForeignKeyField(Order, unique=True, backref="purchase_orders", on_delete="CASCADE")
    number = pw.CharField(max_length=64)
    purchaser = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    created_at = pw.DateTimeField(default=utcnow)


class OrderStatusChange(BaseModel):
    """Audit: who changed an order's status, when, and from which status to which."""

    order = pw.ForeignKeyField(Order, backref="status_changes", on_delete="CASCADE")
    from_state = pw.CharField(max_length=20, default="")
    to_state = pw.CharField(max_length=20)
    changed_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    changed_at = pw.DateTimeField(default=utcnow)
    note = pw.CharField(max_length=200, default="")


class OutboxMessage(BaseModel):
    """An email written inside a transaction and sent after it commits, by the job queue."""

    UNSENT = "unsent"
    SENDING = "sending"  # claimed by one sender: nobody else sends it
    SENT = "sent"
    FAILED = "failed"  # given up: too many failures, or its sender stopped mid-send (never sent twice)

    # What kind of mail it is decides whether an email opt-out stops it (SPEC: all but receipts and security mail).
    RECEIPT = "receipt"
    SECURITY = "security"
    NOTICE = "notice"
    REMINDER = "reminder"
    ALWAYS_SENT = (RECEIPT, SECURITY)

    to = pw.CharField(max_length=254)
    subject = pw.CharField(max_length=200)
    body = pw.TextField()
    html = pw.TextField(default="")
    headers = pw.TextField(default="")  # JSON: extra headers such as List-Unsubscribe
    category = pw.CharField(max_length=16, default=NOTICE)
    status = pw.CharField(max_length=16, default=UNSENT, index=True)
    created_at = pw.DateTimeField(default=utcnow)
    attempts = pw.IntegerField(default=0)
    next_attempt_at = pw.DateTimeField(null=True)  # after a failure: not before this (backoff)
    claimed_at = pw.DateTimeField(null=True)
    sent_at = pw.DateTimeField(null=True)
    last_error = pw.CharField(max_length=300, default="")
