"""Instructors' meetings and rosters."""
import datetime

from peewee import JOIN, fn

from ..models import Course, Enrollment, Location, Meeting


def my_meetings(instructor, start, days):
    """The instructor's meetings from `start` for `days` days, with how many students are enrolled."""
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
        .where(
            (Course.instructor == instructor)
            & (Meeting.starts_at >= start)
            & (Meeting.starts_at < start + datetime.timedelta(days=days))
        )
        .group_by(Meeting.id, Course.id, Location.id)
        .order_by(Meeting.starts_at)
    )
