"""Prepaid packages (hours and items drawn down by paid usage invoices) and punch passes."""
import peewee as pw

from .base import BaseModel, utcnow
from .billing import Order
from .people import Account, Student, User
from .teaching import Course, Meeting


class Package(BaseModel):
    """A package staff define once and sell to households: a price with hour types and items included."""

    name = pw.CharField(max_length=120, unique=True)
    price_cents = pw.IntegerField()
    created_at = pw.DateTimeField(default=utcnow)


class PackageAllotment(BaseModel):
    """One hour type (quantity in whole hours, hourly rate) or item (quantity, unit price) a package includes."""

    HOURS = "hours"
    ITEM = "item"

    package = pw.ForeignKeyField(Package, backref="allotments", on_delete="CASCADE")
    kind = pw.CharField(max_length=8)
    name = pw.CharField(max_length=80)
    quantity = pw.IntegerField()
    unit_price_cents = pw.IntegerField()

    class Meta:
        indexes = ((("package", "kind", "name"), True),)

    @property
    def is_hours(self):
        return self.kind == self.HOURS


class PackagePurchase(BaseModel):
    """A package sold to a household, optionally for one student; its money lives on `order` in the ledger."""

    package = pw.ForeignKeyField(Package, backref="purchases", on_delete="RESTRICT")
    account = pw.ForeignKeyField(Account, backref="packages", on_delete="RESTRICT")
    student = pw.ForeignKeyField(Student, null=True, backref="packages", on_delete="RESTRICT")
    order = pw.ForeignKeyField(Order, unique=True, on_delete="RESTRICT")
    created_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    created_at = pw.DateTimeField(default=utcnow)


class UsageInvoice(BaseModel):
    """N hours or items used from a package; the allotment runs down only while the invoice is paid."""

    UNPAID = "unpaid"
    PAID = "paid"
    VOID = "void"
    DELETED = "deleted"

    purchase = pw.ForeignKeyField(PackagePurchase, backref="invoices", on_delete="RESTRICT")
    allotment = pw.ForeignKeyField(PackageAllotment, on_delete="RESTRICT")
    quantity = pw.IntegerField()
    amount_cents = pw.IntegerField()
    state = pw.CharField(max_length=8, default=UNPAID)
    memo = pw.CharField(max_length=200, default="")
    created_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    created_at = pw.DateTimeField(default=utcnow)
    paid_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    paid_at = pw.DateTimeField(null=True)
    # Who voided or deleted it, and when (the state says which).
    closed_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    closed_at = pw.DateTimeField(null=True)

    class Meta:
        indexes = ((("purchase", "state"), False),)


class PunchPass(BaseModel):
    """N punches for drop-in meetings of one course, sold to a student; its money lives on `order`."""

    student = pw.ForeignKeyField(Student, backref="punch_passes", on_delete="RESTRICT")
    course = pw.ForeignKeyField(Course, on_delete="RESTRICT")
    name = pw.CharField(max_length=120)
    punches = pw.IntegerField()
    order = pw.ForeignKeyField(Order, unique=True, on_delete="RESTRICT")
    purchased_on = pw.DateField()
    expires_on = pw.DateField(null=True)
    active = pw.BooleanField(default=True)
    created_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")


class Punch(BaseModel):
    """One punch of a pass, redeemed for one meeting; a meeting is punched at most once per pass."""

    punch_pass = pw.ForeignKeyField(PunchPass, backref="punched", on_delete="CASCADE")
    meeting = pw.ForeignKeyField(Meeting, on_delete="RESTRICT")
    redeemed_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    redeemed_at = pw.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("punch_pass", "meeting"), True),)
