"""Registration forms."""
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length, Regexp


class RegistrationForm(FlaskForm):
    """Which of the family's students the registration is for."""

    student = SelectField("Student", coerce=int, validate_choice=True)


class SendBillForm(FlaskForm):
    """Send Bill (Purchase Order): the PO number the business bills."""

    po_number = StringField("Purchase order number", validators=[
        DataRequired("Enter the purchase order number."), Length(max=64),
        Regexp(r"^[A-Za-z0-9][A-Za-z0-9 ./-]*$", message="Use letters, digits, spaces, dots, slashes or dashes.")])
