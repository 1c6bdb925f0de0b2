"""A student's attendance per enrollment: every meeting with Present, Absent (and why) or Not marked, and totals."""
from dataclasses import dataclass, field

from peewee import JOIN

from ..models import AbsenceReason, Attendance, Meeting


@dataclass
class MeetingMark:
    meeting: Meeting
    record: Attendance | None
    upcoming: bool

    @property
    def label(self):
        if self.meeting.cancelled_at:
            return "Cancelled by the school"
        if self.record is None:
            return "Not marked"
        if self.record.status == Attendance.PRESENT:
            return "Present"
        return f"Absent: {self.record.reason.name}" if self.record.reason_id else "Absent"

    @property
    def family_set(self):
        """An absence the family reported ahead, still changeable on Upcoming Courses (the Absent? cell)."""
        return self.upcoming and self.record is not None and self.record.set_by_role == Attendance.BY_PATRON


@dataclass
class CourseAttendance:
    row: object  # the EnrollmentRow
    marks: list = field(default_factory=list)

    def total(self, kind):
        """How many meetings held so far were Present, Absent or Not marked, or how many are still to come
        ("upcoming", a reported absence among them); cancelled ones count in none."""
        if kind == "upcoming":
            return sum(1 for m in self.marks if m.upcoming and not m.meeting.cancelled_at)
        held = [m for m in self.marks if not m.meeting.cancelled_at and not m.upcoming]
        if kind == "present":
            return sum(1 for m in held if m.record and m.record.status == Attendance.PRESENT)
        if kind == "absent":
            return sum(1 for m in held if m.record and m.record.status == Attendance.ABSENT)
        return sum(1 for m in held if m.record is None)


def attendance_of(student, rows, now):
    """[CourseAttendance] for these enrollment rows of the student, in two queries whatever their number."""
    course_ids = [row.enrollment.course_id for row in rows]
    records = {record.meeting_id: record for record in
               Attendance.select(Attendance, AbsenceReason).join(AbsenceReason, join_type=JOIN.LEFT_OUTER)
               .switch(Attendance).join(Meeting)
               .where((Attendance.student == student.id) & Meeting.course.in_(course_ids or [0]))}
    by_course = {row.enrollment.course_id: CourseAttendance(row) for row in rows}
    for meeting in (Meeting.select().where(Meeting.course.in_(course_ids or [0]))
                    .order_by(Meeting.starts_at)):
        by_course[meeting.course_id].marks.append(
            MeetingMark(meeting, records.get(meeting.id), meeting.starts_at > now))
    return list(by_course.values())
