"""Money safety: ledger entries name their payment, payments note when the gateway was asked, the sandbox's hosted
page returns a nonce instead of the token and refunds once per key, and order numbers come from a counter."""
import peewee as pw
from peewee_migrate import Migrator


def _order_number_counter(database):
    """A sequence on PostgreSQL; on SQLite a one-row counter that the write lock serialises."""
    start = "COALESCE((SELECT MAX(number) FROM \"order\"), 1000)"
    if isinstance(database, pw.SqliteDatabase):
        database.execute_sql("CREATE TABLE order_number_counter (id INTEGER PRIMARY KEY CHECK (id = 1), "
                             "last INTEGER NOT NULL)")
        database.execute_sql(f"INSERT INTO order_number_counter (id, last) VALUES (1, {start})")
    else:
        database.execute_sql("CREATE SEQUENCE order_number_seq")
        database.execute_sql(f"SELECT setval('order_number_seq', {start})")


def _drop_order_number_counter(database):
    if isinstance(database, pw.SqliteDatabase):
        database.execute_sql("DROP TABLE order_number_counter")
    else:
        database.execute_sql("DROP SEQUENCE order_number_seq")


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Add the columns, the sandbox's refunds and the order number counter."""
    migrator.add_fields('payment', processing_at=pw.DateTimeField(null=True))
    migrator.add_fields(
        'ledger_entry',
        payment=pw.ForeignKeyField(column_name='payment_id', field='id', model=migrator.orm['payment'], null=True,
                                   on_delete='RESTRICT'),
    )
    migrator.add_fields('sandbox_session', token=pw.CharField(max_length=64, null=True),
                        nonce=pw.CharField(max_length=64, null=True, unique=True))

    @migrator.create_model
    class SandboxRefund(pw.Model):
        id = pw.AutoField()
        key = pw.CharField(max_length=80, unique=True)
        reference = pw.CharField(max_length=64)
        charge = pw.CharField(max_length=64)
        amount_cents = pw.IntegerField()
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "sandbox_refund"

    migrator.run(_order_number_counter, database)


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop what migrate() added."""
    migrator.run(_drop_order_number_counter, database)
    migrator.remove_model('sandbox_refund')
    migrator.remove_fields('sandbox_session', 'token', 'nonce')
    migrator.remove_fields('ledger_entry', 'payment')
    migrator.remove_fields('payment', 'processing_at')
