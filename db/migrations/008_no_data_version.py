"""Drop the data version of 007: every request goes through Flask, and nothing is kept between requests."""
import peewee as pw
from peewee_migrate import Migrator


def _drop(database):
    if not isinstance(database, pw.SqliteDatabase):
        return
    triggers = database.execute_sql(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'data\\_version\\_%' ESCAPE '\\'")
    for (name,) in list(triggers):
        database.execute_sql(f'DROP TRIGGER IF EXISTS "{name}"')
    database.execute_sql("DROP TABLE IF EXISTS data_version")


def _restore(database):
    if isinstance(database, pw.SqliteDatabase):
        raise RuntimeError("roll back past 008 by restoring a backup: the page cache it served is gone")


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop the data_version table and every trigger that bumped it."""
    migrator.run(_drop, database)


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """The page cache is gone from the code, so there is nothing to restore the counter for."""
    migrator.run(_restore, database)
