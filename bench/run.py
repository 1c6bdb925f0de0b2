"""Benchmark: signed-in families on generated households against a bare Flask app, both under gunicorn.

`python bench/run.py [--scale 1] [--scale 100] [--database sqlite|postgres|both]`; see bench/README.md.
"""
import argparse
import math
import os
import secrets
import sys
import tempfile
import time

from data import ROOT, BenchError, PostgresDatabase, postgres_reachable, sqlite_database

sys.path.insert(0, str(ROOT))  # plans and queries run the app in-process

import client  # noqa: E402
import queries  # noqa: E402
from mix import ROWS, substitutes  # noqa: E402
from plans import make_plans  # noqa: E402
from servers import Server, find_wrk, gunicorn_options, wrk_hello  # noqa: E402

HOUSEHOLDS_PER_SCALE = 100
QUERY_PLANS = 10  # sessions whose requests are also run in-process to count SQL statements
# Sign-ins must never be refused while 200 sessions sign in; only failed ones count, but be sure.
GENEROUS = "100000 per minute"


def arguments(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, action="append",
                        help=f"demo + {HOUSEHOLDS_PER_SCALE} × SCALE generated households; repeat for several (default 1)")
    parser.add_argument("--households", type=int, help="exactly this many generated households (instead of --scale)")
    parser.add_argument("--database", choices=("sqlite", "postgres", "both"), default="sqlite",
                        help="both: SQLite, then PostgreSQL when reachable at BENCH_POSTGRES_URL")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--sessions", type=int, default=200, help="signed-in sessions, each one request in flight")
    parser.add_argument("--seconds", type=int, default=int(os.environ.get("BENCH_SECONDS", "10")))
    parser.add_argument("--warmup", type=int, default=int(os.environ.get("BENCH_WARMUP", "2")))
    parser.add_argument("--row-seconds", type=int, default=int(os.environ.get("BENCH_ROW_SECONDS", "5")),
                        help="each row alone for this long (0: skip)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1, help="above 1: gthread workers")
    parser.add_argument("--no-wrk", action="store_true", help="skip wrk's figure for hello")
    return parser.parse_args(argv)


def busy():
    """The 1-minute load average, flagged when other work may skew the figures."""
    load_average = os.getloadavg()[0]
    return f"{load_average:.2f}" + (" (busy machine: figures are noisy)" if load_average > 0.5 else "")


def server_env(database_url):
    return dict(os.environ, DATABASE_URL=database_url, COOKIE_SECURE="0", SECRET_KEY=secrets.token_hex(32),
                FLASK_DEBUG="0", SIGNIN_LIMIT_PER_IP=GENEROUS, SIGNIN_LIMIT_PER_ACCOUNT=GENEROUS)


def rate(figures, seconds):
    return len(figures.latencies) / seconds


def measure(database_url, folder, options, label):
    """Serve hello and Cubby, sign the sessions in, load both, print the figures; False when a check failed."""
    print(f"planning {options.sessions} sessions ...", flush=True)
    plans = make_plans(database_url, options.sessions)
    statements = queries.per_row(database_url, plans[:QUERY_PLANS], ROWS)
    per_request = queries.counts(statements)
    env = server_env(database_url)
    servers = []
    try:
        hello = Server("hello", "hello:app", env, folder, options.workers, options.threads,
                       pythonpath=ROOT / "bench")
        cubby = Server("cubby", "wsgi:app", env, folder, options.workers, options.threads)
        servers += [hello, cubby]
        for server in servers:
            server.wait_until_ready()
        sessions, signing = client.sign_in_all(cubby.url, plans)
        print(f"gunicorn {' '.join(gunicorn_options(options.workers, options.threads))}; {len(sessions)} sessions "
              f"signed in ({signing:.1f} s), think time 0; {options.seconds} s after a {options.warmup} s warm-up; "
              f"{os.cpu_count()} CPUs, load average {busy()}", flush=True)
        ceiling, _ = client.load(hello.url, [None] * len(sessions), client.hello_rows(), options.seconds,
                                 options.warmup)
        ceiling = next(iter(ceiling.values()))
        mix, _ = client.load(cubby.url, sessions, ROWS, options.seconds, options.warmup)
        alone = {}
        for row in ROWS if options.row_seconds else []:
            figures, _ = client.load(cubby.url, sessions, [row], options.row_seconds, 1)
            alone[row.name] = figures[row.name]
        wrk = find_wrk() if not options.no_wrk else None
        wrk_figures = wrk_hello(wrk, hello.url + "/", len(sessions), options.seconds, options.warmup) if wrk else None
        return report(label, options, plans, mix, alone, ceiling, per_request, wrk_figures, cubby, hello)
    except BenchError:
        for server in servers:
            if server.log_tail():
                print(f"--- {server.name} server log ---\n{server.log_tail()}", file=sys.stderr)
        raise
    finally:
        for server in servers:
            server.stop()


def report(label, options, plans, mix, alone, ceiling, per_request, wrk_figures, cubby, hello):
    """Print the mix per row and overall, each row alone, hello, memory and SQL per request; True when no errors."""
    seconds, hello_rate = options.seconds, rate(ceiling, options.seconds)
    print(f"\n{label}: the mix")
    print(f"{'row':<24} {'weight':>6} {'requests':>8} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6} "
          f"{'SQL/req':>7} {'substituted':>11}")
    overall = client.Figures()
    for row in ROWS:
        figures = mix[row.name]
        overall.latencies += figures.latencies
        overall.errors += figures.errors
        print(f"{row.name:<24} {row.weight:>5}% {figures.requests:>8} {rate(figures, seconds):>8.1f} "
              f"{figures.percentile(0.5):>8.1f} {figures.percentile(0.99):>8.1f} {figures.errors:>6} "
              f"{per_request.get(row.name, float('nan')):>7.1f} {substitutes(plans, row):>7}/{len(plans)}")
    mean_sql = sum(row.weight * per_request.get(row.name, 0) for row in ROWS) / 100
    overall_rate = rate(overall, seconds)
    print(f"{'overall':<24} {100:>5}% {overall.requests:>8} {overall_rate:>8.1f} {overall.percentile(0.5):>8.1f} "
          f"{overall.percentile(0.99):>8.1f} {overall.errors:>6} {mean_sql:>7.1f}")
    print(f"{'hello (bare Flask)':<24} {'':>6} {ceiling.requests:>8} {hello_rate:>8.1f} {ceiling.percentile(0.5):>8.1f} "
          f"{ceiling.percentile(0.99):>8.1f} {ceiling.errors:>6}")
    print(f"overall: {100 * overall_rate / hello_rate:.1f} % of hello's requests per second (same client, "
          f"same {len(plans)} connections)")
    if alone:
        print(f"\neach row alone ({options.row_seconds} s each, the same sessions)")
        print(f"{'row':<24} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6} {'% hello':>8}")
        for name, figures in alone.items():
            row_rate = rate(figures, options.row_seconds)
            print(f"{name:<24} {row_rate:>8.1f} {figures.percentile(0.5):>8.1f} {figures.percentile(0.99):>8.1f} "
                  f"{figures.errors:>6} {100 * row_rate / hello_rate:>7.1f}%")
    if wrk_figures:
        wrk_rate, p50, p99, command = wrk_figures
        print(f"\nhello with wrk (reference): {wrk_rate:.1f} req/s, p50 {p50:.1f} ms, p99 {p99:.1f} ms ({command})")
    print(f"worker resident memory, max over workers and time: cubby {cubby.peak_megabytes:.1f} MB, "
          f"hello {hello.peak_megabytes:.1f} MB")
    problems = [sample for figures in [*mix.values(), *alone.values(), ceiling] for sample in figures.samples]
    for sample in problems[:5]:
        print(f"  error: {sample}")
    total = overall.requests + sum(f.requests for f in alone.values())
    errors = overall.errors + sum(f.errors for f in alone.values()) + ceiling.errors
    return errors <= 0.01 * max(total, 1)  # a stray timeout is a figure; more than 1 % means something broke


def households_of(options):
    if options.households:
        return [options.households]
    return [max(1, math.ceil(HOUSEHOLDS_PER_SCALE * scale)) for scale in options.scale or [1]]


def run_sqlite(households, options):
    with tempfile.TemporaryDirectory(prefix="cubby-bench-") as folder:
        url, path, note = sqlite_database(households, options.seed, folder)
        label = f"SQLite, demo + {households:,} households (seed {options.seed})"
        print(f"\n== {label} ==\ndatabase: {path.relative_to(ROOT)} (built {note['built']}), a fresh copy", flush=True)
        return measure(url, folder, options, label)


def run_postgres(households, options):
    database = PostgresDatabase(households, options.seed)
    label = f"PostgreSQL, demo + {households:,} households (seed {options.seed})"
    print(f"\n== {label} ==", flush=True)
    with tempfile.TemporaryDirectory(prefix="cubby-bench-") as folder:
        try:
            url = database.create()
            print(f"database: {database.name}, from {database.cache.path.relative_to(ROOT)} "
                  f"(built {database.note['built']}), dropped at the end", flush=True)
            return measure(url, folder, options, label)
        finally:
            database.drop()


def main(argv=None):
    options = arguments(argv)
    databases = {"sqlite": ["sqlite"], "postgres": ["postgres"], "both": ["sqlite", "postgres"]}[options.database]
    if "postgres" in databases and not postgres_reachable():
        if options.database == "postgres":
            raise BenchError("PostgreSQL is not reachable at BENCH_POSTGRES_URL")
        print("PostgreSQL is not reachable at BENCH_POSTGRES_URL: the PostgreSQL runs are skipped")
        databases.remove("postgres")
    ok = True
    started = time.perf_counter()
    for database in databases:
        for households in households_of(options):
            ok = (run_sqlite if database == "sqlite" else run_postgres)(households, options) and ok
    print(f"\nbench finished in {time.perf_counter() - started:.0f} s")
    return 0 if ok else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as error:
        print(f"bench failed: {error}", file=sys.stderr)
        sys.exit(1)
