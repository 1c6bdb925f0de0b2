"""A makeup token applied to a makeup class: the meeting it holds a seat at, and who booked it when."""
import peewee as pw
from peewee_migrate import Migrator


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Add the token's makeup meeting, its booking time and booker."""
    migrator.add_fields(
        'makeup_token',
        used_for=pw.ForeignKeyField(column_name='used_for_id', field='id', model=migrator.orm['meeting'], null=True,
                                    on_delete='SET NULL'),
        booked_at=pw.DateTimeField(null=True),
        booked_by=pw.ForeignKeyField(column_name='booked_by_id', field='id', model=migrator.orm['user'], null=True,
                                     on_delete='SET NULL'),
    )
    migrator.add_index('makeup_token', 'used_for', 'status')


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop them."""
    migrator.drop_index('makeup_token', 'used_for', 'status')
    migrator.remove_fields('makeup_token', 'used_for', 'booked_at', 'booked_by')
