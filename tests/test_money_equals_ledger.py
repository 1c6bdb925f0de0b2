"""The money a family is shown equals the ledger's sum for its household, to the cent (issue 16, Quality): Outstanding
on My Account, the statement totals (Generate Statement, every location) and the Pay an Order Balance total, for every
demo household and for generated ones."""
import re

from conftest import page_text
from webapp.billing.ledger import payable_online_clause
from webapp.models import Guardian, LedgerEntry, Location, Order, User

AMOUNT = r"-?\$[\d,]+\.\d\d"


def cents(text):
    """"$1,234.56" (or "-$5.00") in cents."""
    sign = -1 if text.startswith("-") else 1
    return sign * int(text.lstrip("-$").replace(",", "").replace(".", ""))


def ledger(account_id):
    """The household's ledger added up in Python, the figure the pages are held to: (total, {(order id, location id):
    balance}, credit not on any order)."""
    parts, credit, total = {}, 0, 0
    for entry in LedgerEntry.select().where(LedgerEntry.account == account_id):
        total += entry.amount_cents
        if entry.order_id is None:
            credit += entry.amount_cents
        else:
            key = (entry.order_id, entry.location_id)
            parts[key] = parts.get(key, 0) + entry.amount_cents
    return total, parts, credit


def outstanding(client, account):
    text = page_text(client.get("/account/payments"))
    return cents(re.search(rf"{re.escape(account.name)}: ({AMOUNT})", text).group(1))


def statement_total(client, account_id):
    total = 0
    for location in Location.select():
        text = page_text(client.get(f"/account/history/statement?account={account_id}&location={location.id}"))
        total += cents(re.search(rf"Total due ({AMOUNT})", text).group(1))
    return total


def pay_balance_total(client):
    return sum(cents(amount) for amount in re.findall(rf"Balance ({AMOUNT})", page_text(client.get("/billing/pay-balance"))))


def readers():
    """One guardian per household who sees its balance and its history."""
    chosen = {}
    for guardian in (Guardian.select(Guardian, User).join(User).where(
            Guardian.can_view_balance & Guardian.can_view_transactions & (Guardian.status == Guardian.ACCEPTED))
            .order_by(Guardian.id)):
        chosen.setdefault(guardian.account_id, guardian)
    return list(chosen.values())


def assert_pages_equal_the_ledger(signed_in, guardians):
    """Outstanding is the ledger's whole sum; it is, to the cent, the statements of every location plus what the ledger
    holds outside them (open orders with no location, orders paid past their charge, credit); Pay an Order Balance
    adds up the open orders the office opened for online payment."""
    payable = {o.id for o in Order.select(Order.id).where(payable_online_clause())}
    shown = {}
    for guardian in guardians:
        client = signed_in(guardian.user.email)
        total, parts, credit = ledger(guardian.account_id)
        assert outstanding(client, guardian.account) == total, guardian.user.email
        outside_statements = credit + sum(b for (_, place), b in parts.items() if place is None or b < 0)
        assert statement_total(client, guardian.account_id) + outside_statements == total, guardian.user.email
        by_order = {}
        for (order_id, _), balance in parts.items():
            by_order[order_id] = by_order.get(order_id, 0) + balance
        expected = sum(b for order_id, b in by_order.items() if order_id in payable and b > 0)
        assert pay_balance_total(client) == expected, guardian.user.email
        shown[guardian.account.name] = (total, expected)
    return shown


def test_every_demo_household_is_shown_its_ledger_sum(signed_in):
    guardians = readers()
    assert {g.account.name for g in guardians} >= {"Smith household", "Forest household"}
    shown = assert_pages_equal_the_ledger(signed_in, guardians)
    assert shown["Smith household"] == (55500, 32000)  # #1001 and #1002 are payable online; the rest is not


def test_every_generated_household_is_shown_its_ledger_sum(signed_in):
    from webapp.scale import build_scale
    from webapp.scale.households import FAMILY_DOMAIN

    build_scale(3, seed=7)
    Order.update(payable_online=True).where(Order.channel == Order.BOX_OFFICE).execute()  # Pay an Order Balance lists some
    generated = [g for g in readers() if g.user.email.endswith("@" + FAMILY_DOMAIN)]
    assert len(generated) == 3
    shown = assert_pages_equal_the_ledger(signed_in, generated)
    assert all(total for total, _ in shown.values()) and any(payable for _, payable in shown.values())
