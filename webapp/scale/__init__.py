"""Scale data: generated households on top of the demo, to see Cubby at the size of a real school.

`flask --app wsgi demo scale --households N [--seed S]`. The same N and seed give the same names and amounts
(dates stay relative to now). What each household holds is described in households.py and money.py; at
10,000 households that is about a million ledger entries.
"""
import datetime
import random
import time
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from ..auth.services import hash_password
from ..billing.charges import next_order_number, order_numbers_used_up_to
from ..database import write_transaction
from ..demo import DEMO_PASSWORD
from ..models import (
    AbsenceReason, Account, Allocation, Attendance, CartItem, Company, Course, Enrollment, Guardian, LedgerEntry,
    MakeupToken, Meeting, Order, OrderLine, Package, PackageAllotment, PackagePurchase, Payment, Punch, PunchPass,
    Student, UsageInvoice, User,
)
from .catalogue import build_catalogue
from .households import FAMILY_DOMAIN, MONTHS, add_household
from .money import Money
from .writer import BulkWriter

GENERATED = [
    Account, User, Guardian, Student, Course, Meeting, Enrollment, Attendance, MakeupToken, Order, OrderLine,
    LedgerEntry, Payment, Allocation, CartItem, Package, PackageAllotment, PackagePurchase, UsageInvoice, PunchPass,
    Punch,
]
HOUSEHOLDS_PER_FLUSH = 250  # bounds memory: rows wait in Python for at most this many households


class ScaleRefused(Exception):
    """The database is not one scale data can be added to; the message says why."""


@dataclass
class Context:
    """What every part of the generator reads: the clock, the code tables, the demo's staff member."""

    now: datetime.datetime  # the company's local time
    now_utc: datetime.datetime
    zone: ZoneInfo
    month_starts: list  # the first day of each of the last MONTHS months, oldest first
    reasons: dict
    staff_id: int
    password_hash: str


@dataclass
class Report:
    households: int
    seed: int
    rows: dict  # {table: rows added}
    seconds: float

    def summary(self):
        """What was made and how long it took, a table per line."""
        width = max(len(table) for table in self.rows)
        lines = [f"scale data: {self.households} households (seed {self.seed}) in {self.seconds:.1f} s"]
        for table, count in self.rows.items():
            lines.append(f"  {table:<{width}} {count:>10,}  ({count / self.households:.1f} per household)")
        lines.append(f"  {'total':<{width}} {sum(self.rows.values()):>10,}")
        return "\n".join(lines)


def _month_starts(today):
    starts = []
    for back in range(MONTHS - 1, -1, -1):
        year, month = divmod(today.year * 12 + today.month - 1 - back, 12)
        starts.append(datetime.date(year, month + 1, 1))
    return starts


def _context(company, now):
    zone = ZoneInfo(company.timezone)
    now = now or datetime.datetime.now(zone).replace(tzinfo=None, microsecond=0)
    staff = User.get_or_none(User.email == "staff@example.com")
    if staff is None:
        raise ScaleRefused("The demo's staff member is missing: load the demo first (flask --app wsgi demo load).")
    now_utc = now.replace(tzinfo=zone).astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return Context(now, now_utc, zone, _month_starts(now.date()), {r.name: r.id for r in AbsenceReason.select()},
                   staff.id, hash_password(DEMO_PASSWORD))  # one scrypt run for every generated user


def generated_exist():
    """True when scale data was added to this database already."""
    return User.select().where(User.email.endswith("@" + FAMILY_DOMAIN)).exists()


def build_scale(households, seed=1, now=None):
    """Add `households` generated households in one write transaction; returns the Report."""
    if households < 1:
        raise ScaleRefused("Ask for at least one household.")
    company = Company.select().order_by(Company.id).first()
    if company is None:
        raise ScaleRefused("There is no company yet: load the demo first (flask --app wsgi demo load).")
    if generated_exist():
        raise ScaleRefused("This database holds generated households already: start from a fresh demo database.")
    started = time.perf_counter()
    context = _context(company, now)
    writer = BulkWriter(GENERATED)
    with write_transaction():
        writer.start()
        catalogue = build_catalogue(writer, random.Random(f"cubby-scale:{seed}:catalogue"), households, context.now,
                                    context.zone, context.password_hash)
        money = Money(writer, catalogue, context, next_order_number())
        for number in range(1, households + 1):
            rng = random.Random(f"cubby-scale:{seed}:{number}")  # each household its own generator
            money.add(rng, add_household(writer, rng, number, catalogue, context))
            if number % HOUSEHOLDS_PER_FLUSH == 0:
                writer.flush()
        writer.finish()
        order_numbers_used_up_to(money.number - 1)
    rows = {model._meta.table_name: count for model, count in writer.written.items() if count}
    return Report(households, seed, rows, time.perf_counter() - started)
