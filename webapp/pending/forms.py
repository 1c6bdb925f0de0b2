"""Staff forms for the pending payments queue and the Pending Payment settings."""
import datetime

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, RadioField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from ..billing.forms import MoneyField
from ..models import Payment


def _a_day_of_this_era(form, field):
    # The day after 9999-12-31 does not exist, and the queue filters up to the end of the day picked.
    if field.data and not datetime.date(2000, 1, 1) <= field.data <= datetime.date(2100, 12, 31):
        raise ValidationError("Pick a day between 2000 and 2100.")


class QueueFilterForm(FlaskForm):
    """Filter the queue by division, course and order date (a GET form, so no CSRF token)."""

    class Meta:
        csrf = False

    division = SelectField("Division", coerce=int, validate_choice=True, default=0)
    course = SelectField("Course", coerce=int, validate_choice=True, default=0)
    since = DateField("Ordered from", validators=[Optional(), _a_day_of_this_era])
    until = DateField("Ordered until", validators=[Optional(), _a_day_of_this_era])

    def validate_until(self, field):
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError("Pick a day on or after the first one.")


class DenyForm(FlaskForm):
    """Mark Denied, with an optional withdraw penalty."""

    penalty = MoneyField("Withdraw penalty (optional)", validators=[Optional(), Length(max=20)])

    def validate_penalty(self, field):
        if field.cents is not None and field.cents < 0:
            raise ValidationError("Enter an amount of zero or more.")


class CompleteForm(FlaskForm):
    """Mark Complete: how the payment was received, its reference and the amount (the balance by default)."""

    method = RadioField("Received by", default=Payment.CHECK, validate_choice=False, choices=[
        (code, Payment.OFFLINE_LABELS[code]) for code in (Payment.CHECK, Payment.TRANSFER, Payment.PURCHASE_ORDER)])
    reference = StringField("Check, transfer or PO number", validators=[
        DataRequired("Enter the check, transfer or PO number."), Length(max=100)])
    amount = MoneyField("Amount received", validators=[DataRequired("Enter the amount received."), Length(max=20)])

    def validate_method(self, field):
        if field.data not in dict(field.choices):
            raise ValidationError("Choose how the payment was received.")

    def validate_amount(self, field):
        if field.cents is not None and field.cents <= 0:
            raise ValidationError("Enter an amount above zero.")


class SubjectForm(FlaskForm):
    """One division's or household's "subject to Pending Payment" switch."""

    subject = BooleanField("Subject to Pending Payment")
