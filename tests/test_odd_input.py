"""Odd input is a clear 4xx that stores nothing: ids past the id columns, numbers in other scripts, amounts the money
parser refuses, a Content-Length that is not a number, a Host header that is not a host, a NUL, a card number in
other digits, a filter date at the end of the calendar."""
import re

import pytest
from werkzeug.routing import IntegerConverter

from conftest import page_text
from fuzz_helpers import changed_tables, database_fingerprint, rule_url
from webapp.models import (
    Account, AbsenceReason, CartItem, Company, Course, Meeting, Order, Package, PackagePurchase, Payment, Student,
)
from webapp.numbers import MAX_ID, IdConverter, to_cents, whole_number

HX = {"HX-Request": "true"}
# Past a PostgreSQL integer, past SQLite's eight bytes, and digits of another script (int() reads "١٢" as 12).
ODD_IDS = [str(MAX_ID + 1), str(2**64), "١٢"]
# An exponent, NaN, infinity, a superscript and Arabic-Indic digits, more than six digits of dollars, a third decimal.
ODD_AMOUNTS = ["1e30", "1e3", "NaN", "Infinity", "²", "١٠", "1000000.00", "12.345"]


@pytest.fixture
def unchanged(app):
    """Asserts at the end of the test that the database holds exactly what it held at the start."""
    before = database_fingerprint()
    yield
    assert changed_tables(before, database_fingerprint()) == []


def error_next_to(response, field_id):
    """The message shown under the field with this id (the `_field.html` macro ties it to the input)."""
    found = re.search(rf'id="{re.escape(field_id)}-error">([^<]*)<', response.get_data(as_text=True))
    return found.group(1) if found else None


def smith():
    return Account.get(Account.name == "Smith household")


# ---- ids in URLs ----

def _id_urls(app, odd):
    """(method, URL) of every route with an id, the id (every id of the route) replaced by `odd`."""
    for rule in app.url_map.iter_rules():
        converters = rule._converters
        if not any(isinstance(c, IntegerConverter) for c in converters.values()):
            continue
        values = {name: odd if isinstance(c, IntegerConverter) else sorted(getattr(c, "items", ["x"]))[0]
                  for name, c in converters.items()}
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield method, rule_url(rule, values)


@pytest.mark.parametrize("persona", [None, "parent@example.com", "instructor@example.com", "staff@example.com"])
def test_an_id_too_large_or_in_other_digits_is_a_404_on_every_route_and_changes_nothing(
        app, client, signed_in, unchanged, persona):
    visitor = signed_in(persona) if persona else client
    answers = {}
    for odd in ODD_IDS:
        for method, url in _id_urls(app, odd):
            try:
                answers[f"{method} {url}"] = (visitor.get(url) if method == "GET" else visitor.post(url)).status_code
            except Exception as error:  # noqa: BLE001 - the error itself is what this test reports
                answers[f"{method} {url}"] = type(error).__name__
    assert len(answers) > 60 and {call: answer for call, answer in answers.items() if answer != 404} == {}


def test_the_largest_id_the_columns_hold_is_an_unknown_id(signed_in, unchanged):
    sam = signed_in("staff@example.com")
    assert sam.get(f"/staff/reasons/{MAX_ID}").status_code == 404
    assert sam.post(f"/staff/pending/settings/households/{MAX_ID}", data={"subject": "y"}).status_code == 404


@pytest.mark.parametrize("text", ["١٢", "²", " 1", "-1", "1_0", str(MAX_ID + 1), "9" * 5000, "", None])
def test_whole_numbers_are_ascii_digits_the_id_columns_hold(text):
    with pytest.raises(ValueError):
        whole_number(text)
    assert whole_number(str(MAX_ID)) == MAX_ID and whole_number("0042") == 42


def test_the_id_pattern_takes_exactly_the_ids_the_columns_hold():
    near = [*range(MAX_ID - 300, MAX_ID + 300), *(10**k for k in range(12)), 1999999999, 2099999999, 2147483599]
    assert [n for n in near if bool(re.fullmatch(IdConverter.regex, str(n))) != (0 <= n <= MAX_ID)] == []


# ---- other numbers typed by people ----

@pytest.mark.parametrize("number", ["²", "١٠٠٣", "#²", str(MAX_ID + 1), "1003.0"])
def test_an_odd_order_number_is_refused_next_to_the_field(signed_in, unchanged, number):
    response = signed_in("staff@example.com").post("/staff/billing/payments/new", data={
        "order_number": number, "payer": smith().id, "amount": "5.00", "method": "cash"})
    assert response.status_code == 422
    assert error_next_to(response, "order_number") == "Enter an order number like 1003."


def test_whole_numbers_in_other_digits_are_refused_next_to_the_field(signed_in, unchanged):
    sam = signed_in("staff@example.com")
    response = sam.post("/staff/reasons", data={"name": "Snow day", "sort_order": "١٢"})
    assert response.status_code == 422 and "Use a number from 0 to 999." in error_next_to(response, "sort_order")
    pack = PackagePurchase.select().join(Package).where(Package.name == "Private Lesson Pack").get()
    allotment = pack.package.allotments.get()
    response = sam.post(f"/staff/packages/{pack.id}/invoice",
                        data={"invoice-allotment": allotment.id, "invoice-quantity": "٣"})
    assert response.status_code == 422
    assert "Enter a whole number from 1 to 999." in error_next_to(response, "invoice-quantity")


def test_numbers_in_the_query_string_are_bounded(signed_in):
    sam = signed_in("staff@example.com")
    for page in (str(2**64), "١", "-3"):
        response = sam.get(f"/staff/packages/?page={page}")
        assert response.status_code == 200 and "Smith household" in page_text(response)  # the first page
    assert sam.get(f"/staff/packages/sell?package={2**64}").status_code == 200
    dana = signed_in("parent@example.com")
    for weeks in (str(2**64), "١٢"):
        response = dana.get(f"/schedule/?weeks={weeks}", headers=HX)
        assert response.status_code == 200 and "weeks=8" in response.get_data(as_text=True)  # the first four weeks


def test_a_reason_id_too_large_is_refused_in_the_absence_cell(signed_in, unchanged):
    dana = signed_in("parent@example.com")
    amy = Student.get(Student.first_name == "Amy")
    ballet = Meeting.select().join(Course).where(Course.name == "Ballet I").order_by(Meeting.starts_at.desc()).first()
    for reason in (str(2**64), "١"):
        response = dana.post(f"/schedule/absence/{ballet.id}/{amy.id}", data={"reason": reason}, headers=HX)
        assert response.status_code == 422 and "Pick one of the reasons." in page_text(response)
    assert AbsenceReason.select().count() == 5


# ---- the one money parser ----

@pytest.mark.parametrize("text, cents", [
    ("25", 2500), ("25.5", 2550), ("25.50", 2550), ("25.", 2500), ("$1,240.50", 124050), (" 7.05 ", 705),
    ("-5", -500), ("999999.99", 99999999), ("999,999", 99999900),
])
def test_the_money_parser_reads_dollars_and_cents(text, cents):
    assert to_cents(text) == cents


@pytest.mark.parametrize("text", ODD_AMOUNTS + ["", "ten", "1,2,3", "1,000,000", "$-5", "0x10", "1_000", "-", None])
def test_the_money_parser_refuses_what_it_cannot_hold(text):
    assert to_cents(text) is None


# ---- every money field, through its page ----

@pytest.fixture
def dana(signed_in):
    """Dana with order #1001 in her cart."""
    client = signed_in("parent@example.com")
    assert client.post("/billing/cart/orders/1001").status_code == 303
    return client


@pytest.mark.parametrize("amount", ODD_AMOUNTS)
def test_an_odd_amount_at_checkout_is_refused_next_to_the_field(dana, amount):
    Company.update(partial_payment=True).execute()
    before = database_fingerprint()
    response = dana.post("/billing/checkout", data={"method": "new", "amount": amount})
    assert response.status_code == 422 and error_next_to(response, "amount") == "Enter an amount like 25.00."
    assert changed_tables(before, database_fingerprint()) == [] and Payment.select().count() == 0


@pytest.mark.parametrize("amount", ODD_AMOUNTS)
def test_an_odd_amount_on_a_staff_order_or_an_offline_payment_is_refused_next_to_the_field(
        signed_in, unchanged, amount):
    sam = signed_in("staff@example.com")
    response = sam.post("/staff/billing/orders/new", data={
        "account": smith().id, "lines-0-description": "Costume", "lines-0-amount": amount, "lines-0-student": 0})
    assert response.status_code == 422 and error_next_to(response, "lines-0-amount") == "Enter an amount like 25.00."
    response = sam.post("/staff/billing/payments/new", data={
        "order_number": "1003", "payer": smith().id, "amount": amount, "method": "cash"})
    assert response.status_code == 422 and error_next_to(response, "amount") == "Enter an amount like 25.00."


@pytest.mark.parametrize("amount", ODD_AMOUNTS)
def test_an_odd_amount_on_the_package_forms_is_refused_next_to_the_field(signed_in, unchanged, amount):
    sam, message = signed_in("staff@example.com"), "Enter an amount in dollars, such as 45.00."
    pack = PackagePurchase.select().join(Package).where(Package.name == "Private Lesson Pack").get()
    for headers in ({}, HX):
        response = sam.post(f"/staff/packages/{pack.id}/payment", headers=headers,
                            data={"payment-amount": amount, "payment-method": "cash"})
        assert response.status_code == 422 and error_next_to(response, "payment-amount") == message
    response = sam.post("/staff/packages/new", data={
        "name": "Wheel Pack", "price": amount, "allotments-0-kind": "hours", "allotments-0-name": "Wheel",
        "allotments-0-quantity": "4", "allotments-0-unit_price": amount})
    assert response.status_code == 422 and error_next_to(response, "price") == message
    assert error_next_to(response, "allotments-0-unit_price") == message
    response = sam.post("/staff/packages/sell", data={
        "package": Package.get().id, "account": smith().id, "student": 0, "paid_now": amount, "method": "cash"})
    assert response.status_code == 422 and error_next_to(response, "paid_now") == message


@pytest.mark.parametrize("amount", ODD_AMOUNTS)
def test_an_odd_withdraw_penalty_is_refused_next_to_the_field(signed_in, unchanged, amount):
    pending = Order.get(Order.state == Order.PENDING_PAYMENT)
    response = signed_in("staff@example.com").post(f"/staff/pending/orders/{pending.number}/deny",
                                                    data={"penalty": amount})
    assert response.status_code == 422
    assert error_next_to(response, f"penalty-{pending.number}") == "Enter an amount like 25.00."


# ---- headers ----

def test_a_content_length_that_is_not_a_number_is_a_400_and_stores_nothing(signed_in, client, unchanged):
    dana = signed_in("parent@example.com")
    headers = {"X-CSRFToken": dana.csrf_token(), **HX}  # how htmx sends the token: the body is not needed
    for length in ("abc", "-1", "1e3"):
        response = dana.post("/billing/cart/orders/1001", headers=headers, environ_overrides={"CONTENT_LENGTH": length})
        assert response.status_code == 400
        response = client.post("/sign-in", data={"email": "parent@example.com", "password": "cubby-demo"},
                               environ_overrides={"CONTENT_LENGTH": length})
        assert response.status_code == 400 and "Something in that request was not right" in page_text(response)
    assert CartItem.select().count() == 0


@pytest.mark.parametrize("host", ["exa mple.com", "[::1", "localhost:abc", "localhost:99999", "a/b", ""])
def test_a_host_header_that_is_not_a_host_is_a_400_and_stores_nothing(dana, host):
    before = database_fingerprint()
    response = dana.post("/billing/checkout", data={"method": "new"}, environ_overrides={"HTTP_HOST": host})
    assert response.status_code == 400  # the card page would send the payer back to "http:///billing/..."
    assert changed_tables(before, database_fingerprint()) == []
    assert dana.get("/billing/cart", environ_overrides={"HTTP_HOST": host}).status_code == 400
    assert dana.get("/billing/cart", environ_overrides={"HTTP_HOST": "localhost:5000"}).status_code == 200


@pytest.mark.parametrize("where", ["email", "password", "query", "path"])
def test_a_nul_character_anywhere_in_the_request_is_a_400_and_stores_nothing(client, dana, where):
    # PostgreSQL refuses NUL in any text it is given, even in a WHERE clause; no field of Cubby's holds one.
    dana.post("/billing/checkout", data={"method": "new"})
    key, before = Payment.get().key, database_fingerprint()
    if where in ("email", "password"):
        typed = {"email": "parent@example.com", "password": "cubby-demo"}
        response = client.post("/sign-in", data={**typed, where: typed[where] + "\x00"})
    elif where == "query":
        response = dana.get(f"/billing/payments/{key}", query_string={"token": "\x00"})
    else:
        response = dana.get(f"/billing/payments/{key}%00")
    assert response.status_code == 400 and "Something in that request was not right" in page_text(response)
    assert changed_tables(before, database_fingerprint()) == []


# ---- the card page and the pending queue filter ----

def test_a_card_number_with_other_digits_is_refused_on_the_card_page(dana):
    hosted = dana.post("/billing/checkout", data={"method": "new"}).location
    before = database_fingerprint()
    card = {"number": "4242 4242 4242 42²2", "expiry": "12/39", "cvc": "123", "name": "Dana"}
    response = dana.post(hosted, data=card)
    assert response.status_code == 422 and error_next_to(response, "number") == "That card number is not valid."
    assert changed_tables(before, database_fingerprint()) == []


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_a_queue_filter_date_at_the_ends_of_the_calendar_is_refused_next_to_the_field(signed_in, unchanged, day):
    response = signed_in("staff@example.com").get("/staff/pending/", query_string={"since": day, "until": day})
    assert response.status_code == 422 and error_next_to(response, "until") == "Pick a day between 2000 and 2100."
