"""The audit of staff money actions (issue 13.10): an order put on account, an offline payment, a void, a refund
(handed back, or to the card once the provider answers) and an order's status adjusted each record who did what in
the transaction that writes it, on the household's Changes list for staff who may bill; a refused one records
nothing, and nobody else sees them."""
import pytest

from billing_helpers import SUCCESS_CARD, balances, dana, pay_with_card  # noqa: F401 (dana is a fixture)
from conftest import page_text
from test_household_refunds import cash_payment, refund_url
from test_household_voids import void_url
from test_pending_payment import buy_with_send_bill, received
from test_staff_audit import SAM, audit_cannot_be_written, changes_section
from test_staff_billing import new_order_form
from webapp.gateway import GatewayTimeout, provider_named
from webapp.models import Account, CardRefund, Order, Payment, StaffChange

ALEX = "frontdesk@example.com"


def household_changes(client, name="Smith household"):
    return changes_section(client.get(f"/staff/households/{Account.get(Account.name == name).id}"))


def test_an_order_put_on_account_shows_on_the_household(signed_in):
    sam = signed_in(SAM)
    assert sam.post("/staff/billing/orders/new", data=new_order_form()).status_code == 303
    assert ("Sam Ortiz created Order #1008, on account, may pay online: $90.00 For: Recital costume; Recital costume"
            in household_changes(sam))


@pytest.mark.parametrize("overrides", [{"lines-0-amount": "0"}, {"lines-0-amount": "99999999999"}])
def test_an_order_refused_records_nothing(signed_in, overrides):
    assert signed_in(SAM).post("/staff/billing/orders/new", data=new_order_form(**overrides)).status_code == 422
    assert not StaffChange.select().exists()


def test_the_grandparents_payment_shows_on_both_households(signed_in):
    sam, forest = signed_in(SAM), Account.get(Account.name == "Forest household")
    assert sam.post("/staff/billing/payments/new", data={"order_number": "1003", "payer": forest.id, "amount": "35.00",
                                                         "method": "check", "note": "CHK 88"}).status_code == 303
    shown = ("Sam Ortiz took a payment Order #1003 balance: $35.00 → $0.00 Check from Forest household: $35.00 "
             "Note: CHK 88")
    assert shown in household_changes(sam) and shown in household_changes(sam, "Forest household")


@pytest.mark.parametrize("amount, number", [("35.01", "1003"), ("0", "1003"), ("10.00", "9999")])
def test_an_offline_payment_refused_records_nothing(signed_in, amount, number):
    sam, smith = signed_in(SAM), Account.get(Account.name == "Smith household")
    answer = sam.post("/staff/billing/payments/new", data={"order_number": number, "payer": smith.id, "amount": amount,
                                                           "method": "cash"})
    assert answer.status_code == 422 and not StaffChange.select().exists()


def test_a_void_shows_the_balance_before_and_after_with_the_reason(signed_in):
    sam = signed_in(SAM)
    assert sam.post(void_url(1002), data={"amount": "30.00", "reason": "Sibling discount"}).status_code == 303
    assert "Sam Ortiz voided Order #1002 balance: $180.00 → $150.00 Reason: Sibling discount" in household_changes(sam)


@pytest.mark.parametrize("amount", ["180.01", "0", "free"])
def test_a_void_refused_records_nothing(signed_in, amount):
    assert signed_in(SAM).post(void_url(1002), data={"amount": amount}).status_code == 422
    assert not StaffChange.select().exists()


def test_a_check_handed_back_shows_on_the_household(app, signed_in):
    payment, sam = cash_payment(app), signed_in(SAM)
    assert sam.post(refund_url(payment), data={"amount": "15.00", "reason": "Trip cancelled"}).status_code == 303
    changes = household_changes(sam)
    assert "Sam Ortiz refunded Check payment handed back: $15.00 Reason: Trip cancelled" in changes
    assert "Sam Ortiz took a payment Order #1003 balance: $35.00 → $0.00" in changes  # the service's caller, named


@pytest.mark.parametrize("amount", ["35.01", "0"])
def test_a_refund_refused_records_nothing_new(app, signed_in, amount):
    payment, sam = cash_payment(app), signed_in(SAM)
    before = StaffChange.select().count()
    assert sam.post(refund_url(payment), data={"amount": amount}).status_code == 422
    assert StaffChange.select().count() == before


def test_a_card_refund_shows_once_the_provider_has_made_it(dana, signed_in):
    _, key, _ = pay_with_card(dana, SUCCESS_CARD)
    payment, sam = Payment.get(Payment.key == key), signed_in(SAM)
    assert sam.post(refund_url(payment), data={"amount": "10.00"}).status_code == 303
    assert sam.post(f"/staff/billing/card-payments/{key}/refund", data={"amount": "5.00"}).status_code == 303
    changes = household_changes(sam)
    assert "Sam Ortiz refunded Card payment refunded to Visa ending 4242: $5.00" in changes
    assert "Sam Ortiz refunded Card payment refunded to Visa ending 4242: $10.00" in changes


def test_a_card_refund_left_unanswered_is_recorded_as_sams_when_reconciliation_finishes_it(app, dana, signed_in,
                                                                                            monkeypatch):
    from webapp.billing.refunds import finish_requested_refunds

    _, key, _ = pay_with_card(dana, SUCCESS_CARD)
    payment, sam = Payment.get(Payment.key == key), signed_in(SAM)
    provider = type(provider_named(payment.gateway))
    refund = provider.refund

    def network_down(self, *args, **kwargs):
        raise GatewayTimeout("no answer")

    monkeypatch.setattr(provider, "refund", network_down)
    answer = sam.post(refund_url(payment), data={"amount": "10.00"})
    assert answer.status_code == 422 and "do not refund it again" in page_text(answer)
    assert CardRefund.get().state == CardRefund.REQUESTED and not StaffChange.select().exists()  # nothing made yet
    monkeypatch.setattr(provider, "refund", refund)
    with app.app_context():  # the worker: nobody is signed in
        assert finish_requested_refunds(older_than_minutes=0) == 1
    assert "Sam Ortiz refunded Card payment refunded to Visa ending 4242: $10.00" in household_changes(sam)


def test_a_card_refund_the_provider_declines_records_nothing(dana, signed_in):
    _, key, _ = pay_with_card(dana, SUCCESS_CARD)
    payment, sam = Payment.get(Payment.key == key), signed_in(SAM)
    from webapp.gateway.sandbox import SandboxCharge

    SandboxCharge.update(refunded_cents=SandboxCharge.amount_cents).execute()  # refunded in the dashboard meanwhile
    answer = sam.post(refund_url(payment), data={"amount": "10.00"})
    assert answer.status_code == 422 and "Nothing was refunded." in page_text(answer)
    assert not StaffChange.select().exists()


def test_a_pending_order_marked_complete_shows_its_status_and_the_payment(signed_in):
    order, sam = buy_with_send_bill(signed_in("trainee@example.com")), signed_in(SAM)
    assert sam.post(f"/staff/pending/orders/{order.number}/complete", data=received()).status_code == 303
    changes = household_changes(sam, "Acme Corp Training")
    assert (f"Sam Ortiz adjusted Order #{order.number} status: Pending Payment → Complete "
            "Note: Check CHK 552: $400.00 received") in changes
    assert "took a payment" not in changes  # the status change says it, once


def test_a_pending_order_denied_or_cancelled_shows_it(signed_in):
    lee, sam = signed_in("trainee@example.com"), signed_in(SAM)
    order = buy_with_send_bill(lee)
    assert sam.post(f"/staff/pending/orders/{order.number}/deny", data={"penalty": "25.00", "confirm": "yes"}
                    ).status_code == 303
    assert (f"Sam Ortiz adjusted Order #{order.number} status: Pending Payment → Denied Note: Withdraw penalty 25.00"
            in household_changes(sam, "Acme Corp Training"))
    assert sam.post("/staff/pending/orders/1007/cancel", data={"confirm": "yes"}).status_code == 303
    assert "Order #1007 status: Pending Payment → Cancelled" in household_changes(sam, "Acme Corp Logistics")


def test_a_status_change_refused_records_nothing(signed_in):
    order, sam = buy_with_send_bill(signed_in("trainee@example.com")), signed_in(SAM)
    assert sam.post(f"/staff/pending/orders/{order.number}/complete", data=received(amount="400.01")
                    ).status_code in (303, 422)
    cancelled = sam.post("/staff/pending/orders/1004/cancel", data={"confirm": "yes"})  # #1004 is paid: refused
    assert cancelled.status_code == 303
    assert Order.get(Order.number == order.number).state == Order.PENDING_PAYMENT
    assert not StaffChange.select().exists()


def test_money_changes_are_for_staff_who_may_bill(signed_in):
    signed_in(SAM).post(void_url(1002), data={"amount": "30.00", "reason": "Sibling discount"})
    assert "Sibling discount" not in household_changes(signed_in(ALEX))
    for email in ("parent@example.com", "partner@example.com", "instructor@example.com"):
        response = signed_in(email).get(f"/staff/households/{Account.get(Account.name == 'Smith household').id}")
        assert response.status_code == 403 and "Sibling discount" not in page_text(response)


def test_the_record_and_the_money_are_one_transaction(signed_in, monkeypatch):
    sam = signed_in(SAM)
    audit_cannot_be_written(monkeypatch)
    with pytest.raises(RuntimeError):
        sam.post(void_url(1002), data={"amount": "30.00"})
    assert balances(1002) == {1002: 18000}  # no void without its record


def test_pending_payment_switched_for_a_household_or_a_division_shows_on_its_page(signed_in):
    from webapp.models import Division

    sam, acme = signed_in(SAM), Division.get(Division.name == "Acme Corp")
    smith = Account.get(Account.name == "Smith household")
    assert sam.post(f"/staff/pending/settings/households/{smith.id}", data={"subject": "y"}).status_code == 303
    assert sam.post(f"/staff/pending/settings/households/{smith.id}", data={"subject": "y"}).status_code == 303
    assert sam.post(f"/staff/pending/settings/divisions/{acme.id}", data={}).status_code == 303
    assert household_changes(sam).count("Sam Ortiz changed Subject to pending payment: No → Yes") == 1  # once
    assert ("Sam Ortiz changed Subject to pending payment: Yes → No"
            in changes_section(sam.get(f"/staff/divisions/{acme.id}")))
    assert sam.post("/staff/pending/settings/households/999999", data={"subject": "y"}).status_code == 404
    assert StaffChange.select().count() == 2
