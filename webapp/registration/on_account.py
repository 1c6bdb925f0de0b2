"""Registrations put on account on the family's behalf: the seat, the order and its charge in one transaction."""
from ..billing.charges import ChargeRefused, check_max_unpaid_balance, next_order_number
from ..billing.ledger import lock_households
from ..database import write_transaction
from ..models import Enrollment, LedgerEntry, Order, OrderLine
from ..pending.services import record_change
from .services import RegistrationRefused, enroll


def register_on_account(company, user, course, student, channel, note):
    """Register the student (the seat claimed under the course lock) and put the course's price on account as one order."""
    account_id = student.billing_account_id
    try:
        with write_transaction():
            # The household first, then the course (as Send Bill does), so two registrations never wait crosswise.
            lock_households([account_id])
            if course.price_cents:
                check_max_unpaid_balance(company, account_id, [(student.id, course.price_cents)])
            enrollment = enroll(course, student, Enrollment.REGISTERED)
            order = _order_on_account(user, course, student, channel, note) if course.price_cents else None
    except ChargeRefused as refused:
        raise RegistrationRefused(str(refused)) from None
    return enrollment, order


def _order_on_account(user, course, student, channel, note):
    """Inside the transaction: the order on account with its one line and its charge, tagged like a card checkout's."""
    order = Order.create(number=next_order_number(), account=student.billing_account_id, channel=channel,
                         created_by=user, state=Order.ON_ACCOUNT, on_account=True)
    OrderLine.create(order=order, description=course.name, amount_cents=course.price_cents, student=student,
                     course=course)
    LedgerEntry.create(account=student.billing_account_id, kind=LedgerEntry.CHARGE, amount_cents=course.price_cents,
                       order=order, student=student, location=course.location_id, memo=course.name, created_by=user)
    record_change(order, "", Order.ON_ACCOUNT, user, note, notify=False)
    return order
