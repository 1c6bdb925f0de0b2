"""Fixtures: a fresh database per test (SQLite file copy, or a PostgreSQL database from a template),
the app, a test client that sends CSRF tokens, sign-in as any demo persona, a SQL query counter, and helpers for
concurrent requests and apps with their own settings."""
import contextlib
import datetime
import itertools
from html import unescape
import os
import re
import shutil
import threading
import time
import uuid
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo

import pytest

# Jobs run at once in the process that queues them (set before webapp builds its queue on import).
os.environ.setdefault("JOBS_URL", "memory://")

from flask.testing import FlaskClient  # noqa: E402
from itsdangerous import URLSafeTimedSerializer
from werkzeug.security import check_password_hash

from webapp import create_app
from webapp.auth import services as auth_services
from webapp.extensions import db

DEMO_PASSWORD = "cubby-demo"
BASE_URL = os.environ.get("DATABASE_URL", "")
ON_POSTGRES = BASE_URL.startswith("postgres")
TEST_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "test-only-secret",
    "SESSION_COOKIE_SECURE": False,
    "REMEMBER_COOKIE_SECURE": False,
    "MAIL_BACKEND": "locmem",
    "RATELIMIT_STORAGE_URI": "memory://",
    "JOBS_URL": "memory://",
}


def pytest_configure(config):
    """Prepared queries are checked against the plain ones; the static files are built for a bare pytest run too."""
    from webapp import prepared
    from webapp.assets import BUILD, SHELL, build
    from webapp.config import ROOT

    prepared.VERIFY = True
    if hasattr(config, "workerinput"):
        return  # an xdist worker: the controller has built the static files before starting it
    static, manifest = ROOT / "static", ROOT / "static" / BUILD / "manifest.json"
    if not manifest.exists() or max((static / name).stat().st_mtime for name in SHELL) > manifest.stat().st_mtime:
        build(static)  # the tests see the stylesheet and script as they are now


class PostgresServer:
    """Creates and drops this run's databases on the server DATABASE_URL points at."""

    def __init__(self, url):
        self.parts = urlsplit(url)
        self.prefix = f"{self.parts.path.lstrip('/') or 'cubby'}_{uuid.uuid4().hex[:8]}"

    def url(self, name):
        return urlunsplit(self.parts._replace(path="/" + name))

    def execute(self, sql):
        import psycopg

        conn = psycopg.connect(self.url("postgres"), autocommit=True)
        try:
            conn.cursor().execute(sql)
        finally:
            conn.close()

    def drop_in_background(self, threads=4):
        """A queue of database names that threads drop while the tests go on; put None to finish, then join.

        Each DROP DATABASE waits for a checkpoint (about a second under load), and dropped one after the other at the
        end they took longer than the tests; drops that wait at the same time share one checkpoint."""
        import queue

        names = queue.Queue()

        def drop():
            while (name := names.get()) is not None:
                self.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            names.put(None)  # the next thread stops too

        droppers = [threading.Thread(target=drop, daemon=True) for _ in range(threads)]
        for dropper in droppers:
            dropper.start()
        return names, droppers


def _prepare(url):
    """Run the migrations and load the demo data into an empty database."""
    app = create_app({**TEST_CONFIG, "DATABASE_URL": url})
    runner = app.test_cli_runner()
    for args in (["db", "upgrade"], ["demo", "load"]):
        result = runner.invoke(args=args)
        assert result.exit_code == 0, result.output
    release_connections()


@pytest.fixture(scope="session")
def fresh_database_url(tmp_path_factory):
    """A function giving the URL of a new database holding the migrated schema and the demo data."""
    if ON_POSTGRES:
        server = PostgresServer(BASE_URL)
        template = f"{server.prefix}_template"
        server.execute(f'CREATE DATABASE "{template}"')
        _prepare(server.url(template))
        made, numbers, (to_drop, droppers) = [], itertools.count(), server.drop_in_background()

        def fresh(_tmp_path):
            name = f"{server.prefix}_{next(numbers)}"
            server.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
            made.append(name)
            return server.url(name)

        def done_with_this_test():
            while made:
                to_drop.put(made.pop())

        fresh.done = done_with_this_test
        yield fresh
        done_with_this_test()
        to_drop.put(template)
        to_drop.put(None)
        for dropper in droppers:
            dropper.join()
    else:
        template = tmp_path_factory.mktemp("template") / "cubby.sqlite3"
        _prepare(f"sqlite:///{template}")

        def fresh(tmp_path):
            path = tmp_path / "cubby.sqlite3"
            shutil.copy(template, path)
            return f"sqlite:///{path}"

        fresh.done = lambda: None  # pytest removes old tmp_path directories itself
        yield fresh


@pytest.fixture(autouse=True)
def _drop_databases_after_the_test(request):
    """Hand this test's databases to the dropper once every other fixture of the test is finished with them."""
    yield
    if "fresh_database_url" in request.fixturenames:
        request.getfixturevalue("fresh_database_url").done()


def release_connections():
    """Close every pooled connection (on SQLite this also folds the WAL into the database file)."""
    db.close()
    db.obj.close_all()


class CsrfClient(FlaskClient):
    """A test client that adds the session's CSRF token to every form post, as the browser would."""

    def csrf_token(self):
        with self.session_transaction() as session:
            if "csrf_token" not in session:
                session["csrf_token"] = uuid.uuid4().hex
            raw = session["csrf_token"]
        return URLSafeTimedSerializer(self.application.secret_key, salt="wtf-csrf-token").dumps(raw)

    def post(self, *args, csrf=True, **kwargs):
        if csrf:
            data = kwargs.setdefault("data", {})
            if isinstance(data, dict):
                data.setdefault("csrf_token", self.csrf_token())
        return super().post(*args, **kwargs)


@pytest.fixture
def app(fresh_database_url, tmp_path):
    """The app on its own fresh database."""
    app = create_app({**TEST_CONFIG, "DATABASE_URL": fresh_database_url(tmp_path)})
    app.test_client_class = CsrfClient
    app.extensions["mailman"].outbox = []  # where the locmem backend keeps what it sent
    # No app context stays pushed: each request gets its own, so nothing leaks between requests via g.
    yield app
    release_connections()


@pytest.fixture
def outbox(app):
    """The messages this test's app has sent."""
    return app.extensions["mailman"].outbox


@pytest.fixture
def client(app):
    return app.test_client()


def sign_in(client, email, password=DEMO_PASSWORD, headers=None, **extra):
    """Post the sign-in form (extra form fields in `extra`); returns the response."""
    return client.post("/sign-in", data={"email": email, "password": password, **extra}, headers=headers)


@pytest.fixture
def signed_in(app):
    """signed_in("parent@example.com") gives a new client signed in as that demo persona."""

    def make(email):
        client = app.test_client()
        response = sign_in(client, email)
        assert response.status_code == 303, f"could not sign in as {email}"
        return client

    return make


@pytest.fixture
def app_with(fresh_database_url, tmp_path, monkeypatch):
    """app_with({VARIABLE: value}, SETTING=value) gives an app on a fresh database from that environment and config."""

    def make(environment=None, **config):
        for name, value in (environment or {}).items():
            monkeypatch.setenv(name, value)
        app = create_app({**TEST_CONFIG, "DATABASE_URL": fresh_database_url(tmp_path), **config})
        app.test_client_class = CsrfClient
        app.config["PROPAGATE_EXCEPTIONS"] = False  # an error shows as the 500 page a user would see
        return app

    yield make
    release_connections()


class Checked(list):
    """The passwords checked so far; each check takes `seconds` longer, as under load."""

    # real = False: every password is wrong without running scrypt, for tests about the pool rather than passwords.
    seconds, real = 0.05, True


@pytest.fixture
def password_checks(monkeypatch):
    """Counts the password checks and slows each one down, so that a burst overlaps."""
    checked = Checked()

    def slow_check(password_hash, password):
        checked.append(password)
        time.sleep(checked.seconds)
        return checked.real and check_password_hash(password_hash, password)

    monkeypatch.setattr(auth_services, "check_password_hash", slow_check)
    return checked


def at_once(calls):
    """Run the calls in threads released together; their results in order (the first error is raised)."""
    start, results = threading.Barrier(len(calls)), [None] * len(calls)

    def run(i):
        start.wait()
        try:
            results[i] = calls[i]()
        except Exception as error:  # noqa: BLE001 - handed to the test's thread below
            results[i] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    for result in results:
        if isinstance(result, Exception):
            raise result
    return results


@contextlib.contextmanager
def counting_queries():
    """Counts the SQL statements run inside the block: `with counting_queries() as count: ...; count()`."""
    database = db.obj
    original = database.execute_sql
    statements = []

    def execute_sql(sql, params=None, *args, **kwargs):
        statements.append(sql)
        return original(sql, params, *args, **kwargs)

    database.execute_sql = execute_sql
    count = lambda: len(statements)  # noqa: E731
    count.statements = statements
    try:
        yield count
    finally:
        database.execute_sql = original


@pytest.fixture
def query_count(app):
    """query_count(client.get, url) gives (response, number of SQL statements the request ran)."""

    def run(call, *args, **kwargs):
        with counting_queries() as count:
            response = call(*args, **kwargs)
        return response, count()

    return run


def school_today():
    """The demo school's date: the app keeps its calendar in the company's zone, a day behind UTC each evening."""
    return datetime.datetime.now(ZoneInfo("America/New_York")).date()


def page_text(response):
    """The visible text of the messages and the main region, whitespace folded, as a user reads them."""
    html = response.get_data(as_text=True)
    main = re.search(r'<div id="flash".*?</main>', html, re.S)
    text = re.sub(r"<[^>]+>", " ", main.group(0) if main else html)
    return re.sub(r"\s+", " ", unescape(text)).strip()


def free_port():
    """A TCP port on the loopback address that nothing listens on right now."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LocalStripe:
    """A localstripe process on a free loopback port, with the keys Cubby is configured with."""

    secret_key, publishable_key, webhook_secret = "sk_test_cubby", "pk_test_cubby", "whsec_cubby_tests"

    def __init__(self, log_path):
        import subprocess
        import sys

        import httpx

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.js_url = f"{self.url}/js.stripe.com/v3/"
        here = os.path.dirname(__file__)
        with open(log_path, "w") as log:
            self.process = subprocess.Popen([sys.executable, os.path.join(here, "localstripe_server.py"), str(self.port)],
                                            stdout=log, stderr=log)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"localstripe stopped: {open(log_path).read()[-2000:]}"
            try:
                if httpx.get(self.js_url, timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise AssertionError("localstripe did not start")

    def config(self):
        """The app settings that point Cubby at this server."""
        return {"STRIPE_SECRET_KEY": self.secret_key, "STRIPE_PUBLISHABLE_KEY": self.publishable_key,
                "STRIPE_WEBHOOK_SECRET": self.webhook_secret, "STRIPE_API_BASE": self.url, "STRIPE_JS_URL": self.js_url}

    def client(self):
        import stripe

        return stripe.StripeClient(self.secret_key, base_addresses={"api": self.url})

    def send_webhooks_to(self, url):
        """Where localstripe posts its events from now on (it signs them with the webhook secret)."""
        import httpx

        response = httpx.post(f"{self.url}/_config/webhooks/cubby", data={"url": url, "secret": self.webhook_secret})
        assert response.status_code == 200, response.text

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except Exception:  # noqa: BLE001
            self.process.kill()


@pytest.fixture(scope="session")
def localstripe(tmp_path_factory):
    """localstripe, started once for the run on a free loopback port, and stopped at the end."""
    server = LocalStripe(tmp_path_factory.mktemp("localstripe") / "localstripe.log")
    yield server
    server.stop()


class SmtpSink:
    """A real SMTP server (aiosmtpd) on a free loopback port; keeps every message it is handed, as received."""

    def __init__(self):
        from aiosmtpd.controller import Controller

        received = self.received = []

        class Keep:
            async def handle_DATA(self, server, session, envelope):
                received.append(envelope)
                return "250 Message accepted for delivery"

        self.port = free_port()
        self.controller = Controller(Keep(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def config(self):
        """The app settings that send mail here over SMTP."""
        return {"MAIL_BACKEND": "smtp", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": self.port, "MAIL_USE_TLS": False}

    def messages(self, to, subject, timeout=10):
        """The parsed messages received so far to `to` with `subject`, waiting up to `timeout` seconds for the first.

        Others are left out: on a production stack the job consumer also sends the demo's reminders."""
        from email import message_from_bytes, policy

        deadline = time.monotonic() + timeout
        while True:
            parsed = [message_from_bytes(e.original_content, policy=policy.default) for e in list(self.received)]
            found = [m for m in parsed if m["To"] == to and m["Subject"] == subject]
            if found or time.monotonic() >= deadline:
                return found
            time.sleep(0.05)

    def stop(self):
        self.controller.stop()


@pytest.fixture
def smtp_sink():
    """An SMTP server started for the test and stopped after it."""
    sink = SmtpSink()
    yield sink
    sink.stop()
