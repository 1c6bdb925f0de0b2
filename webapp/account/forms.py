"""My Account forms: contacts and students."""
import datetime

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from ..clock import local_today
from ..numbers import stripped
from ..templating import current_company
from .values import NotAnEmail, NotAPhone, company_region, normal_email, normal_phone


def _at_most(n):
    return Length(max=n, message=f"Use at most {n} characters.")


class _Linked(FlaskForm):
    """A contact linked to one of the household's guardians, or Unassigned."""

    guardian = SelectField("Guardian", choices=[("", "Unassigned")], default="")

    def __init__(self, guardians=(), **kwargs):
        super().__init__(**kwargs)
        self.guardian.choices = [("", "Unassigned")] + [(str(g.id), g.user.name) for g in guardians]

    def guardian_id(self):
        return int(self.guardian.data) if self.guardian.data else None


class ContactEmailForm(_Linked):
    address = StringField("Email", filters=[stripped], validators=[DataRequired("Enter an email address.")],
                          render_kw={"autocomplete": "email", "inputmode": "email"})
    email_blasts = BooleanField("Email Blasts (news and reminders from the school)", default=True)

    def validate_address(self, field):
        """email-validator's check; the normalised address replaces what was typed."""
        try:
            field.data = normal_email(field.data)
        except NotAnEmail as error:
            raise ValidationError(str(error)) from error

    def values(self):
        return {"address": self.address.data, "email_blasts": self.email_blasts.data}


def normalise_phone(field):
    """A phone field checked by phonenumbers in the company's region; the normalised number replaces what was typed."""
    if len(field.data or "") > 32:
        raise ValidationError("Use at most 32 characters.")
    try:
        field.data = normal_phone(field.data, company_region(current_company().locale))
    except NotAPhone as error:
        raise ValidationError(str(error)) from error


class ContactPhoneForm(_Linked):
    number = StringField("Phone", filters=[stripped], validators=[DataRequired("Enter a phone number.")],
                         render_kw={"autocomplete": "tel", "inputmode": "tel"})
    sms = BooleanField("SMS/Text Messages", default=True)

    def validate_number(self, field):
        """phonenumbers' check; the normalised number replaces what was typed."""
        normalise_phone(field)

    def values(self):
        return {"number": self.number.data, "sms": self.sms.data}


class MailingAddressForm(_Linked):
    street = StringField("Street address", filters=[stripped],
                         validators=[DataRequired("Enter the street address."), _at_most(200)],
                         render_kw={"autocomplete": "address-line1"})
    street_2 = StringField("Apartment, suite (optional)", filters=[stripped], validators=[_at_most(200)],
                           render_kw={"autocomplete": "address-line2"})
    city = StringField("City (optional)", filters=[stripped], validators=[_at_most(100)],
                       render_kw={"autocomplete": "address-level2"})
    region = StringField("State (optional)", filters=[stripped], validators=[_at_most(100)],
                         render_kw={"autocomplete": "address-level1"})
    postal_code = StringField("ZIP code (optional)", filters=[stripped], validators=[_at_most(20)],
                              render_kw={"autocomplete": "postal-code"})

    def values(self):
        return {name: getattr(self, name).data or "" for name in ("street", "street_2", "city", "region", "postal_code")}


CONTACT_FORMS = {"email": ContactEmailForm, "phone": ContactPhoneForm, "address": MailingAddressForm}


class ReassignForm(_Linked):
    """Move a value to another guardian (the Unassigned column's option)."""

    guardian = SelectField("Reassign to", choices=[("", "Unassigned")], default="")


class LoginEmailForm(FlaskForm):
    """A login email's one switch here: it is changed with the sign-in details, not deleted."""

    email_blasts = BooleanField("Email Blasts (news and reminders from the school)")


def check_birth_date(field):
    """A date of birth not after the school's today, and not before 1900 (when one is given)."""
    if field.data and not datetime.date(1900, 1, 1) <= field.data <= local_today():
        raise ValidationError("Enter a date of birth in the past, like 2016-03-14.")


def birth_date_field():
    return DateField("Date of birth", validators=[Optional()], format="%Y-%m-%d", render_kw={"type": "date"})


class StudentForm(FlaskForm):
    """What a family keeps about a student; the billing household is the school's to set."""

    first_name = StringField("First name", filters=[stripped],
                             validators=[DataRequired("Enter the first name."), _at_most(60)],
                             render_kw={"autocomplete": "off"})
    last_name = StringField("Last name", filters=[stripped],
                            validators=[DataRequired("Enter the last name."), _at_most(60)],
                            render_kw={"autocomplete": "off"})
    preferred_name = StringField("Preferred name (optional)", filters=[stripped], validators=[_at_most(60)])
    birth_date = birth_date_field()
    allergies = TextAreaField("Allergies (optional)", filters=[stripped], validators=[_at_most(2000)])
    medical_notes = TextAreaField("Medical notes (optional)", filters=[stripped], validators=[_at_most(2000)])
    emergency_contact_name = StringField("Emergency contact name (optional)", filters=[stripped],
                                         validators=[_at_most(120)])
    emergency_contact_phone = StringField("Emergency contact phone (optional)", filters=[stripped],
                                          render_kw={"autocomplete": "off", "inputmode": "tel"})
    photo_consent = BooleanField("Photos of this student may be taken and shared by the school")

    def validate_birth_date(self, field):
        check_birth_date(field)

    def validate_emergency_contact_phone(self, field):
        if field.data:
            normalise_phone(field)

    def values(self):
        names = ("first_name", "last_name", "preferred_name", "birth_date", "allergies", "medical_notes",
                 "emergency_contact_name", "emergency_contact_phone", "photo_consent")
        values = {name: getattr(self, name).data for name in names}
        return {k: ("" if v is None and k != "birth_date" else v) for k, v in values.items()}
