"""The school moves or cancels one meeting: the change, what it undoes and the families' email in one transaction.

Only a meeting still to come, with its roster open, can change. A cancelled meeting stays listed, marked
cancelled, so a family sees why the class is gone. The absences families reported for it are dropped (there is
nothing left to miss); a makeup token one of them earned stays with the student, who still misses the class.
"""
from peewee import fn

from ..audit import record
from ..clock import local_now
from ..database import locked, write_transaction
from ..emails.links import site_url
from ..models import Attendance, Course, Enrollment, Guardian, Location, MakeupToken, Meeting, OutboxMessage, ReminderSetting, \
    Student, User, utcnow
from ..outbox import deliver, queue_mail
from ..templating import clock, current_company, day


class MeetingChangeRefused(Exception):
    """The meeting can no longer change (HTTP 409); the message says why."""


def _open_meeting(meeting_id):
    """The meeting with its course and location, locked; refused once it started, was submitted or cancelled."""
    meeting = locked(Meeting.select(Meeting, Course, Location).join(Course).join(Location)
                     .where(Meeting.id == meeting_id)).get()
    if meeting.cancelled_at:
        raise MeetingChangeRefused("This class is already cancelled.")
    if meeting.roster_submitted_at or meeting.starts_at <= local_now():
        raise MeetingChangeRefused("This class has already started, so it can no longer be moved or cancelled.")
    return meeting


def families_of(course):
    """Addresses to tell of a change: each enrolled student's own login and the guardians who can sign in."""
    students = (Student.select(Student.id, Student.user, Student.billing_account).join(Enrollment)
                .where((Enrollment.course == course) & Enrollment.status.in_(Enrollment.ACTIVE)))
    own = User.select(User.email).where(User.id.in_(students.select(Student.user)))
    guardians = User.select(User.email).join(Guardian).where(
        Guardian.account.in_(students.select(Student.billing_account)) & (Guardian.status == Guardian.ACCEPTED))
    return [u.email for u in own.union(guardians)]


def _tell_families(meeting, subject, **context):
    """Inside the transaction: the change's email to every family of the course, when the switch is on."""
    from ..reminders import setting

    if not setting(ReminderSetting.MEETING_CHANGED)[0]:
        return []
    return queue_mail(families_of(meeting.course), subject, "emails/reminder_meeting_changed",
                      category=OutboxMessage.REMINDER, company=current_company(), meeting=meeting,
                      link=site_url("schedule.upcoming"), **context)


def _when(starts_at):
    return f"{day(starts_at)} {clock(starts_at)}"


def move_meeting(staff, meeting_id, starts_at, ends_at):
    """Give a meeting still to come a new start and end; its families hear when it now is."""
    if ends_at <= starts_at:
        raise MeetingChangeRefused("The class must end after it starts.")
    if starts_at <= local_now():
        raise MeetingChangeRefused("Pick a time that is still to come.")
    with write_transaction():
        meeting = _open_meeting(meeting_id)
        was = meeting.starts_at
        Meeting.update(starts_at=starts_at, ends_at=ends_at, moved_from=fn.COALESCE(Meeting.moved_from, was)).where(
            Meeting.id == meeting.id).execute()
        meeting.starts_at, meeting.ends_at = starts_at, ends_at
        record("course", meeting.course_id, {f"class of {_when(was)}": [_when(was), _when(starts_at)]})
        ids = _tell_families(meeting, f"{meeting.course.name} has moved", was=was, cancelled=False)
    deliver(ids)
    return meeting


def cancel_meeting(staff, meeting_id):
    """Cancel a meeting still to come; the absences reported for it are dropped (returns how many were) and the
    makeups booked at it give their tokens back."""
    with write_transaction():
        meeting = _open_meeting(meeting_id)
        Meeting.update(cancelled_at=utcnow(), cancelled_by=staff).where(Meeting.id == meeting.id).execute()
        record("course", meeting.course_id, {f"class of {_when(meeting.starts_at)}": ["on", "cancelled"]})
        dropped = Attendance.delete().where(
            (Attendance.meeting == meeting.id) & (Attendance.set_by_role == Attendance.BY_PATRON)).execute()
        # A makeup booked at the cancelled class gives its token back, to book another one.
        MakeupToken.update(status=MakeupToken.AVAILABLE, used_for=None, booked_at=None, booked_by=None).where(
            (MakeupToken.used_for == meeting.id) & (MakeupToken.status == MakeupToken.PENDING)).execute()
        ids = _tell_families(meeting, f"{meeting.course.name} is cancelled", was=meeting.starts_at, cancelled=True)
    deliver(ids)
    return dropped
