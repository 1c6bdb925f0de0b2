"""Reminders, sent by the `send_reminders` job: a balance due before the first class, a card payment that failed,
a future absence confirmed. Each has its template pair (emails/reminder_<kind>) and its switch (ReminderSetting,
edited in Email Management, which may also give it the school's own text). Each is written once per thing it is
about: a ReminderSent row, unique by kind and subject, goes in the same transaction as the message.

"Meeting moved or cancelled" is written by the change itself (schedule/changes.py), under its switch here. Not here
yet, for want of data to act on: "waitlist seat offered" (there are no waitlist offers; the staff console brings them).
"""
import datetime

from peewee import IntegrityError, fn

from .billing.ledger import order_balances
from .clock import local_now
from .database import write_transaction
from .emails.links import site_url
from .models import (
    FutureAbsence, Guardian, Meeting, Order, OrderLine, OutboxMessage, Payment, ReminderSent, ReminderSetting, Student,
    User, utcnow,
)
from .outbox import deliver, queue_mail
from .pending.services import order_recipients
from .templating import current_company

RECENT = datetime.timedelta(days=2)  # payments and absences older than this when a switch is turned on are left be


def setting(kind):
    """(enabled, days_before) of a reminder: its stored switch, else its default."""
    stored = ReminderSetting.get_or_none(ReminderSetting.kind == kind)
    return (stored.enabled, stored.days_before) if stored else ReminderSetting.DEFAULTS[kind]


def settings():
    """{kind: (enabled, days_before)} of every reminder, in one query."""
    stored = {s.kind: (s.enabled, s.days_before) for s in ReminderSetting.select()}
    return {kind: stored.get(kind, default) for kind, default in ReminderSetting.DEFAULTS.items()}


def save_setting(kind, enabled, days_before=None):
    """Turn a reminder or any other email on or off (and, for the balance due, how many days ahead); the next run
    follows it."""
    if ReminderSetting.DEFAULTS.get(kind, (True, None))[1] is None:
        days_before = None
    with write_transaction():
        ReminderSetting.insert(kind=kind, enabled=enabled, days_before=days_before).on_conflict(
            conflict_target=[ReminderSetting.kind],
            update={ReminderSetting.enabled: enabled, ReminderSetting.days_before: days_before}).execute()


def _write_once(kind, subject, recipients, title, **context):
    """One reminder, once: the ReminderSent row and its messages in one transaction. [their message ids] (none when
    every recipient opted out), or [] when it was written before."""
    try:
        with write_transaction():
            ReminderSent.create(kind=kind, subject=subject)
            return [queue_mail(recipients, title, f"emails/reminder_{kind}", category=OutboxMessage.REMINDER,
                               company=current_company(), **context)]
    except IntegrityError:  # written already, by an earlier run or one running now
        return []


def _not_yet(kind, subjects):
    done = {r.subject for r in ReminderSent.select(ReminderSent.subject).where(
        (ReminderSent.kind == kind) & ReminderSent.subject.in_(list(subjects) or [""]))}
    return [s for s in subjects if s not in done]


def balance_due_reminders(days_before):
    """Orders still owing money whose first class is within `days_before` days (the external note included)."""
    now = local_now()
    first = (Meeting.select(Meeting.course, fn.MIN(Meeting.starts_at).alias("starts_at")).group_by(Meeting.course)
             .alias("first_meeting"))
    rows = (Order.select(Order, fn.MIN(first.c.starts_at).alias("first_class"))
            .join(OrderLine).join(first, on=(OrderLine.course == first.c.course_id))
            .where(Order.state.in_([Order.ON_ACCOUNT, Order.PENDING_PAYMENT]))
            .group_by(Order.id)
            .having(fn.MIN(first.c.starts_at).between(now, now + datetime.timedelta(days=days_before))))
    orders = {f"order:{o.id}": o for o in rows}
    balances = order_balances([o.id for o in orders.values()])
    written = []
    for subject in _not_yet(ReminderSetting.BALANCE_DUE, orders):
        order = orders[subject]
        if balances[order.id] <= 0:
            continue
        first_class = order.first_class
        if isinstance(first_class, str):  # SQLite hands back MIN() of a datetime column as text
            first_class = datetime.datetime.fromisoformat(first_class)
        link = site_url("billing.pay_balance") if order.payable_online else site_url("home.index")
        written += _write_once(ReminderSetting.BALANCE_DUE, subject, order_recipients(order),
                               f"Balance due before the first class: order #{order.number}", order=order,
                               balance=balances[order.id], first_class=first_class, link=link)
    return written


def payment_failed_reminders():
    """Card payments that failed lately: the payer hears why, and where to try again."""
    failed = {f"payment:{p.id}": p for p in Payment.select(Payment, User).join(User).where(
        (Payment.state == Payment.FAILED) & (Payment.method == Payment.CARD) & (Payment.settled_at >= utcnow() - RECENT))}
    written = []
    for subject in _not_yet(ReminderSetting.PAYMENT_FAILED, failed):
        payment = failed[subject]
        written += _write_once(ReminderSetting.PAYMENT_FAILED, subject, [payment.user.email],
                               f"Your payment to {current_company().name} did not go through", payment=payment,
                               link=site_url("billing.cart"))
    return written


def student_recipients(student):
    """The student's own login, else the primary guardians of the student's billing household."""
    if student.user_id:
        return [student.user.email]
    return [u.email for u in User.select(User.email).join(Guardian).where(
        (Guardian.account == student.billing_account_id) & Guardian.is_primary & (Guardian.status == Guardian.ACCEPTED))]


def absence_confirmed_reminders():
    """Future absences reported lately and still standing: a confirmation of what the school now knows."""
    today = local_now().date()
    absences = {f"absence:{a.id}": a for a in FutureAbsence.select(FutureAbsence, Student).join(Student).where(
        FutureAbsence.cancelled_at.is_null() & (FutureAbsence.created_at >= utcnow() - RECENT)
        & (FutureAbsence.last_day >= today))}
    written = []
    for subject in _not_yet(ReminderSetting.ABSENCE_CONFIRMED, absences):
        absence = absences[subject]
        written += _write_once(ReminderSetting.ABSENCE_CONFIRMED, subject, student_recipients(absence.student),
                               f"Absence confirmed: {absence.student.first_name}", absence=absence,
                               link=site_url("schedule.upcoming"))
    return written


def send_due_reminders():
    """Write every reminder that is due and switched on, then have them sent; {kind: reminders written}.

    Each reminder function returns [[message ids] per reminder written]."""
    scans = {ReminderSetting.BALANCE_DUE: balance_due_reminders, ReminderSetting.PAYMENT_FAILED: payment_failed_reminders,
             ReminderSetting.ABSENCE_CONFIRMED: absence_confirmed_reminders}  # a meeting change writes its own
    counts = {}
    for kind, scan in scans.items():
        enabled, days_before = setting(kind)
        if not enabled:
            continue
        written = scan(days_before or 0) if kind == ReminderSetting.BALANCE_DUE else scan()
        counts[kind] = len(written)
        deliver([message for messages in written for message in messages])
    return counts
