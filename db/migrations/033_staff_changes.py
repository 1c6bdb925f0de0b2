"""Audit of the staff console: who changed what, when, before and after."""
import peewee as pw
from peewee_migrate import Migrator


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Add the table."""

    @migrator.create_model
    class StaffChange(pw.Model):
        id = pw.AutoField()
        kind = pw.CharField(max_length=32)
        object_key = pw.CharField(max_length=64)
        action = pw.CharField(max_length=16)
        changes = pw.TextField()
        changed_by = pw.ForeignKeyField(column_name='changed_by_id', field='id', model=migrator.orm['user'],
                                        null=True, on_delete='SET NULL')
        changed_at = pw.DateTimeField()

        class Meta:
            table_name = "staff_change"
            indexes = ((("kind", "object_key", "changed_at"), False),)


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop it."""
    migrator.remove_model('staff_change')
