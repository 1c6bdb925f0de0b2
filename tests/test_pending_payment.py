"""Pending Payment: Send Bill by a subject household, the staff queue, status rules, audit, seed 001's table, no-show fees."""
import datetime
import itertools

import pytest

from conftest import page_text
from webapp.attendance.services import submit_roster
from webapp.billing.ledger import order_balances
from webapp.models import (
    Account, AbsenceReason, Attendance, Company, Course, Division, Enrollment, LedgerEntry, Meeting, Order,
    OrderStatusChange, OutboxMessage, Payment, RegistrationItem, Student, User,
)
from webapp.pending.services import (
    ENROLLMENT_TRANSITIONS, ORDER_TRANSITIONS, StatusRefused, adjust_order_status, set_enrollment_status,
)
from webapp.registration.services import options_for

LOCKED = "Pending Payment — access opens when payment is received"


def workshop():
    return Course.get(Course.name == "Safety Workshop")


def lee_enrollment():
    return Enrollment.get(student=Student.get(Student.first_name == "Lee"), course=workshop())


def buy_with_send_bill(client):
    lee = Student.get(Student.first_name == "Lee")
    assert client.post(f"/register/courses/{workshop().id}/add", data={"student": lee.id}).status_code == 303
    assert client.post("/register/send-bill", data={"po_number": "ACME-1"}).status_code == 303
    return Order.select().order_by(Order.number.desc()).get()


@pytest.fixture
def lee(signed_in):
    return signed_in("trainee@example.com")


@pytest.fixture
def sam(signed_in):
    return signed_in("staff@example.com")


@pytest.fixture
def pending_order(lee):
    return buy_with_send_bill(lee)


def subjects():
    return {(m.to, m.subject.split(":")[0]) for m in OutboxMessage.select()}


def test_send_bill_by_a_subject_trainee_goes_to_pending_payment_and_locks_the_material(lee, pending_order, outbox):
    assert pending_order.state == Order.PENDING_PAYMENT and lee_enrollment().status == Enrollment.PENDING_PAYMENT
    assert ("trainee@example.com", "Pending Payment Notification") in subjects()
    assert any(m.subject.startswith("Pending Payment Notification") for m in outbox)  # sent after the commit
    text = page_text(lee.get("/register/mine"))
    assert "Safety Workshop" in text and "Pending Payment" in text and "None" in text
    response = lee.get(f"/register/enrollments/{lee_enrollment().id}/material")
    assert response.status_code == 403 and LOCKED in page_text(response)


def test_while_pending_the_user_cannot_send_bill_or_register_again(lee, pending_order):
    ballet = Course.get(Course.name == "Ballet I")
    Course.update(division=None).where(Course.id == ballet.id).execute()
    response = lee.post(f"/register/courses/{ballet.id}/add", data={"student": lee_enrollment().student_id})
    assert response.status_code == 422 and "You have an order in Pending Payment" in page_text(response)
    RegistrationItem.create(user=User.get(User.email == "trainee@example.com"), course=ballet,
                            student=lee_enrollment().student_id)  # put there before the first order went pending
    assert "Send Bill is not available until it is paid" in page_text(lee.get("/billing/cart"))
    response = lee.post("/register/send-bill", data={"po_number": "ACME-2"})
    assert response.status_code == 422 and "Send Bill is not available until it is paid" in page_text(response)
    assert Order.select().count() == 8


def test_the_pending_seat_stays_reserved(lee, pending_order):
    assert "10 seats left" in page_text(lee.get("/register/"))


def received(**change):
    """The Mark Complete form: a check for the whole $400."""
    return {"method": "check", "reference": "CHK 552", "amount": "400.00", **change}


def test_mark_complete_registers_opens_the_material_audits_and_emails(lee, sam, pending_order, outbox):
    assert sam.post(f"/staff/pending/orders/{pending_order.number}/complete", data=received()).status_code == 303
    assert Order.get_by_id(pending_order.id).state == Order.COMPLETE and lee_enrollment().status == Enrollment.REGISTERED
    change = OrderStatusChange.select().where(OrderStatusChange.order == pending_order).order_by(OrderStatusChange.id.desc()).get()
    assert (change.from_state, change.to_state, change.changed_by.email) == ("pending_payment", "complete", "staff@example.com")
    assert {("trainee@example.com", "Order Status Adjusted"), ("staff@example.com", "Order Status Adjusted")} <= subjects()
    assert sum(m.subject.startswith("Order Status Adjusted") for m in outbox) == 2
    assert [m.to for m in outbox if m.subject.startswith("Your receipt")] == [["trainee@example.com"]]
    response = lee.get(f"/register/enrollments/{lee_enrollment().id}/material")
    assert response.status_code == 200 and "A one-day workplace safety session." in page_text(response)
    text = page_text(lee.get("/register/mine"))
    assert "Registered" in text and "View" in text
    history = page_text(sam.get(f"/staff/pending/orders/{pending_order.number}"))
    assert "Sam Ortiz" in history and "Pending Payment" in history and "Complete" in history


def test_mark_complete_records_the_payment_received_in_the_ledger(sam, pending_order):
    response = sam.post(f"/staff/pending/orders/{pending_order.number}/complete", data=received())
    assert "is now Complete." in page_text(sam.get(response.headers["Location"]))
    assert order_balances([pending_order.id])[pending_order.id] == 0
    payment = Payment.get(Payment.method == Payment.CHECK)
    assert (payment.amount_cents, payment.note, payment.user.email) == (40000, "CHK 552", "staff@example.com")
    entry = LedgerEntry.get(LedgerEntry.payment == payment)
    assert (entry.order_id, entry.amount_cents, entry.memo) == (pending_order.id, -40000, "Check payment (CHK 552)")


def test_mark_complete_for_part_of_the_balance_says_what_is_still_due(sam, pending_order):
    data = received(method="po", reference="ACME-PO-9", amount="150.00")
    response = sam.post(f"/staff/pending/orders/{pending_order.number}/complete", data=data)
    assert "is now Complete. $250.00 is still due on it." in page_text(sam.get(response.headers["Location"]))
    assert Payment.get().method == Payment.PURCHASE_ORDER


@pytest.mark.parametrize("change, field, message", [
    ({"reference": ""}, "reference", "Enter the check, transfer or PO number."),
    ({"amount": "0"}, "amount", "Enter an amount above zero."),
    ({"amount": "ten"}, "amount", "Enter an amount like 25.00."),
    ({"method": "cash"}, "method", "Choose how the payment was received."),
])
def test_mark_complete_without_a_proper_payment_is_refused_next_to_the_field(sam, pending_order, change, field, message):
    response = sam.post(f"/staff/pending/orders/{pending_order.number}/complete", data=received(**change))
    assert response.status_code == 422 and message in page_text(response)
    assert Order.get_by_id(pending_order.id).state == Order.PENDING_PAYMENT and Payment.select().count() == 0


def test_more_than_the_balance_is_refused_and_the_status_stays(sam, pending_order):
    response = sam.post(f"/staff/pending/orders/{pending_order.number}/complete", data=received(amount="400.01"))
    assert "more than the balance" in page_text(sam.get(response.headers["Location"]))
    assert Order.get_by_id(pending_order.id).state == Order.PENDING_PAYMENT and Payment.select().count() == 0


def test_the_status_and_the_payment_are_one_transaction(app, sam, pending_order, monkeypatch):
    from webapp.pending import services

    def mail_server_template_broken(*args, **kwargs):
        raise RuntimeError("audit failed after the payment was posted")

    monkeypatch.setattr(services, "record_change", mail_server_template_broken)
    with app.test_request_context(), pytest.raises(RuntimeError):
        adjust_order_status(User.get(User.email == "staff@example.com"), pending_order, Order.COMPLETE,
                            received=("check", 40000, "CHK 1"))
    assert Order.get_by_id(pending_order.id).state == Order.PENDING_PAYMENT
    assert Payment.select().count() == 0 and order_balances([pending_order.id])[pending_order.id] == 40000


def test_mark_denied_voids_the_order_charges_the_penalty_releases_the_seat_and_offers_re_purchase(lee, sam, pending_order):
    asked = sam.post(f"/staff/pending/orders/{pending_order.number}/deny", data={"penalty": "50.00"})
    assert asked.status_code == 200 and Order.get_by_id(pending_order.id).state == Order.PENDING_PAYMENT
    assert "a withdraw penalty of $50.00 is charged" in page_text(asked)
    response = sam.post(f"/staff/pending/orders/{pending_order.number}/deny", data={"penalty": "50.00", "confirm": "yes"})
    assert response.status_code == 303
    assert Order.get_by_id(pending_order.id).state == Order.DENIED
    assert lee_enrollment().status == Enrollment.PAYMENT_DENIED
    assert order_balances([pending_order.id])[pending_order.id] == 5000
    assert "11 seats left" in page_text(lee.get("/register/"))
    assert "Payment Denied" in page_text(lee.get("/register/mine")) and "Re-Purchase" in page_text(lee.get("/register/mine"))
    assert lee.post(f"/register/courses/{workshop().id}/add", data={"student": lee_enrollment().student_id}).status_code == 303


def test_a_bad_penalty_is_refused_next_to_the_field_and_nothing_changes(sam, pending_order):
    response = sam.post(f"/staff/pending/orders/{pending_order.number}/deny", data={"penalty": "lots"})
    assert response.status_code == 422 and "Enter an amount like 25.00." in page_text(response)
    assert Order.get_by_id(pending_order.id).state == Order.PENDING_PAYMENT


def test_cancelling_the_order_releases_the_seat(lee, sam, pending_order):
    asked = sam.post(f"/staff/pending/orders/{pending_order.number}/cancel", headers={"HX-Request": "true"})
    assert asked.headers["HX-Retarget"] == "#main" and f"Cancel order #{pending_order.number}?" in page_text(asked)
    assert Order.get_by_id(pending_order.id).state == Order.PENDING_PAYMENT  # asking changes nothing
    assert sam.post(f"/staff/pending/orders/{pending_order.number}/cancel", data={"confirm": "yes"}).status_code == 303
    assert lee_enrollment().status == Enrollment.CANCELLED and order_balances([pending_order.id])[pending_order.id] == 0
    assert "11 seats left" in page_text(lee.get("/register/"))


def test_the_queue_lists_pending_orders_and_filters_them(sam, pending_order):
    text = page_text(sam.get("/staff/pending/"))
    assert f"Order #{pending_order.number}" in text and "Order #1007" in text and "ACME-7731" in text
    other = Division.create(name="Other")
    assert "Order #1007" not in page_text(sam.get(f"/staff/pending/?division={other.id}"))
    ballet = Course.get(Course.name == "Ballet I")
    assert "No orders are in Pending Payment for this filter" in page_text(sam.get(f"/staff/pending/?course={ballet.id}"))
    fragment = sam.get("/staff/pending/", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in fragment and "Order #1007" in fragment


def test_a_bad_date_range_is_refused_next_to_the_field(sam):
    response = sam.get("/staff/pending/?since=2030-02-01&until=2030-01-01")
    assert response.status_code == 422 and "Pick a day on or after the first one." in page_text(response)


def test_the_queue_runs_the_same_queries_however_many_orders(sam, lee, query_count):
    sam.get("/staff/pending/")
    _, before = query_count(sam.get, "/staff/pending/")
    buy_with_send_bill(lee)
    response, after = query_count(sam.get, "/staff/pending/")
    assert page_text(response).count("Mark Complete") == 2 and after == before


@pytest.mark.parametrize("email, status", [("parent@example.com", 403), ("instructor@example.com", 403), ("trainee@example.com", 403)])
def test_the_queue_needs_staff_with_the_billing_tab(signed_in, email, status):
    client = signed_in(email)
    assert client.get("/staff/pending/").status_code == status
    assert client.post("/staff/pending/orders/1007/complete").status_code == status
    assert Order.get(Order.number == 1007).state == Order.PENDING_PAYMENT


def test_another_households_enrollment_is_404(signed_in, pending_order):
    assert signed_in("parent@example.com").get(f"/register/enrollments/{lee_enrollment().id}/material").status_code == 404


def test_settings_turn_pending_payment_off_for_a_division(sam, lee):
    acme = Division.get(Division.name == "Acme Corp")
    assert sam.post(f"/staff/pending/settings/divisions/{acme.id}", data={}).status_code == 303
    assert not Division.get_by_id(acme.id).subject_to_pending_payment
    assert "Acme Corp: not subject" in page_text(sam.get("/staff/pending/settings"))
    order = buy_with_send_bill(lee)
    assert order.state == Order.ON_ACCOUNT and lee_enrollment().status == Enrollment.REGISTERED


def test_settings_make_one_household_subject(sam, signed_in):
    smith = Account.get(Account.name == "Smith household")
    assert sam.post(f"/staff/pending/settings/households/{smith.id}", data={"subject": "y"}).status_code == 303
    dana = signed_in("parent@example.com")
    ben = Student.get(Student.first_name == "Ben")
    dana.post(f"/register/courses/{Course.get(Course.name == 'Ballet I').id}/add", data={"student": ben.id})
    dana.post("/register/send-bill", data={"po_number": "SMITH-1"})
    assert Order.select().order_by(Order.number.desc()).get().state == Order.PENDING_PAYMENT
    assert ("parent@example.com", "Pending Payment Notification") in subjects()


def test_settings_are_for_billing_staff_only(signed_in):
    acme = Division.get(Division.name == "Acme Corp")
    assert signed_in("parent@example.com").post(f"/staff/pending/settings/divisions/{acme.id}").status_code == 403
    assert Division.get_by_id(acme.id).subject_to_pending_payment


ORDER_STATES = [Order.OPEN, Order.ON_ACCOUNT, Order.PENDING_PAYMENT, Order.COMPLETE, Order.DENIED, Order.CANCELLED]


@pytest.mark.parametrize("from_state, to_state", [
    pair for pair in itertools.product(ORDER_STATES, [Order.COMPLETE, Order.DENIED, Order.CANCELLED])
    if pair[1] not in ORDER_TRANSITIONS.get(pair[0], ())])
def test_every_illegal_order_transition_is_refused_and_changes_nothing(app, from_state, to_state):
    order = Order.get(Order.number == 1007)
    Order.update(state=from_state).where(Order.id == order.id).execute()
    sam = User.get(User.email == "staff@example.com")
    with app.test_request_context(), pytest.raises(StatusRefused):
        adjust_order_status(sam, order, to_state)
    assert Order.get_by_id(order.id).state == from_state
    assert OrderStatusChange.select().where(OrderStatusChange.order == order).count() == 1


def test_marking_complete_twice_is_refused_the_second_time(app):
    order, sam = Order.get(Order.number == 1007), User.get(User.email == "staff@example.com")
    with app.test_request_context():
        adjust_order_status(sam, order, Order.COMPLETE, received=("check", 40000, "CHK 1"))
        with pytest.raises(StatusRefused):
            adjust_order_status(sam, order, Order.COMPLETE, received=("check", 40000, "CHK 1"))
    assert OrderStatusChange.select().where(OrderStatusChange.order == order).count() == 2


ENROLLMENT_STATUSES = list(Enrollment.LABELS)


@pytest.mark.parametrize("from_status, to_status", [
    pair for pair in itertools.product(ENROLLMENT_STATUSES, ENROLLMENT_STATUSES)
    if pair[1] not in ENROLLMENT_TRANSITIONS.get(pair[0], ())])
def test_every_illegal_enrollment_transition_is_refused(app, from_status, to_status):
    enrollment = Enrollment.get(student=Student.get(Student.first_name == "Riley"), course=workshop())
    Enrollment.update(status=from_status).where(Enrollment.id == enrollment.id).execute()
    enrollment = Enrollment.get_by_id(enrollment.id)
    with pytest.raises(StatusRefused):
        set_enrollment_status(enrollment, to_status)
    assert Enrollment.get_by_id(enrollment.id).status == from_status


# Seed 001's status table: situation → (Training Status, Options).
SEED_001 = [
    ("During Pending Payment", Enrollment.PENDING_PAYMENT, False, False, "Pending Payment", []),
    ("Admin Marks Payment Complete (for all LOs except ILT)", Enrollment.REGISTERED, False, False, "Registered", ["Manage/Launch"]),
    ("Admin Marks Payment Complete (ILT Session), not yet started", Enrollment.REGISTERED, True, False, "Registered", ["View"]),
    ("Admin Marks Payment Complete (ILT Session), started", Enrollment.REGISTERED, True, True, "Registered", []),
    ("No Show Fee applied", Enrollment.NO_SHOW, True, True, "No Show", []),
    ("Admin Marks Payment Denied", Enrollment.PAYMENT_DENIED, True, False, "Payment Denied", ["Re-Purchase"]),
]


@pytest.mark.parametrize("situation, status, is_session, started, training_status, options", SEED_001)
def test_seed_001_status_table(situation, status, is_session, started, training_status, options):
    enrollment = Enrollment(status=status)
    assert (enrollment.status_label, options_for(enrollment, is_session, started)) == (training_status, options)


def _session_meeting():
    return Meeting.get(Meeting.course == workshop())


def test_no_show_fees_charge_pending_users_and_no_shows_once_when_the_roster_is_submitted(app, pending_order):
    Company.update(no_show_fee_cents=7500).execute()
    riley = Enrollment.get(student=Student.get(Student.first_name == "Riley"), course=workshop())
    Enrollment.update(status=Enrollment.REGISTERED).where(Enrollment.id == riley.id).execute()
    meeting, pat = _session_meeting(), User.get(User.email == "instructor@example.com")
    Attendance.create(meeting=meeting, student=riley.student_id, status=Attendance.ABSENT, set_by_role=Attendance.BY_INSTRUCTOR,
                      reason=AbsenceReason.get(AbsenceReason.name == "No show"), set_by=pat)
    after_the_start = meeting.starts_at + datetime.timedelta(hours=1)
    submit_roster(pat, meeting, after_the_start)
    submit_roster(pat, meeting, after_the_start)
    fees = LedgerEntry.select().where(LedgerEntry.memo == "No-show fee: Safety Workshop")
    assert sorted(f.student.first_name for f in fees) == ["Lee", "Riley"] and {f.amount_cents for f in fees} == {7500}
    assert lee_enrollment().status == Enrollment.NO_SHOW and Enrollment.get_by_id(riley.id).status == Enrollment.NO_SHOW


def test_no_shows_stay_on_the_submitted_roster(app, pending_order, signed_in):
    Company.update(no_show_fee_cents=7500).execute()
    meeting, pat = _session_meeting(), User.get(User.email == "instructor@example.com")
    lee = Student.get(Student.first_name == "Lee")
    before = page_text(signed_in("staff@example.com").get(f"/classes/meetings/{meeting.id}"))
    submit_roster(pat, meeting, meeting.starts_at + datetime.timedelta(hours=1))
    assert lee_enrollment().status == Enrollment.NO_SHOW
    after = page_text(signed_in("staff@example.com").get(f"/classes/meetings/{meeting.id}"))
    assert "Lee Park" in before and "Lee Park" in after and "Mark Lee Park Present" in after  # staff may still correct it


def test_without_the_no_show_fee_preference_the_roster_charges_nothing(app, pending_order):
    meeting = _session_meeting()
    submit_roster(User.get(User.email == "instructor@example.com"), meeting, meeting.ends_at)
    assert not LedgerEntry.select().where(LedgerEntry.memo.startswith("No-show fee")).exists()
    assert lee_enrollment().status == Enrollment.PENDING_PAYMENT


def test_the_demo_has_one_pending_payment_order_in_the_queue(sam):
    text = page_text(sam.get("/staff/pending/"))
    assert text.count("Mark Complete") == 1 and "Acme Corp Logistics" in text and "PO ACME-7731" in text


def test_a_denied_orders_void_is_tagged_with_the_student_so_balances_by_student_drop_too(app):
    """The void and the penalty carry the student and location of the order's charge."""
    from webapp.models import LedgerEntry, Order, User
    from webapp.pending.services import _release_seat

    order = Order.get(Order.state == Order.PENDING_PAYMENT)
    charge = LedgerEntry.get((LedgerEntry.order == order) & (LedgerEntry.kind == LedgerEntry.CHARGE))
    _release_seat(User.get(User.email == "staff@example.com"), order, Order.DENIED, 2500)
    entries = list(LedgerEntry.select().where((LedgerEntry.order == order) & (LedgerEntry.id > charge.id)))
    assert {(e.kind, e.student_id, e.location_id) for e in entries} == {
        (LedgerEntry.VOID, charge.student_id, charge.location_id),
        (LedgerEntry.CHARGE, charge.student_id, charge.location_id)}


def test_complete_after_the_session_started_stays_registered_until_the_roster_then_only_no_shows_pay(
        app, lee, sam, pending_order):
    """Seed 001: marked Complete after the start, the user stays Registered; the roster decides No Show."""
    from zoneinfo import ZoneInfo

    meeting = _session_meeting()
    local_now = datetime.datetime.now(ZoneInfo(Company.current().timezone)).replace(tzinfo=None)
    started = local_now - datetime.timedelta(hours=1)
    Meeting.update(starts_at=started, ends_at=started + datetime.timedelta(hours=7)).where(Meeting.id == meeting.id).execute()
    Company.update(no_show_fee_cents=7500).execute()
    assert sam.post(f"/staff/pending/orders/{pending_order.number}/complete", data=received()).status_code == 303
    assert lee_enrollment().status == Enrollment.REGISTERED
    assert "Registered" in page_text(lee.get("/register/mine")) and "View" not in page_text(lee.get("/register/mine"))
    submit_roster(User.get(User.email == "instructor@example.com"), Meeting.get_by_id(meeting.id), local_now)
    assert lee_enrollment().status == Enrollment.REGISTERED  # paid and present: no fee, no No Show
    assert not LedgerEntry.select().where(LedgerEntry.memo == "No-show fee: Safety Workshop",
                                          LedgerEntry.student == lee_enrollment().student_id).exists()
