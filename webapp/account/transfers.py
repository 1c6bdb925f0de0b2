"""Transfer Enrollment: a student's place moves to another open course of the same division, and the price
difference is charged on a new order or credited to the household, in one transaction."""
from dataclasses import dataclass

from peewee import fn

from ..audit import record_enrollment
from ..billing.charges import ChargeRefused, check_max_unpaid_balance, next_order_number
from ..database import write_transaction
from ..models import Company, Course, Enrollment, LedgerEntry, Location, Meeting, Order, OrderLine
from ..pending.services import StatusRefused, set_enrollment_status
from ..registration.services import RegistrationRefused, enroll, seats_taken
from ..registration.waitlist import offer_free_seats
from ..templating import money
from .enrollments import EnrollmentRefused, changeable, held_enrollment


@dataclass
class TransferTerms:
    """The enrollment, its course and price, and the courses it may move to (each with .difference_cents)."""

    enrollment: Enrollment
    course: Course
    price_cents: int  # what the enrollment was charged (its order line), else the course's price
    targets: list


def _same_division(course):
    return Course.division.is_null() if course.division_id is None else Course.division == course.division_id


def transfer_terms(student, enrollment, now):
    """The courses this enrollment may move to now, with the price difference of each; EnrollmentRefused when it
    may not move. Four queries whatever the number of courses."""
    course, _, order, line_cents = changeable(student, enrollment, now)
    price = line_cents if order is not None else course.price_cents
    ahead = Meeting.select(Meeting.id).where((Meeting.course == Course.id) & Meeting.cancelled_at.is_null()
                                             & (Meeting.starts_at > now))
    already = Enrollment.select(Enrollment.course).where((Enrollment.student == student.id)
                                                         & Enrollment.status.in_(Enrollment.ACTIVE))
    courses = list(Course.select(Course, Location).join(Location).where(_same_division(course) & Course.open_for_registration
                                         & (Course.id != course.id) & fn.EXISTS(ahead)
                                         & Course.id.not_in(already)).order_by(Course.name))
    taken = seats_taken([c.id for c in courses])
    targets = []
    for target in courses:
        if taken[target.id] < target.capacity:
            target.seats_left = target.capacity - taken[target.id]
            target.difference_cents = target.price_cents - price
            targets.append(target)
    return TransferTerms(enrollment, course, price, targets)


def transfer_enrollment(user, student, enrollment_id, course_id, now, by_staff=False):
    """Transfer Enrollment: the old place Dropped, a seat claimed in the new course (Registered), and the price
    difference charged or credited, in one transaction under the household lock (`by_staff`: on the Changes lists
    too); then the old seat is offered on."""
    with write_transaction():
        enrollment = held_enrollment(student, enrollment_id)
        terms = transfer_terms(student, enrollment, now)
        target = next((c for c in terms.targets if c.id == course_id), None)
        if target is None:
            raise EnrollmentRefused("That course is not open for a transfer (full, ended or in another division).")
        try:
            set_enrollment_status(enrollment, Enrollment.DROPPED)  # checks the row count: a second transfer fails
            enroll(target, student, Enrollment.REGISTERED)  # locks the course and claims its seat, or refuses
        except (StatusRefused, RegistrationRefused) as refused:
            raise EnrollmentRefused(str(refused).replace("nothing was charged", "nothing was changed")) from None
        moved = _post_difference(user, student, terms.course, target)
        if by_staff:
            record_enrollment(student, [terms.course.id, target.id], "transferred",
                              {student.first_name: [terms.course.name, target.name]}, moved, by=user)
    offer_free_seats(terms.course.id)
    return terms.course, target


def moved_message(student, old, new):
    """What a transfer did, in the words the family and staff read after it."""
    difference = new.difference_cents
    money_moved = (f"; {money(difference)} is charged" if difference > 0
                   else f"; {money(-difference)} is credited" if difference < 0 else "")
    return f"{student.first_name} is moved from {old.name} to {new.name}{money_moved}."


def _post_difference(user, student, old, new):
    """Inside the transfer's transaction: a dearer course is charged on a new order, a cheaper one credited; what
    moved as the household's Changes list shows it."""
    difference, account = new.difference_cents, student.billing_account_id
    memo = f"Transfer from {old.name} to {new.name}"
    tags = dict(account=account, student=student.id, location=new.location_id, created_by=user, memo=memo)
    if difference > 0:
        try:
            check_max_unpaid_balance(Company.current(), account, [(student.id, difference)])
        except ChargeRefused as refused:
            raise EnrollmentRefused(str(refused)) from None
        order = Order.create(number=next_order_number(), account=account, channel=Order.ONLINE, created_by=user,
                             state=Order.ON_ACCOUNT, on_account=True)
        # no course on the line: the new enrollment is priced at its course, not at this difference
        OrderLine.create(order=order, description=memo, amount_cents=difference, student=student.id)
        LedgerEntry.create(kind=LedgerEntry.CHARGE, amount_cents=difference, order=order, **tags)
        return {f"order #{order.number} charged_cents": [None, difference]}
    if difference < 0:  # on no order: the household's credit, applied to what it owes next (Apply Credit)
        LedgerEntry.create(kind=LedgerEntry.CREDIT, amount_cents=difference, **tags)
        return {"credited_cents": [None, -difference]}
    return {}
