"""Smoke journeys against the production stack (see conftest.py): health, sign-in counters in Redis, a payment in
the browser whose receipt the worker sends over SMTP, and every persona's first page."""
import re
import time

import httpx
import redis
from playwright.sync_api import expect

from e2e.conftest import check, sign_in, sign_out
from e2e.test_checkout_journey import Watched
from e2e.test_mail_journey import dana_pays_1001_and_gets_the_receipt_mail

from .conftest import REDIS_URL


def test_health_checks_answer_without_cookies_and_stay_out_of_the_access_log(stack):
    for path, text in (("/healthz", "ok\n"), ("/readyz", "ready\n")):
        response = httpx.get(stack.url + path)
        assert response.status_code == 200 and response.text == text and "set-cookie" not in response.headers
    httpx.get(stack.url + "/sign-in")
    deadline = time.monotonic() + 10  # a worker writes its access log line after the answer
    while '"GET /sign-in HTTP/1.1" 200' not in stack.web_log.read_text() and time.monotonic() < deadline:
        time.sleep(0.1)
    log = stack.web_log.read_text()
    assert '"GET /sign-in HTTP/1.1" 200' in log and "/healthz" not in log and "/readyz" not in log


def test_gunicorn_runs_workers_from_the_cpu_count(stack):
    import os

    assert stack.web_log.read_text().count("Booting worker") >= (os.cpu_count() or 1) * 2 + 1


def test_a_wrong_password_is_counted_in_redis(stack):
    with httpx.Client(base_url=stack.url) as client:
        page = client.get("/sign-in").text
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        answer = client.post("/sign-in", data={"email": "partner@example.com", "password": "wrong", "csrf_token": token})
    assert answer.status_code == 422
    assert redis.Redis.from_url(REDIS_URL).keys(f"*/{stack.env['RATELIMIT_KEY_PREFIX']}/password:partner@example.com/*")


def test_a_payment_in_the_browser_and_its_receipt_sent_by_the_worker(stack, new_context):
    # Written by a web worker, sent by the job consumer.
    watched, receipt_url, message = dana_pays_1001_and_gets_the_receipt_mail(new_context, stack.smtp, timeout=30)
    page = watched.page
    html = message.get_body(("html",)).get_content()
    link = re.search(r'<a href="([^"]+)"[^>]*>See it in Cubby</a>', html).group(1)
    assert link == receipt_url  # built from SITE_URL by the worker's templates
    page.goto(link)
    expect(page.get_by_text("Visa ending 4242")).to_be_visible()
    assert "Executing send_outbox" in stack.worker_log.read_text() or "send_outbox" in stack.worker_log.read_text()
    watched.assert_clean()


def test_every_persona_reaches_their_first_page(stack, new_context):
    page = Watched(new_context()).page
    for email, heading in (("instructor@example.com", "My classes"), ("staff@example.com", "Staff home"),
                           ("trainee@example.com", "Hello, Lee")):
        sign_in(page, email)
        expect(page.get_by_role("heading", name=heading, level=1)).to_be_visible()
        check(page)
        sign_out(page)
