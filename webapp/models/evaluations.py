"""Evaluated skills: the skills code table per course level, and each evaluation an instructor records."""
import peewee as pw

from .base import BaseModel, utcnow
from .people import Student, User


class Skill(BaseModel):
    """One skill of a course level (the level named on the course's setup page), in the table's order."""

    level = pw.CharField(max_length=40)
    name = pw.CharField(max_length=60)
    active = pw.BooleanField(default=True)
    sort_order = pw.IntegerField(default=0)

    class Meta:
        indexes = ((("level", "name"), True),)


class Evaluation(BaseModel):
    """What an instructor found of one student's skill on one day; the latest one is the skill's status."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    MASTERED = "mastered"
    LABELS = {NOT_STARTED: "Not started", IN_PROGRESS: "In progress", MASTERED: "Mastered"}

    student = pw.ForeignKeyField(Student, backref="evaluations", on_delete="CASCADE")
    skill = pw.ForeignKeyField(Skill, backref="evaluations", on_delete="RESTRICT")
    status = pw.CharField(max_length=16)
    evaluated_on = pw.DateField()  # the business's local date
    instructor = pw.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    comment = pw.TextField(default="")
    created_at = pw.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("student", "skill"), False),)

    @property
    def status_label(self):
        return self.LABELS[self.status]
