"""Registrations paid by card at checkout: order and seat placed before the gateway, Registered once paid."""
import datetime
import threading

import pytest

from billing_helpers import DECLINED_CARD, SUCCESS_CARD, TIMEOUT_CARD, charges, enter_card, on_the_card_page, pay_with_card
from webapp.gateway.sandbox import SandboxEvent
from webapp.gateway.sandbox_events import deliver_due
from conftest import page_text
from registration_helpers import course, student
from registration_helpers import register as post_registration
from webapp.billing import checkout
from webapp.billing.cart import cart_of
from webapp.billing.ledger import account_balances, student_balances
from webapp.billing.send_bill import SendBillRefused, send_bill
from webapp.access import family
from webapp.extensions import db
from webapp.gateway.sandbox import SUCCEEDS, SandboxToken
from webapp.models import (
    Company, Course, Enrollment, LedgerEntry, Location, Meeting, Order, OrderStatusChange, Payment, RegistrationItem,
    Student, User,
)
from webapp.registration.services import seats_taken


def register(client, name, first):
    response = post_registration(client, name, first)
    assert response.status_code == 303, page_text(response)
    return response


def clay_lab(capacity):
    clay = Course.create(name="Clay Lab", location=Location.get(Location.name == "Northside"), capacity=capacity,
                         price_cents=5000)
    starts = datetime.datetime.now() + datetime.timedelta(days=10)
    Meeting.create(course=clay, starts_at=starts, ends_at=starts + datetime.timedelta(hours=1))
    return clay


def enrollment(first, name):
    return Enrollment.get_or_none(student=student(first), course=course(name))


def money_state():
    """Every household's and every student's balance: what a failed checkout must leave as it was."""
    accounts = [s.billing_account_id for s in Student.select()]
    return account_balances(accounts), student_balances([s.id for s in Student.select()])


@pytest.fixture
def dana(signed_in):
    return signed_in("parent@example.com")


def test_a_registration_alone_paid_by_card_is_registered_with_its_seat_and_receipt(dana, outbox):
    register(dana, "Ballet I", "Ben")
    taken = seats_taken([course("Ballet I").id])[course("Ballet I").id]
    response, key, result = pay_with_card(dana, SUCCESS_CARD)
    assert "Receipt" in page_text(response)
    placed = Order.select().order_by(Order.number.desc()).get()
    assert placed.number == 1008 and placed.state == Order.COMPLETE and not placed.on_account
    assert [e.amount_cents for e in LedgerEntry.select().where(LedgerEntry.order == placed).order_by(LedgerEntry.id)] \
        == [24000, -24000]
    assert enrollment("Ben", "Ballet I").status == Enrollment.REGISTERED
    assert seats_taken([course("Ballet I").id])[course("Ballet I").id] == taken + 1  # the hold became the enrollment
    assert not RegistrationItem.select().exists() and charges() == 1
    assert Payment.get(Payment.key == key).amount_cents == 24000
    assert "#1008 $240.00 $0.00" in page_text(response)
    assert "Order #1008: $240.00 applied, new balance $0.00" in outbox[0].body
    assert [c.to_state for c in OrderStatusChange.select().where(OrderStatusChange.order == placed)
            .order_by(OrderStatusChange.id)] == [Order.OPEN, Order.COMPLETE]


def test_the_seat_is_held_before_the_gateway_is_called(dana):
    clay_lab(capacity=1)
    register(dana, "Clay Lab", "Amy")
    on_the_card_page(dana)  # nothing charged yet
    assert charges() == 0 and enrollment("Amy", "Clay Lab") is None
    assert seats_taken([course("Clay Lab").id])[course("Clay Lab").id] == 1
    assert "Full" in page_text(dana.get("/register/"))


def test_a_declined_card_leaves_no_enrollment_a_free_seat_and_the_registration_in_the_cart(dana):
    register(dana, "Ballet I", "Ben")
    dana.post("/billing/cart/orders/1001")
    before = money_state()
    taken = seats_taken([course("Ballet I").id])[course("Ballet I").id]
    response, key, _ = pay_with_card(dana, DECLINED_CARD)
    assert "Your card was declined." in page_text(response)
    text = page_text(dana.get("/billing/cart"))
    assert "Ballet I" in text and "Total $380.00" in text
    assert enrollment("Ben", "Ballet I") is None
    assert seats_taken([course("Ballet I").id])[course("Ballet I").id] == taken
    assert RegistrationItem.get().order_id is None and money_state() == before
    placed = Order.get(Order.number == 1008)
    assert placed.state == Order.CANCELLED  # its charge stays in the ledger, corrected by a void
    assert [(e.kind, e.amount_cents) for e in LedgerEntry.select().where(LedgerEntry.order == placed)
            .order_by(LedgerEntry.id)] == [(LedgerEntry.CHARGE, 24000), (LedgerEntry.VOID, -24000)]
    assert Payment.get(Payment.key == key).state == Payment.FAILED and charges() == 0


def test_a_checkout_left_on_the_card_page_gives_the_seat_back_when_the_payer_starts_again(dana):
    clay_lab(capacity=1)
    register(dana, "Clay Lab", "Amy")
    first = on_the_card_page(dana)[0].key
    response, second, _ = pay_with_card(dana, SUCCESS_CARD)
    assert "Receipt" in page_text(response)
    assert Payment.get(Payment.key == first).state == Payment.CANCELLED
    assert enrollment("Amy", "Clay Lab").status == Enrollment.REGISTERED and charges() == 1
    assert seats_taken([course("Clay Lab").id])[course("Clay Lab").id] == 1
    assert [o.state for o in Order.select().where(Order.number > 1007).order_by(Order.number)] \
        == [Order.CANCELLED, Order.COMPLETE]


def test_cancelling_the_checkout_frees_the_seat_for_send_bill(dana):
    clay_lab(capacity=1)
    register(dana, "Clay Lab", "Amy")
    key = on_the_card_page(dana)[0].key
    checkout.cancel(Payment.get(Payment.key == key))
    assert RegistrationItem.get().order_id is None and seats_taken([course("Clay Lab").id])[course("Clay Lab").id] == 0
    assert dana.post("/register/send-bill", data={"po_number": "PO-7"}).status_code == 303
    assert enrollment("Amy", "Clay Lab").status == Enrollment.REGISTERED


def test_send_bill_gives_back_a_card_checkout_the_user_left_unfinished(dana):
    register(dana, "Ballet I", "Ben")
    key = on_the_card_page(dana)[0].key
    assert dana.post("/register/send-bill", data={"po_number": "PO-8"}).status_code == 303
    assert Payment.get(Payment.key == key).state == Payment.CANCELLED
    assert enrollment("Ben", "Ballet I").status == Enrollment.REGISTERED


def test_a_registration_being_paid_cannot_be_billed_or_removed(app, dana, monkeypatch):
    from webapp.gateway import sandbox

    register(dana, "Ballet I", "Ben")
    payment, token = on_the_card_page(dana)
    sandbox.SandboxToken.update(outcome=sandbox.TIMES_OUT).where(sandbox.SandboxToken.token == token).execute()
    monkeypatch.setattr(sandbox, "notify", lambda: None)  # the notification is still on its way
    with app.app_context(), pytest.raises(checkout.PaymentUnsettled):
        checkout.pay(Company.current(), payment, token)  # charged, unsettled
    dana_user = User.get(User.email == "parent@example.com")
    with pytest.raises(SendBillRefused, match="being paid by card right now"):
        send_bill(Company.current(), dana_user, family(dana_user), "PO-9")
    dana.post(f"/register/cart/{RegistrationItem.get().id}/remove")
    assert RegistrationItem.select().count() == 1
    with app.app_context():
        assert deliver_due() == 1
    assert enrollment("Ben", "Ballet I").status == Enrollment.REGISTERED and charges() == 1
    assert not RegistrationItem.select().exists()


def test_a_notification_delivered_again_registers_once_and_charges_once(app, dana):
    register(dana, "Ballet I", "Ben")
    enter_card(dana, TIMEOUT_CARD)
    assert enrollment("Ben", "Ballet I") is None
    SandboxEvent.update(due_at=SandboxEvent.created_at).execute()
    with app.app_context():
        for _ in range(3):  # as if Cubby's answer had been lost each time
            deliver_due()
            SandboxEvent.update(delivered_at=None).execute()
    assert charges() == 1 and enrollment("Ben", "Ballet I").status == Enrollment.REGISTERED
    placed = Order.get(Order.number == 1008)
    assert LedgerEntry.select().where(LedgerEntry.order == placed).count() == 2 and placed.state == Order.COMPLETE


def test_one_card_payment_pays_order_balances_and_registrations_together(dana):
    dana.post("/billing/cart/orders/1001")
    register(dana, "Ballet I", "Ben")
    register(dana, "Pottery for Kids", "Amy")
    dana_user = User.get(User.email == "parent@example.com")
    assert cart_of(dana_user).total == 14000 + 24000 + 18000
    assert "Total $560.00" in page_text(dana.get("/billing/cart"))
    response, key, _ = pay_with_card(dana, SUCCESS_CARD)
    receipt = page_text(response)
    assert "#1001 $140.00 $0.00" in receipt and "#1008 $420.00 $0.00" in receipt and "Total paid $560.00" in receipt
    assert enrollment("Ben", "Ballet I").status == enrollment("Amy", "Pottery for Kids").status == Enrollment.REGISTERED
    assert "Your cart is empty." in page_text(dana.get("/billing/cart"))


def test_registrations_are_paid_in_full_even_with_partial_payments(dana):
    Company.update(partial_payment=True).execute()
    register(dana, "Ballet I", "Ben")
    response = dana.post("/billing/checkout", data={"method": "new", "amount": "100.00"})
    assert response.status_code == 422 and "Registrations are paid in full" in page_text(response)
    assert Order.select().count() == 7 and RegistrationItem.get().order_id is None


def test_a_full_course_is_refused_at_checkout_and_nothing_is_stored(dana, signed_in):
    clay_lab(capacity=1)
    register(dana, "Clay Lab", "Amy")
    chris = signed_in("partner@example.com")
    register(chris, "Clay Lab", "Ben")
    assert chris.post("/register/send-bill", data={"po_number": "PO-1"}).status_code == 303
    response = dana.post("/billing/checkout", data={"method": "new"})
    assert response.status_code == 422 and "Clay Lab filled up meanwhile; nothing was charged." in page_text(response)
    assert Order.select().count() == 8 and Payment.select().count() == 0 and RegistrationItem.select().count() == 1


def test_two_guardians_paying_the_last_seat_at_once_exactly_one_succeeds(app, dana, signed_in):
    clay_lab(capacity=1)
    register(dana, "Clay Lab", "Amy")
    register(signed_in("partner@example.com"), "Clay Lab", "Ben")
    company = Company.current()
    users = [User.get(User.email == e) for e in ("parent@example.com", "partner@example.com")]
    tokens = [SandboxToken.create(token=f"tok_{u.id}", brand="Visa", last4="4242", exp_month=12, exp_year=2039,
                                  outcome=SUCCEEDS).token for u in users]
    db.close()
    barrier, paid, refused, errors = threading.Barrier(2), [], [], []

    def check_out(user, token):
        with app.app_context():
            try:
                barrier.wait()
                payment, _ = checkout.start_checkout(company, user)
                paid.append(checkout.pay(company, payment, token)[0])
            except checkout.CheckoutRefused as error:
                refused.append(str(error))
            except Exception as error:  # noqa: BLE001 (reported below)
                errors.append(error)
            finally:
                db.close()

    threads = [threading.Thread(target=check_out, args=pair) for pair in zip(users, tokens)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert errors == [] and len(paid) == 1 and refused == ["Clay Lab filled up meanwhile; nothing was charged."]
    clay = course("Clay Lab")
    assert Enrollment.select().where((Enrollment.course == clay) & Enrollment.status.in_(Enrollment.ACTIVE)).count() == 1
    assert seats_taken([clay.id])[clay.id] == 1 and charges() == 1
    assert RegistrationItem.select().count() == 1 and RegistrationItem.get().order_id is None  # the loser's cart kept
    assert Payment.select().count() == 1 and paid[0].state == Payment.SUCCEEDED


def test_the_header_cart_count_includes_registrations(dana):
    dana.post("/billing/cart/orders/1001")
    assert "Cart (1)" in dana.get("/home").get_data(as_text=True)
    register(dana, "Ballet I", "Ben")
    assert "Cart (2)" in dana.get("/home").get_data(as_text=True)
