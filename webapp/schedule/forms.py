"""Forms for future absences."""
import datetime

from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, TimeField
from wtforms.validators import DataRequired, Optional, ValidationError

MAX_DAYS_AHEAD = 366


class _ReasonForm(FlaskForm):
    # Two of these forms share a page under prefixes; the app-wide CSRFProtect checks the page's token.
    class Meta:
        csrf = False

    reason = SelectField("Reason", coerce=int, validate_choice=True)

    def set_choices(self, reasons):
        self.reason.choices = [(r.id, r.name) for r in reasons]


def _not_in_the_past_or_too_far(form, field):
    if field.data and field.data < form.today:
        raise ValidationError("Pick today or a later date.")
    if field.data and field.data > form.today + datetime.timedelta(days=MAX_DAYS_AHEAD):
        raise ValidationError("Pick a date within the next year.")


class AbsenceByDateForm(_ReasonForm):
    """Create Future Absence By Date: every class of the student in the span."""

    student = SelectField("Student", coerce=int, validate_choice=True)
    first_day = DateField("From", validators=[DataRequired("Pick the first day."), _not_in_the_past_or_too_far])
    last_day = DateField("To", validators=[DataRequired("Pick the last day."), _not_in_the_past_or_too_far])
    from_time = TimeField("From time (optional)", validators=[Optional()])
    until_time = TimeField("Until time (optional)", validators=[Optional()])

    def validate_last_day(self, field):
        if self.first_day.data and field.data and field.data < self.first_day.data:
            raise ValidationError("The last day cannot be before the first day.")

    def validate_until_time(self, field):
        same_day = self.first_day.data and self.first_day.data == self.last_day.data
        if same_day and field.data and self.from_time.data and field.data <= self.from_time.data:
            raise ValidationError("The end time must be after the start time.")


class AbsenceByEnrollmentForm(_ReasonForm):
    """Create Future Absence By Enrollment: one class on one date."""

    enrollment = SelectField("Class", coerce=int, validate_choice=True)
    day = DateField("Date", validators=[DataRequired("Pick the date of the class."), _not_in_the_past_or_too_far])
