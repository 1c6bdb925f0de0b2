"""Reminders: each written once for what it is about, by the job directly or through the queue, with its own
switch; a balance due before the first class (with the order's external note), a failed card payment, a future
absence confirmed. Opt-outs are honoured; each carries List-Unsubscribe."""
import datetime

import pytest

from billing_helpers import DECLINED_CARD, dana, pay_with_card  # noqa: F401 (dana is a fixture)
from conftest import page_text, school_today
from webapp import jobs
from webapp.billing.charges import create_order
from webapp.clock import local_now
from webapp.emails.opt_outs import opt_out_of_email
from webapp.models import (
    AbsenceReason, Account, Company, Course, FutureAbsence, Location, Meeting, OrderLine, OutboxMessage,
    ReminderSent, ReminderSetting, Student, User,
)
from webapp.reminders import send_due_reminders


def sent_to(outbox, start):
    return [(m.to, m.subject) for m in outbox if m.subject.startswith(start)]


@pytest.fixture
def due_in_two_days(app):
    """A new course whose first class is in two days, and a box-office order for it owing $90.00, with a note."""
    with app.app_context():
        now = local_now()
        course = Course.create(name="Clay Wheel", location=Location.get(Location.name == "Northside"), capacity=8,
                               price_cents=9000)
        for week in range(3):
            starts = now + datetime.timedelta(days=2 + 7 * week)
            Meeting.create(course=course, starts_at=starts, ends_at=starts + datetime.timedelta(hours=1))
        sam, smith = User.get(User.email == "staff@example.com"), Account.get(Account.name == "Smith household")
        order = create_order(Company.current(), sam, smith, [("Clay Wheel for Ben", 9000, Student.get(
            Student.first_name == "Ben"))], payable_online=True, external_note="Bring an apron to the first class")
        OrderLine.update(course=course).where(OrderLine.order == order).execute()
    return order


def test_a_balance_due_before_the_first_class_is_reminded_once(app, outbox, due_in_two_days):
    with app.app_context():
        assert send_due_reminders()[ReminderSetting.BALANCE_DUE] == 1
        assert send_due_reminders()[ReminderSetting.BALANCE_DUE] == 0  # written once
    (email,) = [m for m in outbox if m.subject.startswith("Balance due")]
    assert email.to == ["parent@example.com"]
    assert email.subject == f"Balance due before the first class: order #{due_in_two_days.number}"
    assert "still owes $90.00" in email.body and "Bring an apron to the first class" in email.body
    assert "/billing/pay-balance" in email.body
    html = email.alternatives[0][0]
    assert "Bring an apron to the first class" in html and "Pay $90.00 online" in html
    assert email.extra_headers["List-Unsubscribe"].startswith("<http") and "Unsubscribe from reminders" in html


def test_no_reminder_when_paid_or_too_early_or_switched_off(app, outbox, due_in_two_days):
    ReminderSetting.update(days_before=1).where(ReminderSetting.kind == ReminderSetting.BALANCE_DUE).execute()
    with app.app_context():
        assert send_due_reminders()[ReminderSetting.BALANCE_DUE] == 0  # the first class is two days away
    ReminderSetting.update(days_before=3, enabled=False).where(ReminderSetting.kind == ReminderSetting.BALANCE_DUE).execute()
    with app.app_context():
        assert ReminderSetting.BALANCE_DUE not in send_due_reminders()
    ReminderSetting.update(enabled=True).execute()
    from webapp.billing.charges import record_offline_payment

    with app.app_context():
        record_offline_payment(User.get(User.email == "staff@example.com"), due_in_two_days,
                               Account.get(Account.name == "Smith household"), 9000, "cash")
        assert send_due_reminders()[ReminderSetting.BALANCE_DUE] == 0
    assert not sent_to(outbox, "Balance due")


def test_on_the_demo_only_amys_family_emergency_is_confirmed(app, outbox):
    with app.app_context():
        assert send_due_reminders() == {ReminderSetting.BALANCE_DUE: 0, ReminderSetting.PAYMENT_FAILED: 0,
                                        ReminderSetting.ABSENCE_CONFIRMED: 1}  # the demo orders' classes began
    assert [(m.to, m.subject) for m in outbox] == [(["parent@example.com"], "Absence confirmed: Amy")]


def test_a_failed_card_payment_is_reminded_to_the_payer(app, dana, outbox):
    pay_with_card(dana, DECLINED_CARD)
    with app.app_context():
        assert jobs.send_reminders.call_local()[ReminderSetting.PAYMENT_FAILED] == 1  # the job, directly
    (email,) = [m for m in outbox if "did not go through" in m.subject]
    assert email.to == ["parent@example.com"] and "Your card was declined." in email.body
    assert "/billing/cart" in email.body
    jobs.send_reminders()  # through the queue, in immediate mode: nothing new
    assert len([m for m in outbox if "did not go through" in m.subject]) == 1


def test_a_future_absence_is_confirmed_and_a_cancelled_one_is_not(app, outbox):
    today = school_today()
    amy, ben = Student.get(Student.first_name == "Amy"), Student.get(Student.first_name == "Ben")
    sick = AbsenceReason.get(AbsenceReason.name == "Sick")
    dana_user = User.get(User.email == "parent@example.com")
    FutureAbsence.update(created_at=datetime.datetime(2020, 1, 1)).execute()  # the demo's: reported long ago
    FutureAbsence.create(student=amy, reason=sick, first_day=today + datetime.timedelta(days=3),
                         last_day=today + datetime.timedelta(days=5), created_by=dana_user)
    FutureAbsence.create(student=ben, reason=sick, first_day=today + datetime.timedelta(days=3),
                         last_day=today + datetime.timedelta(days=3), created_by=dana_user,
                         cancelled_at=datetime.datetime.now())
    jobs.send_reminders()
    assert sent_to(outbox, "Absence confirmed") == [(["parent@example.com"], "Absence confirmed: Amy")]
    body = [m for m in outbox if m.subject == "Absence confirmed: Amy"][0].body
    assert "Amy will be away" in body and "(Sick)" in body and "/schedule/" in body


def test_an_opted_out_address_gets_no_reminder_and_it_is_not_written_again(app, dana, outbox):
    pay_with_card(dana, DECLINED_CARD)
    with app.app_context():
        opt_out_of_email("parent@example.com")
        assert send_due_reminders()[ReminderSetting.PAYMENT_FAILED] == 1
        assert send_due_reminders()[ReminderSetting.PAYMENT_FAILED] == 0
    assert not [m for m in outbox if "did not go through" in m.subject]
    assert ReminderSent.select().where(ReminderSent.kind == ReminderSetting.PAYMENT_FAILED).count() == 1
    assert not OutboxMessage.select().where(
        OutboxMessage.category == OutboxMessage.REMINDER).exists()


def test_email_management_switches_a_reminder_off_and_on_for_the_next_run(app, signed_in, outbox):
    sam = signed_in("staff@example.com")
    page = page_text(sam.get("/staff/emails"))
    for label in ReminderSetting.LABELS.values():
        assert f"Send “{label}”" in page
    kind = ReminderSetting.ABSENCE_CONFIRMED
    assert sam.post(f"/staff/emails/{kind}", data={}).status_code == 303  # the box unticked: off
    assert "“A future absence confirmed” is off." in page_text(sam.get("/staff/emails"))
    with app.app_context():
        assert kind not in send_due_reminders()
    assert sam.post(f"/staff/emails/{kind}", data={f"{kind}-enabled": "y"}).status_code == 303
    with app.app_context():
        assert send_due_reminders()[kind] == 1


def test_email_management_sets_how_many_days_ahead_the_balance_reminder_goes(signed_in):
    sam = signed_in("staff@example.com")
    kind = ReminderSetting.BALANCE_DUE
    sam.post(f"/staff/emails/{kind}", data={f"{kind}-enabled": "y", f"{kind}-days_before": "7"})
    stored = ReminderSetting.get(ReminderSetting.kind == kind)
    assert (stored.enabled, stored.days_before) == (True, 7)
    for days, message in (("", "Enter how many days before the first class."),
                          ("61", "Use a number of days from 0 to 60."), ("x" * 10_000, "Enter a whole number of days.")):
        for headers in ({}, {"HX-Request": "true"}):
            refused = sam.post(f"/staff/emails/{kind}", data={f"{kind}-enabled": "", f"{kind}-days_before": days},
                               headers=headers)
            html = refused.get_data(as_text=True)
            assert refused.status_code == 422 and message in html, days
            assert html.index(message) > html.index(f'id="{kind}-days_before"')
    stored = ReminderSetting.get(ReminderSetting.kind == kind)
    assert (stored.enabled, stored.days_before) == (True, 7)


def test_only_staff_manage_emails_and_an_unknown_one_is_a_404(signed_in):
    for email in ("parent@example.com", "instructor@example.com"):
        client = signed_in(email)
        assert client.get("/staff/emails").status_code == 403
        assert client.post(f"/staff/emails/{ReminderSetting.PAYMENT_FAILED}", data={}).status_code == 403
    assert ReminderSetting.get(ReminderSetting.kind == ReminderSetting.PAYMENT_FAILED).enabled
    assert signed_in("staff@example.com").post("/staff/emails/no_such_email", data={}).status_code == 404
