"""Kept pages and lookups: a family never sees a page older than the data, nor another session's page."""
import re
import time
from unittest import mock

import pytest
from itsdangerous import URLSafeTimedSerializer

from conftest import ON_POSTGRES, counting_queries, page_text
from test_absences import future_meeting
from webapp import cache
from webapp.cache import Store
from webapp.extensions import db
from webapp.models import AbsenceReason, Student

HTMX = {"HX-Request": "true"}


@pytest.fixture
def dana(signed_in):
    client = signed_in("parent@example.com")
    client.csrf_token()  # a session gets its CSRF seed with its first page; pages are kept only after that
    return client




def htmx_post(client, url, **form):
    """A post as htmx sends it: the CSRF token in a header, so the same form makes the same body."""
    return client.post(url, csrf=False, data=form, headers={**HTMX, "X-CSRFToken": client.csrf_token()})


def reason_id(name):
    return AbsenceReason.get(AbsenceReason.name == name).id


def token_in(response):
    return re.search(r'"X-CSRFToken": "([^"]+)"', response.get_data(as_text=True)).group(1)


def test_a_kept_page_is_served_with_only_the_version_check(dana):
    first = dana.get("/schedule/")
    with counting_queries() as count:
        again = dana.get("/schedule/")
    assert again.get_data() == first.get_data() and "Absent?" in page_text(again)
    assert count() == 1  # the data version; everything else came from memory


@pytest.mark.parametrize("url", ["/home", "/schedule/", "/billing/cart", "/packages/1"])
def test_a_change_shows_on_the_next_visit(dana, url):
    dana.post("/billing/cart/orders/1001")  # Amy's Ballet I order, so that the cart names her too
    dana.get(url)
    dana.get(url)  # kept now
    Student.update(first_name="Amelia").where(Student.first_name == "Amy").execute()
    Student.update(first_name="Benjamin").where(Student.first_name == "Ben").execute()
    text = page_text(dana.get(url))
    assert "Amelia" in text or "Benjamin" in text
    with counting_queries() as count:
        assert page_text(dana.get(url)) == text
    assert count() == 1


def test_another_guardians_report_shows_on_the_schedule_at_once(dana, signed_in):
    meeting, amy = future_meeting("Ballet I"), Student.get(Student.first_name == "Amy")
    dana.get("/schedule/")
    chris = signed_in("partner@example.com")
    assert chris.post(f"/schedule/absence/{meeting.id}/{amy.id}", data={"reason": 1}, headers=HTMX).status_code == 200
    cell = re.search(rf'id="absent-{meeting.id}-{amy.id}".*?</div>', dana.get("/schedule/").get_data(as_text=True), re.S)
    assert "Absent: Sick" in cell.group(0)


def test_each_session_gets_pages_with_its_own_csrf_token(signed_in):
    phone, laptop = signed_in("parent@example.com"), signed_in("parent@example.com")
    for client in (phone, laptop):
        client.csrf_token()
        client.get("/home")
    token = token_in(laptop.get("/home"))
    assert laptop.post("/billing/cart/orders/1001", data={"csrf_token": token}).status_code == 303
    assert token_in(phone.get("/home")) != token


def test_a_signed_out_session_never_gets_a_kept_page(signed_in):
    phone, laptop = signed_in("parent@example.com"), signed_in("parent@example.com")
    for client in (phone, laptop):
        client.csrf_token()
        assert client.get("/home").status_code == 200
    phone.post("/sign-out")  # ends every session of Dana's
    response = laptop.get("/home")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_a_waiting_flash_message_is_shown_not_a_kept_page(dana):
    dana.get("/billing/cart")
    dana.post("/billing/cart/orders/1001")  # without htmx: back to the cart with a message
    assert "Order #1001 is in your cart." in page_text(dana.get("/billing/cart"))
    assert "Order #1001 is in your cart." not in page_text(dana.get("/billing/cart"))


def test_a_page_is_made_again_when_the_minute_turns(dana, monkeypatch):
    dana.get("/home")
    now = cache.time.time()
    monkeypatch.setattr(cache.time, "time", lambda: now + 60)
    with counting_queries() as count:
        assert "Upcoming Courses" in page_text(dana.get("/home"))
    assert count() > 1


def writes(statements):
    return [sql for sql in statements if not sql.startswith("SELECT")]


def test_adding_an_order_already_in_the_cart_writes_nothing(dana):
    dana.post("/billing/cart/orders/1001", headers=HTMX)
    with counting_queries() as count:
        again = dana.post("/billing/cart/orders/1001", headers=HTMX)
    assert again.status_code == 200 and "Order #1001" in page_text(again) and "Order #1001 is in your cart." in page_text(again)
    assert writes(count.statements) == []


def test_reporting_the_reason_already_reported_writes_nothing(dana):
    url = f"/schedule/absence/{future_meeting('Ballet I').id}/{Student.get(Student.first_name == 'Amy').id}"
    dana.post(url, data={"reason": 1}, headers=HTMX)
    with counting_queries() as count:
        again = dana.post(url, data={"reason": 1}, headers=HTMX)
    assert "Absent: Sick" in page_text(again) and "reported absent (Sick)" in page_text(again)
    assert writes(count.statements) == []


def test_kept_lookups_hand_out_copies(app):
    with app.test_request_context("/"):
        app.preprocess_request()
        first = cache.versioned(lambda: {"students": ["Amy"]})
        first()["students"].append("Ben")
        assert first() == {"students": ["Amy"]}


def test_nothing_read_in_a_transaction_is_kept(app):
    calls = []
    lookup = cache.versioned(lambda: calls.append(1) or len(calls))
    with app.test_request_context("/"):
        app.preprocess_request()
        with db.atomic():
            lookup()
        lookup(), lookup()
    assert len(calls) == 2


def test_the_store_stays_within_its_size_and_drops_the_least_recently_used():
    store = Store(max_bytes=10)
    store.put("a", "a", 4), store.put("b", "b", 4)
    store.get("a")
    store.put("c", "c", 4)
    assert store.get("b") is None and store.get("a") and store.get("c") and store.size == 8


@pytest.mark.skipif(ON_POSTGRES, reason="PostgreSQL's snapshot moves on its own; SQLite needs the triggers")
def test_every_table_moves_the_data_version(app):
    with app.app_context():
        triggers = {name for (name,) in db.execute_sql("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
        tables = set(db.get_tables()) - {"data_version", "migratehistory"}
    missing = [f"{t} {a}" for t in tables for a in ("insert", "update", "delete") if f"data_version_{t}_{a}" not in triggers]
    assert not missing, f"tables without a data_version trigger (call install_data_version in the migration): {missing}"


def expired_token(client):
    """A CSRF token for the client's session, signed two hours ago."""
    with client.session_transaction() as session:
        seed = session["csrf_token"]
    signer = URLSafeTimedSerializer(client.application.secret_key, salt="wtf-csrf-token")
    with mock.patch("time.time", return_value=time.time() - 7200):
        return signer.dumps(seed)


@pytest.mark.parametrize("token", ["forged", "expired"])
def test_a_kept_post_answer_is_given_only_with_a_good_csrf_token(dana, token):
    url = f"/schedule/absence/{future_meeting('Ballet I').id}/{Student.get(Student.first_name == 'Amy').id}"
    htmx_post(dana, url, reason=1)
    assert "Absent: Sick" in htmx_post(dana, url, reason=1).get_data(as_text=True)  # kept now
    bad = expired_token(dana) if token == "expired" else "forged"
    response = dana.post(url, csrf=False, data={"reason": 1}, headers={**HTMX, "X-CSRFToken": bad})
    assert response.status_code == 400 and response.headers["HX-Retarget"] == "#flash"
    assert "Absent: Sick" not in response.get_data(as_text=True)


def test_a_post_that_writes_is_never_answered_from_memory(dana):
    url = f"/schedule/absence/{future_meeting('Ballet I').id}/{Student.get(Student.first_name == 'Amy').id}"
    sick, vacation = reason_id("Sick"), reason_id("Vacation")
    for picked, shown in ((sick, "Absent: Sick"), (vacation, "Absent: Vacation"), (sick, "Absent: Sick")):
        assert shown in page_text(htmx_post(dana, url, reason=picked))


def test_a_kept_post_answer_still_says_what_happened(dana):
    htmx_post(dana, "/billing/cart/orders/1001")
    htmx_post(dana, "/billing/cart/orders/1001")
    with counting_queries() as count:
        again = htmx_post(dana, "/billing/cart/orders/1001")
    assert count() == 1 and "Order #1001 is in your cart." in page_text(again) and "Cart (1)" in page_text(again)


def test_reporting_again_a_reason_since_made_instructor_only_is_refused(dana):
    url = f"/schedule/absence/{future_meeting('Ballet I').id}/{Student.get(Student.first_name == 'Amy').id}"
    htmx_post(dana, url, reason=reason_id("Sick"))
    AbsenceReason.update(patron_usable=False).where(AbsenceReason.name == "Sick").execute()
    response = htmx_post(dana, url, reason=reason_id("Sick"))
    assert response.status_code == 403 and "only for instructors" in response.get_data(as_text=True)
