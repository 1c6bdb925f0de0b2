"""The rule that splits one payment across orders."""
import pytest
from hypothesis import given
from hypothesis import strategies as st

from webapp.billing.allocation import allocate

balances_lists = st.lists(st.integers(min_value=1, max_value=10_000_00), min_size=1, max_size=12).map(
    lambda amounts: [(order_id, amount) for order_id, amount in enumerate(amounts, start=1001)]
)


@given(balances_lists, st.data())
def test_allocations_sum_to_the_payment_and_never_exceed_a_balance(balances, data):
    amount = data.draw(st.integers(min_value=1, max_value=sum(b for _, b in balances)))
    allocations = allocate(amount, balances)
    assert sum(share for _, share in allocations) == amount
    owed = dict(balances)
    assert all(0 < share <= owed[order_id] for order_id, share in allocations)


@given(balances_lists, st.data())
def test_the_oldest_orders_are_paid_first(balances, data):
    amount = data.draw(st.integers(min_value=1, max_value=sum(b for _, b in balances)))
    allocations = allocate(amount, balances)
    *paid_in_full, last = allocations
    assert [order_id for order_id, _ in allocations] == [order_id for order_id, _ in balances[: len(allocations)]]
    assert all(share == dict(balances)[order_id] for order_id, share in paid_in_full)


def test_a_payment_of_the_whole_total_clears_every_order():
    assert allocate(32000, [(1001, 14000), (1002, 18000)]) == [(1001, 14000), (1002, 18000)]


@pytest.mark.parametrize("amount", [0, -100, 32001])
def test_amounts_outside_the_total_are_refused(amount):
    with pytest.raises(ValueError):
        allocate(amount, [(1001, 14000), (1002, 18000)])
