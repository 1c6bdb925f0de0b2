"""How one payment is split across orders: the rule, in one place."""


def allocate(amount_cents, balances):
    """Split `amount_cents` over [(order_id, balance)] oldest first; never more than a balance, never a lost cent.

    The caller lists orders oldest first and keeps amount_cents between 1 and the sum of the balances.
    """
    if amount_cents <= 0 or amount_cents > sum(balance for _, balance in balances):
        raise ValueError("the amount must be positive and at most the total of the balances")
    allocations, left = [], amount_cents
    for order_id, balance in balances:
        if left == 0:
            break
        share = min(balance, left)
        if share > 0:
            allocations.append((order_id, share))
            left -= share
    return allocations
