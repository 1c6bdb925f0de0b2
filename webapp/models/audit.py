"""What staff changed in the console: one row per change, shown on the object's page (issue 13.10)."""
import peewee as pw

from .base import BaseModel, utcnow
from .people import User


class StaffChange(BaseModel):
    """Who changed which fields of one object, when, and each field's value before and after (JSON)."""

    kind = pw.CharField(max_length=32)  # the table of the object: course, location, company, account, student …
    object_key = pw.CharField(max_length=64)  # its id, or its key where it has none (an email's kind)
    action = pw.CharField(max_length=16)  # added or changed
    changes = pw.TextField()  # {"field": [before, after]}, values as shown
    changed_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    changed_at = pw.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("kind", "object_key", "changed_at"), False),)
