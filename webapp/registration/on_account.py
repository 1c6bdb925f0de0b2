"""Registrations made on the family's behalf (staff at the desk, instructors from their classes): the seat, the order
and its charge in one transaction."""
from ..billing.charges import ChargeRefused, post_order
from ..billing.ledger import lock_households
from ..database import write_transaction
from ..models import Enrollment, Order
from ..pending.services import record_change
from .services import RegistrationRefused, enroll


def register_with_order(company, user, course, student, **order):
    """Registered in the course and, for a priced course, an order with its charge (`order`: post_order's on account,
    payable online, note and channel), in one transaction. Returns (enrollment, order or None)."""
    with write_transaction():
        # The household first, then the course (as Send Bill and transfers do), so two registrations never wait crosswise.
        lock_households([student.billing_account_id])
        enrollment = enroll(course, student, Enrollment.REGISTERED)  # locks the course; RegistrationRefused if full
        if not course.price_cents:
            return enrollment, None
        return enrollment, post_order(company, user, student.billing_account,
                                      [(course.name, course.price_cents, student)], course=course, **order)


def register_on_account(company, user, course, student, channel, note):
    """An instructor's registration: the course's price on account as one order, its status change noted."""
    try:
        with write_transaction():
            enrollment, order = register_with_order(company, user, course, student, channel=channel)
            if order is not None:
                record_change(order, "", Order.ON_ACCOUNT, user, note, notify=False)
    except ChargeRefused as refused:
        raise RegistrationRefused(str(refused)) from None
    return enrollment, order
