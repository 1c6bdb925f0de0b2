"""A meeting the school moved keeps the time it had; a cancelled one stays listed, marked cancelled."""
import peewee as pw
from peewee_migrate import Migrator


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Add when it was first due to start and when (and by whom) it was cancelled."""
    migrator.add_fields(
        'meeting', moved_from=pw.DateTimeField(null=True), cancelled_at=pw.DateTimeField(null=True),
        cancelled_by=pw.ForeignKeyField(column_name='cancelled_by_id', field='id', model=migrator.orm['user'],
                                        null=True, on_delete='SET NULL'),
    )


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop what migrate() added."""
    migrator.remove_fields('meeting', 'moved_from', 'cancelled_at', 'cancelled_by')
