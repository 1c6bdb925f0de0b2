"""Transaction History, statements and ledgers per location, and statements of amounts paid: each a read of the
ledger of the households the user may see transactions of, in a fixed number of queries."""
import datetime
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from peewee import JOIN, Case, fn

from ..models import LedgerEntry, Location, Order, Payment, Student

PAGE_SIZE = 25
HISTORY_DAYS = 30
# The tabs of seed 004's Transaction History and the entry kinds each shows (All shows every kind). A void, what
# staff took off a bill (issue 16.7: "refunds and voids … visible in the family's Refunds tab"), shows with refunds.
TABS = {"all": ("All", None), "charges": ("Charges", (LedgerEntry.CHARGE,)),
        "payments": ("Payments", (LedgerEntry.PAYMENT,)), "refunds": ("Refunds", (LedgerEntry.REFUND, LedgerEntry.VOID))}


@dataclass
class Period:
    """Whole days in the company's time zone, first to last inclusive, and their UTC bounds for the ledger."""

    first: datetime.date
    last: datetime.date
    timezone: str

    def _utc(self, day):
        start = datetime.datetime.combine(day, datetime.time(0), ZoneInfo(self.timezone))
        return start.astimezone(datetime.timezone.utc).replace(tzinfo=None)

    @property
    def starts(self):
        return self._utc(self.first)

    @property
    def ends(self):
        return self._utc(self.last + datetime.timedelta(days=1))


def company_today(company):
    """Today in the company's time zone."""
    return datetime.datetime.now(ZoneInfo(company.timezone)).date()


def allowed_period(company, first=None, last=None):
    """The period a report covers: the last 30 days, or the dates asked for (up to today) when the company shows the
    full history."""
    today = company_today(company)
    default = Period(today - datetime.timedelta(days=HISTORY_DAYS), today, company.timezone)
    if not company.full_ledger_history:
        return default
    first, last = first or default.first, min(last or today, today)
    return Period(first, last, company.timezone) if first <= last else default


def _entries():
    return (LedgerEntry.select(LedgerEntry, Order.number, Student.first_name, Student.last_name, Location.name)
            .join(Order, JOIN.LEFT_OUTER, on=(LedgerEntry.order == Order.id), attr="order_row")
            .switch(LedgerEntry).join(Student, JOIN.LEFT_OUTER, on=(LedgerEntry.student == Student.id),
                                      attr="student_row")
            .switch(LedgerEntry).join(Location, JOIN.LEFT_OUTER, on=(LedgerEntry.location == Location.id),
                                      attr="location_row"))


def _within(period):
    return (LedgerEntry.created_at >= period.starts) & (LedgerEntry.created_at < period.ends)


def _sum_before(account_id, moment, location_id=None, entry_id=None):
    """The household's ledger sum before a moment (and before entry_id at that same moment)."""
    before = LedgerEntry.created_at < moment
    if entry_id is not None:
        before = before | ((LedgerEntry.created_at == moment) & (LedgerEntry.id < entry_id))
    where = (LedgerEntry.account == account_id) & before
    if location_id:
        where &= LedgerEntry.location == location_id
    return int(LedgerEntry.select(fn.COALESCE(fn.SUM(LedgerEntry.amount_cents), 0)).where(where).scalar())


def _add_running_balance(rows, opening, account_id=None):
    """Give each row, oldest first, the balance after it (of account_id's own entries only, when given); the balance
    after the last."""
    balance = opening
    for row in rows:
        if account_id is None or row.account_id == account_id:
            balance += row.amount_cents
        row.running_balance = balance
    return balance


@dataclass
class HistoryPage:
    """One page of Transaction History, newest first; on All each row has its running balance."""

    rows: list
    page: int
    has_next: bool


def history_page(account_id, period, tab="all", page=1):
    """The page-th page of the household's entries of this tab in the period, with the payments it made on another
    household's orders (grandparents paying; they leave its own balance as it was): one query, and one more on All."""
    kinds = TABS[tab][1]
    where = ((LedgerEntry.account == account_id) | (LedgerEntry.payer_account == account_id)) & _within(period)
    if kinds:
        where &= LedgerEntry.kind.in_(kinds)
    rows = list(_entries().where(where).order_by(LedgerEntry.created_at.desc(), LedgerEntry.id.desc())
                .limit(PAGE_SIZE + 1).offset((page - 1) * PAGE_SIZE))
    has_next, rows = len(rows) > PAGE_SIZE, rows[:PAGE_SIZE]
    if tab == "all" and rows:
        oldest = rows[-1]
        _add_running_balance(reversed(rows), _sum_before(account_id, oldest.created_at, entry_id=oldest.id), account_id)
    return HistoryPage(rows, page, has_next)


@dataclass
class OpenCharge:
    number: int
    student: str
    charged_on: datetime.datetime
    amount_cents: int
    balance_cents: int

    @property
    def paid_cents(self):
        return self.amount_cents - self.balance_cents


def statement(account_id, location_id):
    """The household's open charges at a location as of now, oldest first, in one query: per order what was charged,
    what was paid (or taken off) and what is still due."""
    charged = fn.SUM(Case(None, [(LedgerEntry.kind == LedgerEntry.CHARGE, LedgerEntry.amount_cents)], 0))
    balance = fn.SUM(LedgerEntry.amount_cents)
    rows = (LedgerEntry.select(Order.number, fn.MIN(Student.first_name), fn.MIN(Student.last_name),
                               fn.MIN(LedgerEntry.created_at), charged, balance)
            .join(Order, on=(LedgerEntry.order == Order.id))
            .switch(LedgerEntry).join(Student, JOIN.LEFT_OUTER, on=(LedgerEntry.student == Student.id))
            .where((LedgerEntry.account == account_id) & (LedgerEntry.location == location_id))
            .group_by(Order.id, Order.number).having(balance > 0).order_by(fn.MIN(LedgerEntry.created_at), Order.number)
            .tuples())
    return [OpenCharge(number, " ".join(n for n in (first, last) if n), _moment(on), int(amount), int(due))
            for number, first, last, on, amount, due in rows]


def _moment(value):
    """SQLite hands aggregated timestamps back as text."""
    return datetime.datetime.fromisoformat(value) if isinstance(value, str) else value


@dataclass
class LocationLedger:
    """Every entry at a location over a period, oldest first, each with the balance after it."""

    opening_cents: int
    rows: list
    closing_cents: int


def location_ledger(account_id, location_id, period):
    """The household's charges and payments at a location over the period, with opening and closing balance."""
    opening = _sum_before(account_id, period.starts, location_id)
    rows = list(_entries().where((LedgerEntry.account == account_id) & (LedgerEntry.location == location_id)
                                 & _within(period))
                .order_by(LedgerEntry.created_at, LedgerEntry.id))
    return LocationLedger(opening, rows, _add_running_balance(rows, opening))


@dataclass
class StudentPayments:
    student: str
    rows: list = field(default_factory=list)

    @property
    def total_cents(self):
        return sum(row.paid_cents for row in self.rows)


def amounts_paid(account_ids, year, timezone):
    """What these households paid in a year, per student, by date and method (refunds count against it): the money
    they paid themselves, on their own orders or another household's (grandparents paying), never that household's
    balance. One query."""
    period = Period(datetime.date(year, 1, 1), datetime.date(year, 12, 31), timezone)
    paid_by_them = (LedgerEntry.payer_account.in_(account_ids) | (
        LedgerEntry.account.in_(account_ids) & LedgerEntry.payer_account.is_null()))
    rows = (_entries().select_extend(Payment.method, Payment.card_brand, Payment.card_last4)
            .switch(LedgerEntry).join(Payment, JOIN.LEFT_OUTER, on=(LedgerEntry.payment == Payment.id),
                                      attr="payment_row")
            .where(paid_by_them & LedgerEntry.kind.in_((LedgerEntry.PAYMENT, LedgerEntry.REFUND))
                   & _within(period))
            .order_by(LedgerEntry.created_at, LedgerEntry.id))
    by_student = {}
    for row in rows:
        row.paid_cents = -row.amount_cents
        row.method = _method(row)
        name = row.student_row.name if row.student_id else "No student named"
        by_student.setdefault(name, StudentPayments(name)).rows.append(row)
    return sorted(by_student.values(), key=lambda s: s.student)


def _method(entry):
    payment = getattr(entry, "payment_row", None)
    if entry.kind == LedgerEntry.REFUND:
        return "Refund"
    if payment is not None and payment.card_last4:
        return f"{payment.card_brand} ending {payment.card_last4}"
    if payment is not None and payment.method:
        return Payment.OFFLINE_LABELS.get(payment.method, payment.method.capitalize())
    return entry.memo or "Payment"
