"""The benchmark's databases: demo plus generated households, built once per size and seed and kept under
bench/out/, copied (SQLite) or restored (PostgreSQL) fresh for every run; and each session's Plan."""
import datetime
import hashlib
import json
import os
import shutil
import subprocess
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
PYTHON = ROOT / ".venv" / "bin" / "python"
CACHE_DAYS = int(os.environ.get("BENCH_CACHE_DAYS", "7"))  # meetings and ledger dates are relative to the build day
POSTGRES_ADMIN = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
# What the data depends on: a change to any of these files builds the database again.
SOURCES = ["webapp/scale/*.py", "webapp/demo.py", "webapp/*/demo.py", "db/migrations/*.py"]


class BenchError(Exception):
    """Something broke: the figures would mean nothing."""


def run(command, env=None):
    """Run a command in the project folder; raise BenchError with its output if it fails."""
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BenchError(f"{' '.join(map(str, command))} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def _flask(env, *args):
    return run([PYTHON, "-m", "flask", "--app", "wsgi", *args], env)


def source_key():
    """A short hash of everything the generated data depends on."""
    digest = hashlib.sha256()
    for pattern in SOURCES:
        for path in sorted(ROOT.glob(pattern)):
            digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


def _build(env, households, seed):
    """Migrations, the demo and the generated households into env's DATABASE_URL; the scale command's report."""
    _flask(env, "db", "upgrade")
    _flask(env, "demo", "load")
    return _flask(env, "demo", "scale", "--households", str(households), "--seed", str(seed)).strip()


class Cache:
    """One built database under bench/out/, with a note of when and how it was built."""

    def __init__(self, households, seed, suffix):
        self.stem = f"scale-{households}-seed{seed}"
        self.path = OUT / f"{self.stem}-{source_key()}{suffix}"
        self.note = self.path.with_name(self.path.name + ".json")
        self.households, self.seed, self.suffix = households, seed, suffix

    def fresh(self):
        """The note, when the file is there and was built within CACHE_DAYS; else None."""
        if not (self.path.exists() and self.note.exists()):
            return None
        note = json.loads(self.note.read_text())
        age = datetime.date.today() - datetime.date.fromisoformat(note["built"])
        return note if age.days <= CACHE_DAYS else None

    def keep(self, report):
        """Write the note and drop older builds of the same size and seed."""
        for old in OUT.glob(f"{self.stem}-*{self.suffix}*"):
            if old not in (self.path, self.note):
                old.unlink()
        note = {"built": datetime.date.today().isoformat(), "report": report}
        self.note.write_text(json.dumps(note))
        return note


def sqlite_database(households, seed, folder, log=print):
    """A working copy of the cached SQLite database (built first when missing); its URL and the build note."""
    OUT.mkdir(parents=True, exist_ok=True)
    cache = Cache(households, seed, ".sqlite3")
    note = cache.fresh()
    if note is None:
        log(f"building {cache.path.name} (demo + {households:,} households) ...")
        building = cache.path.with_name(cache.path.name + ".building")
        for leftover in OUT.glob(building.name + "*"):
            leftover.unlink()
        report = _build(dict(os.environ, DATABASE_URL=f"sqlite:///{building}"), households, seed)
        building.rename(cache.path)
        note = cache.keep(report)
        log(report)
    working = Path(folder) / "bench.sqlite3"
    shutil.copy(cache.path, working)
    return f"sqlite:///{working}", cache.path, note


class PostgresDatabase:
    """A fresh database on the server for one run, restored from the cached dump (built first when missing)."""

    def __init__(self, households, seed, log=print):
        self.admin = urlsplit(POSTGRES_ADMIN)
        self.name = f"cubby_bench_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        self.url = urlunsplit(self.admin._replace(path="/" + self.name))
        self.cache = Cache(households, seed, ".pgdump")
        self.households, self.seed, self.log = households, seed, log
        self.note = None

    def _admin(self, sql):
        import psycopg

        conn = psycopg.connect(POSTGRES_ADMIN, autocommit=True)
        try:
            conn.cursor().execute(sql)
        finally:
            conn.close()

    def create(self):
        OUT.mkdir(parents=True, exist_ok=True)
        self._admin(f'CREATE DATABASE "{self.name}"')
        self.note = self.cache.fresh()
        if self.note is None:
            self.log(f"building {self.cache.path.name} (demo + {self.households:,} households) ...")
            report = _build(dict(os.environ, DATABASE_URL=self.url), self.households, self.seed)
            run(["pg_dump", "--format=custom", "--no-owner", f"--file={self.cache.path}", self.url])
            self.note = self.cache.keep(report)
            self.log(report)
        else:
            started = time.perf_counter()
            run(["pg_restore", "--no-owner", "--jobs=2", f"--dbname={self.url}", str(self.cache.path)])
            self.log(f"restored {self.cache.path.name} in {time.perf_counter() - started:.1f} s")
        # What autovacuum does on a settled server: the planner sees the tables' real sizes.
        run(["psql", "--quiet", "--command=ANALYZE", self.url])
        return self.url

    def drop(self):
        self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def postgres_reachable():
    """True when the server at BENCH_POSTGRES_URL answers."""
    try:
        import psycopg

        psycopg.connect(POSTGRES_ADMIN, connect_timeout=3).close()
        return True
    except Exception:  # any failure to connect means: not here
        return False
