"""The students' upcoming meetings and the Absent? cell of each."""
import datetime
from dataclasses import dataclass

from flask import abort
from peewee import JOIN

from ..access import family_student_ids
from ..attendance.services import history_for, records_for
from ..models import AbsenceReason, Attendance, Course, Enrollment, Location, Meeting, Student, User
from ..prepared import prepared


def _meetings_of(students, start, until):
    """Meetings of the active enrollments of `students` (a condition on Student) from `start` until `until`, in date
    order, each with what is known of the student there (`record`, with its reason, or None)."""
    instructor = User.alias()
    return (
        Meeting.select(
            Meeting.id, Meeting.course, Meeting.starts_at, Meeting.ends_at, Meeting.roster_submitted_at, Meeting.moved_from,
            Meeting.cancelled_at,
            Course.id, Course.name, Course.location, Location.id, Location.name, Enrollment.id, Enrollment.status,
            Student.id, Student.first_name, Student.last_name, instructor.id, instructor.name, Attendance,
            AbsenceReason.id, AbsenceReason.name,
        )
        .join(Course)
        .join(Location)
        .switch(Course)
        .join(instructor, on=(Course.instructor == instructor.id), join_type=JOIN.LEFT_OUTER, attr="teacher")
        .switch(Course)
        .join(Enrollment, on=(Enrollment.course == Course.id), attr="enrollment")
        .join(Student)
        .switch(Meeting)
        .join(Attendance, JOIN.LEFT_OUTER, on=((Attendance.meeting == Meeting.id) & (Attendance.student == Student.id)),
              attr="record")
        .join(AbsenceReason, JOIN.LEFT_OUTER)
        .where(
            students
            & Enrollment.status.in_(Enrollment.ACTIVE)
            & (Meeting.starts_at >= start)
            & (Meeting.starts_at < until)
        )
        .order_by(Meeting.starts_at, Student.first_name)
    )


@prepared
def upcoming_meetings(student_ids, start, until):
    """_meetings_of these students."""
    return _meetings_of(Student.id.in_(student_ids), start, until)


@prepared
def households_upcoming_meetings(account_ids, start, until):
    """_meetings_of the students of these households, without reading the students first."""
    return _meetings_of(Student.id.in_(family_student_ids(account_ids)), start, until)


@dataclass
class AbsentCell:
    """What the Absent? column shows for one student at one meeting."""

    meeting: Meeting
    student: Student
    record: Attendance | None
    now: datetime.datetime
    known_history: dict | None = None  # a schedule page reads every cell's at once; one cell reads its own when shown

    @property
    def history(self):
        """The student's absent and present counts in the course this term."""
        if self.known_history is None:
            pair = (self.student.id, self.meeting.course_id)
            self.known_history = history_for({pair})[pair]
        return self.known_history

    @property
    def id(self):
        return f"absent-{self.meeting.id}-{self.student.id}"

    @property
    def set_by_instructor(self):
        return self.record is not None and self.record.set_by_role == Attendance.BY_INSTRUCTOR

    def shows(self, reason):
        """True when the family already reported this reason here: reporting it again changes nothing."""
        return (self.changeable and reason.patron_usable and reason.active and self.record is not None
                and self.record.status == Attendance.ABSENT and self.record.reason_id == reason.id)

    @property
    def changeable(self):
        """A family may set, change or clear it: a future meeting, going ahead, roster open, no instructor's mark."""
        return (self.meeting.starts_at > self.now and not self.meeting.cancelled_at
                and not self.meeting.roster_submitted_at and not self.set_by_instructor)


def absent_cells(meetings, now):
    """{(meeting id, student id): AbsentCell} for meetings from upcoming_meetings(), in one more query."""
    pairs = [(m, m.course.enrollment.student) for m in meetings]
    history = history_for({(s.id, m.course_id) for m, s in pairs})
    return {(m.id, s.id): AbsentCell(m, s, m.record, now, history[(s.id, m.course_id)]) for m, s in pairs}


def absent_cell(meeting, student, now, record_read=False):
    """The Absent? cell of one student at one meeting (its record read again, unless the meeting came with it)."""
    record = meeting.record if record_read else records_for({meeting.id}, {student.id}).get((meeting.id, student.id))
    return AbsentCell(meeting, student, record, now)


@prepared
def _student_meeting(student_id, meeting_id):
    on = (Attendance.meeting == Meeting.id) & (Attendance.student == student_id)
    return (student_meetings(student_id).select_extend(Attendance, AbsenceReason).switch(Meeting)
            .join(Attendance, JOIN.LEFT_OUTER, on=on, attr="record").join(AbsenceReason, JOIN.LEFT_OUTER)
            .where(Meeting.id == meeting_id).limit(1))


def student_meetings(student):
    """Meetings (with course and location) of the courses the student holds a place in."""
    return (
        Meeting.select(Meeting, Course, Location)
        .join(Course)
        .join(Location)
        .switch(Course)
        .join(Enrollment, on=(Enrollment.course == Course.id))
        .where((Enrollment.student == student) & Enrollment.status.in_(Enrollment.ACTIVE))
    )


def meeting_of_student_or_404(student, meeting_id):
    """A meeting of a course the student is enrolled in, with the student's record there; any other answers 404."""
    meeting = _student_meeting.first(student.id, meeting_id)
    if meeting is None:
        abort(404)
    return meeting
