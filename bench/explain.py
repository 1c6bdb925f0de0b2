"""The query plans of the family pages on the benchmark's database: every full scan of a big table.

`python bench/explain.py [--households 10000] [--database sqlite|postgres] [--sessions 5] [--all]`. It runs the
mix's rows in-process for a few sessions (as bench/run.py counts SQL statements), then asks the database for
the plan of each distinct statement: EXPLAIN QUERY PLAN on SQLite, EXPLAIN on PostgreSQL (after ANALYZE).
"""
import argparse
import re
import sys
import tempfile

from data import ROOT, BenchError, PostgresDatabase, sqlite_database

sys.path.insert(0, str(ROOT))  # the mix runs the app in-process

import queries  # noqa: E402
from mix import ROWS  # noqa: E402
from plans import make_plans  # noqa: E402

BIG_ROWS = 10000  # a table this size read whole on every request is a problem at any traffic
SKIP = re.compile(r"^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE|INSERT)\b", re.I)


def _aliases(sql):
    """{alias: table} of peewee's `"table" AS "t1"` in the statement."""
    return {alias: table for table, alias in re.findall(r'"(\w+)" AS "(\w+)"', sql)}


def big_tables(database):
    """Tables with at least BIG_ROWS rows."""
    sizes = {table: database.execute_sql(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]
             for table in database.get_tables()}
    return {table for table, rows in sizes.items() if rows >= BIG_ROWS}


def sqlite_plan(database, sql, params):
    """The plan's lines, and the tables it scans whole (SCAN, with or without an index to walk)."""
    lines = [row[3] for row in database.execute_sql("EXPLAIN QUERY PLAN " + sql, params).fetchall()]
    aliases = _aliases(sql)
    scanned = set()
    for line in lines:
        scan = re.match(r"SCAN (\w+)", line)
        if scan:
            scanned.add(aliases.get(scan.group(1), scan.group(1)))
    return lines, scanned


def postgres_plan(database, sql, params):
    """The plan's lines, and the tables it reads with a sequential scan."""
    lines = [row[0] for row in database.execute_sql("EXPLAIN " + sql, params).fetchall()]
    scanned = {m.group(1) for line in lines for m in [re.search(r'Seq Scan on "?(\w+)"?', line)] if m}
    return lines, scanned


def inline(sql, params):
    """The statement with its parameters written in, for reading."""
    for value in params or ():
        sql = re.sub(r"\?|%s", repr(value).replace("\\", "\\\\"), sql, count=1)
    return sql


def explain(database_url, sessions, show_all=False):
    """Print each distinct statement of the rows that scans a big table whole (every statement with show_all)."""
    from webapp import create_app
    from webapp.extensions import db

    plans = make_plans(database_url, sessions)
    captured = queries.per_row(database_url, plans, ROWS, repeats=2)
    create_app({"DATABASE_URL": database_url, "SECRET_KEY": "bench explain"})
    planner = sqlite_plan if database_url.startswith("sqlite") else postgres_plan
    big = big_tables(db.obj)
    print(f"tables of {BIG_ROWS:,} rows or more: {', '.join(sorted(big))}")
    seen, findings = {}, 0
    for row, requests in captured.items():
        for statements in requests:
            for sql, params in statements:
                if SKIP.match(sql) or sql in seen:
                    continue
                seen[sql] = row
                lines, scanned = planner(db.obj, sql, params)
                scanned &= big
                if "WHERE (0 = 1)" in sql:  # an empty IN list: the database answers without reading a row
                    lines, scanned = lines + ["(constant false: reads no row)"], set()
                if scanned or show_all:
                    findings += bool(scanned)
                    print(f"\n[{row}] full scan of {', '.join(sorted(scanned)) or 'nothing'}\n  {inline(sql, params)}")
                    print("\n".join("    " + line for line in lines))
    db.close()
    db.obj.close_all()
    print(f"\n{findings} statements scan a big table whole, of {len(seen)} distinct statements")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--sessions", type=int, default=5)
    parser.add_argument("--all", action="store_true", help="print every statement's plan")
    options = parser.parse_args(argv)
    if options.database == "sqlite":
        with tempfile.TemporaryDirectory(prefix="cubby-explain-") as folder:
            url, _, _ = sqlite_database(options.households, options.seed, folder)
            explain(url, options.sessions, options.all)
        return
    database = PostgresDatabase(options.households, options.seed)
    try:
        explain(database.create(), options.sessions, options.all)
    finally:
        database.drop()


if __name__ == "__main__":
    try:
        main()
    except BenchError as error:
        print(f"explain failed: {error}", file=sys.stderr)
        sys.exit(1)
