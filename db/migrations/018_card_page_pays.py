"""The card page's Pay is the one step that pays: the sandbox keeps the notifications it owes Cubby, and the
return nonces that carried a card to a confirm page are gone with that page."""
import peewee as pw
from peewee_migrate import Migrator


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Add the sandbox's events; drop the return nonces."""
    # Plain SQL: peewee-migrate would guess one index name, and the two tables' unique indexes have different ones.
    for index in ('sandbox_session_nonce', 'stripecardpage_nonce', 'stripe_card_page_nonce'):
        migrator.sql(f'DROP INDEX IF EXISTS {index}')
    for table in ('sandbox_session', 'stripe_card_page'):
        migrator.sql(f'ALTER TABLE {table} DROP COLUMN nonce')

    @migrator.create_model
    class SandboxEvent(pw.Model):
        id = pw.CharField(max_length=40, primary_key=True)
        type = pw.CharField(max_length=32)
        payment_key = pw.CharField(max_length=64)
        message = pw.CharField(max_length=200, default='')
        created_at = pw.DateTimeField()
        due_at = pw.DateTimeField(index=True)
        delivered_at = pw.DateTimeField(null=True)
        attempts = pw.IntegerField(default=0)

        class Meta:
            table_name = "sandbox_event"


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop the events; the nonces come back empty."""
    migrator.remove_model('sandbox_event')
    for table in ('sandbox_session', 'stripe_card_page'):
        migrator.sql(f'ALTER TABLE {table} ADD COLUMN nonce VARCHAR(64)')
        migrator.sql(f'CREATE UNIQUE INDEX {table}_nonce ON {table} (nonce)')
