"""Voids from a household's page (issue 16.7): staff write off part or all of what an order owes; a Void entry tagged
like the charge, on the family's ledger; never more than the order owes."""
import pytest

from billing_helpers import balances, in_threads
from conftest import page_text
from webapp.billing.charges import ChargeRefused, void_balance
from webapp.models import Account, LedgerEntry, Order, User

HX = {"HX-Request": "true"}


def smith():
    return Account.get(Account.name == "Smith household")


def void_url(number, account=None):
    return f"/staff/households/{(account or smith()).id}/orders/{number}/void"


def voids():
    return list(LedgerEntry.select().where(LedgerEntry.kind == LedgerEntry.VOID).order_by(LedgerEntry.id))


def test_sam_voids_part_of_an_order_and_dana_sees_it_on_her_ledger(signed_in, outbox):
    before = len(voids())
    sam = signed_in("staff@example.com")
    assert "Void up to $180.00" in page_text(sam.get(f"/staff/households/{smith().id}"))
    answer = sam.post(void_url(1002), data={"amount": "30.00", "reason": "Sibling discount"}, follow_redirects=True)
    assert "$30.00 of order #1002 is voided." in page_text(answer) and "Void up to $150.00" in page_text(answer)
    entry = voids()[-1]
    assert len(voids()) == before + 1 and entry.amount_cents == -3000 and entry.memo == "Voided: Sibling discount"
    assert entry.student.first_name == "Ben" and entry.location.name == "Northside"  # tagged like the charge
    assert balances(1002) == {1002: 15000}
    history = page_text(signed_in("parent@example.com").get(f"/account/history?account={smith().id}&tab=all"))
    assert "Voided: Sibling discount Ben Smith #1002 Northside -$30.00" in history
    refunds = page_text(signed_in("parent@example.com").get(f"/account/history?account={smith().id}&tab=refunds"))
    assert "Voided: Sibling discount Ben Smith #1002 Northside -$30.00" in refunds
    (notice,) = [m for m in outbox if m.subject == "Order #1002 adjusted by Riverside Arts Academy"]
    assert notice.to == ["parent@example.com"]
    assert "has taken $30.00 off order #1002: Sibling discount." in notice.body and "now owes $150.00" in notice.body


@pytest.mark.parametrize("amount, message", [
    ("180.01", "That is more than order #1002 still owes."),
    ("0", "Enter an amount above zero."),
    ("free", "Enter an amount like 25.00."),
    ("", "Enter the amount."),
])
def test_a_bad_void_is_refused_next_to_the_field_and_nothing_moves(signed_in, outbox, amount, message):
    before, sam = len(voids()), signed_in("staff@example.com")
    for headers in ({}, HX):
        answer = sam.post(void_url(1002), data={"amount": amount}, headers=headers)
        assert answer.status_code == 422
        assert 'id="amount-void-1002-error"' in answer.get_data(as_text=True) and message in page_text(answer)
    assert len(voids()) == before and balances(1002) == {1002: 18000}
    assert not [m for m in outbox if "adjusted" in m.subject]


def test_two_voids_at_once_never_take_an_order_below_zero(app):
    sam, order = User.get(User.email == "staff@example.com"), Order.get(Order.number == 1002)
    results = in_threads(app, *[lambda: void_balance(sam, order, 10000)] * 2)
    assert sorted(type(error).__name__ for _, error in results) == ["ChargeRefused", "NoneType"]
    assert balances(1002) == {1002: 8000}


def test_a_paid_order_cannot_be_voided(app):
    sam, order = User.get(User.email == "staff@example.com"), Order.get(Order.number == 1004)
    assert balances(1004) == {1004: 0}
    with app.app_context(), pytest.raises(ChargeRefused):
        void_balance(sam, order, 100)


def test_voids_need_the_billing_tab_and_the_households_own_order(signed_in):
    before = len(voids())
    alex = signed_in("frontdesk@example.com")
    assert "Void up to" not in page_text(alex.get(f"/staff/households/{smith().id}"))
    assert alex.post(void_url(1002), data={"amount": "1.00"}).status_code == 403
    assert signed_in("parent@example.com").post(void_url(1002), data={"amount": "1.00"}).status_code == 403
    sam = signed_in("staff@example.com")
    forest = Account.get(Account.name == "Forest household")
    assert sam.post(void_url(1002, forest), data={"amount": "1.00"}).status_code == 404  # the Smiths' order
    assert sam.post(void_url(999999), data={"amount": "1.00"}).status_code == 404
    assert len(voids()) == before
