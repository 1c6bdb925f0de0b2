"""Sign-in and password forms."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from .common_passwords import is_common

PASSWORD_MIN, PASSWORD_MAX = 8, 1000
NAME_MAX = 120


class SignInForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired("Enter your email address."), Length(max=254)],
                       render_kw={"autocomplete": "username"})
    password = PasswordField("Password", validators=[DataRequired("Enter your password."), Length(max=PASSWORD_MAX)],
                             render_kw={"autocomplete": "current-password"})
    remember = BooleanField("Keep me signed in on this device")


def email_field(label="Email"):
    """An email address, checked by email-validator (syntax only: no network lookups)."""
    return EmailField(label, validators=[DataRequired("Enter an email address."), Length(max=254),
                                         Email("Enter an email address like name@example.com.")],
                      render_kw={"autocomplete": "email"}, filters=[lambda v: v.strip().lower() if v else v])


def name_field(label="Name"):
    return StringField(label, validators=[DataRequired("Enter a name."), Length(max=NAME_MAX)],
                       filters=[lambda v: " ".join(v.split()) if v else v], render_kw={"autocomplete": "name"})


class NewPasswordForm(FlaskForm):
    """A new password, twice: the rules every password set in Cubby follows."""

    new_password = PasswordField(
        "New password",
        validators=[
            DataRequired("Choose a new password."),
            Length(PASSWORD_MIN, PASSWORD_MAX, f"Use at least {PASSWORD_MIN} characters (a passphrase is welcome)."),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    confirm_password = PasswordField(
        "Repeat the new password",
        validators=[DataRequired("Repeat the new password."), EqualTo("new_password", "The two new passwords differ.")],
        render_kw={"autocomplete": "new-password"},
    )

    def validate_new_password(self, field):
        """Refuse what attackers try first: a password from the common-password list."""
        if is_common(field.data):
            raise ValidationError(
                "This password is on a list of commonly used passwords, which are the first ones attackers try. "
                "Please choose another (a few unrelated words make a good passphrase)."
            )


class ChangePasswordForm(NewPasswordForm):
    current_password = PasswordField(
        "Current password", validators=[DataRequired("Enter your current password."), Length(max=PASSWORD_MAX)],
        render_kw={"autocomplete": "current-password"},
    )


class ForgotPasswordForm(FlaskForm):
    email = email_field("Email")


class AcceptInvitationForm(NewPasswordForm):
    name = name_field("Your name")
