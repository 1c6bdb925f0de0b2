"""The one-tap attendance mark."""
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, ValidationError

PRESENT = "present"


class MarkForm(FlaskForm):
    """`mark` is "present" or the id of an active absence reason (the tapped button's value)."""

    mark = StringField("Attendance", validators=[DataRequired("Choose Present or one of the reasons.")])

    def __init__(self, reasons, **kwargs):
        super().__init__(**kwargs)
        self.offered = {str(r.id): r for r in reasons}

    def validate_mark(self, field):
        if field.data != PRESENT and field.data not in self.offered:
            raise ValidationError("That reason is not offered. Choose Present or one of the reasons shown.")

    @property
    def reason(self):
        """The chosen reason, or None for present."""
        return self.offered.get(self.mark.data)
