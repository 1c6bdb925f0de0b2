"""Password attempts are counted before the password is checked: bursts, the connection pool, shared storage."""
import re

from conftest import at_once, page_text, sign_in

ACCOUNT_REFUSAL = re.compile(r"Too many sign-in attempts for this account\. Try again in [1-5] minutes?\.")


def test_a_burst_of_guesses_checks_no_more_passwords_than_the_limit(app, password_checks):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    clients = [app.test_client() for _ in range(25)]
    responses = at_once([lambda c=c, i=i: sign_in(c, "parent@example.com", f"guess-{i}") for i, c in enumerate(clients)])
    statuses = [r.status_code for r in responses]
    assert len(password_checks) <= 5
    assert 500 not in statuses
    assert statuses.count(422) == len(password_checks)
    refused = [r for r in responses if r.status_code == 429]
    assert len(refused) == 25 - len(password_checks)
    for response in refused:
        assert ACCOUNT_REFUSAL.search(page_text(response)), page_text(response)
        assert 0 < int(response.headers["Retry-After"]) <= 300
    # The owner's right password waits too, and says until when.
    assert ACCOUNT_REFUSAL.search(page_text(sign_in(app.test_client(), "parent@example.com")))


def test_a_burst_beyond_the_connection_pool_waits_for_a_connection(app_with, password_checks):
    password_checks.real = False
    app = app_with(SIGNIN_LIMIT_PER_IP="100 per minute")
    clients = [app.test_client() for _ in range(40)]
    responses = at_once([lambda c=c, i=i: sign_in(c, f"guess{i}@example.com", "wrong-password") for i, c in enumerate(clients)])
    assert [r.status_code for r in responses] == [422] * 40
    assert all("That email and password do not match an account." in page_text(r) for r in responses)


def test_a_burst_that_outwaits_the_pool_is_told_to_come_back_never_a_500(app_with, password_checks):
    password_checks.seconds, password_checks.real = 0.5, False
    app = app_with(SIGNIN_LIMIT_PER_IP="100 per minute", DATABASE_POOL_TIMEOUT=0.05)
    clients = [app.test_client() for _ in range(40)]
    responses = at_once([lambda c=c, i=i: sign_in(c, f"guess{i}@example.com", "wrong-password") for i, c in enumerate(clients)])
    statuses = [r.status_code for r in responses]
    assert set(statuses) <= {422, 503} and 503 in statuses, statuses
    busy = next(r for r in responses if r.status_code == 503)
    assert "Cubby is busy" in page_text(busy) and int(busy.headers["Retry-After"]) > 0


def test_no_attempt_counter_means_no_password_check(app_with, password_checks):
    app = app_with(RATELIMIT_STORAGE_URI="redis://127.0.0.1:1")  # nothing listens there
    response = sign_in(app.test_client(), "parent@example.com")
    assert response.status_code == 503 and "Cubby is busy" in page_text(response)
    assert password_checks == []


def test_a_burst_of_current_password_guesses_checks_no_more_than_the_limit(signed_in, password_checks):
    client = signed_in("parent@example.com")
    password_checks.clear()  # the sign-in's own check
    token = client.csrf_token()  # made once: the threads share this client's session and must not rewrite it
    data = lambda i: {"current_password": f"guess-{i}", "new_password": "a new passphrase",  # noqa: E731
                      "confirm_password": "a new passphrase", "csrf_token": token}
    responses = at_once([lambda i=i: client.post("/account/security/password", data=data(i), csrf=False) for i in range(25)])
    assert len(password_checks) <= 5
    assert sorted({r.status_code for r in responses}) == [422, 429]
    refused = [r for r in responses if r.status_code == 429]
    assert len(refused) == 25 - len(password_checks)
    assert all("Too many password attempts for this account. Try again in" in page_text(r) for r in refused)
