"""SPEC.md's demo packages: Ben's Private Lesson Pack with the history behind it, Amy's Open Studio punch pass.

Rows are written directly with dates in the past (the services stamp "now"); tests check the figures they add
up to through the same read model the pages use. Loading twice adds nothing.
"""
import datetime

from ..billing.charges import next_order_number
from ..demo import _ensure, _weekly
from ..models import (
    Course, LedgerEntry, Meeting, Order, OrderLine, Package, PackageAllotment, PackagePurchase, Punch, PunchPass,
    UsageInvoice, utcnow,
)


def _days_ago(days):
    return utcnow() - datetime.timedelta(days=days)


def _sale(account, student, description, cents, staff, days_ago, payments, state=Order.ON_ACCOUNT):
    """A box-office order with its charge and payments [(cents, memo, user, days ago)]."""
    order = Order.create(number=next_order_number(), account=account, channel=Order.BOX_OFFICE, created_by=staff,
                         on_account=state == Order.ON_ACCOUNT, state=state, created_at=_days_ago(days_ago))
    OrderLine.create(order=order, description=description, amount_cents=cents, student=student)
    LedgerEntry.create(account=account, kind=LedgerEntry.CHARGE, amount_cents=cents, order=order, student=student,
                       memo=description, created_by=staff, created_at=_days_ago(days_ago))
    for paid, memo, user, days in payments:
        LedgerEntry.create(account=account, kind=LedgerEntry.PAYMENT, amount_cents=-paid, order=order, student=student,
                           memo=memo, created_by=user, created_at=_days_ago(days))
    return order


def load_packages(people, places, today):
    """Ben's Private Lesson Pack ($500, $300 paid; 4 h and one sketchbook used) and Amy's 10-punch pass (3 used)."""
    sam, pat, dana = people["staff@example.com"], people["instructor@example.com"], people["parent@example.com"]
    smith, ben, amy = people["smith"], people["Ben"], people["Amy"]
    pack = _ensure(Package, {"name": "Private Lesson Pack"}, price_cents=50000)
    lines = {
        name: _ensure(PackageAllotment, {"package": pack, "kind": kind, "name": name}, quantity=quantity,
                      unit_price_cents=cents)
        for kind, name, quantity, cents in [
            (PackageAllotment.HOURS, "Private instruction", 10, 4500),
            (PackageAllotment.HOURS, "Studio rental", 2, 2500),
            (PackageAllotment.ITEM, "Sketchbook", 2, 500),
        ]
    }
    if not PackagePurchase.select().where((PackagePurchase.package == pack) & (PackagePurchase.account == smith)).exists():
        order = _sale(smith, ben, pack.name, 50000, sam, 45,
                      [(20000, "Cash payment", sam, 45), (10000, "Check payment", sam, 15)])
        purchase = PackagePurchase.create(package=pack, account=smith, student=ben, order=order, created_by=sam,
                                          created_at=_days_ago(45))
        for line, quantity, author, made, paid in [
            ("Private instruction", 2, pat, 40, 39), ("Sketchbook", 1, sam, 30, 30), ("Private instruction", 2, pat, 12, 10),
        ]:
            allotment = lines[line]
            UsageInvoice.create(purchase=purchase, allotment=allotment, quantity=quantity,
                                amount_cents=quantity * allotment.unit_price_cents, state=UsageInvoice.PAID,
                                created_by=author, created_at=_days_ago(made), paid_by=sam, paid_at=_days_ago(paid))

    studio = _ensure(Course, {"name": "Open Studio"}, location=places["Downtown"], capacity=20,
                     description="Fridays: drop in with a punch pass.")
    _weekly(studio, 4, 15, 0, 120, today)
    if not PunchPass.select().where((PunchPass.student == amy) & (PunchPass.name == "Open Studio 10-punch")).exists():
        order = _sale(smith, amy, "Open Studio 10-punch", 15000, sam, 25, [(15000, "Card payment", dana, 25)],
                      state=Order.COMPLETE)
        punch_pass = PunchPass.create(student=amy, course=studio, name="Open Studio 10-punch", punches=10, order=order,
                                      purchased_on=today - datetime.timedelta(days=25),
                                      expires_on=today + datetime.timedelta(days=60), created_by=sam)
        past = Meeting.select().where((Meeting.course == studio) & (Meeting.starts_at < datetime.datetime.combine(
            today, datetime.time()))).order_by(Meeting.starts_at.desc()).limit(3)
        for meeting in past:
            Punch.create(punch_pass=punch_pass, meeting=meeting, redeemed_by=sam,
                         redeemed_at=_days_ago((today - meeting.starts_at.date()).days))
