"""Evaluated skills: the skills of a level, the latest evaluation of each, and recording one from a roster."""
from peewee import JOIN, fn

from ..database import write_transaction
from ..models import Evaluation, Meeting, Skill, User
from .services import check_roster_open


def active_skills(levels):
    """The active skills of these course levels, level by level in the code table's order."""
    if not levels:
        return []
    return list(Skill.select().where(Skill.level.in_(list(levels)) & Skill.active)
                .order_by(Skill.level, Skill.sort_order, Skill.name))


def latest_evaluations(student_ids, skill_ids):
    """{(student id, skill id): the latest evaluation, with its instructor} in one query, whatever the history."""
    if not student_ids or not skill_ids:
        return {}
    latest = (Evaluation.select(fn.MAX(Evaluation.id))
              .where(Evaluation.student.in_(list(student_ids)) & Evaluation.skill.in_(list(skill_ids)))
              .group_by(Evaluation.student, Evaluation.skill))
    query = (Evaluation.select(Evaluation, User.id, User.name)
             .join(User, JOIN.LEFT_OUTER, on=(Evaluation.instructor == User.id), attr="evaluator")
             .where(Evaluation.id.in_(latest)))
    return {(e.student_id, e.skill_id): e for e in query}


def level_skill_or_none(level, skill_id):
    """An active skill of this level, or None (another level's skill is not evaluated on this roster)."""
    if not level:
        return None
    return Skill.get_or_none((Skill.id == skill_id) & (Skill.level == level) & Skill.active)


def record_evaluation(instructor, meeting, student, skill, status, comment, today):
    """Record what the instructor found today from the meeting's roster, while it may still be marked (else
    AttendanceRefused); earlier evaluations stay as the skill's history."""
    with write_transaction():
        check_roster_open(instructor, Meeting.get_by_id(meeting.id))  # read again: submitted meanwhile counts
        return Evaluation.create(student=student, skill=skill, status=status, comment=comment.strip(),
                                 evaluated_on=today, instructor=instructor)


def evaluated_skills(student, levels):
    """[(level, [(skill, latest evaluation or None)])] of the student's levels: two queries whatever the history."""
    skills = active_skills(levels)
    latest = latest_evaluations([student.id], [k.id for k in skills])
    table = {}
    for skill in skills:
        table.setdefault(skill.level, []).append((skill, latest.get((student.id, skill.id))))
    return list(table.items())
