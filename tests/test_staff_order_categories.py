"""Staff file each line of a New order under a line category (13.8): the active categories are offered, a line
starts under none, the household page shows each line's category; a retired or unknown one is refused next to the
line. Money is untouched: the ledger holds the lines' amounts whatever their category."""
import re
from html import unescape

import pytest

from billing_helpers import balances
from conftest import page_text
from test_staff_billing import new_order_form, smith
from webapp.models import LedgerEntry, LineCategory, Order, OrderLine

HX = {"HX-Request": "true"}
NEW_ORDER = "/staff/billing/orders/new"
SAM = "staff@example.com"


def costumes():
    """A category staff add for the recital, as the code table does."""
    return LineCategory.create(name="Costumes")


def newest_order():
    return Order.select().order_by(Order.number.desc()).get()


def test_each_line_offers_the_active_categories_and_starts_under_none(signed_in):
    costumes()
    LineCategory.create(name="Old fees", active=False)
    html = unescape(signed_in(SAM).get(NEW_ORDER).get_data(as_text=True))
    for n in range(3):
        assert f'<label for="lines-{n}-category">Category</label>' in html
        select = re.search(f'<select[^>]*name="lines-{n}-category"[^>]*>(.*?)</select>', html, re.S).group(1)
        assert re.search(r'<option selected value="0">No category</option>', select)
        assert re.findall(r">([^<]+)</option>", select) == ["No category", "Costumes", "Packages", "Tuition"]


def test_staff_file_lines_under_categories_and_the_household_page_shows_them(signed_in):
    sam, filed = signed_in(SAM), costumes()
    response = sam.post(NEW_ORDER, data=new_order_form(**{"lines-0-category": filed.id,
                                                          "lines-1-description": "Field trip bus"}))
    assert response.status_code == 303
    order = newest_order()
    assert sorted((line.description, line.category_id) for line in order.lines) == [
        ("Field trip bus", None), ("Recital costume", filed.id)]
    page = page_text(sam.get(f"/staff/households/{smith().id}"))
    assert "Recital costume · $45.00 · Costumes" in page and "Field trip bus · $45.00 · No category" in page
    assert balances(order.number) == {order.number: 9000}  # the category is a label: the ledger holds the money
    assert sum(e.amount_cents for e in LedgerEntry.select().where(LedgerEntry.order == order)) == 9000


def test_a_line_may_be_filed_under_tuition_like_a_registration(signed_in):
    tuition = LineCategory.get(LineCategory.default_for == LineCategory.TUITION)
    sam = signed_in(SAM)
    assert sam.post(NEW_ORDER, data=new_order_form(**{"lines-0-description": "Private lesson",
                                                      "lines-0-category": tuition.id,
                                                      "lines-1-description": ""})).status_code == 303
    assert [line.category.name for line in newest_order().lines] == ["Tuition"]
    assert "Private lesson · $45.00 · Tuition" in page_text(sam.get(f"/staff/households/{smith().id}"))


@pytest.mark.parametrize("chosen, message", [
    ("retired", "Choose a category from the list."),
    ("2147483647", "Choose a category from the list."),
    ("abc", "Choose a category from the list."),
    ("-1", "Choose a category from the list."),
])
def test_a_retired_or_unknown_category_is_refused_next_to_the_line_and_nothing_is_stored(signed_in, chosen, message):
    if chosen == "retired":
        chosen = LineCategory.create(name="Old fees", active=False).id
    orders, lines = Order.select().count(), OrderLine.select().count()
    response = signed_in(SAM).post(NEW_ORDER, data=new_order_form(**{"lines-1-category": chosen}))
    assert response.status_code == 422
    html = unescape(response.get_data(as_text=True))
    assert message in html.split('id="lines-1-category-error"', 1)[1].split("</p>", 1)[0]
    assert Order.select().count() == orders and OrderLine.select().count() == lines


def test_the_form_is_a_fragment_for_htmx_and_a_whole_page_otherwise(signed_in):
    sam = signed_in(SAM)
    whole, fragment = sam.get(NEW_ORDER), sam.get(NEW_ORDER, headers=HX)
    assert "<html" in whole.get_data(as_text=True) and "<html" not in fragment.get_data(as_text=True)
    assert 'name="lines-0-category"' in fragment.get_data(as_text=True) and "HX-Request" in fragment.headers["Vary"]
    refused = sam.post(NEW_ORDER, data=new_order_form(**{"lines-0-category": "2147483647"}), headers=HX)
    html = unescape(refused.get_data(as_text=True))
    assert refused.status_code == 422 and "<html" not in html and "Choose a category from the list." in html


@pytest.mark.parametrize("email", ["frontdesk@example.com", "parent@example.com", "instructor@example.com"])
def test_new_order_is_refused_without_access_billing_tab_and_stores_nothing(signed_in, email):
    client, orders = signed_in(email), Order.select().count()
    assert client.get(NEW_ORDER).status_code == 403
    response = client.post(NEW_ORDER, data=new_order_form(**{"lines-0-category": costumes().id}))
    assert response.status_code == 403 and "Order #" not in page_text(response)
    assert Order.select().count() == orders
