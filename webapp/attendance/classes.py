"""The class list (staff: every course; an instructor: their own) and finding a student to register on account."""
from flask import abort
from peewee import JOIN, fn

from ..models import Account, Course, Enrollment, Location, Meeting, Student, User
from ..registration.services import seats_taken

PER_PAGE = 25


def _pages(total):
    return max(1, -(-total // PER_PAGE))


def _courses_of(user):
    """Every course for staff, only their own for an instructor."""
    query = Course.select(Course.id)
    return query if user.role == User.STAFF else query.where(Course.instructor == user)


def course_or_404(user, course_id):
    """A course with its place that the user may register for: an instructor's own; any other answers 404."""
    course = (Course.select(Course, Location).join(Location)
              .where((Course.id == course_id) & Course.id.in_(_courses_of(user))).first())
    if course is None:
        abort(404)
    course.seats_left = max(course.capacity - seats_taken([course.id])[course.id], 0)
    return course


def class_list(user, start, page):
    """(one page of courses by name, each with .next_meeting from `start` or None; how many; how many pages):
    three queries whatever the number of courses."""
    mine = _courses_of(user)
    total = mine.count()
    pages = _pages(total)
    instructor = User.alias()
    courses = list(Course.select(Course, Location, instructor.id, instructor.name).join(Location).switch(Course)
                   .join(instructor, JOIN.LEFT_OUTER, on=(Course.instructor == instructor.id), attr="teacher")
                   .where(Course.id.in_(mine)).order_by(Course.name, Course.id).paginate(min(page, pages), PER_PAGE))
    nexts = _next_meetings([c.id for c in courses], start)
    for course in courses:
        course.next_meeting = nexts.get(course.id)
    return courses, total, pages


def _next_meetings(course_ids, start):
    """{course id: its first meeting from `start` that is not cancelled}, in one query."""
    if not course_ids:
        return {}
    ahead = (Meeting.starts_at >= start) & Meeting.cancelled_at.is_null()
    first = (Meeting.select(Meeting.course, fn.MIN(Meeting.starts_at).alias("first_start"))
             .where(Meeting.course.in_(course_ids) & ahead).group_by(Meeting.course).alias("first"))
    meetings = (Meeting.select().join(first, on=((Meeting.course == first.c.course_id)
                                                 & (Meeting.starts_at == first.c.first_start)))
                .where(ahead).order_by(Meeting.id))
    found = {}
    for meeting in meetings:
        found.setdefault(meeting.course_id, meeting)  # two meetings at the same hour: the first made
    return found


def students_to_register(text, course, page):
    """(one page of students whose name or household holds every word typed, each with .household and .enrollment
    in the course or None and .holds_seat; how many match; how many pages): three queries whatever the number of students."""
    words = (text or "").split()[:5]
    matching = Student.select(Student.id).join(Account)
    for word in words:
        matching = matching.where(Student.first_name.contains(word) | Student.last_name.contains(word)
                                  | Account.name.contains(word))
    total = matching.count()
    pages = _pages(total)
    students = list(Student.select(Student, Account).join(Account, attr="household").where(Student.id.in_(matching))
                    .order_by(Student.last_name, Student.first_name, Student.id).paginate(min(page, pages), PER_PAGE))
    enrollments = {e.student_id: e for e in Enrollment.select().where(
        (Enrollment.course == course) & Enrollment.student.in_([s.id for s in students] or [0]))}
    for student in students:
        student.enrollment = enrollments.get(student.id)
        student.holds_seat = bool(student.enrollment and student.enrollment.status in Enrollment.ACTIVE)
    return students, total, pages
