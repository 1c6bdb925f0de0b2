"""Orders and the ledger: every balance is a sum of immutable ledger entries."""
import peewee as pw

from .base import BaseModel, utcnow
from .company import Location
from .people import Account, Student, User
from .teaching import Course


class Order(BaseModel):
    """A numbered order (#1001, ...) of a household."""

    OPEN = "open"
    ON_ACCOUNT = "on_account"
    PENDING_PAYMENT = "pending_payment"
    COMPLETE = "complete"
    DENIED = "denied"
    CANCELLED = "cancelled"

    ONLINE = "online"
    INSTRUCTOR_ONLINE = "instructor_online"
    BOX_OFFICE = "box_office"

    number = pw.IntegerField(unique=True)
    account = pw.ForeignKeyField(Account, backref="orders", on_delete="RESTRICT")
    state = pw.CharField(max_length=20, default=OPEN)
    channel = pw.CharField(max_length=20, default=ONLINE)
    created_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    created_at = pw.DateTimeField(default=utcnow)
    on_account = pw.BooleanField(default=False)
    # Staff tick this on a box-office order to let the family pay the balance online.
    payable_online = pw.BooleanField(default=False)
    external_note = pw.CharField(max_length=500, default="")


class LineCategory(BaseModel):
    """A code table staff keep: what an order line is for (Tuition, Packages, ...); names are unique in any case."""

    TUITION = "tuition"  # course registrations
    PACKAGES = "packages"  # packages sold

    name = pw.CharField(max_length=60, unique=True)
    active = pw.BooleanField(default=True)
    # The lines Cubby files here by itself; staff may rename the row and the lines follow it.
    default_for = pw.CharField(max_length=16, null=True, unique=True)

    @classmethod
    def default_id(cls, kind):
        """The id of the active category `kind` lines are filed under, or None once staff retired it."""
        row = cls.select(cls.id).where((cls.default_for == kind) & cls.active).first()
        return row.id if row else None


class OrderLine(BaseModel):
    order = pw.ForeignKeyField(Order, backref="lines", on_delete="CASCADE")
    description = pw.CharField(max_length=200)
    amount_cents = pw.IntegerField()
    student = pw.ForeignKeyField(Student, null=True, on_delete="RESTRICT")
    course = pw.ForeignKeyField(Course, null=True, on_delete="RESTRICT")
    category = pw.ForeignKeyField(LineCategory, null=True, backref="lines", on_delete="RESTRICT")


class ImmutableEntry(Exception):
    """A ledger entry was about to be changed; corrections are new entries."""


class LedgerEntry(BaseModel):
    """One money movement; amount is signed: positive owes the business, negative pays it."""

    CHARGE = "charge"
    PAYMENT = "payment"
    REFUND = "refund"
    CREDIT = "credit"
    VOID = "void"
    TRANSFER = "transfer"
    ADJUSTMENT = "adjustment"

    account = pw.ForeignKeyField(Account, backref="ledger", on_delete="RESTRICT")
    kind = pw.CharField(max_length=16)
    amount_cents = pw.IntegerField()
    order = pw.ForeignKeyField(Order, null=True, backref="ledger", on_delete="RESTRICT")
    student = pw.ForeignKeyField(Student, null=True, on_delete="RESTRICT")
    location = pw.ForeignKeyField(Location, null=True, on_delete="RESTRICT")
    # The household the money came from, when not the billing household (grandparents paying).
    payer_account = pw.ForeignKeyField(Account, null=True, backref="payments_made", on_delete="RESTRICT")
    memo = pw.CharField(max_length=200, default="")
    created_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    created_at = pw.DateTimeField(default=utcnow, index=True)
    # The payment this entry records, so a receipt shows exactly what went where (credit kept as credit).
    payment = pw.DeferredForeignKey("Payment", null=True, backref="entries", on_delete="RESTRICT", index=True)

    def save(self, *args, **kwargs):
        if self.id is not None:
            raise ImmutableEntry("ledger entries are never changed; post a correcting entry")
        return super().save(*args, **kwargs)

    def delete_instance(self, *args, **kwargs):
        raise ImmutableEntry("ledger entries are never deleted; post a correcting entry")

    @classmethod
    def update(cls, *args, **kwargs):
        raise ImmutableEntry("ledger entries are never changed; post a correcting entry")

    @classmethod
    def delete(cls):
        raise ImmutableEntry("ledger entries are never deleted; post a correcting entry")
