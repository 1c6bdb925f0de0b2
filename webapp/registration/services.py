"""Registration: open classes and sessions with seats left, registrations in the cart, the waitlist."""

from peewee import fn

from ..database import is_sqlite, write_transaction
from ..models import Course, Enrollment, Location, Meeting, RegistrationItem, Student
from ..pending.services import StatusRefused, has_pending_payment, set_enrollment_status


class RegistrationRefused(Exception):
    """The registration cannot go in the cart (or be placed); the message says why."""


def seats_taken(course_ids):
    """{course id: seats held by Registered and Pending Payment enrollments}, in one query."""
    rows = (Enrollment.select(Enrollment.course, fn.COUNT(Enrollment.id))
            .where(Enrollment.course.in_(course_ids) & Enrollment.status.in_(Enrollment.ACTIVE))
            .group_by(Enrollment.course).tuples())
    return {course_id: 0 for course_id in course_ids} | dict(rows)


def open_courses(family, now):
    """Classes and sessions with meetings still ahead that the family's households may join, with dates and seats left."""
    divisions = {m.account.division_id for m in family.memberships}
    first, last = fn.MIN(Meeting.starts_at), fn.MAX(Meeting.starts_at)
    courses = list(
        Course.select(Course, Location, first.alias("first_meeting"), last.alias("last_meeting"))
        .join(Location).switch(Course).join(Meeting)
        .where(Course.division.is_null() | Course.division.in_(list(divisions) or [0]))
        .group_by(Course.id, Location.id).having(last > now).order_by(first, Course.name)
    )
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
    if existing and existing.status in Enrollment.ACTIVE + (Enrollment.WAITLISTED,):
        raise RegistrationRefused(f"{student.first_name} is already {existing.status_label} in {course.name}.")
    if course.seats_left <= 0:
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
    """Take a registration out of the user's cart."""
    with write_transaction():
        RegistrationItem.delete().where((RegistrationItem.user == user) & (RegistrationItem.id == item_id)).execute()


def registrations_in_cart(user):
    """The user's registrations waiting in the cart, with course and student, in one query."""
    return list(RegistrationItem.select(RegistrationItem, Course, Student).join(Course)
                .switch(RegistrationItem).join(Student)
                .where(RegistrationItem.user == user).order_by(RegistrationItem.added_at, RegistrationItem.id))


def registration_count(user):
    """How many registrations wait in the user's cart."""
    return RegistrationItem.select().where(RegistrationItem.user == user).count()


def enroll(course, student, status):
    """Inside a write transaction holding the course: a seat for the student, or CapacityRefused when none is left."""
    query = Course.select().where(Course.id == course.id)
    course = (query if is_sqlite() else query.for_update()).get()  # one checkout at a time per course
    if seats_taken([course.id])[course.id] >= course.capacity:
        raise RegistrationRefused(f"{course.name} filled up meanwhile; nothing was charged.")
    existing = Enrollment.get_or_none((Enrollment.student == student) & (Enrollment.course == course))
    if existing is None:
        return Enrollment.create(student=student, course=course, status=status)
    try:
        set_enrollment_status(existing, status)
    except StatusRefused:
        raise RegistrationRefused(f"{student.first_name} is already {existing.status_label} in {course.name}.") from None
    return existing


def course_started(course_id, now):
    """True once the course's first meeting has begun."""
    first = Meeting.select(fn.MIN(Meeting.starts_at)).where(Meeting.course == course_id).scalar()
    return first is not None and first <= now




def options_for(enrollment, is_session, started):
    """Seed 001's Options column for an enrollment's status."""
    if enrollment.status == Enrollment.REGISTERED:
        if not is_session:
            return ["Manage/Launch"]
        return [] if started else ["View"]
    return ["Re-Purchase"] if enrollment.status == Enrollment.PAYMENT_DENIED else []


def my_registrations(family, now):
    """The family's enrollments with their course, status and options, in two queries."""
    enrollments = list(Enrollment.select(Enrollment, Course, Student).join(Course).switch(Enrollment).join(Student)
                       .where(Enrollment.student.in_(family.student_ids or [0])).order_by(Course.name, Student.first_name))
    firsts = dict(Meeting.select(Meeting.course, fn.MIN(Meeting.starts_at)).where(
        Meeting.course.in_([e.course_id for e in enrollments] or [0])).group_by(Meeting.course).tuples())
    for enrollment in enrollments:
        first = firsts.get(enrollment.course_id)
        enrollment.options = options_for(enrollment, enrollment.course.kind == Course.SESSION, bool(first and first <= now))
    return enrollments
