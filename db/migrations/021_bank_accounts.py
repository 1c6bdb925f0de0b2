"""Bank accounts (eChecks): a company may take them, a saved payment method may be one (no expiry), and the
sandbox's page may save one."""
import peewee as pw
from peewee_migrate import Migrator


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """The company's eChecks preference; a method's and a sandbox visit's kind; expiry only for cards."""
    migrator.add_fields('company', echecks=pw.BooleanField(default=False))
    migrator.add_fields('payment_method', kind=pw.CharField(max_length=16, default="card"))
    migrator.drop_not_null('payment_method', 'exp_month', 'exp_year')
    migrator.add_fields('sandbox_session', kind=pw.CharField(max_length=16, default="card"))
    migrator.add_fields('sandbox_token', kind=pw.CharField(max_length=16, default="card"))
    migrator.drop_not_null('sandbox_token', 'exp_month', 'exp_year')


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop them (saved bank accounts go with them)."""
    migrator.sql("DELETE FROM payment_method WHERE kind = 'bank'")
    migrator.sql("DELETE FROM sandbox_token WHERE kind = 'bank'")
    migrator.add_not_null('sandbox_token', 'exp_month', 'exp_year')
    migrator.remove_fields('sandbox_token', 'kind')
    migrator.remove_fields('sandbox_session', 'kind')
    migrator.add_not_null('payment_method', 'exp_month', 'exp_year')
    migrator.remove_fields('payment_method', 'kind')
    migrator.remove_fields('company', 'echecks')
