"""Open the database named by DATABASE_URL and bind it to the models' proxy."""
from playhouse.db_url import connect

from .extensions import db

SQLITE_PRAGMAS = {"journal_mode": "wal", "busy_timeout": 5000, "foreign_keys": 1, "synchronous": "normal"}


def open_database(url):
    """A peewee Database for the URL: SQLite with WAL, busy timeout and foreign keys, or PostgreSQL."""
    if url.startswith("sqlite"):
        return connect(url, pragmas=SQLITE_PRAGMAS)
    return connect(url.replace("postgres://", "postgresql://", 1), autorollback=True)


def is_sqlite():
    """True when the bound database is SQLite (locking differs from PostgreSQL)."""
    return db.obj.__class__.__name__.startswith("Sqlite")


def write_transaction():
    """A transaction that takes the write lock at once: IMMEDIATE on SQLite, plain on PostgreSQL."""
    return db.atomic("IMMEDIATE") if is_sqlite() else db.atomic()


def migration_router():
    """The peewee-migrate router over db/migrations."""
    from peewee_migrate import Router

    from .config import ROOT

    return Router(db.obj, migrate_dir=str(ROOT / "db" / "migrations"), ignore=["basemodel"])
