"""Sessions per device (Login/Security): the list of devices with last seen, signing one out, signing out
everywhere; secrets stored as hashes; last seen written at most once a minute."""
import datetime

from access_helpers import last_mail_to, link_in
from conftest import at_once, page_text, sign_in
from webapp.models import User
from webapp.models.access import UserSession

HX = {"HX-Request": "true"}
IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Version/17.0 Mobile/15E148 Safari/604.1"
WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36"


def device(app, email, user_agent):
    client = app.test_client()
    assert sign_in(client, email, headers={"User-Agent": user_agent}).status_code == 303
    return client


def sessions_of(app, email):
    with app.app_context():
        return list(UserSession.select().join(User).where(User.email == email).order_by(UserSession.id))


def test_the_devices_are_listed_with_their_browser_and_last_seen(app):
    phone, laptop = device(app, "parent@example.com", IPHONE), device(app, "parent@example.com", WINDOWS)
    text = page_text(phone.get("/account/security/", headers={"User-Agent": IPHONE}))
    assert "Safari on iPhone · This device" in text and "Chrome on Windows Last seen" in text
    assert "Change Password" in text and "Sign out everywhere" in text


def test_the_cookie_holds_a_secret_the_database_keeps_only_the_hash_of(app):
    client = device(app, "parent@example.com", IPHONE)
    with client.session_transaction() as session:
        secret = session["_user_id"]
    (row,) = sessions_of(app, "parent@example.com")
    assert secret not in row.secret_hash and len(row.secret_hash) == 64


def test_signing_one_device_out_leaves_the_others(app):
    phone, laptop = device(app, "parent@example.com", IPHONE), device(app, "parent@example.com", WINDOWS)
    laptop_session = sessions_of(app, "parent@example.com")[1]
    response = phone.post(f"/account/security/sessions/{laptop_session.id}/sign-out", headers=HX)
    assert response.status_code == 200 and response.get_data(as_text=True).lstrip().startswith('<section class="card" id="sessions"')
    assert "Chrome on Windows" not in page_text(response)
    assert laptop.get("/home").headers["Location"].startswith("/sign-in")
    assert phone.get("/home").status_code == 200


def test_signing_a_device_out_without_javascript_returns_to_the_page(app):
    phone, laptop = device(app, "parent@example.com", IPHONE), device(app, "parent@example.com", WINDOWS)
    laptop_session = sessions_of(app, "parent@example.com")[1]
    response = phone.post(f"/account/security/sessions/{laptop_session.id}/sign-out")
    assert response.status_code == 303 and response.headers["Location"] == "/account/security/"
    assert "That device is signed out." in page_text(phone.get("/account/security/"))


def test_signing_out_this_device_from_the_list_signs_out_here(app):
    phone = device(app, "parent@example.com", IPHONE)
    (mine,) = sessions_of(app, "parent@example.com")
    assert phone.post(f"/account/security/sessions/{mine.id}/sign-out").headers["Location"] == "/sign-in"
    assert phone.get("/home").status_code == 302


def test_another_users_session_is_a_404_and_stays(app):
    dana, chris = device(app, "parent@example.com", IPHONE), device(app, "partner@example.com", WINDOWS)
    (chris_session,) = sessions_of(app, "partner@example.com")
    assert dana.post(f"/account/security/sessions/{chris_session.id}/sign-out").status_code == 404
    assert dana.post("/account/security/sessions/2147483647/sign-out").status_code == 404
    assert chris.get("/home").status_code == 200


def test_sign_out_everywhere_ends_every_session_this_one_too(app):
    phone, laptop = device(app, "parent@example.com", IPHONE), device(app, "parent@example.com", WINDOWS)
    response = phone.post("/account/security/sign-out-everywhere")
    assert response.status_code == 303
    assert "You are signed out on every device." in page_text(phone.get(response.headers["Location"]))
    for client in (phone, laptop):
        assert client.get("/home").status_code == 302
    assert sessions_of(app, "parent@example.com") == []


def test_nothing_changes_on_get_or_without_csrf(app):
    phone, laptop = device(app, "parent@example.com", IPHONE), device(app, "parent@example.com", WINDOWS)
    laptop_session = sessions_of(app, "parent@example.com")[1]
    assert phone.get("/account/security/sign-out-everywhere").status_code == 405
    assert phone.get(f"/account/security/sessions/{laptop_session.id}/sign-out").status_code == 405
    phone.post("/account/security/sign-out-everywhere", csrf=False)
    phone.post(f"/account/security/sessions/{laptop_session.id}/sign-out", csrf=False)
    assert len(sessions_of(app, "parent@example.com")) == 2 and laptop.get("/home").status_code == 200


def test_the_page_is_whole_on_a_visit_and_a_block_for_htmx(signed_in):
    dana = signed_in("parent@example.com")
    assert "<html" in dana.get("/account/security/").get_data(as_text=True)
    fragment = dana.get("/account/security/", headers=HX).get_data(as_text=True)
    assert "<html" not in fragment and 'id="sessions"' in fragment


def test_the_login_security_page_needs_a_sign_in(client):
    assert client.get("/account/security/").headers["Location"].startswith("/sign-in")


def test_last_seen_is_written_at_most_once_a_minute(app, query_count):
    phone = device(app, "parent@example.com", IPHONE)
    phone.get("/home")
    _, quiet = query_count(phone.get, "/home")
    (row,) = sessions_of(app, "parent@example.com")
    with app.app_context():
        UserSession.update(last_seen_at=row.last_seen_at - datetime.timedelta(minutes=2)).execute()
    _, touching = query_count(phone.get, "/home")
    assert touching == quiet + 1
    (after,) = sessions_of(app, "parent@example.com")
    assert after.last_seen_at > row.last_seen_at - datetime.timedelta(seconds=1)
    _, again = query_count(phone.get, "/home")
    assert again == quiet


def test_two_uses_of_one_reset_link_at_once_set_one_password(app, client, outbox):
    client.post("/forgot-password", data={"email": "nanny@example.com"})
    path = link_in(last_mail_to(outbox, "nanny@example.com"), "/reset-password/")
    clients = [app.test_client() for _ in range(2)]
    tokens = [c.csrf_token() for c in clients]
    answers = at_once([lambda c=c, t=t, n=n: c.post(path, csrf=False, data={
        "csrf_token": t, "new_password": f"passphrase number {n}", "confirm_password": f"passphrase number {n}"})
        for n, (c, t) in enumerate(zip(clients, tokens))])
    assert sorted(a.status_code for a in answers) == [303, 410]
    winner = [n for n, a in enumerate(answers) if a.status_code == 303][0]
    assert sign_in(app.test_client(), "nanny@example.com", f"passphrase number {winner}").status_code == 303
    assert sign_in(app.test_client(), "nanny@example.com", f"passphrase number {1 - winner}").status_code == 422


def test_the_login_security_page_reads_the_same_number_of_queries_with_more_devices(app, query_count):
    phone = device(app, "parent@example.com", IPHONE)
    phone.get("/account/security/")
    _, before = query_count(phone.get, "/account/security/")
    for _ in range(5):
        device(app, "parent@example.com", WINDOWS)
    _, after = query_count(phone.get, "/account/security/")
    assert after == before
