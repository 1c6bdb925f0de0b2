"""Fault and load tests: Cubby served by real gunicorn processes on a file database, driven over HTTP.

`make reliability` runs them on SQLite, then again on PostgreSQL (DATABASE_URL); `make test` leaves them out.
"""
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
CARD = {"number": "4242 4242 4242 4242", "expiry": "12/39", "cvc": "123", "name": "Dana Smith"}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gunicorn:
    """Cubby under gunicorn (sync workers) on a free loopback port; its master restarts a killed worker."""

    def __init__(self, database_url, log_path, workers=1, **environment):
        self.port, self.workers_wanted, self.log_path = free_port(), workers, log_path
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "DATABASE_URL": database_url, "COOKIE_SECURE": "0", "SECRET_KEY": "reliability-only",
               "SIGNIN_LIMIT_PER_IP": "100000 per minute", "SIGNIN_LIMIT_PER_ACCOUNT": "100000 per minute",
               "MAIL_BACKEND": "locmem", **{k: str(v) for k, v in environment.items()}}
        command = [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--worker-class", "sync",
                   "--bind", f"127.0.0.1:{self.port}", "--log-level", "warning", "--graceful-timeout", "5", "wsgi:app"]
        with open(log_path, "w") as log:
            self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
        self.wait_until_serving()

    def worker_pids(self):
        """Process ids of the master's worker children."""
        children = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid:
                children.append(int(stat.parent.name))
        return children

    def wait_until_serving(self, timeout=30):
        """Until every worker is up and the sign-in page answers."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"gunicorn stopped:\n{self.log_tail()}"
            try:
                if httpx.get(self.url + "/sign-in", timeout=2).status_code == 200 and \
                        len(self.worker_pids()) == self.workers_wanted:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"gunicorn did not start:\n{self.log_tail()}")

    def kill_a_worker(self):
        """kill -9 one worker, as the machine losing it would; returns its pid."""
        pid = self.worker_pids()[0]
        os.kill(pid, signal.SIGKILL)
        return pid

    def log_tail(self, lines=40):
        return "\n".join(Path(self.log_path).read_text().splitlines()[-lines:])

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture
def gunicorn(fresh_database_url, tmp_path):
    """gunicorn(workers=1, **env) serves a fresh demo database; every server is stopped at the end."""
    url, servers = fresh_database_url(tmp_path), []

    def start(workers=1, **environment):
        server = Gunicorn(url, tmp_path / f"gunicorn-{len(servers)}.log", workers, **environment)
        servers.append(server)
        return server

    start.database_url = url
    yield start
    for server in servers:
        server.stop()


def csrf_token(html):
    """The CSRF token of a page (its forms carry it, and the body's hx-headers)."""
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(r'"X-CSRFToken": "([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


class Visitor:
    """One browser session over HTTP: signs in through the form and posts forms with their CSRF tokens."""

    def __init__(self, base_url, email, password="cubby-demo", timeout=30):
        self.http = httpx.Client(base_url=base_url, timeout=timeout, follow_redirects=False)
        page = self.http.get("/sign-in")
        answer = self.http.post("/sign-in", data={"email": email, "password": password,
                                                  "csrf_token": csrf_token(page.text)})
        assert answer.status_code == 303, f"{email} could not sign in: {answer.status_code}"
        self.token = csrf_token(self.http.get(answer.headers["location"], follow_redirects=True).text)

    def post(self, path, data=None, **kwargs):
        return self.http.post(path, data={"csrf_token": self.token, **(data or {})}, **kwargs)

    def get(self, path, **kwargs):
        return self.http.get(path, **kwargs)

    def close(self):
        self.http.close()
