"""Transaction History's statements and ledgers per location are company preferences; a statement of amounts paid
shows the school's tax id when it has one."""
import peewee as pw
from peewee_migrate import Migrator


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Add the two preferences and the tax id."""
    migrator.add_fields('company', statement_for_location=pw.BooleanField(default=False),
                        ledger_for_location=pw.BooleanField(default=False),
                        tax_id=pw.CharField(max_length=40, default=''))


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop what migrate() added."""
    migrator.remove_fields('company', 'statement_for_location', 'ledger_for_location', 'tax_id')
