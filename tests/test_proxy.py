"""Behind a proxy: forwarded client addresses, trusted hosts, and limits shared by several workers through Redis."""
import os
import uuid

import pytest

from conftest import at_once, page_text, sign_in
from test_attempt_limits import ACCOUNT_REFUSAL

REDIS_URL = "redis://127.0.0.1:6379"


def guess_from(client, address, n):
    """A wrong password for another account, sent through the proxy for the client at `address`."""
    return sign_in(client, f"guess{n}@example.com", "wrong-password", headers={"X-Forwarded-For": address})


@pytest.mark.parametrize("proxies, second_client_status", [("1", 422), ("0", 429)])
def test_the_per_ip_limit_counts_the_forwarded_client_only_behind_a_trusted_proxy(app_with, proxies, second_client_status):
    app = app_with({"TRUSTED_PROXIES": proxies}, SIGNIN_LIMIT_PER_IP="3 per minute")
    client = app.test_client()
    for n in range(3):
        assert guess_from(client, "203.0.113.7", n).status_code == 422
    refused = guess_from(client, "203.0.113.7", 3)
    assert refused.status_code == 429
    assert "Too many sign-in attempts from your network." in page_text(refused)
    # Another family behind the same proxy: its own limit when the proxy is trusted, else the proxy's address is shared.
    assert guess_from(client, "198.51.100.20", 4).status_code == second_client_status


def test_a_client_cannot_pick_its_address_by_sending_x_forwarded_for_itself(app_with):
    app = app_with({"TRUSTED_PROXIES": "1"}, SIGNIN_LIMIT_PER_IP="3 per minute")
    client = app.test_client()
    for n in range(3):  # the proxy appends the address it saw; only the last (trusted) hop counts
        guess_from(client, f"10.0.0.{n}, 203.0.113.7", n)
    assert guess_from(client, "10.0.0.9, 203.0.113.7", 3).status_code == 429


def test_https_at_the_proxy_counts_as_https(app_with):
    app = app_with({"TRUSTED_PROXIES": "1"})
    response = app.test_client().get("/sign-in", headers={"X-Forwarded-Proto": "https"})
    assert "max-age" in response.headers["Strict-Transport-Security"]
    untrusted = app_with({"TRUSTED_PROXIES": "0"}).test_client().get("/sign-in", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in untrusted.headers


def test_a_host_not_in_trusted_hosts_gets_a_400_page(app_with):
    app = app_with({"TRUSTED_HOSTS": "cubby.example, www.cubby.example"})
    assert app.config["TRUSTED_HOSTS"] == ["cubby.example", "www.cubby.example"]
    client = app.test_client()
    for method, host in [("GET", "evil.example"), ("GET", "cubby.example.evil.example"), ("POST", "localhost")]:
        response = client.open("/sign-in", method=method, headers={"Host": host}, data={"email": "parent@example.com"})
        assert response.status_code == 400, host
        assert response.get_data(as_text=True) == "This site is not served under that name.\n"
    for host in ("cubby.example", "www.cubby.example", "cubby.example:443"):
        response = client.get("/sign-in", headers={"Host": host})
        assert response.status_code == 200 and "Sign in" in page_text(response), host


def test_server_name_comes_from_the_environment(app_with):
    app = app_with({"SERVER_NAME": "cubby.example"})
    with app.app_context():  # outside a request (an email's link) the URL names the site
        from flask import url_for

        assert url_for("auth.sign_in", _external=True).startswith("http://cubby.example/")


@pytest.fixture
def redis_prefix():
    """A key prefix of this test's own in the Redis at REDIS_URL; its keys are removed afterwards."""
    import redis

    server = redis.Redis.from_url(REDIS_URL)
    try:
        server.ping()
    except redis.ConnectionError:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(f"no Redis at {REDIS_URL}")
    prefix = f"cubby-test-{uuid.uuid4().hex}"
    yield prefix
    for key in server.scan_iter(f"*{prefix}*"):
        server.delete(key)


def test_workers_sharing_redis_share_the_sign_in_limit(app_with, redis_prefix):
    worker_1, worker_2 = (app_with(RATELIMIT_STORAGE_URI=REDIS_URL, RATELIMIT_KEY_PREFIX=redis_prefix) for _ in "12")
    for n in range(5):
        worker = (worker_1, worker_2)[n % 2]
        assert sign_in(worker.test_client(), "parent@example.com", f"wrong-{n}").status_code == 422
    for worker in (worker_1, worker_2):
        assert ACCOUNT_REFUSAL.search(page_text(sign_in(worker.test_client(), "parent@example.com")))
    assert sign_in(worker_2.test_client(), "partner@example.com").status_code == 303


def test_a_burst_against_redis_checks_no_more_passwords_than_the_limit(app_with, redis_prefix, password_checks):
    app = app_with(RATELIMIT_STORAGE_URI=REDIS_URL, RATELIMIT_KEY_PREFIX=redis_prefix)
    clients = [app.test_client() for _ in range(25)]
    responses = at_once([lambda c=c, i=i: sign_in(c, "parent@example.com", f"guess-{i}") for i, c in enumerate(clients)])
    assert len(password_checks) <= 5
    assert sorted(r.status_code for r in responses) == [422] * len(password_checks) + [429] * (25 - len(password_checks))
