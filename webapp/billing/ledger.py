"""Balances, always summed from the ledger, and the household lock every money decision takes."""
from dataclasses import dataclass

from peewee import JOIN, Case, fn

from ..database import is_sqlite, locked
from ..models import Account, CartItem, Course, LedgerEntry, Order, OrderLine, Student
from ..prepared import prepared


def lock_households(account_ids):
    """Inside a write transaction: hold these households until the commit, so the balances read now stay true.

    PostgreSQL takes the rows' locks in id order (two decisions never wait on each other crosswise); SQLite's
    IMMEDIATE transaction already holds the only write lock.
    """
    if account_ids and not is_sqlite():
        list(locked(Account.select(Account.id).where(Account.id.in_(sorted(set(account_ids)))).order_by(Account.id)))


def _sums_by(column):
    """A prepared query: {value of column: sum of amounts} over the ledger entries with these values."""
    return prepared(lambda ids: LedgerEntry.select(column, fn.SUM(LedgerEntry.amount_cents))
                    .where(column.in_(ids)).group_by(column).tuples())


_order_sums, _account_sums, _student_sums = (_sums_by(c) for c in (
    LedgerEntry.order, LedgerEntry.account, LedgerEntry.student))


def order_balances(order_ids):
    """{order id: balance in cents} for these orders, in one query."""
    return {order_id: 0 for order_id in order_ids} | {o: int(b) for o, b in _order_sums(order_ids)}


def balance_column():
    """What an order still owes, as a column of a query of orders."""
    return LedgerEntry.select(fn.COALESCE(fn.SUM(LedgerEntry.amount_cents), 0)).where(LedgerEntry.order == Order.id)


def payable_online_clause():
    """SPEC.md's rule: on account, and either put there by an instructor online or ticked by staff."""
    ticked_by_staff = (Order.channel == Order.BOX_OFFICE) & Order.payable_online
    return Order.on_account & (Order.state == Order.ON_ACCOUNT) & (
        (Order.channel == Order.INSTRUCTOR_ONLINE) | ticked_by_staff
    )


@prepared
def payable_online_orders(account_ids):
    """Orders of these households that the family may pay online, with their balances, oldest first."""
    balance = fn.SUM(LedgerEntry.amount_cents)
    return (
        Order.select(Order, balance.alias("balance"))
        .join(LedgerEntry, on=(LedgerEntry.order == Order.id))
        .where(Order.account.in_(account_ids) & payable_online_clause())
        .group_by(Order.id)
        .having(balance > 0)
        .order_by(Order.created_at, Order.number)
    )


def account_balances(account_ids):
    """{account id: balance in cents} for these households, in one query."""
    return {account_id: 0 for account_id in account_ids} | {a: int(b) for a, b in _account_sums(account_ids)}


def student_balances(student_ids):
    """{student id: balance in cents} over the entries tagged with each student, in one query."""
    return {student_id: 0 for student_id in student_ids} | {s: int(b) for s, b in _student_sums(student_ids)}


@prepared
def _credit_sum(account_id):
    return LedgerEntry.select(fn.COALESCE(fn.SUM(LedgerEntry.amount_cents), 0)).where(
        (LedgerEntry.account == account_id) & LedgerEntry.order.is_null())


def unapplied_credit(account):
    """Money the household has with the business that no order has used yet (overpayments, staff credits)."""
    return max(0, -int(_credit_sum.scalar(account)))


@prepared
def _first_line_tags(order_ids):
    return (OrderLine.select(OrderLine.order, OrderLine.student, Course.location)
            .join(Course, join_type="LEFT OUTER JOIN").where(OrderLine.order.in_(order_ids))
            .order_by(OrderLine.id).tuples())


def order_tags(orders):
    """{order id: (student id, location id)} of each order's first line, for tagging its ledger entries."""
    tags = {}
    for order_id, student_id, location_id in _first_line_tags([o.id for o in orders]):
        tags.setdefault(order_id, (student_id, location_id))
    return tags


@prepared
def _class_dues(account_ids, user_id):
    balance = balance_column()
    in_cart = fn.EXISTS(CartItem.select(CartItem.id).where((CartItem.order == Order.id) & (CartItem.user == user_id)))
    return (Order.select(Order, OrderLine.student, OrderLine.course, balance.alias("balance"), in_cart.alias("in_cart"))
            .join(OrderLine, attr="line")
            .where(Order.account.in_(account_ids) & payable_online_clause() & OrderLine.course.is_null(False)
                   & OrderLine.student.is_null(False) & (balance > 0)))


def enrollment_orders(account_ids, user):
    """{(student id, course id): order (with .balance and .in_cart for the user)} for the class orders the family may
    pay online, in one query."""
    return {(o.line.student_id, o.line.course_id): o for o in _class_dues(account_ids, user)}


@prepared
def orders_owing(account_ids):
    """Orders of these households with a balance, oldest first, each with .balance and .payable (online or not)."""
    balance = fn.SUM(LedgerEntry.amount_cents)
    payable = Case(None, [(payable_online_clause(), 1)], 0)
    return (Order.select(Order, balance.alias("balance"), payable.alias("payable"))
            .join(LedgerEntry, on=(LedgerEntry.order == Order.id)).where(Order.account.in_(account_ids))
            .group_by(Order.id).having(balance > 0).order_by(Order.created_at, Order.number))


@prepared
def _households_owing(account_ids):
    payable = Case(None, [(payable_online_clause(), 1)], 0)
    balance = balance_column()
    household = LedgerEntry.select(fn.COALESCE(fn.SUM(LedgerEntry.amount_cents), 0)).where(
        LedgerEntry.account == Account.id)
    return (Account.select(Account.id, household.alias("household_balance"), Order, balance.alias("order_balance"),
                           payable.alias("order_payable"), OrderLine, Student)
            .join(Order, JOIN.LEFT_OUTER, on=(Order.account == Account.id) & (balance > 0), attr="owing")
            .join(OrderLine, JOIN.LEFT_OUTER, attr="line").join(Student, JOIN.LEFT_OUTER)
            .where(Account.id.in_(account_ids))
            .order_by(Order.created_at, Order.number, OrderLine.id))


def households_owing(account_ids):
    """({account id: balance}, [order that owes, with .balance, .payable and its lines]) in one query: a row per
    line of an order that owes, and one for each household where none does."""
    from .cart import summed_up

    totals, orders, items = {}, {}, {}
    for row in _households_owing(account_ids):
        totals[row.id] = int(row.household_balance)
        order = row.owing
        if order is not None:
            order.balance, order.payable = int(row.order_balance), bool(row.order_payable)
            orders.setdefault(order.id, order)
            items.setdefault(order.id, []).extend([order.line] if order.line is not None else [])
    return totals, summed_up(list(orders.values()), items)


@dataclass
class Balance:
    """A balance the user may see, and what it is made of: the orders that owe, and the rest (credit, fees)."""

    whose: str
    cents: int
    orders: list

    @property
    def rest(self):
        """What no listed order explains: below zero a credit, above zero charges on no order."""
        return self.cents - sum(order.balance for order in self.orders)


def visible_balances(family, company):
    """[Balance] the user may see: each household's, or each student's by the balance mode, with their orders."""
    from ..models import Company

    accounts = family.balance_accounts
    if not accounts:
        return []
    household_totals, owing = households_owing([a.id for a in accounts])
    if company.balance_mode == Company.BY_STUDENT:
        ids = {a.id for a in accounts}
        students = [s for s in family.students if s.billing_account_id in ids]
        totals = student_balances([s.id for s in students])
        return [Balance(s.name, totals[s.id], [o for o in owing if o.items and o.items[0].student_id == s.id])
                for s in students]
    return [Balance(a.name, household_totals[a.id], [o for o in owing if o.account_id == a.id]) for a in accounts]


@prepared
def payments_made(account_ids):
    """The latest ten payments these households made, on any household's orders (grandparents paying a trip)."""
    return (
        LedgerEntry.select(LedgerEntry, Student.first_name)
        .join(Student, join_type="LEFT OUTER JOIN", on=(LedgerEntry.student == Student.id))
        .where(LedgerEntry.payer_account.in_(account_ids) & (LedgerEntry.kind == LedgerEntry.PAYMENT))
        .order_by(LedgerEntry.created_at.desc())
        .limit(10)
    )


def last_payment(account_ids):
    """(amount in cents, date) of the latest payment these households made, or None: a card payment across several
    orders is one payment, so its entries are added up."""
    payer = LedgerEntry.payer_account.in_(account_ids) | (
        LedgerEntry.payer_account.is_null() & LedgerEntry.account.in_(account_ids))  # no payer named: the household
    paid = payer & (LedgerEntry.kind == LedgerEntry.PAYMENT)
    latest = LedgerEntry.select().where(paid).order_by(LedgerEntry.created_at.desc(), LedgerEntry.id.desc()).first()
    if latest is None:
        return None
    if latest.payment_id is None:  # recorded at the desk: one entry
        return -latest.amount_cents, latest.created_at
    total = LedgerEntry.select(fn.SUM(LedgerEntry.amount_cents)).where(
        paid & (LedgerEntry.payment == latest.payment_id)).scalar()
    return -int(total), latest.created_at
