"""Balances, always summed from the ledger."""
from peewee import fn

from ..models import LedgerEntry, Order


def order_balances(order_ids):
    """{order id: balance in cents} for these orders, in one query."""
    rows = (
        LedgerEntry.select(LedgerEntry.order, fn.SUM(LedgerEntry.amount_cents).alias("balance"))
        .where(LedgerEntry.order.in_(order_ids))
        .group_by(LedgerEntry.order)
        .tuples()
    )
    balances = {order_id: 0 for order_id in order_ids} if isinstance(order_ids, (list, tuple, set)) else {}
    balances.update({order_id: int(balance) for order_id, balance in rows})
    return balances


def order_balance(order):
    """What is still owed on one order."""
    return order_balances([order.id])[order.id]


def account_balance(account):
    """What the household owes (negative: credit), over every entry on its ledger."""
    total = LedgerEntry.select(fn.COALESCE(fn.SUM(LedgerEntry.amount_cents), 0)).where(
        LedgerEntry.account == account
    ).scalar()
    return int(total)


def payable_online_clause():
    """SPEC.md's rule: on account, and either put there by an instructor online or ticked by staff."""
    return (Order.on_account == True) & (  # noqa: E712 (peewee expression)
        (Order.channel == Order.INSTRUCTOR_ONLINE) | ((Order.channel == Order.BOX_OFFICE) & (Order.payable_online == True))  # noqa: E712
    ) & Order.state.in_([Order.ON_ACCOUNT, Order.OPEN])


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
