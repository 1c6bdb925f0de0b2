"""The staff console's audit (issue 13.10): each change records who made it, when, and each field before → after,
in the change's own write transaction; the object's page lists the latest."""
import datetime
import json
from dataclasses import dataclass

from flask import has_request_context
from flask_login import current_user
from peewee import JOIN, ForeignKeyField

from .models import StaffChange, User

SHOWN = 20  # changes listed on an object's page, newest first
# A household's enrollments and money, kept apart from its other changes: only staff with "Access Billing Tab" see them
# (Alex at the front desk sees the household, not its orders, refunds and voids).
BILLING = "billing"


def _kept(field, value):
    """A value as the audit keeps it: a related row by its name (as the page showed it), dates as ISO text."""
    if isinstance(field, ForeignKeyField) and value is not None:
        related = field.rel_model.get_or_none(field.rel_model.id == value)
        return getattr(related, "name", None) or f"#{value}"
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    return value


def before_change(row, names):
    """The row's values of these fields now, to hand to `audit` after the change ({} for a row still to add)."""
    return {name: row.__data__.get(name) for name in names} if row is not None else {}


def audit(row, before, after):
    """Inside the change's write transaction: the fields of `after` that differ from `before` ({} for a new row)."""
    fields = type(row)._meta.fields
    changes = {name: [_kept(fields.get(name), before.get(name)), _kept(fields.get(name), value)]
               for name, value in after.items() if not before or before.get(name) != value}
    record(type(row)._meta.table_name, row.id, changes, "changed" if before else "added")


def record(kind, key, changes, action="changed", by=None):
    """Inside a write transaction: one change to the object `kind` `key`, {what: [before, after]} as shown, made by
    `by` (else the signed-in user; a short verb as `action`: added, changed, enrolled, refunded …)."""
    if changes:
        if by is None and has_request_context() and current_user.is_authenticated:
            by = current_user.id
        StaffChange.create(kind=kind, object_key=str(key), action=action, changes=json.dumps(changes), changed_by=by)


def record_billing(account_ids, changes, action, by=None):
    """Inside the write transaction: a change to households' money, on each one's Changes list (billing staff's)."""
    for account_id in dict.fromkeys(a for a in account_ids if a):
        record(BILLING, account_id, changes, action, by)


def record_enrollment(student, course_ids, action, place, money=None, by=None):
    """Inside the write transaction: a staff change to a student's place ({"Amy in Ballet I": [before, after]}) on
    each course's page and on the household's, with what it moved in money there (then only for billing staff)."""
    for course_id in course_ids:
        record("course", course_id, place, action, by)
    if money:
        record_billing([student.billing_account_id], {**place, **money}, action, by)
    else:
        record("account", student.billing_account_id, place, action, by)


def with_notes(changes, **notes):
    """The changes and each note given (a reason, a note) as something added; empty notes are left out."""
    return {**changes, **{name: [None, text] for name, text in notes.items() if text}}


def place_in(student, course):
    """How a student's place in a course is named on a Changes list: Amy in Ballet I."""
    return f"{student.first_name} in {course.name}"


@dataclass
class Change:
    at: datetime.datetime
    by: str
    action: str
    fields: list  # [(field name, before, after)]


def changes_to(row, kind=None, with_billing=False):
    """The latest changes staff made to this row (or to the object `kind` row, a key), newest first (one query);
    `with_billing`: a household's enrollment and money changes too."""
    kind, key = (kind, row) if kind else (type(row)._meta.table_name, row.id)
    kinds = [kind, BILLING] if with_billing else [kind]
    rows = (StaffChange.select(StaffChange, User.id, User.name).join(User, JOIN.LEFT_OUTER)
            .where(StaffChange.kind.in_(kinds) & (StaffChange.object_key == str(key)))
            .order_by(StaffChange.changed_at.desc(), StaffChange.id.desc()).limit(SHOWN))
    return [Change(c.changed_at, c.changed_by.name if c.changed_by_id else "Cubby", c.action,
                   [(name, *values) for name, values in json.loads(c.changes).items()]) for c in rows]
