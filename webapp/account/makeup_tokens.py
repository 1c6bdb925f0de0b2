"""Makeups with tokens: a student's tokens sorted as seed 004 lists them, the makeup classes a token may buy, and
using a token (a seat at one meeting, the token Pending), cancelling that booking, and spending it when marked."""
import datetime
from dataclasses import dataclass

from peewee import JOIN, fn

from ..database import locked, write_transaction
from ..models import Account, Course, Enrollment, Location, MakeupRequest, MakeupToken, Meeting, utcnow
from ..registration.services import seats_taken

WEEKS_AHEAD = 4  # "in the next weeks": the four weeks Upcoming Courses shows


class MakeupRefused(Exception):
    """The token cannot be used or given back; the message says why."""


@dataclass
class StudentTokens:
    """One student's tokens in the seed's five groups."""

    here: list
    elsewhere: list
    pending: list
    expired: list
    spent: list


def _tokens(student_id):
    earned, used = Meeting.alias(), Meeting.alias()
    earned_course, used_course = Course.alias(), Course.alias()
    return list(
        MakeupToken.select(MakeupToken, Location, earned, earned_course, used, used_course)
        .join(Location)
        .switch(MakeupToken).join(earned, on=(MakeupToken.earned_for == earned.id), attr="earned_for")
        .join(earned_course, on=(earned.course == earned_course.id), attr="course")
        .switch(MakeupToken).join(used, JOIN.LEFT_OUTER, on=(MakeupToken.used_for == used.id), attr="used_for")
        .join(used_course, JOIN.LEFT_OUTER, on=(used.course == used_course.id), attr="course")
        .where(MakeupToken.student == student_id)
        .order_by(MakeupToken.expires_on, MakeupToken.id)
    )


def is_usable(token, today):
    """Available and still within its days (the hourly job may not have expired it yet)."""
    return token.status == MakeupToken.AVAILABLE and token.expires_on >= today


def student_tokens(student, location_id, today):
    """The student's tokens, sorted into the seed's groups around the selected location, in one query."""
    groups = StudentTokens([], [], [], [], [])
    for token in _tokens(student.id):
        if is_usable(token, today):
            (groups.here if token.location_id == location_id else groups.elsewhere).append(token)
        elif token.status == MakeupToken.AVAILABLE or token.status == MakeupToken.EXPIRED:
            groups.expired.append(token)
        elif token.status == MakeupToken.PENDING:
            groups.pending.append(token)
        else:
            groups.spent.append(token)
    return groups


def eligible_courses(student, location_id=None):
    """Weekly courses at the location (any, when None), open to the student's household, that the student is not
    already in."""
    division = Account.select(Account.division).where(Account.id == student.billing_account_id).scalar()
    already_in = Enrollment.select(Enrollment.course).where(
        (Enrollment.student == student.id) & Enrollment.status.in_(Enrollment.ACTIVE + (Enrollment.NO_SHOW,)))
    weekly = Course.kind == Course.WEEKLY
    if location_id:
        weekly &= Course.location == location_id
    return (weekly
            & (Course.division.is_null() | (Course.division == (division or 0))) & Course.id.not_in(already_in))


def _makeups_booked(meeting_ids):
    """{meeting id: seats held there by makeups: tokens Pending or Spent, and requests approved}."""
    booked = {meeting_id: 0 for meeting_id in meeting_ids}
    tokens = (MakeupToken.select(MakeupToken.used_for, fn.COUNT(MakeupToken.id))
              .where(MakeupToken.used_for.in_(meeting_ids or [0])
                     & MakeupToken.status.in_([MakeupToken.PENDING, MakeupToken.SPENT]))
              .group_by(MakeupToken.used_for))
    requests = (MakeupRequest.select(MakeupRequest.meeting, fn.COUNT(MakeupRequest.id))
                .where(MakeupRequest.meeting.in_(meeting_ids or [0]) & (MakeupRequest.status == MakeupRequest.APPROVED))
                .group_by(MakeupRequest.meeting))
    for meeting_id, count in (tokens + requests).tuples():  # UNION ALL: equal rows both count
        booked[meeting_id] += count
    return booked


def seats_left(meetings):
    """{meeting id: seats left}: the course's capacity less its enrollments and the makeups booked at the meeting."""
    taken = seats_taken(list({m.course_id for m in meetings}))
    booked = _makeups_booked([m.id for m in meetings])
    return {m.id: m.course.capacity - taken[m.course_id] - booked[m.id] for m in meetings}


def makeup_meetings(student, token, now):
    """The open meetings the token may buy: eligible courses at its location, from now for four weeks and no later
    than the token's last day, with seats left; in three queries."""
    until = min(now + datetime.timedelta(weeks=WEEKS_AHEAD),
                datetime.datetime.combine(token.expires_on + datetime.timedelta(days=1), datetime.time()))
    meetings = list(Meeting.select(Meeting, Course).join(Course)
                    .where(eligible_courses(student, token.location_id) & (Meeting.starts_at > now)
                           & (Meeting.starts_at < until) & Meeting.cancelled_at.is_null())
                    .order_by(Meeting.starts_at, Course.name))
    left = seats_left(meetings)
    return [m for m in meetings if left[m.id] > 0]


def use_token(user, student, token_id, meeting_id, now):
    """Apply one of the student's tokens to a makeup meeting: the seat is held and the token turns Pending."""
    with write_transaction():
        token = MakeupToken.get_or_none((MakeupToken.id == token_id) & (MakeupToken.student == student.id))
        if token is None or token.status not in (MakeupToken.AVAILABLE, MakeupToken.EXPIRED):
            raise MakeupRefused("That token is already used.")
        if token.status == MakeupToken.EXPIRED or token.expires_on < now.date():
            raise MakeupRefused(f"That token expired on {token.expires_on:%d %b %Y}.")
        meeting = Meeting.get_or_none(Meeting.id == meeting_id)
        if meeting is None:
            raise MakeupRefused("Choose a class for the makeup.")
        # The course's lock makes seat counting one at a time, as registration does.
        course = locked(Course.select().where(
            (Course.id == meeting.course_id) & eligible_courses(student, token.location_id))).first()
        if course is None:
            raise MakeupRefused("That class does not take this token: choose one at the token's location.")
        if meeting.cancelled_at or meeting.starts_at <= now:
            raise MakeupRefused("That class has already started or was cancelled.")
        if meeting.starts_at.date() > token.expires_on:
            raise MakeupRefused(f"The token expires on {token.expires_on:%d %b %Y}, before that class.")
        meeting.course = course
        if seats_left([meeting])[meeting.id] <= 0:
            raise MakeupRefused(f"{course.name} on {meeting.starts_at:%d %b} filled up meanwhile.")
        applied = MakeupToken.update(status=MakeupToken.PENDING, used_for=meeting.id, booked_at=utcnow(),
                                     booked_by=user.id).where(
            (MakeupToken.id == token.id) & (MakeupToken.status == MakeupToken.AVAILABLE)).execute()
        if applied != 1:
            raise MakeupRefused("That token is already used.")
    return meeting


def cancel_makeup(student, token_id, now):
    """Give the token back before its makeup class starts: the seat is freed and the token is Available again."""
    with write_transaction():
        token = MakeupToken.get_or_none((MakeupToken.id == token_id) & (MakeupToken.student == student.id))
        meeting = token and token.used_for_id and Meeting.get_by_id(token.used_for_id)
        if not meeting or token.status != MakeupToken.PENDING:
            raise MakeupRefused("That makeup is no longer booked.")
        if meeting.starts_at <= now:
            raise MakeupRefused("That makeup class has already started, so it cannot be cancelled.")
        back = MakeupToken.update(status=MakeupToken.AVAILABLE, used_for=None, booked_at=None, booked_by=None).where(
            (MakeupToken.id == token.id) & (MakeupToken.status == MakeupToken.PENDING)
            & (MakeupToken.used_for == meeting.id)).execute()
        if back != 1:
            raise MakeupRefused("That makeup is no longer booked.")
    return meeting

