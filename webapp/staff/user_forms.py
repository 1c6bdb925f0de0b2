"""Staff forms for staff and instructor logins: inviting one, and changing its name, role and permissions."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField
from wtforms.validators import AnyOf

from ..models import Permission, User
from ..packages.forms import text_field
from .household_forms import check_new_login_email, new_login_email_field
from .users import EMAIL_TAKEN, ROLES


class UserForm(FlaskForm):
    """A staff or instructor login's name, role and the two permissions of the vendor's help pages."""

    name = text_field("Name", 120, required="Enter their name.")
    role = SelectField("Role", choices=list(ROLES.items()), default=User.INSTRUCTOR, validate_choice=False,
                       validators=[AnyOf(list(ROLES), message="Choose Staff or Instructor.")])
    access_billing_tab = BooleanField(Permission.ACCESS_BILLING_TAB)
    view_all_student_enrollments = BooleanField(Permission.VIEW_ALL_STUDENT_ENROLLMENTS)

    def __init__(self, user=None, **kwargs):
        if user is not None:
            kwargs.setdefault("data", {
                "name": user.name, "role": user.role,
                "access_billing_tab": Permission.ACCESS_BILLING_TAB in user.codes,
                "view_all_student_enrollments": Permission.VIEW_ALL_STUDENT_ENROLLMENTS in user.codes})
        super().__init__(**kwargs)

    def codes(self):
        """The permission codes ticked."""
        ticked = ((self.access_billing_tab, Permission.ACCESS_BILLING_TAB),
                  (self.view_all_student_enrollments, Permission.VIEW_ALL_STUDENT_ENROLLMENTS))
        return {code for box, code in ticked if box.data}


class InviteUserForm(UserForm):
    """Invite a user: their email too, where the link to set a password goes."""

    email = new_login_email_field()

    def validate_email(self, field):
        """No other login may use it (checked again when the user is saved)."""
        check_new_login_email(field, EMAIL_TAKEN)
