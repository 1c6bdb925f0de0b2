"""Open the database named by DATABASE_URL and bind it to the models' proxy."""
from playhouse.db_url import connect

from .extensions import db

SQLITE_PRAGMAS = {"journal_mode": "wal", "busy_timeout": 5000, "foreign_keys": 1, "synchronous": "normal"}
# PostgreSQL orders at most 8 joined tables itself and keeps the written order beyond that; a family's schedule
# joins 9 with its students' subquery, and in the written order it read every attendance row (250 ms, not 1 ms).
POSTGRES_OPTIONS = "-c join_collapse_limit=12 -c from_collapse_limit=12"


def open_database(url, pool_timeout=10, pool_size=32):
    """A pooled peewee Database for the URL: SQLite with WAL, busy timeout and foreign keys, or PostgreSQL.

    Each request checks a connection out and returns it at teardown; the pool saves setting up a new
    connection (and the SQLite pragmas) on every request. When all are out, a request waits up to
    pool_timeout seconds for one, then MaxConnectionsExceeded (a 503, see errors.py). pool_size connections at most
    per process: workers × pool_size must stay under the PostgreSQL server's max_connections.
    """
    scheme, rest = url.split("://", 1)
    pool = dict(max_connections=pool_size, stale_timeout=300, timeout=pool_timeout)
    if scheme == "sqlite":
        # A pooled connection may serve another thread later (one at a time), so sqlite3 must allow it.
        return connect(f"sqlite+pool://{rest}", pragmas=SQLITE_PRAGMAS, check_same_thread=False, **pool)
    # psycopg 3 prepares a statement on the server once a connection has run it 5 times; after 5 more PostgreSQL
    # keeps its plan, and planning a schedule's joins costs 3 ms where running them costs 0.3 ms.
    return connect(f"psycopg3+pool://{rest}", autorollback=True, options=POSTGRES_OPTIONS, **pool)


def is_sqlite():
    """True when the bound database is SQLite (locking differs from PostgreSQL)."""
    return "Sqlite" in type(db.obj).__name__


def locked(query):
    """The query's rows, locked until the commit: on PostgreSQL FOR NO KEY UPDATE, which two money decisions
    cannot both hold, yet lets another transaction insert rows that point at them (an order's payment, a household's
    new checkout; FOR UPDATE would wait on those foreign-key checks and deadlock). SQLite's IMMEDIATE transaction
    already holds the only write lock."""
    return query if is_sqlite() else query.for_update("FOR NO KEY UPDATE")


def write_transaction():
    """A transaction that takes the write lock at once: IMMEDIATE on SQLite, plain on PostgreSQL."""
    return db.atomic("IMMEDIATE") if is_sqlite() else db.atomic()


def migration_router():
    """The peewee-migrate router over db/migrations."""
    from peewee_migrate import Router

    from .config import ROOT

    return Router(db.obj, migrate_dir=str(ROOT / "db" / "migrations"), ignore=["basemodel"])


