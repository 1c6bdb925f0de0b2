"""Forms of Account Information's guardians."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField
from wtforms.validators import Length

from ..auth.forms import email_field, name_field


class GuardianDetailsForm(FlaskForm):
    name = name_field("Name")
    email = email_field("Email")


class AddGuardianForm(GuardianDetailsForm):
    relation = StringField("Relation", validators=[Length(max=40)], description="For example Parent, Grandparent, Nanny.",
                           filters=[lambda v: " ".join(v.split()) if v else ""])
    invite = BooleanField("Send Invite Email now", default=True)


class GrantsForm(FlaskForm):
    can_make_payments = BooleanField("Can make payments")
    can_view_balance = BooleanField("Can view balance")
    can_view_transactions = BooleanField("Can view transaction history")
