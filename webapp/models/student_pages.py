"""What the student pages of My Account keep: each student's check-in code, each user's chosen location."""
import secrets

import peewee as pw

from .base import BaseModel, utcnow
from .company import Location
from .people import Student, User


def new_check_in_code():
    """An unguessable code (about 100 bits), short enough to type at the front desk."""
    return secrets.token_hex(10).upper()


class CheckInCode(BaseModel):
    """The code of a student's QR code: random, never derived from the student; the primary guardian rotates it."""

    student = pw.ForeignKeyField(Student, unique=True, backref="+", on_delete="CASCADE")
    code = pw.CharField(max_length=64, unique=True, default=new_check_in_code)
    created_at = pw.DateTimeField(default=utcnow)


class ChosenLocation(BaseModel):
    """The "currently selected Location" a user picked at the top of My Account."""

    user = pw.ForeignKeyField(User, unique=True, backref="+", on_delete="CASCADE")
    location = pw.ForeignKeyField(Location, backref="+", on_delete="CASCADE")
