"""`flask db backup DESTINATION`: a consistent copy of the live database while Cubby keeps serving.

SQLite: the online backup API copies every page in one step under one read transaction, so writers carry on (WAL)
and the copy is the database as of one moment; it is checked (integrity_check) and then moved into place.
PostgreSQL: pg_dump in its custom format (restore with pg_restore), which also reads one snapshot.
"""
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path



class BackupFailed(Exception):
    """The backup could not be made; the message says why."""


def backup_sqlite(source, destination):
    """Copy the SQLite file at `source` to `destination` as of one moment; returns the destination."""
    destination = Path(destination)
    partial = destination.with_name(destination.name + ".partial")
    partial.unlink(missing_ok=True)
    live = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
    copy = sqlite3.connect(partial)
    try:
        live.backup(copy)  # pages=-1: all in one step, one snapshot
        verdict = copy.execute("PRAGMA integrity_check").fetchone()[0]
        if verdict != "ok":
            raise BackupFailed(f"the copy failed its integrity check: {verdict}")
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
    finally:
        copy.close()
        live.close()
    os.replace(partial, destination)
    return destination


def backup_postgres(url, destination):
    """pg_dump of the database at `url` into `destination` (custom format)."""
    if shutil.which("pg_dump") is None:
        raise BackupFailed("pg_dump is not installed (Debian: postgresql-client).")
    done = subprocess.run(["pg_dump", "--format=custom", "--no-owner", f"--file={destination}", url],
                          capture_output=True, text=True)
    if done.returncode:
        raise BackupFailed(done.stderr.strip() or "pg_dump failed")
    return Path(destination)


def backup(url, destination):
    """Back up the database named by DATABASE_URL."""
    scheme, rest = url.split("://", 1)
    if scheme == "sqlite":
        return backup_sqlite(rest[1:] if rest.startswith("/") else rest, destination)
    if scheme in ("postgres", "postgresql"):
        return backup_postgres(f"postgresql://{rest}", destination)
    raise BackupFailed(f"cannot back up a {scheme} database")

