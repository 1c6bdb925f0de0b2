"""Staff users (13.4): when a staff or instructor login was deactivated (null while it may sign in)."""
import peewee as pw
from peewee_migrate import Migrator


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Add user.deactivated_at."""
    # A plain ADD COLUMN: add_fields rebuilds the table on SQLite, and every table that refers to users stops it.
    kind = "DATETIME" if isinstance(database, pw.SqliteDatabase) else "TIMESTAMP"
    database.execute_sql(f'ALTER TABLE "user" ADD COLUMN "deactivated_at" {kind} NULL')


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop the column."""
    database.execute_sql('ALTER TABLE "user" DROP COLUMN "deactivated_at"')
