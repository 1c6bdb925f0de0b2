"""Registrations put on account on the family's behalf: the seat, the order and its charge in one transaction."""
from ..billing.charges import ChargeRefused, post_order
from ..billing.ledger import lock_households
from ..database import write_transaction
from ..models import Enrollment, Order
from ..pending.services import record_change
from .services import RegistrationRefused, enroll


def register_on_account(company, user, course, student, channel, note):
    """Register the student (the seat claimed under the course lock) and put the course's price on account as one order."""
    try:
        with write_transaction():
            # The household first, then the course (as Send Bill does), so two registrations never wait crosswise.
            lock_households([student.billing_account_id])
            enrollment = enroll(course, student, Enrollment.REGISTERED)
            order = None
            if course.price_cents:
                order = post_order(company, user, student.billing_account, [(course.name, course.price_cents, student)],
                                   course=course, channel=channel)
                record_change(order, "", Order.ON_ACCOUNT, user, note, notify=False)
    except ChargeRefused as refused:
        raise RegistrationRefused(str(refused)) from None
    return enrollment, order
