"""A student's enrollments as Your Student(s) lists them (current, waitlisted with position, past), Cancel
Waitlist and Drop Enrollment."""
import datetime
from dataclasses import dataclass

from peewee import JOIN, fn

from ..audit import place_in, record_enrollment
from ..billing.ledger import lock_households, order_balances
from ..database import locked, write_transaction
from ..models import Company, Course, Enrollment, LedgerEntry, Location, Meeting, Order, OrderLine, User, WaitlistOffer
from ..pending.services import StatusRefused, set_enrollment_status, write_off
from ..registration.waitlist import offer_free_seats
from ..templating import money


class EnrollmentRefused(Exception):
    """A family's change to an enrollment that the rules refuse; the message says why."""


@dataclass
class EnrollmentRow:
    """One enrollment with its course's first and last meeting (the weekly day and time come from the first)."""

    enrollment: Enrollment
    first: Meeting | None
    last: Meeting | None
    ended: bool  # the course's last meeting is over
    position: int | None = None  # on the waitlist, 1 = next

    @property
    def course(self):
        return self.enrollment.course

    @property
    def status_label(self):
        if self.enrollment.status == Enrollment.REGISTERED and self.ended:
            return "Completed"
        return self.enrollment.status_label


@dataclass
class StudentEnrollments:
    current: list
    waitlisted: list
    past: list


def _meeting_span(course_ids):
    """{course id: (first meeting, last meeting)} of the meetings not cancelled, in one query."""
    spans = {}
    for meeting in (Meeting.select(Meeting.id, Meeting.course, Meeting.starts_at, Meeting.ends_at)
                    .where(Meeting.course.in_(course_ids or [0]) & Meeting.cancelled_at.is_null())
                    .order_by(Meeting.starts_at)):
        first, _ = spans.get(meeting.course_id, (meeting, None))
        spans[meeting.course_id] = (first, meeting)
    return spans


def _waitlist_positions(enrollments):
    """{enrollment id: place on its course's waitlist} for these waitlisted enrollments, in one query."""
    course_ids = [e.course_id for e in enrollments]
    positions, seen = {}, {}
    for enrollment_id, course_id in (Enrollment.select(Enrollment.id, Enrollment.course)
                                     .where(Enrollment.course.in_(course_ids or [0])
                                            & (Enrollment.status == Enrollment.WAITLISTED))
                                     .order_by(Enrollment.created_at, Enrollment.id).tuples()):
        seen[course_id] = seen.get(course_id, 0) + 1
        positions[enrollment_id] = seen[course_id]
    return positions


def student_enrollments(student, now):
    """The student's enrollments, sorted into current, waitlisted and past, in three queries whatever their number."""
    enrollments = list(Enrollment.select(Enrollment, Course, Location, User).join(Course).join(Location)
                       .switch(Course).join(User, on=(Course.instructor == User.id), join_type=JOIN.LEFT_OUTER)
                       .where(Enrollment.student == student.id).order_by(Course.name))
    spans = _meeting_span([e.course_id for e in enrollments])
    waiting = [e for e in enrollments if e.status == Enrollment.WAITLISTED]
    positions = _waitlist_positions(waiting)
    sorted_rows = StudentEnrollments([], [], [])
    for enrollment in enrollments:
        first, last = spans.get(enrollment.course_id, (None, None))
        row = EnrollmentRow(enrollment, first, last, last is not None and last.ends_at <= now,
                            positions.get(enrollment.id))
        if enrollment.status == Enrollment.WAITLISTED:
            if not row.ended:
                sorted_rows.waitlisted.append(row)
        elif enrollment.status == Enrollment.CANCELLED:
            continue  # a waitlist the family cancelled: it was never a place in the course
        elif enrollment.status in Enrollment.ACTIVE and not row.ended:
            sorted_rows.current.append(row)
        else:
            sorted_rows.past.append(row)
    sorted_rows.past.sort(key=lambda r: r.last.ends_at if r.last else now, reverse=True)
    return sorted_rows


def cancel_waitlist(student, enrollment_id):
    """Take the student off a course's waitlist; a seat held for them goes to the next student waiting."""
    with write_transaction():
        enrollment = locked(Enrollment.select().where((Enrollment.id == enrollment_id)
                                                      & (Enrollment.student == student.id))).first()
        if enrollment is None or enrollment.status != Enrollment.WAITLISTED:
            raise EnrollmentRefused(f"{student.first_name} is no longer on that waitlist.")
        try:
            set_enrollment_status(enrollment, Enrollment.CANCELLED)  # checks the row count: nobody moved it meanwhile
        except StatusRefused:
            raise EnrollmentRefused(f"{student.first_name} is no longer on that waitlist.") from None
        released = WaitlistOffer.update(status=WaitlistOffer.EXPIRED).where(
            (WaitlistOffer.enrollment == enrollment.id) & (WaitlistOffer.status == WaitlistOffer.OPEN)).execute()
        course = Course.get_by_id(enrollment.course_id)
    if released:
        offer_free_seats(course.id)
    return course


@dataclass
class DropTerms:
    """What Drop Enrollment does, shown before the family confirms: from when, what is voided, charged and kept."""

    enrollment: Enrollment
    course: Course
    order: Order | None
    effective: datetime.date
    voided_cents: int  # the enrollment's unpaid part of its order, written off
    penalty_cents: int  # the company's withdraw penalty, charged
    paid_cents: int  # already paid on the order: not refunded automatically (staff refund from the household page)


def _enrollment_order(enrollment):
    """The latest order whose line bought this enrollment (same student and course), with that line's amount."""
    line = (OrderLine.select(OrderLine, Order).join(Order)
            .where((OrderLine.student == enrollment.student_id) & (OrderLine.course == enrollment.course_id))
            .order_by(Order.created_at.desc(), Order.id.desc()).first())
    return (line.order, line.amount_cents) if line else (None, 0)


def _paid_on(order):
    paid = (LedgerEntry.select(fn.COALESCE(fn.SUM(LedgerEntry.amount_cents), 0))
            .where((LedgerEntry.order == order.id) & (LedgerEntry.kind == LedgerEntry.PAYMENT)).scalar())
    return -int(paid)


def changeable(student, enrollment, now):
    """(course, its next meeting, order, the order line's cents) of an enrollment that may be dropped or transferred
    now, or EnrollmentRefused saying why not."""
    name = student.first_name
    if enrollment.status == Enrollment.WAITLISTED:
        raise EnrollmentRefused(f"{name} is on the waitlist, not in the course; cancel the waitlist instead.")
    if enrollment.status == Enrollment.PENDING_PAYMENT:
        raise EnrollmentRefused(f"{name}'s enrollment is in Pending Payment; it can be changed once payment is received.")
    if enrollment.status != Enrollment.REGISTERED:
        raise EnrollmentRefused(f"{name}'s enrollment is {enrollment.status_label}; it cannot be changed.")
    course = Course.get_by_id(enrollment.course_id)
    ahead = (Meeting.select(Meeting.starts_at).where((Meeting.course == course.id) & Meeting.cancelled_at.is_null()
                                                    & (Meeting.starts_at > now)).order_by(Meeting.starts_at).first())
    if ahead is None:
        raise EnrollmentRefused(f"{course.name} has ended; it can no longer be changed.")
    order, line_cents = _enrollment_order(enrollment)
    if order is not None and order.state == Order.PENDING_PAYMENT:
        raise EnrollmentRefused(f"Order #{order.number} is in Pending Payment; {course.name} can be changed once "
                                "payment is received.")
    return course, ahead, order, line_cents


def drop_terms(student, enrollment, now):
    """The terms of dropping this enrollment now, or EnrollmentRefused saying why it cannot be dropped."""
    course, ahead, order, line_cents = changeable(student, enrollment, now)
    owed = order_balances([order.id])[order.id] if order else 0
    return DropTerms(enrollment, course, order, ahead.starts_at.date(), max(0, min(owed, line_cents)),
                     Company.current().withdraw_penalty_cents, _paid_on(order) if order else 0)


def _student_enrollment(student, enrollment_id):
    return Enrollment.select().where((Enrollment.id == enrollment_id) & (Enrollment.student == student.id))


def enrollment_of(student, enrollment_id):
    """The student's enrollment, or None (another student's is nobody's business here)."""
    return _student_enrollment(student, enrollment_id).first()


def held_enrollment(student, enrollment_id):
    """Inside a write transaction: the household locked (its balances stay true) and the student's enrollment row."""
    lock_households([student.billing_account_id])
    enrollment = locked(_student_enrollment(student, enrollment_id)).first()
    if enrollment is None:
        raise EnrollmentRefused(f"{student.first_name} has no such enrollment.")
    return enrollment


def dropped_message(student, terms):
    """What a drop did, in the words the family and staff read after it."""
    voided = f"; {money(terms.voided_cents)} of order #{terms.order.number} is voided" if terms.voided_cents else ""
    penalty = f"; a withdraw penalty of {money(terms.penalty_cents)} is charged" if terms.penalty_cents else ""
    return f"{student.first_name} is dropped from {terms.course.name}{voided}{penalty}."


def drop_enrollment(user, student, enrollment_id, now, by_staff=False):
    """Drop Enrollment: Dropped, its unpaid part voided and the withdraw penalty charged under the household lock,
    in one transaction (`by_staff`: on the Changes lists too); then the seat is offered to the waitlist."""
    with write_transaction():
        enrollment = held_enrollment(student, enrollment_id)
        terms = drop_terms(student, enrollment, now)
        try:
            set_enrollment_status(enrollment, Enrollment.DROPPED)  # checks the row count: a second drop is refused
        except StatusRefused:
            raise EnrollmentRefused(f"{student.first_name}'s enrollment changed meanwhile; look again.") from None
        memo = f"{terms.course.name} dropped"
        if terms.order is not None:
            write_off(user, terms.order, terms.voided_cents, memo, terms.penalty_cents)
        elif terms.penalty_cents:  # an enrollment staff gave without an order: the penalty stands on its own
            LedgerEntry.create(account=student.billing_account_id, student=student.id,
                               location=terms.course.location_id, kind=LedgerEntry.CHARGE,
                               amount_cents=terms.penalty_cents, memo="Withdraw penalty", created_by=user)
        if by_staff:
            _audit_drop(user, student, terms)
    offer_free_seats(terms.course.id)
    return terms


def _audit_drop(staff, student, terms):
    """Inside the drop's transaction: the place dropped on the course's page, and with the money on the household's."""
    money = {}
    if terms.voided_cents:
        money[f"order #{terms.order.number} voided_cents"] = [None, terms.voided_cents]
    if terms.penalty_cents:
        money["withdraw penalty_cents"] = [None, terms.penalty_cents]
    record_enrollment(student, [terms.course.id], "dropped", {place_in(student, terms.course): [
        Enrollment.LABELS[Enrollment.REGISTERED], Enrollment.LABELS[Enrollment.DROPPED]]}, money, by=staff)
