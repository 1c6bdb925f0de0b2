"""Balances, always summed from the ledger, and the household lock every money decision takes."""
from peewee import fn

from ..database import is_sqlite
from ..models import Account, LedgerEntry, Order


def lock_households(account_ids):
    """Inside a write transaction: hold these households until the commit, so the balances read now stay true.

    PostgreSQL takes the rows' locks in id order (two decisions never wait on each other crosswise); SQLite's
    IMMEDIATE transaction already holds the only write lock.
    """
    if account_ids and not is_sqlite():
        list(Account.select(Account.id).where(Account.id.in_(sorted(set(account_ids)))).order_by(Account.id).for_update())


def order_balances(order_ids):
    """{order id: balance in cents} for these orders, in one query."""
    rows = (
        LedgerEntry.select(LedgerEntry.order, fn.SUM(LedgerEntry.amount_cents))
        .where(LedgerEntry.order.in_(order_ids))
        .group_by(LedgerEntry.order)
        .tuples()
    )
    return {order_id: 0 for order_id in order_ids} | {o: int(b) for o, b in rows}


def payable_online_clause():
    """SPEC.md's rule: on account, and either put there by an instructor online or ticked by staff."""
    ticked_by_staff = (Order.channel == Order.BOX_OFFICE) & Order.payable_online
    return Order.on_account & (Order.state == Order.ON_ACCOUNT) & (
        (Order.channel == Order.INSTRUCTOR_ONLINE) | ticked_by_staff
    )


def payable_online_orders(account_ids):
    """Orders of these households that the family may pay online, with their balances, oldest first."""
    balance = fn.SUM(LedgerEntry.amount_cents)
    return list(
        Order.select(Order, balance.alias("balance"))
        .join(LedgerEntry, on=(LedgerEntry.order == Order.id))
        .where(Order.account.in_(account_ids) & payable_online_clause())
        .group_by(Order.id)
        .having(balance > 0)
        .order_by(Order.created_at, Order.number)
    )


def account_balances(account_ids):
    """{account id: balance in cents} for these households, in one query."""
    rows = (
        LedgerEntry.select(LedgerEntry.account, fn.SUM(LedgerEntry.amount_cents))
        .where(LedgerEntry.account.in_(account_ids))
        .group_by(LedgerEntry.account)
        .tuples()
    )
    return {account_id: 0 for account_id in account_ids} | {a: int(b) for a, b in rows}


def student_balances(student_ids):
    """{student id: balance in cents} over the entries tagged with each student, in one query."""
    rows = (
        LedgerEntry.select(LedgerEntry.student, fn.SUM(LedgerEntry.amount_cents))
        .where(LedgerEntry.student.in_(student_ids))
        .group_by(LedgerEntry.student)
        .tuples()
    )
    return {student_id: 0 for student_id in student_ids} | {s: int(b) for s, b in rows}


def unapplied_credit(account):
    """Money the household has with the business that no order has used yet (overpayments, staff credits)."""
    total = LedgerEntry.select(fn.COALESCE(fn.SUM(LedgerEntry.amount_cents), 0)).where(
        (LedgerEntry.account == account) & LedgerEntry.order.is_null()
    ).scalar()
    return max(0, -int(total))


def order_tags(orders):
    """{order id: (student id, location id)} of each order's first line, for tagging its ledger entries."""
    from ..models import Course, OrderLine

    tags = {}
    query = (
        OrderLine.select(OrderLine.order, OrderLine.student, Course.location)
        .join(Course, join_type="LEFT OUTER JOIN")
        .where(OrderLine.order.in_([o.id for o in orders]))
        .order_by(OrderLine.id)
        .tuples()
    )
    for order_id, student_id, location_id in query:
        tags.setdefault(order_id, (student_id, location_id))
    return tags


def enrollment_orders(account_ids):
    """{(student id, course id): order (with .balance)} for class orders the family may pay online, in two queries."""
    from ..models import OrderLine

    orders = {o.id: o for o in payable_online_orders(account_ids)}
    if not orders:
        return {}
    lines = OrderLine.select(OrderLine.order, OrderLine.student, OrderLine.course).where(
        OrderLine.order.in_(list(orders)) & OrderLine.course.is_null(False) & OrderLine.student.is_null(False)
    ).tuples()
    return {(student_id, course_id): orders[order_id] for order_id, student_id, course_id in lines}


def visible_balances(family, company):
    """[(whose, cents)] the user may see: each household's balance, or each student's by the balance mode."""
    from ..models import Company

    accounts = family.balance_accounts
    if not accounts:
        return []
    if company.balance_mode == Company.BY_STUDENT:
        ids = {a.id for a in accounts}
        students = [s for s in family.students if s.billing_account_id in ids]
        totals = student_balances([s.id for s in students])
        return [(s.name, totals[s.id]) for s in students]
    totals = account_balances([a.id for a in accounts])
    return [(a.name, totals[a.id]) for a in accounts]


def payments_made(account_ids, limit=10):
    """The latest payments these households made, on any household's orders (grandparents paying a trip)."""
    from ..models import Student

    return list(
        LedgerEntry.select(LedgerEntry, Student.first_name)
        .join(Student, join_type="LEFT OUTER JOIN", on=(LedgerEntry.student == Student.id))
        .where(LedgerEntry.payer_account.in_(account_ids) & (LedgerEntry.kind == LedgerEntry.PAYMENT))
        .order_by(LedgerEntry.created_at.desc())
        .limit(limit)
    )
