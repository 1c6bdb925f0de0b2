"""A student's enrollments as Your Student(s) lists them (current, waitlisted with position, past), and Cancel
Waitlist."""
from dataclasses import dataclass

from peewee import JOIN

from ..database import locked, write_transaction
from ..models import Course, Enrollment, Location, Meeting, User, WaitlistOffer
from ..pending.services import StatusRefused, set_enrollment_status
from ..registration.waitlist import offer_free_seats


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
