"""Add a card without paying on the sandbox's card page: a visit may be for a guardian's new card instead of a
payment, and the sandbox's notification then names that visit."""
import peewee as pw
from peewee_migrate import Migrator


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """A visit's payment becomes optional and it may name the guardian; an event may name the visit."""
    migrator.drop_not_null('sandbox_session', 'payment_key')
    migrator.add_fields('sandbox_session', user_id=pw.IntegerField(null=True))
    migrator.add_fields('sandbox_event', setup_session=pw.CharField(max_length=64, null=True))
    migrator.drop_not_null('sandbox_event', 'payment_key')


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop the columns (visits and events without a payment go with them)."""
    migrator.sql('DELETE FROM sandbox_event WHERE payment_key IS NULL')
    migrator.sql('DELETE FROM sandbox_session WHERE payment_key IS NULL')
    migrator.remove_fields('sandbox_event', 'setup_session')
    migrator.add_not_null('sandbox_event', 'payment_key')
    migrator.remove_fields('sandbox_session', 'user_id')
    migrator.add_not_null('sandbox_session', 'payment_key')
