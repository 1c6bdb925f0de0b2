"""`make prod-check`: the production stack on loopback, as docs/deploy.md sets it up, and the browser smoke
journeys against it. gunicorn with deploy/gunicorn.conf.py, a fresh PostgreSQL database, Redis for the sign-in
counters and the job queue, one job consumer, and an SMTP server (aiosmtpd) standing in for the mail relay.
Only collected when CUBBY_PROD_CHECK=1 (the make target sets it): `make test` leaves it out."""
import os
import subprocess
import time
import uuid
from pathlib import Path

import httpx
import pytest

from conftest import SmtpSink, free_port

if os.environ.get("CUBBY_PROD_CHECK") != "1":
    collect_ignore_glob = ["test_*.py"]

ROOT = Path(__file__).resolve().parents[2]
VENV = ROOT / ".venv" / "bin"
PG_URL = os.environ.get("PROD_CHECK_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("PROD_CHECK_REDIS_URL", "redis://127.0.0.1:6379/0")
CHROMIUM = "/usr/bin/chromium"


class Stack:
    """The processes of one deployment on loopback; stop() ends them and drops the database."""

    def __init__(self, folder):
        import psycopg
        import redis

        self.folder, self.processes = folder, []
        run = self.run = uuid.uuid4().hex[:8]
        self.database = f"cubby_prodcheck_{run}"
        self.admin = psycopg.connect(PG_URL, autocommit=True)
        self.admin.cursor().execute(f'CREATE DATABASE "{self.database}"')
        redis.Redis.from_url(REDIS_URL).ping()
        self.smtp = SmtpSink()
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ, "DATABASE_URL": PG_URL.rsplit("/", 1)[0] + "/" + self.database, "DATABASE_POOL_SIZE": "4",
            "SECRET_KEY": f"prod-check-{run}", "JOBS_URL": REDIS_URL, "JOBS_NAME": f"cubby-prodcheck-{run}",
            "RATELIMIT_STORAGE_URI": REDIS_URL, "RATELIMIT_KEY_PREFIX": f"prodcheck-{run}",
            "TRUSTED_PROXIES": "1", "TRUSTED_HOSTS": "127.0.0.1", "SITE_URL": self.url,
            # Plain http on loopback: no TLS proxy runs in the check, so the cookies cannot be Secure here.
            "COOKIE_SECURE": "0", "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            "MAIL_BACKEND": "smtp", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(self.smtp.port), "MAIL_USE_TLS": "0",
        }
        self.env.pop("WEB_CONCURRENCY", None)  # workers from the CPU count, as in production
        for step in (["db", "upgrade"], ["demo", "load"], ["assets", "build"]):  # what a deploy runs first
            subprocess.run([str(VENV / "flask"), "--app", "wsgi", *step], cwd=ROOT, env=self.env, check=True,
                           capture_output=True)
        self.web_log, self.worker_log = folder / "gunicorn.log", folder / "worker.log"
        self.start([str(VENV / "gunicorn"), "-c", "deploy/gunicorn.conf.py", "wsgi:app"], self.web_log)
        self.start([str(VENV / "huey_consumer"), "webapp.worker.huey", "--workers", "2", "--worker-type", "thread"],
                   self.worker_log)
        self.wait_until_ready()

    def start(self, command, log_path):
        with open(log_path, "w") as log:
            self.processes.append(subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=log, stderr=log))

    def wait_until_ready(self, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for process in self.processes:
                assert process.poll() is None, f"{process.args[0]} stopped:\n{self.logs()}"
            try:
                if httpx.get(self.url + "/readyz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"the stack did not become ready:\n{self.logs()}")

    def logs(self):
        return "\n".join(f"--- {p.name}\n{p.read_text()[-3000:]}" for p in (self.web_log, self.worker_log) if p.exists())

    def stop(self):
        for process in self.processes:
            process.send_signal(2 if "huey" in process.args[0] else 15)  # the consumer stops on SIGINT
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        self.smtp.stop()
        import redis

        store = redis.Redis.from_url(REDIS_URL)  # this run's counters and queue (the queue's name drops the dashes)
        for key in store.keys(f"*prodcheck*{self.run}*"):
            store.delete(key)
        self.admin.cursor().execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
        self.admin.close()


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    """The production stack, up for the whole check."""
    stack = Stack(tmp_path_factory.mktemp("prod"))
    yield stack
    stack.stop()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: make prod-check needs the browser", pytrace=False)
    from e2e.conftest import CHROMIUM_ARGS

    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture
def browser_context_args(browser_context_args, stack):
    from e2e.conftest import PHONE

    return {**browser_context_args, **PHONE, "base_url": stack.url}

