"""Pending Payment: the order and enrollment status rules, staff adjustments with their audit, no-show fees."""
from ..audit import audit, before_change, record_billing, with_notes
from ..database import locked, write_transaction
from ..models import (
    Account, AbsenceReason, Attendance, Enrollment, Guardian, LedgerEntry, Order, OrderLine, OrderStatusChange, Payment,
    PurchaseOrder, Student, User,
)
from ..emails.catalogue import ADJUSTER, PURCHASER, USER, chosen_recipients
from ..outbox import deliver, queue_mail
from ..billing.ledger import lock_households, order_balances, order_tags

STATUS_ADJUSTED = "Order Status Adjusted"
PENDING_NOTIFICATION = "Pending Payment Notification"
NO_SHOW_REASON = "No show"

# Which order status may follow which; anything else is refused.
ORDER_TRANSITIONS = {
    Order.PENDING_PAYMENT: {Order.COMPLETE, Order.DENIED, Order.CANCELLED},
    Order.ON_ACCOUNT: {Order.CANCELLED},
}
# What the order's enrollments become with it.
ENROLLMENT_FOR_ORDER = {
    Order.COMPLETE: Enrollment.REGISTERED,
    Order.DENIED: Enrollment.PAYMENT_DENIED,
    Order.CANCELLED: Enrollment.CANCELLED,
}
ENROLLMENT_TRANSITIONS = {
    Enrollment.PENDING_PAYMENT: {Enrollment.REGISTERED, Enrollment.PAYMENT_DENIED, Enrollment.CANCELLED,
                                 Enrollment.NO_SHOW},
    Enrollment.REGISTERED: {Enrollment.NO_SHOW, Enrollment.CANCELLED, Enrollment.DROPPED},
    # Re-Purchase, or a registration after a cancellation or from the waitlist.
    Enrollment.PAYMENT_DENIED: {Enrollment.PENDING_PAYMENT, Enrollment.REGISTERED},
    Enrollment.CANCELLED: {Enrollment.PENDING_PAYMENT, Enrollment.REGISTERED},
    Enrollment.DROPPED: {Enrollment.PENDING_PAYMENT, Enrollment.REGISTERED},
    Enrollment.WAITLISTED: {Enrollment.PENDING_PAYMENT, Enrollment.REGISTERED, Enrollment.CANCELLED},
}


class StatusRefused(Exception):
    """The status change is not allowed from the current status; the message says why."""


def label(state):
    """An order status in words."""
    return state.replace("_", " ").title()


def subject_to_pending_payment(account):
    """The household, or its division, is subject to Pending Payment."""
    return bool(account.subject_to_pending_payment or (account.division and account.division.subject_to_pending_payment))


def has_pending_payment(account_ids):
    """One of these households has an order still in Pending Payment (no more Send Bill or registrations)."""
    return Order.select().where(Order.account.in_(account_ids) & (Order.state == Order.PENDING_PAYMENT)).exists()


def set_enrollment_status(enrollment, to_status):
    """Inside a write transaction: move one enrollment on, if its current status allows it."""
    if to_status not in ENROLLMENT_TRANSITIONS.get(enrollment.status, ()):
        raise StatusRefused(f"{enrollment.status_label} cannot become {Enrollment.LABELS[to_status]}.")
    changed = Enrollment.update(status=to_status).where(
        (Enrollment.id == enrollment.id) & (Enrollment.status == enrollment.status)).execute()
    if not changed:
        raise StatusRefused("The enrollment changed meanwhile; look again.")
    enrollment.status = to_status


def order_enrollments(order):
    """The enrollments an order's lines bought (same student and course)."""
    return list(Enrollment.select().join(OrderLine, on=(
        (OrderLine.student == Enrollment.student) & (OrderLine.course == Enrollment.course))).where(OrderLine.order == order))


def order_recipients(order, adjuster=None, chosen=(USER, PURCHASER, ADJUSTER)):
    """The students' own users (else the household's primary guardians), the purchaser, and the adjuster: those of
    them `chosen` (Email Management's recipients of the billing emails)."""
    people = _order_users(order) if USER in chosen else []
    purchase = PurchaseOrder.get_or_none(PurchaseOrder.order == order) if PURCHASER in chosen else None
    if purchase and purchase.purchaser_id:
        people.append(purchase.purchaser.email)
    if adjuster and ADJUSTER in chosen:
        people.append(adjuster.email)
    return people


def billing_email_recipients(key, order, adjuster=None):
    """Whom a billing email of this kind goes to: the recipients staff chose for it, and its fixed address."""
    chosen, fixed = chosen_recipients(key)
    return order_recipients(order, adjuster, chosen) + fixed


def _order_users(order):
    """The order's students' own logins, else its household's primary guardians."""
    students = Student.select(Student.user).join(OrderLine, on=(OrderLine.student == Student.id)).where(
        (OrderLine.order == order) & Student.user.is_null(False))
    people = [u.email for u in User.select(User.email).where(User.id.in_(students))]
    if not people:
        people = [u.email for u in User.select(User.email).join(Guardian).where(
            (Guardian.account == order.account_id) & Guardian.is_primary)]
    return people


def record_change(order, from_state, to_state, user, note="", notify=True):
    """Inside a write transaction: the audit row and (for a change) the "Order Status Adjusted" emails."""
    OrderStatusChange.create(order=order, from_state=from_state, to_state=to_state, changed_by=user, note=note)
    if not notify:
        return []
    return queue_mail(billing_email_recipients("status_adjusted", order, user if user and user.role == User.STAFF
                                               else None),
                      f"{STATUS_ADJUSTED}: order #{order.number}", "emails/status_adjusted",
                      order=order, from_label=label(from_state) if from_state else "New", to_label=label(to_state),
                      note=note)


def _locked_order(order):
    query = Order.select().where(Order.id == order.id)
    return locked(query).get()


def adjust_order_status(staff, order, to_state, penalty_cents=0, received=None):
    """Staff: Mark Complete (with the payment received), Mark Denied (optional withdraw penalty) or Cancel;
    audited and emailed. `received` is (method, cents, reference): Complete means the payment is in (seed 001)."""
    if penalty_cents < 0 or (penalty_cents and to_state != Order.DENIED):
        raise StatusRefused("A withdraw penalty goes only with Mark Denied, and is not below zero.")
    with write_transaction():
        lock_households([order.account_id])
        current = _locked_order(order)
        if to_state not in ORDER_TRANSITIONS.get(current.state, ()):
            raise StatusRefused(f"Order #{current.number} is {label(current.state)}; it cannot become {label(to_state)}.")
        Order.update(state=to_state, on_account=to_state != Order.CANCELLED and current.on_account).where(
            (Order.id == current.id) & (Order.state == current.state)).execute()
        for enrollment in order_enrollments(current):
            if ENROLLMENT_FOR_ORDER[to_state] in ENROLLMENT_TRANSITIONS.get(enrollment.status, ()):
                set_enrollment_status(enrollment, ENROLLMENT_FOR_ORDER[to_state])
        if to_state == Order.COMPLETE:
            note, ids = _record_received(staff, current, received)
        else:
            note, ids = _release_seat(staff, current, to_state, penalty_cents), []
        ids += record_change(current, current.state, to_state, staff, note)
        status = {f"order #{current.number} status": [label(current.state), label(to_state)]}
        record_billing([current.account_id], with_notes(status, note=note), "adjusted", by=staff)
    deliver(ids)
    return Order.get_by_id(order.id)


def _record_received(staff, order, received):
    """The payment that makes the order Complete, posted in the same transaction. Returns (note, receipt ids)."""
    from ..billing.charges import ChargeRefused, post_offline_payment

    if not order_balances([order.id])[order.id]:
        return "", []
    if received is None:
        raise StatusRefused(f"Record the payment received for order #{order.number} to mark it complete.")
    method, cents, reference = received
    try:
        _, ids = post_offline_payment(staff, order, order.account_id, cents, method, reference)
    except ChargeRefused as refused:
        raise StatusRefused(str(refused)) from None
    from ..templating import money

    return f"{Payment.OFFLINE_LABELS[method]} {reference}: {money(cents)} received", ids


def _release_seat(staff, order, to_state, penalty_cents):
    """Void what the order still owes (the seat is released) and charge the withdraw penalty."""
    balance = order_balances([order.id])[order.id]
    return write_off(staff, order, balance, f"Order #{order.number} {label(to_state)}", penalty_cents)


def write_off(user, order, void_cents, memo, penalty_cents):
    """Inside a write transaction holding the household: void that much of the order and charge the penalty."""
    student_id, location_id = order_tags([order]).get(order.id, (None, None))
    tags = dict(account=order.account_id, order=order, student=student_id, location=location_id, created_by=user)
    if void_cents > 0:  # tagged like the charge, so a student's balance (balance mode "by student") drops too
        LedgerEntry.create(kind=LedgerEntry.VOID, amount_cents=-void_cents, memo=memo, **tags)
    if penalty_cents:
        LedgerEntry.create(kind=LedgerEntry.CHARGE, amount_cents=penalty_cents, memo="Withdraw penalty", **tags)
        return f"Withdraw penalty {penalty_cents / 100:.2f}"
    return ""


def charge_no_show_fees(company, meeting, instructor):
    """Inside the roster's write transaction: charge the no-show fee once per enrollment in a dated session.

    Charged to students still in Pending Payment and to students marked No show; each becomes No Show, and
    No Show cannot become No Show again, so submitting twice never charges twice.
    """
    course = meeting.course
    if not company.no_show_fee_cents or course.kind != course.SESSION:
        return []
    no_shows = Attendance.select(Attendance.student).join(AbsenceReason).where(
        (Attendance.meeting == meeting) & (AbsenceReason.name == NO_SHOW_REASON))
    enrollments = Enrollment.select(Enrollment, Student, Account).join(Student).join(Account).where(
        (Enrollment.course == course) & ((Enrollment.status == Enrollment.PENDING_PAYMENT)
                                         | ((Enrollment.status == Enrollment.REGISTERED) & Enrollment.student.in_(no_shows))))
    charged = []
    for enrollment in enrollments:
        set_enrollment_status(enrollment, Enrollment.NO_SHOW)
        LedgerEntry.create(account=enrollment.student.billing_account_id, kind=LedgerEntry.CHARGE,
                           amount_cents=company.no_show_fee_cents, student=enrollment.student_id,
                           location=course.location_id, memo=f"No-show fee: {course.name}", created_by=instructor)
        charged.append(enrollment)
    return charged


def set_subject_to_pending_payment(model, object_id, subject):
    """Staff: turn Pending Payment on or off for one division or household (on its Changes list); False when there
    is none."""
    with write_transaction():
        row = model.get_or_none(model.id == object_id)
        if row is None:
            return False
        before = before_change(row, ["subject_to_pending_payment"])
        model.update(subject_to_pending_payment=subject).where(model.id == object_id).execute()
        audit(row, before, {"subject_to_pending_payment": subject})
        return True
