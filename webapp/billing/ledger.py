"""Balances, always summed from the ledger."""
from peewee import JOIN, fn

from ..models import LedgerEntry, Order, OrderLine, Student


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


def with_lines(orders):
    """Attach each order's lines (with their students) as `order.items`, in one query."""
    items = {order.id: [] for order in orders}
    query = (
        OrderLine.select(OrderLine, Student)
        .join(Student, JOIN.LEFT_OUTER)
        .where(OrderLine.order.in_(list(items)))
        .order_by(OrderLine.id)
    )
    for line in query:
        items[line.order_id].append(line)
    for order in orders:
        order.items = items[order.id]
    return orders


def account_balances(account_ids):
    """{account id: balance in cents} for these households, in one query."""
    rows = (
        LedgerEntry.select(LedgerEntry.account, fn.SUM(LedgerEntry.amount_cents))
        .where(LedgerEntry.account.in_(account_ids))
        .group_by(LedgerEntry.account)
        .tuples()
    )
    return {account_id: 0 for account_id in account_ids} | {a: int(b) for a, b in rows}
