"""The choices of Transaction History and its reports: GET forms, so no CSRF token and nothing changes."""
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField
from wtforms.validators import Optional, ValidationError

from ..numbers import WholeNumberField
from ..pending.forms import _a_day_of_this_era
from .ledger_reports import TABS


class ReportForm(FlaskForm):
    """Which household and location, and (with the full history preference) which days."""

    class Meta:
        csrf = False

    # history._choose answers 404 for a household or location not offered, so the fields do not check again.
    account = SelectField("Household", coerce=int, validate_choice=False)
    location = SelectField("Location", coerce=int, validate_choice=False)
    start = DateField("From", validators=[Optional(), _a_day_of_this_era])
    end = DateField("To", validators=[Optional(), _a_day_of_this_era])

    def validate_end(self, field):
        if field.data and self.start.data and field.data < self.start.data:
            raise ValidationError("Pick a day on or after the first one.")


class HistoryForm(ReportForm):
    tab = SelectField("Show", choices=[(key, label) for key, (label, _) in TABS.items()], default="all")
    page = WholeNumberField("Page", validators=[Optional()], default=1)


class PaidForm(FlaskForm):
    """Which household and year a statement of amounts paid covers."""

    class Meta:
        csrf = False

    account = SelectField("Household", coerce=int, validate_choice=False)
    year = SelectField("Year", coerce=int, validate_choice=False)
