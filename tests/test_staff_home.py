"""The staff home's Orders with a balance: paged, searched by order number or household, billing staff only."""
import re

import pytest

from conftest import page_text
from webapp.billing.charges import create_order
from webapp.models import Account, Company, User
from webapp.staff.services import ORDERS_PER_PAGE

HTMX = {"HX-Request": "true"}


def add_orders(count, household="Forest household"):
    """`count` box-office orders of $10.00 each for the household, all still owed."""
    sam, forest = User.get(User.email == "staff@example.com"), Account.get(Account.name == household)
    return [create_order(Company.current(), sam, forest, [(f"Recital ticket {n}", 1000, None)]).number
            for n in range(count)]


def listed(response):
    return re.findall(r"<td>#(\d+)</td>", response.get_data(as_text=True))


@pytest.fixture
def sam(signed_in):
    return signed_in("staff@example.com")


def test_the_orders_are_paged_oldest_first_and_htmx_gets_only_the_list(sam):
    numbers = add_orders(ORDERS_PER_PAGE + 5)
    first = sam.get("/staff/")
    assert len(listed(first)) == ORDERS_PER_PAGE and "#1001" in page_text(first)
    assert "Page 1" in page_text(first) and "Next" in page_text(first) and "Previous" not in page_text(first)
    second = sam.get("/staff/?page=2", headers=HTMX)
    html = second.get_data(as_text=True)
    assert html.lstrip().startswith('<div id="results"') and "<html" not in html and "Staff home" not in html
    assert [str(n) for n in numbers[-5:]] == listed(second)[-5:] and "Previous" in html and "Next" not in html


@pytest.mark.parametrize("q, shown, hidden", [
    ("#1001", ["1001"], ["1002"]), ("1001", ["1001"], ["1002"]), ("forest", None, ["1001"]),
])
def test_search_finds_an_order_by_number_or_household(sam, q, shown, hidden):
    forest = add_orders(2)
    found = listed(sam.get("/staff/", query_string={"q": q}))
    assert found == (shown or [str(n) for n in forest])
    assert not set(hidden) & set(found)


@pytest.mark.parametrize("q", ["١٢", "99999999999999999999", "#", "' OR 1=1 --", "%", "x" * 300])
def test_odd_search_input_finds_nothing_and_says_so(sam, q):
    response = sam.get("/staff/", query_string={"q": q})
    assert response.status_code == 200 and not listed(response)
    assert "No order with a balance matches" in page_text(response)


def test_alex_without_access_billing_tab_sees_no_orders_or_amounts(signed_in):
    text = page_text(signed_in("frontdesk@example.com").get("/staff/"))
    assert "Households" in text and "Orders with a balance" not in text and "$" not in text and "#1001" not in text


@pytest.mark.parametrize("email", ["parent@example.com", "instructor@example.com"])
def test_families_and_instructors_get_403(signed_in, email):
    assert signed_in(email).get("/staff/?q=1001").status_code == 403


def test_a_page_past_the_end_says_there_are_no_more(sam):
    assert "No more order with a balance." in page_text(sam.get("/staff/?page=99"))


def test_the_list_costs_the_same_statements_for_a_few_orders_or_many(sam, query_count):
    _, few = query_count(sam.get, "/staff/")
    add_orders(ORDERS_PER_PAGE * 2)
    response, many = query_count(sam.get, "/staff/?page=2")
    assert len(listed(response)) == ORDERS_PER_PAGE and many == few


@pytest.mark.parametrize("few", [50, 1])
def test_a_word_many_households_share_finds_the_same_orders_as_a_rare_one(sam, monkeypatch, few):
    """With more matching households than FEW_HOUSEHOLDS the orders are walked by number: the same orders show."""
    monkeypatch.setattr("webapp.staff.services.FEW_HOUSEHOLDS", few)
    smith, forest = add_orders(1, "Smith household"), add_orders(1)
    acme = add_orders(1, "Acme Corp Training")
    found = listed(sam.get("/staff/", query_string={"q": "household"}))
    assert {str(smith[0]), str(forest[0])} <= set(found) and str(acme[0]) not in found
    assert found == sorted(found, key=int)
    assert listed(sam.get("/staff/", query_string={"q": "forest household"})) == [str(forest[0])]
