"""Registration: open classes and sessions with seats left, registrations in the cart, the waitlist."""

from peewee import fn

from ..database import locked, write_transaction
from ..prepared import prepared
from ..models import Course, Enrollment, Location, Meeting, RegistrationItem, Student, WaitlistOffer, utcnow
from ..pending.services import ENROLLMENT_TRANSITIONS, StatusRefused, has_pending_payment, set_enrollment_status


class RegistrationRefused(Exception):
    """The registration cannot go in the cart (or be placed); the message says why."""


@prepared
def _seat_counts(course_ids, now):
    enrolled = (Enrollment.select(Enrollment.course, fn.COUNT(Enrollment.id))
                .where(Enrollment.course.in_(course_ids) & Enrollment.status.in_(Enrollment.ACTIVE))
                .group_by(Enrollment.course))
    being_paid = (RegistrationItem.select(RegistrationItem.course, fn.COUNT(RegistrationItem.id))
                  .where(RegistrationItem.course.in_(course_ids) & RegistrationItem.order.is_null(False))
                  .group_by(RegistrationItem.course))
    offered = (WaitlistOffer.select(Enrollment.course, fn.COUNT(WaitlistOffer.id)).join(Enrollment)
               .where(Enrollment.course.in_(course_ids) & (WaitlistOffer.status == WaitlistOffer.OPEN)
                      & (WaitlistOffer.expires_at > now))
               .group_by(Enrollment.course))
    return enrolled.union_all(being_paid).union_all(offered).tuples()


def seats_taken(course_ids):
    """{course id: seats held by Registered and Pending Payment enrollments, by registrations being paid by card and
    by seats offered from the waitlist}."""
    taken = {course_id: 0 for course_id in course_ids}
    for course_id, count in _seat_counts(course_ids, utcnow()):
        taken[course_id] += count
    return taken


def open_offer(student, course):
    """The seat held for the student on the course's waitlist, or None."""
    return (WaitlistOffer.select().join(Enrollment)
            .where((Enrollment.student == student) & (Enrollment.course == course)
                   & (WaitlistOffer.status == WaitlistOffer.OPEN) & (WaitlistOffer.expires_at > utcnow())).first())


def _claim_offer(student, course):
    """Inside the transaction that gives the student a seat: the seat held for them is theirs now."""
    WaitlistOffer.update(status=WaitlistOffer.CLAIMED).where(
        (WaitlistOffer.status == WaitlistOffer.OPEN) & WaitlistOffer.enrollment.in_(
            Enrollment.select(Enrollment.id).where((Enrollment.student == student) & (Enrollment.course == course)))
    ).execute()


@prepared
def _courses_open(division_ids, now):
    first, last = fn.MIN(Meeting.starts_at), fn.MAX(Meeting.starts_at)
    return (Course.select(Course, Location, first.alias("first_meeting"), last.alias("last_meeting"))
            .join(Location).switch(Course).join(Meeting)
            .where(Course.division.is_null() | Course.division.in_(division_ids))
            .group_by(Course.id, Location.id).having(last > now).order_by(first, Course.name))


def open_courses(family, now):
    """Classes and sessions with meetings still ahead that the family's households may join, with dates and seats left."""
    divisions = [d for d in {m.account.division_id for m in family.memberships} if d] or [0]
    courses = _courses_open(divisions, now)
    taken = seats_taken([c.id for c in courses])
    for course in courses:
        course.seats_left = max(course.capacity - taken[course.id], 0)
    return courses


def open_course_or_404(family, course_id, now):
    """One of the courses the family may register for; any other answers 404."""
    from flask import abort

    course = next((c for c in open_courses(family, now) if c.id == course_id), None)
    if course is None:
        abort(404)
    return course


def add_registration(user, family, course, student):
    """Put a registration for the student in the user's cart; a full course offers the waitlist instead."""
    if has_pending_payment(family.account_ids):
        raise RegistrationRefused("You have an order in Pending Payment: you can register again once it is paid.")
    existing = Enrollment.get_or_none((Enrollment.student == student) & (Enrollment.course == course))
    offered = open_offer(student, course) is not None
    if existing and existing.status in Enrollment.ACTIVE + (Enrollment.WAITLISTED,) and not offered:
        raise RegistrationRefused(f"{student.first_name} is already {existing.status_label} in {course.name}.")
    if course.seats_left <= 0 and not offered:
        raise RegistrationRefused(f"{course.name} is full; you can join its waitlist instead.")
    with write_transaction():
        RegistrationItem.insert(user=user, course=course, student=student).on_conflict_ignore().execute()


def join_waitlist(course, student):
    """Put the student on a full course's waitlist (no payment is taken for a waitlist place)."""
    if course.seats_left > 0:
        raise RegistrationRefused(f"{course.name} has seats left; register instead.")
    with write_transaction():
        existing = Enrollment.get_or_none((Enrollment.student == student) & (Enrollment.course == course))
        if existing is None:
            return Enrollment.create(student=student, course=course, status=Enrollment.WAITLISTED)
        if existing.status in Enrollment.ACTIVE + (Enrollment.WAITLISTED,):
            raise RegistrationRefused(f"{student.first_name} is already {existing.status_label} in {course.name}.")
        Enrollment.update(status=Enrollment.WAITLISTED).where(
            (Enrollment.id == existing.id) & (Enrollment.status == existing.status)).execute()
        return existing


def remove_registration(user, item_id):
    """Take a registration out of the user's cart (a card checkout of it the user left unfinished is cancelled).

    Returns the row count: 0 when it is being paid by card right now, and stays.
    """
    from ..billing.checkout import cancel_abandoned  # billing builds on registration, not the other way round

    with write_transaction():
        cancel_abandoned(user)
        return RegistrationItem.delete().where((RegistrationItem.user == user) & (RegistrationItem.id == item_id)
                                        & RegistrationItem.order.is_null()).execute()


def registrations_in_cart(user):
    """The user's registrations waiting in the cart that the user may still pay for, with course and student."""
    from ..billing.cart import paying_households

    return _registration_items(user, paying_households(user))


@prepared
def _registration_items(user_id, households):
    return (RegistrationItem.select(RegistrationItem, Course, Student).join(Course)
            .switch(RegistrationItem).join(Student)
            .where((RegistrationItem.user == user_id) & Student.billing_account.in_(households))
            .order_by(RegistrationItem.added_at, RegistrationItem.id))


def _claim_seat(course, student):
    """Inside a write transaction: lock the course (until the commit) and refuse when no seat is left for the student."""
    query = Course.select().where(Course.id == course.id)
    course = locked(query).get()  # one checkout at a time per course
    held_for_them = 1 if open_offer(student, course) else 0
    if seats_taken([course.id])[course.id] - held_for_them >= course.capacity:
        raise RegistrationRefused(f"{course.name} filled up meanwhile; nothing was charged.")
    if RegistrationItem.select().where((RegistrationItem.student == student) & (RegistrationItem.course == course)
                                       & RegistrationItem.order.is_null(False)).exists():
        raise RegistrationRefused(f"{student.first_name} is being registered in {course.name} by card right now; "
                                  "nothing was charged.")
    return course


def enroll(course, student, status):
    """Inside a write transaction holding the course: a seat for the student, or RegistrationRefused when none is left."""
    course = _claim_seat(course, student)
    existing = Enrollment.get_or_none((Enrollment.student == student) & (Enrollment.course == course))
    if existing is None:
        return Enrollment.create(student=student, course=course, status=status)
    try:
        set_enrollment_status(existing, status)
    except StatusRefused:
        raise RegistrationRefused(f"{student.first_name} is already {existing.status_label} in {course.name}.") from None
    _claim_offer(student, course)
    return existing


def hold_seat(item, order):
    """Inside a write transaction: the cart's registration holds its seat on `order` while the card payment is open."""
    course = _claim_seat(item.course, item.student)
    existing = Enrollment.get_or_none((Enrollment.student == item.student) & (Enrollment.course == course))
    if existing and (existing.status in Enrollment.ACTIVE
                     or Enrollment.REGISTERED not in ENROLLMENT_TRANSITIONS.get(existing.status, ())):
        raise RegistrationRefused(f"{item.student.first_name} is already {existing.status_label} in {course.name}.")
    held = RegistrationItem.update(order=order).where(
        (RegistrationItem.id == item.id) & RegistrationItem.order.is_null()).execute()
    if not held:
        raise RegistrationRefused(f"{course.name} for {item.student.first_name} is being paid right now; "
                                  "nothing was charged.")


def register_held(item):
    """Inside the settling transaction: a registration paid by card becomes Registered on the seat it held."""
    RegistrationItem.delete().where(RegistrationItem.id == item.id).execute()
    existing = Enrollment.get_or_none((Enrollment.student == item.student_id) & (Enrollment.course == item.course_id))
    if existing is None:
        return Enrollment.create(student=item.student_id, course=item.course_id, status=Enrollment.REGISTERED)
    if Enrollment.REGISTERED in ENROLLMENT_TRANSITIONS.get(existing.status, ()):  # never refuse money already taken
        set_enrollment_status(existing, Enrollment.REGISTERED)
    _claim_offer(item.student_id, item.course_id)
    return existing


def options_for(enrollment, is_session, started):
    """Seed 001's Options column for an enrollment's status."""
    if enrollment.status == Enrollment.REGISTERED:
        if not is_session:
            return ["Manage/Launch"]
        return [] if started else ["View"]
    return ["Re-Purchase"] if enrollment.status == Enrollment.PAYMENT_DENIED else []


def my_registrations(family, now):
    """The family's enrollments with their course, status, options and any seat held for them, in three queries."""
    enrollments = list(Enrollment.select(Enrollment, Course, Student).join(Course).switch(Enrollment).join(Student)
                       .where(Enrollment.student.in_(family.student_ids or [0])).order_by(Course.name, Student.first_name))
    firsts = dict(Meeting.select(Meeting.course, fn.MIN(Meeting.starts_at)).where(
        Meeting.course.in_([e.course_id for e in enrollments] or [0])).group_by(Meeting.course).tuples())
    held = {o.enrollment_id: o for o in WaitlistOffer.select().where(
        WaitlistOffer.enrollment.in_([e.id for e in enrollments if e.status == Enrollment.WAITLISTED] or [0])
        & (WaitlistOffer.status == WaitlistOffer.OPEN) & (WaitlistOffer.expires_at > utcnow()))}
    for enrollment in enrollments:
        enrollment.offer = held.get(enrollment.id)
        first = firsts.get(enrollment.course_id)
        enrollment.options = options_for(enrollment, enrollment.course.kind == Course.SESSION, bool(first and first <= now))
    return enrollments
