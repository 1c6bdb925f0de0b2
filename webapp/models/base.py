"""The base model every table inherits: bound to the database proxy."""
import datetime

import peewee as pw

from ..extensions import db


def utcnow():
    """Naive UTC now, the form every timestamp is stored in."""
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


class BaseModel(pw.Model):
    class Meta:
        database = db
        legacy_table_names = False
