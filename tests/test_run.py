"""`make run`: honcho starts the web server and one job consumer from the Procfile; the consumer sends what the
web process queues; Ctrl-C (SIGINT to the process group) stops both."""
import os
import re
import signal
import subprocess
import time
from pathlib import Path

import httpx

from conftest import free_port

ROOT = Path(__file__).resolve().parents[1]


def group_members(pgid):
    """Process ids in that process group, still alive."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            members.append(int(stat.parent.name))
    return members


def token(html):
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def test_make_run_serves_with_a_consumer_and_ctrl_c_stops_both(fresh_database_url, tmp_path):
    port, mail = free_port(), tmp_path / "mail"
    env = {**os.environ, "DATABASE_URL": fresh_database_url(tmp_path), "JOBS_URL": f"sqlite:///{tmp_path}/jobs.sqlite3",
           "MAIL_BACKEND": "file", "MAIL_FILE_PATH": str(mail), "SECRET_KEY": "run-test", "HOST": "127.0.0.1"}
    with open(tmp_path / "honcho.log", "w") as log:
        honcho = subprocess.Popen([str(ROOT / ".venv/bin/honcho"), "start", "-f", "Procfile", "-p", str(port)],
                                  cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(base + "/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            raise AssertionError((tmp_path / "honcho.log").read_text())
        assert len(group_members(honcho.pid)) >= 3  # honcho, the web server and the consumer

        with httpx.Client(base_url=base, follow_redirects=False) as sam:
            signed = sam.post("/sign-in", data={"email": "staff@example.com", "password": "cubby-demo",
                                                "csrf_token": token(sam.get("/sign-in").text)})
            assert signed.status_code == 303
            form = sam.get("/staff/billing/payments/new").text
            payer = re.search(r'<option value="(\d+)"[^>]*>Smith household', form).group(1)
            recorded = sam.post("/staff/billing/payments/new", data={
                "csrf_token": token(form), "order_number": "1003", "payer": payer, "amount": "35.00", "method": "cash"})
            assert recorded.status_code == 303
        deadline = time.monotonic() + 20  # the consumer polls its queue at most every 2 seconds

        def receipt_sent():  # the file backend creates its file before it writes the message into it
            return mail.exists() and any("Your receipt from Riverside Arts Academy" in p.read_text()
                                         for p in mail.iterdir())

        while time.monotonic() < deadline and not receipt_sent():
            time.sleep(0.2)
        assert receipt_sent(), (tmp_path / "honcho.log").read_text()
    finally:
        os.killpg(honcho.pid, signal.SIGINT)  # what Ctrl-C in the terminal sends
        honcho.wait(timeout=20)
    deadline = time.monotonic() + 10
    while group_members(honcho.pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert group_members(honcho.pid) == [], "Ctrl-C left a process running"
