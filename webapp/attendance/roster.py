"""One meeting's roster: who may open it, who is on it, and what is known of each student."""
from flask import abort
from peewee import JOIN

from ..models import AbsenceReason, Course, Evaluation, Location, Meeting, Student, User
from .evaluations import active_skills, latest_evaluations
from .services import enrolled_students, records_for, roster_students


def meeting_or_404(user, meeting_id):
    """The meeting with its course, place and submitter; staff see any, an instructor only their own (else 404)."""
    submitter = User.alias()
    query = (
        Meeting.select(Meeting, Course, Location, submitter.id, submitter.name)
        .join(Course)
        .join(Location)
        .switch(Meeting)
        .join(submitter, JOIN.LEFT_OUTER, on=(Meeting.roster_submitted_by == submitter.id), attr="submitter")
        .where(Meeting.id == meeting_id)
    )
    if user.role != User.STAFF:
        query = query.where(Course.instructor == user)
    meeting = query.first()
    if meeting is None:
        abort(404)
    return meeting


def enrolled_student_or_404(meeting, student_id):
    """A student on the meeting's roster (enrolled, or booked there for a makeup); anyone else answers 404."""
    student = roster_students(meeting).where(Student.id == student_id).first()
    if student is None:
        abort(404)
    return student


def roster_reasons():
    """Every active reason, patron-usable and instructor-only, in the code table's order."""
    return list(AbsenceReason.select().where(AbsenceReason.active).order_by(AbsenceReason.sort_order, AbsenceReason.name))


def may_mark(user, meeting):
    """Nobody marks a cancelled class; instructors mark until the roster is submitted, staff may always change it."""
    return meeting.cancelled_at is None and (user.role == User.STAFF or meeting.roster_submitted_at is None)


def skills_on_roster(meeting, student_ids):
    """The course level's skills and the latest evaluation of each for these students: two queries at most."""
    skills = active_skills([meeting.course.level] if meeting.course.level else [])
    return {"skills": skills, "evaluations": latest_evaluations(student_ids, [k.id for k in skills]),
            "statuses": Evaluation.LABELS}


def roster(meeting):
    """Students (makeups included), their records, the reasons to offer and the skills to evaluate: five queries,
    whatever the size."""
    students = enrolled_students(meeting)
    ids = [s.id for s in students]
    return {
        "students": students,
        "records": records_for([meeting.id], ids),
        "reasons": roster_reasons(),
        **skills_on_roster(meeting, ids),
    }
