"""What staff see across households."""
from peewee import fn

from ..models import Account, LedgerEntry, Order


def orders_with_balance(limit=50):
    """Orders that still have a balance, oldest first, with their household."""
    balance = fn.SUM(LedgerEntry.amount_cents)
    return list(
        Order.select(Order, Account, balance.alias("balance"))
        .join(Account)
        .switch(Order)
        .join(LedgerEntry, on=(LedgerEntry.order == Order.id))
        .group_by(Order.id, Account.id)
        .having(balance != 0)
        .order_by(Order.created_at, Order.number)
        .limit(limit)
    )
