"""A saved payment method may be authorized for recurring billing, and a school may require that of every one."""
import peewee as pw
from peewee_migrate import Migrator


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Add the method's authorization and the company's requirement."""
    migrator.add_fields('payment_method', recurring=pw.BooleanField(default=False))
    migrator.add_fields('company', require_recurring_authorization=pw.BooleanField(default=False))


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop them."""
    migrator.remove_fields('company', 'require_recurring_authorization')
    migrator.remove_fields('payment_method', 'recurring')
