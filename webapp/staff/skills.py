"""Staff: the evaluated-skills code table, a list of skills per course level."""
from flask_wtf import FlaskForm
from peewee import fn
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, ValidationError

from ..models import Course, Skill
from ..numbers import WholeNumberField, stripped
from .services import save_named


class SkillNameTaken(Exception):
    """The level already has a skill of this name (case does not matter)."""


def skill_name_taken(level, name, except_id=None):
    """True when another skill of the level has this name, compared without case."""
    query = Skill.select(Skill.id).where((Skill.level == level) & (fn.LOWER(Skill.name) == (name or "").strip().lower()))
    if except_id is not None:
        query = query.where(Skill.id != except_id)
    return query.exists()


def course_levels():
    """The levels the courses name, in alphabetical order (a course without a level has no skills)."""
    return [row.level for row in Course.select(Course.level).where(Course.level != "").distinct().order_by(Course.level)]


def skills_by_level():
    """{level: [skills in order]} for every skill, inactive ones included, levels in alphabetical order."""
    table = {}
    for skill in Skill.select().order_by(Skill.level, Skill.sort_order, Skill.name):
        table.setdefault(skill.level, []).append(skill)
    return table


def save_skill(skill_id, level, name, active, sort_order):
    """Add (skill_id None) or change a skill; evaluations already recorded keep pointing at it."""
    values = {"level": level, "name": name.strip(), "active": active, "sort_order": sort_order}
    return save_named(Skill, skill_id, values, lambda n, row_id: skill_name_taken(level, n, row_id), SkillNameTaken)


class SkillForm(FlaskForm):
    """One skill: its course level, a name unique within the level, whether it is still evaluated, its order."""

    level = SelectField("Course level", validators=[DataRequired("Choose the course level.")],
                        validate_choice=False)
    name = StringField("Skill", filters=[stripped],
                       validators=[DataRequired("Enter the skill's name."),
                                   Length(max=60, message="Use at most 60 characters.")])
    active = BooleanField("Active (offered on rosters and shown to families)", default=True)
    sort_order = WholeNumberField(
        "Order", default=0,
        validators=[InputRequired("Enter a number from 0 to 999."), NumberRange(0, 999, "Use a number from 0 to 999.")],
    )

    def __init__(self, levels, skill_id=None, **kwargs):
        super().__init__(**kwargs)
        self.skill_id = skill_id
        self.level.choices = [("", "Choose a level")] + [(level, level) for level in levels]

    def validate_level(self, field):
        # Checked here rather than by WTForms' choice check, so the message says what to do.
        if field.data not in [value for value, _ in self.level.choices[1:]]:
            raise ValidationError("Choose one of the levels the courses name.")

    def validate_name(self, field):
        if self.level.data and skill_name_taken(self.level.data, field.data, self.skill_id):
            raise ValidationError(f"{self.level.data} already has a skill called “{field.data}”.")

    def values(self):
        """The fields as save_skill takes them."""
        return {"level": self.level.data, "name": self.name.data, "active": self.active.data,
                "sort_order": self.sort_order.data}
