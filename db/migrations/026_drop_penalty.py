"""Drop Enrollment: the withdraw penalty a family's drop is charged (0 for none)."""
import peewee as pw
from peewee_migrate import Migrator


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Add the company's withdraw penalty."""
    migrator.add_fields('company', withdraw_penalty_cents=pw.IntegerField(default=0))


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop the column."""
    migrator.remove_fields('company', 'withdraw_penalty_cents')
