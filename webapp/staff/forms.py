"""Staff forms: the absence-reason code table, moving a meeting."""
import datetime

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, StringField, TimeField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from ..numbers import WholeNumberField, stripped
from .services import reason_name_taken


class ReasonForm(FlaskForm):
    """One absence reason; names are unique whatever their case."""

    name = StringField(
        "Name", filters=[stripped],
        validators=[DataRequired("Enter a name."), Length(max=60, message="Use at most 60 characters.")],
    )
    patron_usable = BooleanField("Families may choose it (patron-usable)", default=True)
    active = BooleanField("Active (offered on rosters and to families)", default=True)
    sort_order = WholeNumberField(
        "Order", default=0,
        validators=[InputRequired("Enter a number from 0 to 999."), NumberRange(0, 999, "Use a number from 0 to 999.")],
    )

    def __init__(self, reason_id=None, **kwargs):
        super().__init__(**kwargs)
        self.reason_id = reason_id

    def validate_name(self, field):
        if reason_name_taken(field.data, self.reason_id):
            raise ValidationError(f"There is already a reason called “{field.data}”.")

    def values(self):
        """The fields as save_reason takes them."""
        return {
            "name": self.name.data, "patron_usable": self.patron_usable.data, "active": self.active.data,
            "sort_order": self.sort_order.data,
        }


class MoveMeetingForm(FlaskForm):
    """A meeting's new date and times, in the school's time zone."""

    day = DateField("Date", validators=[DataRequired("Pick the new date.")])
    starts = TimeField("Starts", validators=[DataRequired("Pick the start time.")])
    ends = TimeField("Ends", validators=[DataRequired("Pick the end time.")])

    def validate_ends(self, field):
        if self.starts.data and field.data and field.data <= self.starts.data:
            raise ValidationError("The class must end after it starts.")

    def times(self):
        """(starts at, ends at) as naive local datetimes, as meetings keep them."""
        return (datetime.datetime.combine(self.day.data, self.starts.data),
                datetime.datetime.combine(self.day.data, self.ends.data))


class ReminderSwitchForm(FlaskForm):
    """One email's switch in Email Management, and how many days ahead where that applies."""

    class Meta:  # one form per reminder on the page, under prefixes; the app-wide CSRFProtect checks the token
        csrf = False

    enabled = BooleanField("Send it")
    days_before = WholeNumberField("Days before the first class", invalid_value_message="Enter a whole number of days.",
                                   validators=[Optional(), NumberRange(0, 60, "Use a number of days from 0 to 60.")])
