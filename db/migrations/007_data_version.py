"""The data version: a counter every committed write moved, for the page cache that 008 removes again."""
import peewee as pw
from peewee_migrate import Migrator


def _triggers(database, remove=False):
    if not isinstance(database, pw.SqliteDatabase):
        return  # PostgreSQL used its transaction snapshot
    if not remove:
        database.execute_sql("CREATE TABLE IF NOT EXISTS data_version (n INTEGER NOT NULL)")
        database.execute_sql("INSERT INTO data_version (n) SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM data_version)")
    for table in set(database.get_tables()) - {"data_version", "migratehistory"}:
        for action in ("INSERT", "UPDATE", "DELETE"):
            name = f"data_version_{table}_{action.lower()}"
            database.execute_sql(
                f'DROP TRIGGER IF EXISTS "{name}"' if remove else
                f'CREATE TRIGGER IF NOT EXISTS "{name}" AFTER {action} ON "{table}" '
                "BEGIN UPDATE data_version SET n = n + 1; END"
            )
    if remove:
        database.execute_sql("DROP TABLE IF EXISTS data_version")


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """On SQLite a counter row and a trigger per table and action."""
    migrator.run(_triggers, database)


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop the counter and its triggers."""
    migrator.run(_triggers, database, remove=True)
