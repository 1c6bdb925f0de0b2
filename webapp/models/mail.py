"""Email switches and staff's own texts (Email Management), what each reminder has sent, and the addresses that
asked for no more mail."""
import peewee as pw

from .base import BaseModel, utcnow
from .people import User


class ReminderSetting(BaseModel):
    """One email's on/off switch (and how many days ahead, where that applies), and for the billing emails whom it
    goes to; Email Management edits it. The reminders' kinds are below; every other email's kind is its template's
    name (emails/catalogue.py), on when no row says otherwise."""

    BALANCE_DUE = "balance_due"
    PAYMENT_FAILED = "payment_failed"
    ABSENCE_CONFIRMED = "absence_confirmed"
    MEETING_CHANGED = "meeting_changed"
    WAITLIST_OFFERED = "waitlist_offered"
    DEFAULTS = {BALANCE_DUE: (True, 3), PAYMENT_FAILED: (True, None), ABSENCE_CONFIRMED: (True, None),
                MEETING_CHANGED: (True, None), WAITLIST_OFFERED: (True, None)}
    LABELS = {BALANCE_DUE: "Balance due before the first class", PAYMENT_FAILED: "A card payment that failed",
              ABSENCE_CONFIRMED: "A future absence confirmed", MEETING_CHANGED: "A class moved or cancelled",
              WAITLIST_OFFERED: "A waitlist seat offered"}

    kind = pw.CharField(max_length=32, unique=True)
    enabled = pw.BooleanField(default=True)
    days_before = pw.IntegerField(null=True)
    recipients = pw.CharField(max_length=64, null=True)  # "user,purchaser,adjuster" chosen; None: Cubby's choice
    fixed_address = pw.CharField(max_length=254, default="")  # also sent to this address


class EmailTemplate(BaseModel):
    """Staff's own subject and body for one kind of email; without a row Cubby's built-in text is sent."""

    kind = pw.CharField(max_length=32, unique=True)
    subject = pw.CharField(max_length=200)
    body = pw.TextField()
    updated_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    updated_at = pw.DateTimeField(default=utcnow)


class ReminderSent(BaseModel):
    """A reminder already written for one thing (an order, a payment, an absence): each is sent once."""

    kind = pw.CharField(max_length=32)
    subject = pw.CharField(max_length=64)  # what it was about, e.g. "order:12"
    sent_at = pw.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("kind", "subject"), True),)


class EmailOptOut(BaseModel):
    """An address opted out of everything but receipts and security mail (List-Unsubscribe, or Email Blasts off)."""

    address = pw.CharField(max_length=254, unique=True)
    created_at = pw.DateTimeField(default=utcnow)
