"""The one-tap attendance mark and the one-tap skill evaluation."""
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length, ValidationError

from ..models import Evaluation, Student
from ..numbers import whole_number

PRESENT = "present"


class MarkForm(FlaskForm):
    """`mark` is "present" or the id of an active absence reason (the tapped button's value)."""

    mark = StringField("Attendance", validators=[DataRequired("Choose Present or one of the reasons.")])

    def __init__(self, reasons, **kwargs):
        super().__init__(**kwargs)
        self.offered = {str(r.id): r for r in reasons}

    def validate_mark(self, field):
        if field.data != PRESENT and field.data not in self.offered:
            raise ValidationError("That reason is not offered. Choose Present or one of the reasons shown.")

    @property
    def reason(self):
        """The chosen reason, or None for present."""
        return self.offered.get(self.mark.data)


class EvaluateForm(FlaskForm):
    """One tap on a skill: `status` is the tapped button's value, with the comment typed beside it, if any."""

    status = StringField("Evaluation", validators=[DataRequired("Choose Not started, In progress or Mastered.")])
    comment = StringField("Comment", validators=[Length(max=500, message="Use at most 500 characters.")])

    def validate_status(self, field):
        if field.data not in Evaluation.LABELS:
            raise ValidationError("Choose Not started, In progress or Mastered.")


class RegisterOnAccountForm(FlaskForm):
    """"Register on account": `student` is the id of the student picked from the search results."""

    student = StringField("Student", validators=[DataRequired("Choose a student from the list.")])

    def validate_student(self, field):
        try:
            self.picked = Student.get_or_none(Student.id == whole_number(field.data.strip()))
        except ValueError:
            self.picked = None
        if self.picked is None:
            raise ValidationError("Choose a student from the list.")
