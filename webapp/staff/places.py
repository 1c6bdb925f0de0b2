"""Staff: the school's locations and divisions (a division's "subject to Pending Payment" switch is kept here)."""
from flask_wtf import FlaskForm
from peewee import fn
from wtforms import BooleanField, StringField
from wtforms.validators import DataRequired, Length, ValidationError

from ..models import Division, Location
from ..numbers import stripped
from .services import save_named

PER_PAGE = 25


class NameTaken(Exception):
    """Another row of the table already has this name (case does not matter)."""


def name_taken(model, name, except_id=None):
    """True when another row of `model` has this name, compared without case."""
    query = model.select(model.id).where(fn.LOWER(model.name) == (name or "").strip().lower())
    if except_id is not None:
        query = query.where(model.id != except_id)
    return query.exists()


def page_of(model, page, per_page=PER_PAGE):
    """(rows of one page by name, how many rows, how many pages): two queries whatever the size of the table."""
    total = model.select().count()
    pages = max(1, -(-total // per_page))
    return list(model.select().order_by(model.name, model.id).paginate(min(page, pages), per_page)), total, pages


def save_place(model, row_id, **values):
    """Add (row_id None) or change a location or a division; a name taken meanwhile raises NameTaken."""
    values["name"] = values["name"].strip()
    return save_named(model, row_id, values, lambda name, except_id: name_taken(model, name, except_id), NameTaken)


class _PlaceForm(FlaskForm):
    model = None
    name = StringField("Name", filters=[stripped],
                       validators=[DataRequired("Enter a name."), Length(max=80, message="Use at most 80 characters.")])

    def __init__(self, row_id=None, **kwargs):
        super().__init__(**kwargs)
        self.row_id = row_id

    def validate_name(self, field):
        if name_taken(self.model, field.data, self.row_id):
            raise ValidationError(f"There is already one called “{field.data}”.")


class LocationForm(_PlaceForm):
    """A location: where classes meet."""

    model = Location
    address = StringField("Address", filters=[stripped],
                          validators=[Length(max=200, message="Use at most 200 characters.")])

    def values(self):
        return {"name": self.name.data, "address": self.address.data or ""}


class DivisionForm(_PlaceForm):
    """A division: a part of the business with its own billing rules."""

    model = Division
    subject_to_pending_payment = BooleanField("Subject to Pending Payment")

    def values(self):
        return {"name": self.name.data, "subject_to_pending_payment": self.subject_to_pending_payment.data}
