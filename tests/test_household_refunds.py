"""Refunds from a household's page (issue 16.7): a card payment goes back to the card through the provider, a cash or
check payment is recorded as handed back; each is a ledger entry in the family's Refunds tab, with an email, and
never more than is left of that payment."""
import pytest

from billing_helpers import SUCCESS_CARD, balances, dana, in_threads, pay_with_card  # noqa: F401 (dana is a fixture)
from conftest import page_text
from webapp.billing.charges import record_offline_payment
from webapp.billing.refunds import RefundRefused, refund_offline
from webapp.gateway.sandbox import SandboxCharge
from webapp.models import Account, CardRefund, LedgerEntry, Order, Payment, User

HX = {"HX-Request": "true"}


def smith():
    return Account.get(Account.name == "Smith household")


def sam_user():
    return User.get(User.email == "staff@example.com")


def cash_payment(app, cents=3500, number=1003, method="check", note="CHK 88"):
    with app.app_context():
        return record_offline_payment(sam_user(), Order.get(Order.number == number), smith(), cents, method, note)


def refund_url(payment):
    return f"/staff/households/{smith().id}/payments/{payment.key}/refund"


def refunds_tab(signed_in):
    return page_text(signed_in("parent@example.com").get(f"/account/history?account={smith().id}&tab=refunds"))


def test_sam_refunds_part_of_a_card_payment_from_the_household_page(app, dana, signed_in, outbox):
    _, key, _ = pay_with_card(dana, SUCCESS_CARD)
    payment, sam = Payment.get(Payment.key == key), signed_in("staff@example.com")
    page = page_text(sam.get(f"/staff/households/{smith().id}"))
    assert "$320.00 · Card Visa ending 4242" in page and "Refund up to $320.00" in page
    answer = sam.post(refund_url(payment), data={"amount": "10.00", "reason": "Missed class"}, follow_redirects=True)
    assert "$10.00 of the card payment is refunded." in page_text(answer)
    assert "$10.00 refunded" in page_text(answer) and "Refund up to $310.00" in page_text(answer)
    assert SandboxCharge.get().refunded_cents == 1000
    assert "Refund to Visa 4242" in refunds_tab(signed_in) and "$10.00" in refunds_tab(signed_in)
    assert outbox[-1].subject == "Your refund from Riverside Arts Academy" and "to your Visa ending 4242" in outbox[-1].body


def test_a_check_payment_refund_is_recorded_with_its_ledger_entry_and_email(app, signed_in, outbox):
    payment = cash_payment(app)
    assert balances(1003) == {1003: 0}
    sam = signed_in("staff@example.com")
    answer = sam.post(refund_url(payment), data={"amount": "15.00"}, follow_redirects=True)
    assert "$15.00 of the check payment is refunded." in page_text(answer)
    entry = LedgerEntry.get((LedgerEntry.payment == payment) & (LedgerEntry.kind == LedgerEntry.REFUND))
    assert entry.amount_cents == 1500 and entry.memo == "Check refund" and balances(1003) == {1003: 1500}
    assert "Check refund" in refunds_tab(signed_in)
    assert "has refunded $15.00 of your check payment." in outbox[-1].body and "Your bank" not in outbox[-1].body
    assert SandboxCharge.select().count() == 0  # no provider is asked


@pytest.mark.parametrize("amount, message", [
    ("35.01", "That is more than is left of this payment to refund."),
    ("0", "Enter an amount above zero."),
    ("lots", "Enter an amount like 25.00."),
    ("", "Enter the amount."),
])
def test_a_bad_refund_amount_is_refused_next_to_the_field_and_nothing_moves(app, signed_in, amount, message):
    payment, sam = cash_payment(app), signed_in("staff@example.com")
    for headers in ({}, HX):
        answer = sam.post(refund_url(payment), data={"amount": amount}, headers=headers)
        assert answer.status_code == 422
        html = answer.get_data(as_text=True)
        assert f'id="amount-{payment.key[:8]}-error"' in html and message in page_text(answer)
    assert not CardRefund.select().exists() and balances(1003) == {1003: 0}


def test_two_offline_refunds_at_once_never_give_back_more_than_was_paid(app):
    payment, sam = cash_payment(app), sam_user()
    results = in_threads(app, *[lambda: refund_offline(sam, payment, 2000)] * 2)
    assert sorted(type(error).__name__ for _, error in results) == ["NoneType", "RefundRefused"]
    refunded = LedgerEntry.select().where((LedgerEntry.payment == payment) & (LedgerEntry.kind == LedgerEntry.REFUND))
    assert sum(e.amount_cents for e in refunded) == 2000


def test_a_card_payment_is_not_refunded_as_handed_back(app, dana):
    _, key, _ = pay_with_card(dana, SUCCESS_CARD)
    with app.app_context(), pytest.raises(RefundRefused):
        refund_offline(sam_user(), Payment.get(Payment.key == key), 1000)
    assert not CardRefund.select().exists()


def test_refunds_need_the_billing_tab_and_the_households_own_payment(app, signed_in):
    payment = cash_payment(app)
    alex = signed_in("frontdesk@example.com")
    assert "Refund up to" not in page_text(alex.get(f"/staff/households/{smith().id}"))
    assert alex.post(refund_url(payment), data={"amount": "1.00"}).status_code == 403
    assert signed_in("parent@example.com").post(refund_url(payment), data={"amount": "1.00"}).status_code == 403
    forest = Account.get(Account.name == "Forest household")
    sam = signed_in("staff@example.com")
    assert sam.post(f"/staff/households/{forest.id}/payments/{payment.key}/refund",
                    data={"amount": "1.00"}).status_code == 404  # the Smiths' payment is not the Forests'
    assert sam.post(f"/staff/households/999999/payments/{payment.key}/refund", data={"amount": "1.00"}).status_code == 404
    assert not CardRefund.select().exists()


def test_the_household_page_keeps_its_queries_with_more_payments(app, signed_in, query_count):
    sam = signed_in("staff@example.com")
    cash_payment(app, 1000)
    _, one = query_count(sam.get, f"/staff/households/{smith().id}")
    for _ in range(4):
        cash_payment(app, 500)
    _, five = query_count(sam.get, f"/staff/households/{smith().id}")
    assert one == five
