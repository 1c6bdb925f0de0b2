"""Households, the people who sign in, guardians with their grants, students."""
import secrets

import peewee as pw
from flask_login import UserMixin

from .base import BaseModel, utcnow
from .company import Division


class Account(BaseModel):
    """A household ("customer"): the billing unit."""

    name = pw.CharField(max_length=120)
    division = pw.ForeignKeyField(Division, null=True, backref="accounts", on_delete="SET NULL")
    subject_to_pending_payment = pw.BooleanField(default=False)
    created_at = pw.DateTimeField(default=utcnow)


def new_session_token():
    """A random token that names one generation of a user's sessions."""
    return secrets.token_urlsafe(32)


class User(UserMixin, BaseModel):
    """Someone who signs in: a patron (guardian or trainee), an instructor or staff."""

    PATRON = "patron"
    INSTRUCTOR = "instructor"
    STAFF = "staff"

    email = pw.CharField(max_length=254, unique=True)
    name = pw.CharField(max_length=120)
    role = pw.CharField(max_length=16, default=PATRON)
    password_hash = pw.CharField(max_length=255)
    # No longer names sessions (UserSession does, one row per device); kept until a migration drops it.
    session_token = pw.CharField(max_length=64, unique=True, default=new_session_token)
    NO_PASSWORD = "!"  # never matches a hash: a family added by staff, or an invited guardian, until they set one
    created_at = pw.DateTimeField(default=utcnow)
    deactivated_at = pw.DateTimeField(null=True)  # staff turned the login off: it signs in no more

    # The secret of the device this request comes from, set by the user loader or when signing in.
    device_secret = None

    def get_id(self):
        """Flask-Login's alternative token: the cookie names this device's session, not the user."""
        return self.device_secret

    @property
    def has_password(self):
        """False until the user sets a password (an invitation accepted, a family activated)."""
        return not self.password_hash.startswith(self.NO_PASSWORD)

    @property
    def first_name(self):
        return self.name.split()[0]


class Permission(BaseModel):
    """A named grant for staff and instructors, as in the vendor help pages."""

    ACCESS_BILLING_TAB = "Access Billing Tab"
    VIEW_ALL_STUDENT_ENROLLMENTS = "View All Student Enrollments"

    user = pw.ForeignKeyField(User, backref="permissions", on_delete="CASCADE")
    code = pw.CharField(max_length=64)

    class Meta:
        indexes = ((("user", "code"), True),)


class Guardian(BaseModel):
    """A user's membership of a household, with what the primary guardian granted."""

    ADDED = "added"  # added by the primary guardian, not invited to log in yet
    INVITED = "invited"
    ACCEPTED = "accepted"
    REVOKED = "revoked"

    user = pw.ForeignKeyField(User, backref="memberships", on_delete="CASCADE")
    account = pw.ForeignKeyField(Account, backref="guardians", on_delete="CASCADE")
    is_primary = pw.BooleanField(default=False)
    relation = pw.CharField(max_length=40, default="")
    status = pw.CharField(max_length=16, default=ACCEPTED)
    can_make_payments = pw.BooleanField(default=False)
    can_view_balance = pw.BooleanField(default=False)
    can_view_transactions = pw.BooleanField(default=False)

    class Meta:
        indexes = ((("user", "account"), True),)


class Student(BaseModel):
    """A learner: a child of a household, or a trainee who is also the user."""

    first_name = pw.CharField(max_length=60)
    last_name = pw.CharField(max_length=60)
    birth_date = pw.DateField(null=True)
    preferred_name = pw.CharField(max_length=60, default="")
    medical_notes = pw.TextField(default="")
    allergies = pw.TextField(default="")
    emergency_contact_name = pw.CharField(max_length=120, default="")
    emergency_contact_phone = pw.CharField(max_length=32, default="")
    photo_consent = pw.BooleanField(default=False)
    billing_account = pw.ForeignKeyField(Account, backref="students", on_delete="RESTRICT")
    user = pw.ForeignKeyField(User, null=True, backref="student_profiles", on_delete="SET NULL")

    @property
    def name(self):
        return f"{self.first_name} {self.last_name}"


class StudentLink(BaseModel):
    """A non-billing household connected to a student (grandparents, the other parent)."""

    student = pw.ForeignKeyField(Student, backref="links", on_delete="CASCADE")
    account = pw.ForeignKeyField(Account, backref="linked_students", on_delete="CASCADE")

    class Meta:
        indexes = ((("student", "account"), True),)
