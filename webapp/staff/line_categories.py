"""Staff: the order-line categories code table (Tuition, Packages, ...); names are unique whatever their case."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField
from wtforms.validators import DataRequired, Length, ValidationError

from ..models import LineCategory
from ..numbers import stripped
from .places import NameTaken, name_taken, page_of
from .services import save_named


def taken_message(name):
    return f"There is already a category called “{name}”."


def category_page(page):
    """(categories of one page by name, how many, how many pages), in two queries however long the table grows."""
    return page_of(LineCategory, page)


def save_category(category_id, name, active):
    """Add (category_id None) or change a category; lines already filed keep pointing at it (retired or not)."""
    values = {"name": name.strip(), "active": active}
    return save_named(LineCategory, category_id, values,
                      lambda wanted, except_id: name_taken(LineCategory, wanted, except_id), NameTaken)


class LineCategoryForm(FlaskForm):
    """One order-line category: its name and whether new lines are still filed under it."""

    name = StringField("Name", filters=[stripped],
                       validators=[DataRequired("Enter a name."), Length(max=60, message="Use at most 60 characters.")])
    active = BooleanField("Active (new order lines may be filed under it)", default=True)

    def __init__(self, category_id=None, **kwargs):
        super().__init__(**kwargs)
        self.category_id = category_id

    def validate_name(self, field):
        if name_taken(LineCategory, field.data, self.category_id):
            raise ValidationError(taken_message(field.data))

    def values(self):
        """The fields as save_category takes them."""
        return {"name": self.name.data, "active": self.active.data}
