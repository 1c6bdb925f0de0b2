"""Forgot password: the same answer for any address, a single-use link of one hour stored as a hash, the Change
password rules, signing in here and out everywhere else, limits per address and per network; activating a family."""
import datetime

import pytest

from access_helpers import last_mail_to, link_in
from conftest import page_text, sign_in
from webapp.models import OutboxMessage, User
from webapp.models.access import AccessLink, UserSession, secret_hash

SENT = "If an account uses that address, we sent a link to it."


def ask(client, email, **kwargs):
    return client.post("/forgot-password", data={"email": email}, **kwargs)


def set_password(client, path, password, confirm=None, **kwargs):
    return client.post(path, data={"new_password": password, "confirm_password": confirm or password}, **kwargs)


def test_sign_in_page_links_to_forgot_password(client):
    html = client.get("/sign-in").get_data(as_text=True)
    assert 'href="/forgot-password"' in html


def test_the_answer_is_the_same_whether_or_not_the_address_exists(client, app, outbox):
    known, unknown = ask(client, "nanny@example.com"), ask(client, "nobody@example.com")
    assert known.status_code == unknown.status_code == 303
    assert known.headers["Location"] == unknown.headers["Location"]
    assert SENT in page_text(client.get(known.headers["Location"]))
    assert [m.to for m in outbox] == [["nanny@example.com"]]


def test_the_link_is_stored_only_as_a_hash_and_lasts_at_most_an_hour(client, app, outbox):
    ask(client, "nanny@example.com")
    path = link_in(last_mail_to(outbox, "nanny@example.com"), "/reset-password/")
    secret = path.rsplit("/", 1)[1]
    with app.app_context():
        link = AccessLink.get(AccessLink.purpose == AccessLink.RESET)
        assert link.secret_hash == secret_hash(secret) and secret not in link.secret_hash
        assert link.expires_at - link.created_at <= datetime.timedelta(hours=1)
        assert OutboxMessage.get().category == OutboxMessage.SECURITY  # sent even to an opted-out address


def test_a_new_password_signs_in_here_and_ends_every_other_session(app, client, signed_in, outbox):
    laptop = signed_in("nanny@example.com")
    ask(client, "nanny@example.com")
    path = link_in(last_mail_to(outbox, "nanny@example.com"), "/reset-password/")
    assert "Set a new password" in page_text(client.get(path))  # a GET changes nothing
    response = set_password(client, path, "a brand new passphrase")
    assert response.status_code == 303
    assert client.get("/home").status_code == 200
    assert laptop.get("/home").status_code == 302
    assert sign_in(app.test_client(), "nanny@example.com", "a brand new passphrase").status_code == 303
    assert sign_in(app.test_client(), "nanny@example.com").status_code == 422


def test_the_link_works_once(app, client, outbox):
    ask(client, "nanny@example.com")
    path = link_in(last_mail_to(outbox, "nanny@example.com"), "/reset-password/")
    assert set_password(client, path, "a brand new passphrase").status_code == 303
    again = set_password(app.test_client(), path, "yet another passphrase")
    assert again.status_code == 410 and "This link has already been used." in page_text(again)
    assert sign_in(app.test_client(), "nanny@example.com", "yet another passphrase").status_code == 422


def test_an_expired_link_says_so_and_offers_a_new_one(app, client, outbox):
    ask(client, "nanny@example.com")
    path = link_in(last_mail_to(outbox, "nanny@example.com"), "/reset-password/")
    with app.app_context():
        AccessLink.update(expires_at=datetime.datetime(2000, 1, 1)).where(AccessLink.purpose == AccessLink.RESET).execute()
    response = set_password(client, path, "a brand new passphrase")
    assert response.status_code == 410
    assert "This link has expired." in page_text(response) and 'href="/forgot-password"' in response.get_data(as_text=True)
    assert sign_in(app.test_client(), "nanny@example.com").status_code == 303


def test_a_newer_link_ends_the_older_one(app, client, outbox):
    ask(client, "nanny@example.com")
    first = link_in(last_mail_to(outbox, "nanny@example.com"), "/reset-password/")
    ask(client, "nanny@example.com")
    assert "replaced by a newer one" in page_text(client.get(first))


def test_a_made_up_link_is_a_404(client):
    assert client.get("/reset-password/not-a-real-secret").status_code == 404


@pytest.mark.parametrize("password, confirm, message", [
    ("password123", None, "commonly used passwords"),
    ("short", None, "Use at least 8 characters"),
    ("a brand new passphrase", "another one", "The two new passwords differ."),
    ("x" * 1001, None, "Use at least 8 characters"),
])
def test_the_new_password_follows_the_change_password_rules(app, client, outbox, password, confirm, message):
    ask(client, "nanny@example.com")
    path = link_in(last_mail_to(outbox, "nanny@example.com"), "/reset-password/")
    response = set_password(client, path, password, confirm)
    assert response.status_code == 422 and message in page_text(response)
    with app.app_context():
        assert AccessLink.get(AccessLink.purpose == AccessLink.RESET).used_at is None
    assert sign_in(app.test_client(), "nanny@example.com").status_code == 303


@pytest.mark.parametrize("email, message", [
    ("not an email", "Enter an email address like name@example.com."),
    ("a" * 10_000 + "@example.com", "Field cannot be longer than 254 characters."),
    ("", "Enter an email address."),
])
def test_bad_addresses_get_a_message_by_the_field_and_send_nothing(app, client, outbox, email, message):
    for headers in ({}, {"HX-Request": "true"}):
        response = ask(client, email, headers=headers)
        assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert outbox == []
    with app.app_context():
        assert AccessLink.select().where(AccessLink.purpose == AccessLink.RESET).count() == 0 and OutboxMessage.select().count() == 0


def test_htmx_gets_the_form_alone_and_a_visit_the_whole_page(client):
    page = client.get("/forgot-password")
    fragment = client.get("/forgot-password", headers={"HX-Request": "true"})
    assert "<html" in page.get_data(as_text=True) and "<html" not in fragment.get_data(as_text=True)
    assert 'id="forgot-password"' in fragment.get_data(as_text=True)
    assert "HX-Request" in fragment.headers["Vary"]


def test_asking_is_limited_per_address(client, outbox):
    for _ in range(3):
        assert ask(client, "nanny@example.com").status_code == 303
    response = ask(client, "nanny@example.com")
    assert response.status_code == 429 and "Retry-After" in response.headers
    assert "Too many password emails asked for this address." in page_text(response)
    assert len(outbox) == 3
    assert ask(client, "nobody@example.com").status_code == 303  # unknown addresses count the same, apart


def test_asking_is_limited_per_network(app_with):
    app = app_with(RESET_LIMIT_PER_IP="2 per minute")
    client = app.test_client()
    ask(client, "a@example.com"), ask(client, "b@example.com")
    response = ask(client, "nanny@example.com")
    assert response.status_code == 429 and "Too many password emails asked from your network." in page_text(response)


def test_asking_changes_nothing_without_the_csrf_token(app, client, outbox):
    assert client.post("/forgot-password", data={"email": "nanny@example.com"}, csrf=False).status_code in (303, 400)
    assert outbox == []


def test_a_family_that_never_signed_in_activates_through_the_same_path(app, client, outbox):
    with app.app_context():
        User.update(password_hash=User.NO_PASSWORD).where(User.email == "grandparents@example.com").execute()
    assert sign_in(client, "grandparents@example.com", "!").status_code == 422  # no password matches yet
    ask(client, "grandparents@example.com")
    message = last_mail_to(outbox, "grandparents@example.com")
    assert "Start using" in message.subject
    assert set_password(client, link_in(message, "/reset-password/"), "the forest family passphrase").status_code == 303
    assert "Upcoming Courses" in page_text(client.get("/home"))
    with app.app_context():
        assert UserSession.select().join(User).where(User.email == "grandparents@example.com").count() == 1
