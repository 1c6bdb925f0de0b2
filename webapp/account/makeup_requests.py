"""Makeup requests, while makeup tokens are off and the company allows them: a family asks for a seat at one
meeting, staff approve (the seat is held the way a token booking holds it) or decline with a reason; mail both ways."""
import datetime

from ..database import locked, write_transaction
from ..emails.links import site_url
from ..models import Course, Location, MakeupRequest, Meeting, Student, User, utcnow
from ..outbox import deliver, queue_mail
from ..reminders import student_recipients
from ..templating import current_company
from .makeup_tokens import WEEKS_AHEAD, MakeupRefused, eligible_courses, seats_left

NOTE_LENGTH = 500
REASON_LENGTH = 500
HOLDING = (MakeupRequest.REQUESTED, MakeupRequest.APPROVED)  # a request still standing for its meeting


def requests_on(company):
    """Families request makeups: the company allows it and does not use tokens."""
    return company.makeup_requests and not company.makeup_tokens


def request_meetings(student, now):
    """The open meetings a makeup may be requested for: eligible courses at any location, in the next four weeks,
    with seats left, that the student has no standing request for; in four queries."""
    asked = MakeupRequest.select(MakeupRequest.meeting).where(
        (MakeupRequest.student == student.id) & MakeupRequest.status.in_(HOLDING))
    meetings = list(Meeting.select(Meeting, Course, Location).join(Course).join(Location)
                    .where(eligible_courses(student) & (Meeting.starts_at > now)
                           & (Meeting.starts_at < now + datetime.timedelta(weeks=WEEKS_AHEAD))
                           & Meeting.cancelled_at.is_null() & Meeting.id.not_in(asked))
                    .order_by(Meeting.starts_at, Course.name))
    left = seats_left(meetings)
    return [m for m in meetings if left[m.id] > 0]


def past_makeups(student):
    """The student's requests, newest first, with their meeting and outcome, in one query."""
    return list(MakeupRequest.select(MakeupRequest, Meeting, Course).join(Meeting).join(Course)
                .where(MakeupRequest.student == student.id)
                .order_by(MakeupRequest.requested_at.desc(), MakeupRequest.id.desc()))


def open_requests():
    """Requests waiting for staff, oldest first, with student, meeting and course, in one query."""
    return list(MakeupRequest.select(MakeupRequest, Student, Meeting, Course, Location)
                .join(Student).switch(MakeupRequest).join(Meeting).join(Course).join(Location)
                .where(MakeupRequest.status == MakeupRequest.REQUESTED)
                .order_by(MakeupRequest.requested_at, MakeupRequest.id))


def _open_meeting(meeting, now):
    """Refuse a meeting that has started or was cancelled, or has no seat left."""
    if meeting.cancelled_at or meeting.starts_at <= now:
        raise MakeupRefused("That class has already started or was cancelled.")
    if seats_left([meeting])[meeting.id] <= 0:
        raise MakeupRefused(f"{meeting.course.name} on {meeting.starts_at:%d %b} is full.")


def request_makeup(user, student, meeting_id, note, now):
    """Store a Requested makeup for the student at the meeting, and mail staff "Makeup requested"."""
    with write_transaction():
        meeting = Meeting.get_or_none(Meeting.id == meeting_id)
        # The course's lock makes the seat count and the one-request-per-meeting check one at a time.
        course = meeting and locked(Course.select().where(
            (Course.id == meeting.course_id) & eligible_courses(student))).first()
        if course is None:
            raise MakeupRefused("Choose one of the classes listed for the makeup.")
        meeting.course = course
        if meeting.starts_at >= now + datetime.timedelta(weeks=WEEKS_AHEAD):
            raise MakeupRefused(f"Choose a class in the next {WEEKS_AHEAD} weeks.")
        _open_meeting(meeting, now)
        if MakeupRequest.select().where((MakeupRequest.student == student.id) & (MakeupRequest.meeting == meeting.id)
                                        & MakeupRequest.status.in_(HOLDING)).exists():
            raise MakeupRefused(f"A makeup at {course.name} on {meeting.starts_at:%d %b} is already requested "
                                f"for {student.first_name}.")
        made = MakeupRequest.create(student=student.id, meeting=meeting, note=note, requested_by=user.id)
        staff = [u.email for u in User.select(User.email).where(User.role == User.STAFF)]
        ids = queue_mail(staff, "Makeup requested", "emails/makeup_requested", company=current_company(),
                         student=student, meeting=meeting, note=note, link=site_url("staff_makeups.index"))
    deliver(ids)
    return made


def _undecided(request_id):
    found = (MakeupRequest.select(MakeupRequest, Student, Meeting).join(Student).switch(MakeupRequest).join(Meeting)
             .where(MakeupRequest.id == request_id).first())
    if found is None:
        raise LookupError(request_id)
    if found.status != MakeupRequest.REQUESTED:
        raise MakeupRefused(f"That request was already {found.status}.")
    return found


def _decide(staff, found, status, reason=""):
    """Requested → the decision, by a conditional update (row count checked), so a request is decided once."""
    decided = MakeupRequest.update(status=status, decided_by=staff.id, decided_at=utcnow(), reason=reason).where(
        (MakeupRequest.id == found.id) & (MakeupRequest.status == MakeupRequest.REQUESTED)).execute()
    if decided != 1:
        raise MakeupRefused("That request was already decided.")
    found.status, found.reason = status, reason
    return queue_mail(student_recipients(found.student), f"Makeup {status}: {found.student.first_name}, "
                      f"{found.meeting.course.name}", "emails/makeup_decided", company=current_company(),
                      request=found, link=site_url("account.makeups", student_id=found.student_id))


def approve_request(staff, request_id, now):
    """Approve a request: the seat at its meeting is held, counted and locked as a token booking is."""
    with write_transaction():
        found = _undecided(request_id)
        found.meeting.course = locked(Course.select().where(Course.id == found.meeting.course_id)).get()
        _open_meeting(found.meeting, now)
        ids = _decide(staff, found, MakeupRequest.APPROVED)
    deliver(ids)
    return found


def decline_request(staff, request_id, reason):
    """Decline a request with the reason the family is told; no seat was held, so nothing is freed."""
    with write_transaction():
        found = _undecided(request_id)
        found.meeting.course = Course.get_by_id(found.meeting.course_id)
        ids = _decide(staff, found, MakeupRequest.DECLINED, reason)
    deliver(ids)
    return found

