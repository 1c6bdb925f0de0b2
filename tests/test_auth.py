"""Sign in, sign out, change password, rate limits."""
import pytest

from conftest import page_text, sign_in
from webapp.models import User
from webapp.models.access import UserSession, new_secret, secret_hash


@pytest.mark.parametrize(
    "email, home, expected",
    [
        ("parent@example.com", "/home", "Upcoming Courses"),
        ("nanny@example.com", "/home", "Upcoming Courses"),
        ("instructor@example.com", "/classes/", "My classes"),
        ("staff@example.com", "/staff/", "Staff home"),
    ],
)
def test_each_role_lands_on_its_own_home(client, email, home, expected):
    response = sign_in(client, email)
    assert response.status_code == 303
    landing = client.get(response.headers["Location"], follow_redirects=True)
    assert landing.request.path == home
    assert expected in page_text(landing)


def test_wrong_password_is_refused_with_a_message(client):
    response = sign_in(client, "parent@example.com", "not-the-password")
    assert response.status_code == 422
    assert "That email and password do not match an account." in page_text(response)
    assert client.get("/home").headers["Location"].startswith("/sign-in")


def test_unknown_email_gets_the_same_message(client):
    response = sign_in(client, "nobody@example.com", "whatever-it-is")
    assert response.status_code == 422
    assert "That email and password do not match an account." in page_text(response)


@pytest.mark.parametrize(
    "email, password, message",
    [
        ("", "", "Enter your email address."),
        ("parent@example.com", "", "Enter your password."),
        ("a" * 300 + "@example.com", "cubby-demo", "Field cannot be longer than 254 characters."),
        ("parent@example.com", "x" * 1001, "Field cannot be longer than 1000 characters."),
        ("'; DROP TABLE user; --", "☃ ünïcödé", "That email and password do not match an account."),  # NUL: test_odd_input
    ],
)
def test_bad_sign_in_input_gets_a_form_error_never_a_500(client, email, password, message):
    response = sign_in(client, email, password)
    assert response.status_code == 422
    assert message in page_text(response)
    assert User.select().count() == 9  # the demo's logins


def test_sign_in_starts_a_fresh_session(client):
    with client.session_transaction() as session:
        session["left_over"] = "from before sign-in"
    sign_in(client, "parent@example.com")
    with client.session_transaction() as session:
        assert "left_over" not in session


def test_passwords_are_stored_with_a_modern_kdf(app):
    user = User.get(User.email == "parent@example.com")
    assert user.password_hash.startswith("scrypt:")
    assert "cubby-demo" not in user.password_hash


def test_failed_attempts_are_limited_per_account(client):
    for _ in range(5):
        assert sign_in(client, "parent@example.com", "wrong-password").status_code == 422
    response = sign_in(client, "parent@example.com")  # even the right password waits now
    assert response.status_code == 429
    assert "Too many sign-in attempts for this account. Try again in 5 minutes." in page_text(response)
    assert sign_in(client, "partner@example.com").status_code == 303  # other accounts are not locked


def test_failed_attempts_are_limited_per_ip(fresh_database_url, tmp_path):
    from conftest import TEST_CONFIG, CsrfClient
    from webapp import create_app

    app = create_app({**TEST_CONFIG, "DATABASE_URL": fresh_database_url(tmp_path), "SIGNIN_LIMIT_PER_IP": "3 per minute"})
    app.test_client_class = CsrfClient
    client = app.test_client()
    for n in range(3):
        assert sign_in(client, f"guess{n}@example.com", "wrong-password").status_code == 422
    response = sign_in(client, "guess9@example.com", "wrong-password")
    assert response.status_code == 429
    assert "Too many sign-in attempts from your network. Try again in 1 minute." in page_text(response)


def test_a_right_password_gives_its_attempt_back(client):
    for password in ["wrong-1", "wrong-2", "wrong-3", "wrong-4", "cubby-demo"]:
        sign_in(client.application.test_client(), "parent@example.com", password)
    assert sign_in(client, "parent@example.com", "wrong-5").status_code == 422  # the fifth failure, not a sixth
    assert sign_in(client, "parent@example.com").status_code == 429


def test_successful_sign_ins_do_not_count_against_the_limit(app):
    for _ in range(8):
        client = app.test_client()
        assert sign_in(client, "parent@example.com").status_code == 303


def test_sign_out_ends_this_session_only(signed_in):
    phone, laptop = signed_in("parent@example.com"), signed_in("parent@example.com")
    response = phone.post("/sign-out")
    assert response.status_code == 303
    assert "You are signed out." in page_text(phone.get(response.headers["Location"]))
    assert phone.get("/home").headers["Location"].startswith("/sign-in")
    assert laptop.get("/home").status_code == 200


def test_sign_out_is_never_a_get(signed_in):
    client = signed_in("parent@example.com")
    assert client.get("/sign-out").status_code == 405
    assert client.get("/home").status_code == 200


def test_sign_out_without_a_csrf_token_changes_nothing(signed_in):
    client = signed_in("parent@example.com")
    response = client.post("/sign-out", csrf=False, headers={"Referer": "http://localhost/account/"})
    assert response.status_code == 303 and response.headers["Location"] == "/account/"
    assert "open for a long time" in page_text(client.get("/account/"))
    assert client.get("/home").status_code == 200


def change_password(client, current, new, confirm=None, **kwargs):
    data = {"current_password": current, "new_password": new, "confirm_password": new if confirm is None else confirm}
    return client.post("/account/security/password", data=data, **kwargs)


@pytest.mark.parametrize(
    "current, new, confirm, message",
    [
        ("wrong-password", "a new passphrase", None, "That is not your current password."),
        ("cubby-demo", "short", None, "Use at least 8 characters"),
        ("cubby-demo", "a new passphrase", "a different one", "The two new passwords differ."),
        ("cubby-demo", "", "", "Choose a new password."),
        ("cubby-demo", "y" * 1001, None, "Use at least 8 characters"),
    ],
)
def test_change_password_refuses_bad_input(signed_in, current, new, confirm, message):
    client = signed_in("parent@example.com")
    response = change_password(client, current, new, confirm)
    assert response.status_code == 422
    assert message in page_text(response)
    assert sign_in(client.application.test_client(), "parent@example.com").status_code == 303


def test_change_password_with_htmx_answers_the_security_section_only(signed_in):
    client = signed_in("parent@example.com")
    response = change_password(client, "wrong-password", "a new passphrase", headers={"HX-Request": "true"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<section class="card" id="change-password"')
    assert "<html" not in html and "That is not your current password." in html
    assert "HX-Request" in response.headers["Vary"]


def test_change_password_signs_out_other_devices_and_keeps_this_one(signed_in, app):
    phone, laptop = signed_in("parent@example.com"), signed_in("parent@example.com")
    passphrase = "correct horse battery staple " * 5
    response = change_password(phone, "cubby-demo", passphrase)
    assert response.status_code == 303
    assert "Your password is changed." in page_text(phone.get("/account/security/"))
    assert phone.get("/home").status_code == 200
    assert laptop.get("/home").status_code == 302
    assert sign_in(app.test_client(), "parent@example.com").status_code == 422
    assert sign_in(app.test_client(), "parent@example.com", passphrase).status_code == 303


def test_safe_next_never_leaves_the_site(client):
    response = client.post("/sign-in?next=//evil.example/", data={"email": "parent@example.com", "password": "cubby-demo"})
    assert response.headers["Location"] == "/"
    client2 = client.application.test_client()
    response = client2.post("/sign-in?next=/account/", data={"email": "parent@example.com", "password": "cubby-demo"})
    assert response.headers["Location"] == "/account/"


def test_session_and_remember_cookies_are_locked_down(fresh_database_url, tmp_path):
    from conftest import TEST_CONFIG, CsrfClient
    from webapp import create_app

    config = {k: v for k, v in TEST_CONFIG.items() if "COOKIE_SECURE" not in k}
    app = create_app({**config, "DATABASE_URL": fresh_database_url(tmp_path)})
    app.test_client_class = CsrfClient
    client = app.test_client()
    response = sign_in(client, "parent@example.com", remember="y", base_url="https://localhost")
    cookies = response.headers.getlist("Set-Cookie")
    for name in ("session=", "remember_token="):
        cookie = next(c for c in cookies if c.startswith(name))
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie


@pytest.mark.parametrize("common", ["12345678", "PassWord1", "iloveyou", "Sunshine", "QWERTYUIOP"])
def test_change_password_refuses_a_commonly_used_password(signed_in, app, common):
    client = signed_in("parent@example.com")
    response = change_password(client, "cubby-demo", common)
    assert response.status_code == 422
    assert "This password is on a list of commonly used passwords" in page_text(response)
    assert sign_in(app.test_client(), "parent@example.com").status_code == 303  # the old password still works
    assert sign_in(app.test_client(), "parent@example.com", common).status_code == 422


def test_the_common_password_list_is_long_and_loaded_once():
    from webapp.auth.common_passwords import common_passwords, is_common

    assert len(common_passwords()) >= 10_000 and isinstance(common_passwords(), frozenset)
    assert common_passwords() is common_passwords()
    assert is_common("LetMeIn1") and not is_common("correct horse battery staple")


def test_wrong_current_passwords_are_limited_per_account(signed_in, app):
    client = signed_in("parent@example.com")
    for n in range(5):
        assert change_password(client, f"wrong-{n}", "a new passphrase").status_code == 422
    response = change_password(client, "cubby-demo", "a new passphrase")  # even the right one waits now
    assert response.status_code == 429
    assert "Too many password attempts for this account. Try again in 5 minutes." in page_text(response)
    assert 0 < int(response.headers["Retry-After"]) <= 300
    assert sign_in(app.test_client(), "parent@example.com", "a new passphrase").status_code == 429  # one budget
    assert sign_in(app.test_client(), "partner@example.com").status_code == 303  # other accounts are not locked


def test_wrong_current_passwords_are_limited_per_ip(app_with):
    app = app_with(SIGNIN_LIMIT_PER_IP="3 per minute")
    guesses = [("parent@example.com", "wrong-1"), ("partner@example.com", "wrong-2"), ("nanny@example.com", "wrong-3")]
    for email, guess in guesses:
        client = app.test_client()
        with app.app_context():  # signed in already: the sign-in itself counts nothing
            secret = new_secret()
            UserSession.create(user=User.get(User.email == email), secret_hash=secret_hash(secret))
        with client.session_transaction() as session:
            session["_user_id"] = secret
        assert change_password(client, guess, "a new passphrase").status_code == 422
    response = change_password(client, "cubby-demo", "a new passphrase")
    assert response.status_code == 429
    assert "Too many password attempts from your network. Try again in 1 minute." in page_text(response)


def test_a_password_change_gives_its_attempt_back(signed_in, app):
    client = signed_in("parent@example.com")
    for n in range(4):
        change_password(client, f"wrong-{n}", "a new passphrase")
    assert change_password(client, "cubby-demo", "a new passphrase").status_code == 303
    assert change_password(client, "wrong-again", "another passphrase").status_code == 422  # the fifth failure
    assert sign_in(app.test_client(), "parent@example.com", "a new passphrase").status_code == 429


def test_too_many_password_attempts_under_htmx_answer_the_security_section(signed_in):
    client = signed_in("parent@example.com")
    for n in range(5):
        change_password(client, f"wrong-{n}", "a new passphrase")
    response = change_password(client, "wrong-5", "a new passphrase", headers={"HX-Request": "true"})
    assert response.status_code == 429
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<section class="card" id="change-password"') and "Try again in 5 minutes." in html


def test_an_htmx_request_after_signing_out_elsewhere_moves_the_page_to_sign_in(signed_in):
    dana, other = signed_in("parent@example.com"), signed_in("parent@example.com")
    assert other.post("/account/security/sign-out-everywhere").status_code == 303  # every session of Dana
    response = dana.get("/schedule/absence/1/1", headers={"HX-Request": "true",
                                                          "HX-Current-URL": "http://localhost/schedule/?weeks=8"})
    assert response.status_code == 401 and response.get_data() == b""  # no sign-in form inside the table cell
    assert response.headers["HX-Redirect"] == "/sign-in?next=/schedule/?weeks%3D8"
    plain = dana.get("/schedule/?weeks=8")
    assert plain.status_code == 302 and plain.headers["Location"] == "/sign-in?next=/schedule/?weeks%3D8"


def test_the_sign_in_redirect_never_points_away(signed_in):
    dana, other = signed_in("parent@example.com"), signed_in("parent@example.com")
    other.post("/account/security/sign-out-everywhere")
    response = dana.get("/home", headers={"HX-Request": "true", "HX-Current-URL": "http://evil.example//evil.example/x"})
    assert response.headers["HX-Redirect"] == "/sign-in"
