"""Future absences: one request that reports the student absent from every meeting it covers."""
import datetime

from flask import abort

from ..attendance.services import AttendanceRefused, clear_patron_absence, retrying_write, set_patron_absence
from ..models import AbsenceReason, Attendance, Course, FutureAbsence, Meeting, Student, utcnow
from .services import student_meetings


class NoMeetingsCovered(Exception):
    """The requested span holds no meeting that can still be reported; nothing was stored."""


def span(first_day, last_day, from_time=None, until_time=None):
    """The absence as a start and an end: from `from_time` on the first day until `until_time` on the last."""
    start = datetime.datetime.combine(first_day, from_time or datetime.time.min)
    end = datetime.datetime.combine(last_day, until_time) if until_time else \
        datetime.datetime.combine(last_day + datetime.timedelta(days=1), datetime.time.min)
    return start, end


def _day(value):
    return f"{value:%a} {value.day} {value:%b}"


def covered_meetings(student, start, end, now, course=None):
    """Future meetings of the student's active enrollments overlapping start–end (one course if given)."""
    query = student_meetings(student).where(
        (Meeting.starts_at < end) & (Meeting.ends_at > start) & (Meeting.starts_at > now)
    ).order_by(Meeting.starts_at)
    return list(query.where(Course.id == course.id) if course else query)


def create_future_absence(company, user, student, reason, first_day, last_day, now, from_time=None, until_time=None,
                          course=None):
    """Schedule the absence and report every meeting it covers, all or nothing."""
    if not (reason.patron_usable and reason.active):
        raise AttendanceRefused("That reason is only for instructors.")
    start, end = span(first_day, last_day, from_time, until_time)

    def change():
        absence = FutureAbsence.create(
            student=student, reason=reason, first_day=first_day, last_day=last_day, from_time=from_time,
            until_time=until_time, course=course, created_by=user,
        )
        reported = 0
        for meeting in covered_meetings(student, start, end, now, course):
            try:
                set_patron_absence(company, user, meeting, student, reason, now, future_absence=absence)
                reported += 1
            except AttendanceRefused:
                continue  # the instructor already marked this one; theirs stands
        if not reported:
            raise NoMeetingsCovered()
        return absence

    try:
        return retrying_write(change)
    except NoMeetingsCovered:
        days = _day(first_day) if first_day == last_day else f"{_day(first_day)} and {_day(last_day)}"
        raise NoMeetingsCovered(
            f"{student.first_name} has no class on {days} that can still be reported, so nothing was saved."
            if first_day == last_day else
            f"{student.first_name} has no class between {days} that can still be reported, so nothing was saved."
        ) from None


def cancel_future_absence(absence, now):
    """Cancel it: the meetings it reported and that have not started are no longer marked absent."""

    def change():
        FutureAbsence.update(cancelled_at=utcnow()).where(FutureAbsence.id == absence.id).execute()
        records = Attendance.select(Attendance, Meeting).join(Meeting).where(
            (Attendance.future_absence == absence) & (Meeting.starts_at > now)
        )
        for record in records:
            clear_patron_absence(record.meeting, absence.student_id, now, only_future_absence=absence)

    retrying_write(change)


def scheduled_absences(student_ids, today):
    """Future absences not cancelled and not over, each with `covers`: the meetings it reported, in two queries."""
    absences = list(
        FutureAbsence.select(FutureAbsence, Student, AbsenceReason)
        .join(Student)
        .switch(FutureAbsence)
        .join(AbsenceReason)
        .where(
            FutureAbsence.student.in_(student_ids)
            & FutureAbsence.cancelled_at.is_null() & (FutureAbsence.last_day >= today)
        )
        .order_by(FutureAbsence.first_day, FutureAbsence.id)
    )
    covers = {a.id: [] for a in absences}
    if absences:
        records = (
            Attendance.select(Attendance, Meeting, Course)
            .join(Meeting)
            .join(Course)
            .where(Attendance.future_absence.in_(list(covers)))
            .order_by(Meeting.starts_at)
        )
        for record in records:
            covers[record.future_absence_id].append(record.meeting)
    for absence in absences:
        absence.covers = covers[absence.id]
    return absences


def future_absence_or_404(student_ids, absence_id):
    """One of the family's future absences; another family's answers 404."""
    absence = FutureAbsence.get_or_none(
        (FutureAbsence.id == absence_id) & FutureAbsence.student.in_(student_ids)
    )
    if absence is None:
        abort(404)
    return absence
