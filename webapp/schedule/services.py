"""The students' upcoming meetings."""
import datetime

from peewee import JOIN

from ..models import Course, Enrollment, Location, Meeting, Student, User


def upcoming_meetings(students, start, days):
    """Meetings of the students' active enrollments from `start` for `days` days, in date order."""
    instructor = User.alias()
    return list(
        Meeting.select(Meeting, Course, Location, Enrollment, Student, instructor.id, instructor.name)
        .join(Course)
        .join(Location)
        .switch(Course)
        .join(instructor, on=(Course.instructor == instructor.id), join_type=JOIN.LEFT_OUTER, attr="teacher")
        .switch(Course)
        .join(Enrollment, on=(Enrollment.course == Course.id), attr="enrollment")
        .join(Student)
        .where(
            Student.id.in_(students.select(Student.id))
            & Enrollment.status.in_(Enrollment.ACTIVE)
            & (Meeting.starts_at >= start)
            & (Meeting.starts_at < start + datetime.timedelta(days=days))
        )
        .order_by(Meeting.starts_at, Student.first_name)
    )
