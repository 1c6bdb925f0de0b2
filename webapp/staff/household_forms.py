"""Staff forms for a household: a new one with its primary guardian, its name and division, its students, and
enrolling one of them in a course."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from ..account.forms import birth_date_field, check_birth_date, normalise_phone
from ..account.guardian_forms import AddGuardianForm
from ..account.values import NotAnEmail, normal_email
from ..models import User
from ..numbers import stripped
from ..packages.forms import text_field
from ..templating import money
from .courses import division_choices

EMAIL_TAKEN = "That email already belongs to a Cubby login: find its household with the search instead."


def check_new_login_email(field, taken):
    """A form check: email-validator's, then no login may use the address yet (`taken` says so)."""
    try:
        field.data = normal_email(field.data)
    except NotAnEmail as error:
        raise ValidationError(str(error)) from error
    if User.select().where(User.email == field.data).exists():
        raise ValidationError(taken)


def new_login_email_field():
    """The email of a login staff make: required here; `check_new_login_email` does the rest."""
    return StringField("Email", filters=[stripped], validators=[DataRequired("Enter an email address.")],
                       render_kw={"autocomplete": "off", "inputmode": "email"})


class HouseholdForm(FlaskForm):
    """A household's name and division."""

    name = text_field("Household name", 120, required="Enter the household's name.")
    division = SelectField("Division", coerce=int, default=0)

    def __init__(self, account=None, **kwargs):
        if account is not None:
            kwargs.setdefault("data", {"name": account.name, "division": account.division_id or 0})
        super().__init__(**kwargs)
        self.division.choices = division_choices()

    def household(self):
        """(name, division id or None) as the services take them."""
        return self.name.data, self.division.data or None


class NewHouseholdForm(HouseholdForm):
    """A household and its primary guardian, who is invited by email to set a password."""

    first_name = text_field("First name", 60, required="Enter the guardian's first name.")
    last_name = text_field("Last name", 60, required="Enter the guardian's last name.")
    email = new_login_email_field()
    phone = StringField("Phone (optional)", filters=[stripped], render_kw={"autocomplete": "off", "inputmode": "tel"})

    def validate_email(self, field):
        """No other login may use it (checked again when the household is saved)."""
        check_new_login_email(field, EMAIL_TAKEN)

    def validate_phone(self, field):
        if field.data:
            normalise_phone(field)

    def guardian(self):
        """The primary guardian's details as create_household takes them."""
        return {"first_name": self.first_name.data, "last_name": self.last_name.data, "email": self.email.data,
                "phone": self.phone.data or ""}


class StaffGuardianForm(AddGuardianForm):
    """Staff add a guardian to a household: the family's Add Guardian (name, email, relation), always invited; the
    household's primary guardian sets their grants."""

    email = new_login_email_field()
    invite = None  # staff add a guardian to invite them: an uninvited one would have no way in from here

    def validate_email(self, field):
        """No other login may use it (checked again when the guardian is saved)."""
        check_new_login_email(field, EMAIL_TAKEN)


class StaffStudentForm(FlaskForm):
    """What staff keep about a student here; the family adds the rest from My Account."""

    first_name = text_field("First name", 60, required="Enter the first name.")
    last_name = text_field("Last name", 60, required="Enter the last name.")
    birth_date = birth_date_field()

    def __init__(self, student=None, **kwargs):
        if student is not None:
            kwargs.setdefault("data", {"first_name": student.first_name, "last_name": student.last_name,
                                       "birth_date": student.birth_date})
        super().__init__(**kwargs)

    def validate_birth_date(self, field):
        check_birth_date(field)

    def values(self):
        return {"first_name": self.first_name.data, "last_name": self.last_name.data,
                "birth_date": self.birth_date.data}


class EnrollForm(FlaskForm):
    """Staff: one of the household's students in a course, the order on account or not, with a note the family sees."""

    student = SelectField("Student", coerce=int, validate_choice=False)
    course = SelectField("Course", coerce=int, validate_choice=False)
    on_account = BooleanField("Put on account", default=True)
    payable_online = BooleanField("Balance may be paid online")
    external_note = TextAreaField("Note the family sees", filters=[stripped],
                                  validators=[Length(max=500, message="Use at most 500 characters.")])

    def set_choices(self, students, courses):
        self.student.choices = [(0, "Choose a student")] + [(s.id, s.name) for s in students]
        self.course.choices = [(0, "Choose a course")] + [
            (c.id, f"{c.name}, {c.location.name}, {money(c.price_cents)} "
                   f"({c.seats_left} seat{'s' if c.seats_left != 1 else ''} left)")
            for c in courses]

    def validate_student(self, field):
        if not field.data or field.data not in dict(field.choices):
            raise ValidationError("Choose one of the household's students.")

    def validate_course(self, field):
        if not field.data or field.data not in dict(field.choices):
            raise ValidationError("Choose a course with classes still to come.")
