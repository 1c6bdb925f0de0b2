"""Attendance records: patrons report absences, instructors mark rosters. One record per student and meeting."""
import datetime

from peewee import JOIN, IntegrityError, fn

from ..database import locked, write_transaction
from ..prepared import prepared
from ..models import (
    AbsenceReason, Attendance, Company, Course, Enrollment, Location, MakeupRequest, MakeupToken, Meeting, Student, User, utcnow,
)


class AttendanceRefused(Exception):
    """The change is not allowed (HTTP 403); the message says why."""


def retrying_write(change):
    """Run `change` in a write transaction; a concurrent first insert on PostgreSQL is retried once."""
    for attempt in (1, 2):
        try:
            with write_transaction():
                return change()
        except IntegrityError:
            if attempt == 2:
                raise


def _record(meeting, student):
    """The student's record at the meeting, locked for the rest of the transaction."""
    query = Attendance.select().where((Attendance.meeting == meeting) & (Attendance.student == student))
    return locked(query).first()


def _write(record, meeting, student, **values):
    if record is None:
        return Attendance.create(meeting=meeting, student=student, **values)
    Attendance.update(**values).where(Attendance.id == record.id).execute()
    return Attendance.get_by_id(record.id)


@prepared
def patron_reasons():
    """Reasons a family may pick, in the code table's order."""
    return (
        AbsenceReason.select()
        .where(AbsenceReason.patron_usable & AbsenceReason.active)
        .order_by(AbsenceReason.sort_order, AbsenceReason.name)
    )


def _check_patron_may_change(meeting, record, now):
    if meeting.cancelled_at:
        raise AttendanceRefused("The school cancelled this class.")
    if meeting.starts_at <= now:
        raise AttendanceRefused("This class has already started, so only the instructor can change it.")
    if meeting.roster_submitted_at:
        raise AttendanceRefused("The instructor has submitted this roster.")
    if record and record.set_by_role == Attendance.BY_INSTRUCTOR:
        raise AttendanceRefused("The instructor has set this reason; please talk to them to change it.")


def _earn_makeup_token(company, meeting, student, today):
    """An absence reported ahead earns one token at the meeting's location (when the preference is on), lasting the
    company's "Days a makeup token lasts" from today; tokens earned before a change keep their date."""
    if company.makeup_tokens:
        MakeupToken.insert(
            student=student, location=meeting.course.location_id, earned_for=meeting,
            expires_on=today + datetime.timedelta(days=company.makeup_token_days),
        ).on_conflict_ignore().execute()


def _drop_unused_makeup_token(meeting, student):
    MakeupToken.delete().where(
        (MakeupToken.student == student) & (MakeupToken.earned_for == meeting)
        & (MakeupToken.status == MakeupToken.AVAILABLE)
    ).execute()


def set_patron_absence(company, user, meeting, student, reason, now, future_absence=None):
    """Inside a write transaction: record a family-reported absence, or refuse with AttendanceRefused."""
    record = _record(meeting, student)
    _check_patron_may_change(meeting, record, now)
    saved = _write(
        record, meeting, student, status=Attendance.ABSENT, reason=reason, set_by_role=Attendance.BY_PATRON,
        set_by=user, set_at=utcnow(), future_absence=future_absence,
    )
    _earn_makeup_token(company, meeting, student, now.date())
    return saved


def clear_patron_absence(meeting, student, now, only_future_absence=None):
    """Inside a write transaction: take back a family-reported absence and its unused makeup token."""
    record = _record(meeting, student)
    _check_patron_may_change(meeting, record, now)
    if record is None or (only_future_absence and record.future_absence_id != only_future_absence.id):
        return
    Attendance.delete().where(Attendance.id == record.id).execute()
    _drop_unused_makeup_token(meeting, student)


def report_absence(company, user, meeting, student, reason, now):
    """A guardian reports (or changes) a future absence with a patron-usable reason."""
    if not (reason.patron_usable and reason.active):
        raise AttendanceRefused("That reason is only for instructors.")
    return retrying_write(lambda: set_patron_absence(company, user, meeting, student, reason, now))


def clear_absence(meeting, student, now):
    """A guardian takes back a reported absence before the meeting."""
    retrying_write(lambda: clear_patron_absence(meeting, student, now))


@prepared
def _records(meeting_ids, student_ids):
    setter = User.alias()
    return (
        Attendance.select(Attendance, AbsenceReason, setter.id, setter.name)
        .join(AbsenceReason, JOIN.LEFT_OUTER)
        .switch(Attendance)
        .join(setter, JOIN.LEFT_OUTER, on=(Attendance.set_by == setter.id), attr="setter")
        .where(Attendance.meeting.in_(meeting_ids) & Attendance.student.in_(student_ids))
    )


def records_for(meeting_ids, student_ids):
    """{(meeting id, student id): record with its reason and who set it}, in one query."""
    if not meeting_ids or not student_ids:
        return {}
    return {(r.meeting_id, r.student_id): r for r in _records(meeting_ids, student_ids)}


@prepared
def _status_counts(student_ids, course_ids):
    return (
        Attendance.select(Attendance.student, Meeting.course, Attendance.status, fn.COUNT(Attendance.id))
        .join(Meeting)
        .where(Attendance.student.in_(student_ids) & Meeting.course.in_(course_ids))
        .group_by(Attendance.student, Meeting.course, Attendance.status)
        .tuples()
    )


def history_for(pairs):
    """{(student id, course id): {"absent": n, "present": n}} over the course so far, in one query."""
    if not pairs:
        return {}
    history = {pair: {Attendance.ABSENT: 0, Attendance.PRESENT: 0} for pair in pairs}
    for student_id, course_id, status, count in _status_counts({s for s, _ in pairs}, {c for _, c in pairs}):
        if (student_id, course_id) in history:
            history[(student_id, course_id)][status] = count
    return history


def _instructor_meetings(instructor, where):
    """The instructor's meetings that match `where`, oldest first, with how many students are enrolled."""
    enrolled = fn.COUNT(Enrollment.id)
    return list(
        Meeting.select(Meeting, Course, Location, enrolled.alias("enrolled"))
        .join(Course)
        .join(Location)
        .switch(Course)
        .join(
            Enrollment, JOIN.LEFT_OUTER,
            on=((Enrollment.course == Course.id) & Enrollment.status.in_(Enrollment.ACTIVE)),
        )
        .where((Course.instructor == instructor) & where)
        .group_by(Meeting.id, Course.id, Location.id)
        .order_by(Meeting.starts_at)
    )


def my_meetings(instructor, start, days):
    """The instructor's meetings from `start` for `days` days, with how many students are enrolled."""
    return _instructor_meetings(instructor, (Meeting.starts_at >= start)
                                & (Meeting.starts_at < start + datetime.timedelta(days=days)))


def rosters_to_submit(instructor, before):
    """The instructor's meetings before `before` whose roster nobody submitted: families still read "Not marked"."""
    return _instructor_meetings(instructor, (Meeting.starts_at < before) & Meeting.roster_submitted_at.is_null()
                                & Meeting.cancelled_at.is_null())


ON_ROSTER = Enrollment.ACTIVE + (Enrollment.NO_SHOW,)  # a no-show stays on the roster that charged the fee


MAKEUP_BOOKED = (MakeupToken.PENDING, MakeupToken.SPENT)  # a token that holds a seat at its makeup meeting


def roster_students(meeting):
    """Students on the meeting's roster: those on the course's (holding a place, or marked No Show there) and
    those booked there for a makeup (by token or approved request), by name."""
    enrolled = Enrollment.select(Enrollment.student).where(
        (Enrollment.course == meeting.course_id) & Enrollment.status.in_(ON_ROSTER))
    makeups = MakeupToken.select(MakeupToken.student).where(
        (MakeupToken.used_for == meeting.id) & MakeupToken.status.in_(MAKEUP_BOOKED))
    requested = MakeupRequest.select(MakeupRequest.student).where(
        (MakeupRequest.meeting == meeting.id) & (MakeupRequest.status == MakeupRequest.APPROVED))
    return Student.select().where(Student.id.in_(enrolled) | Student.id.in_(makeups) | Student.id.in_(requested))


def enrolled_students(meeting):
    """The meeting's roster (see roster_students), by name."""
    return list(roster_students(meeting).order_by(Student.first_name, Student.last_name))


def _spend_makeup_token(meeting, student):
    """A token booked for this makeup meeting is Spent once the student is marked there."""
    MakeupToken.update(status=MakeupToken.SPENT).where(
        (MakeupToken.used_for == meeting.id) & (MakeupToken.student == student.id)
        & (MakeupToken.status == MakeupToken.PENDING)).execute()


def check_roster_open(user, meeting):
    """Refuse (AttendanceRefused) a change to a cancelled class, or to a submitted roster unless the user is staff."""
    if meeting.cancelled_at:
        raise AttendanceRefused("This class is cancelled: there is no roster to mark.")
    if meeting.roster_submitted_at and user.role != User.STAFF:
        raise AttendanceRefused("This roster is submitted; only the office can change it now.")


def mark_attendance(user, meeting, student, reason):
    """The instructor (or staff) marks a student present (reason None), or absent with any active reason."""
    if reason is not None and not reason.active:
        raise AttendanceRefused("That reason is no longer in use.")

    def change():
        check_roster_open(user, Meeting.get_by_id(meeting.id))
        record = _record(meeting, student)
        _spend_makeup_token(meeting, student)
        return _write(
            record, meeting, student, status=Attendance.ABSENT if reason else Attendance.PRESENT, reason=reason,
            set_by_role=Attendance.BY_INSTRUCTOR, set_by=user, set_at=utcnow(), future_absence=None,
        )

    return retrying_write(change)


def submit_roster(user, meeting, now):
    """Record who submitted the roster and when; submitting again changes nothing. Late is fine, early never:
    submitting charges the no-show fees."""
    from ..pending.services import charge_no_show_fees

    if meeting.starts_at > now:
        raise AttendanceRefused("This class has not started yet: submit its roster once it has.")
    if meeting.cancelled_at:
        raise AttendanceRefused("This class is cancelled: there is no roster to submit.")
    with write_transaction():
        submitted = Meeting.update(roster_submitted_at=utcnow(), roster_submitted_by=user).where(
            (Meeting.id == meeting.id) & Meeting.roster_submitted_at.is_null() & Meeting.cancelled_at.is_null()
        ).execute()
        if submitted:
            charge_no_show_fees(Company.current(), meeting, user)
    return Meeting.get_by_id(meeting.id)
