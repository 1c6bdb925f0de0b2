"""Order line categories: staff keep the code table (paged list, add, edit; names unique in any case); course
registrations are filed under Tuition and packages under Packages as they are sold, and the household page shows
each order line's category. Money is untouched: the ledger holds the same amounts with or without categories."""
import pytest

from billing_helpers import SUCCESS_CARD, pay_with_card
from conftest import page_text
from registration_helpers import register
from webapp.models import Account, Company, LedgerEntry, LineCategory, Order, OrderLine, Package, User
from webapp.packages.services import sell_package

HX = {"HX-Request": "true"}
URL = "/staff/line-categories"


def category(name):
    return LineCategory.get(LineCategory.name == name)


def newest_lines():
    return list(OrderLine.select().where(OrderLine.order == Order.select().order_by(Order.number.desc()).get()))


def smith():
    return Account.get(Account.name == "Smith household")


# The code table


def test_the_migration_adds_tuition_and_packages_and_files_the_demo_lines(signed_in):
    text = page_text(signed_in("staff@example.com").get(URL))
    assert "Tuition Active Course registrations" in text and "Packages Active Packages sold" in text
    tuition, packages = category("Tuition"), category("Packages")
    assert all(line.category_id == tuition.id for line in OrderLine.select().where(OrderLine.course.is_null(False)))
    assert OrderLine.select().where(OrderLine.category == packages).exists()


@pytest.mark.parametrize("email", ["parent@example.com", "instructor@example.com"])
def test_families_and_instructors_neither_see_nor_change_the_categories(signed_in, email):
    client, tuition = signed_in(email), category("Tuition")
    assert client.get(URL).status_code == 403
    assert client.post(URL, data={"name": "Costumes", "active": "y"}).status_code == 403
    assert client.get(f"{URL}/{tuition.id}").status_code == 403
    assert client.post(f"{URL}/{tuition.id}", data={"name": "Fees"}).status_code == 403
    assert not LineCategory.select().where(LineCategory.name.in_(["Costumes", "Fees"])).exists()
    assert category("Tuition").active


def test_an_unknown_category_is_not_found(signed_in):
    sam = signed_in("staff@example.com")
    assert sam.get(f"{URL}/999999").status_code == 404
    assert sam.post(f"{URL}/999999", data={"name": "Ghost"}).status_code == 404
    assert not LineCategory.select().where(LineCategory.name == "Ghost").exists()


def test_sam_adds_a_category_and_sees_it_listed(signed_in):
    sam = signed_in("staff@example.com")
    response = sam.post(URL, data={"name": "  Costumes ", "active": "y"})
    assert response.status_code == 303
    assert category("Costumes").active
    text = page_text(sam.get(response.headers["Location"]))
    assert "Added “Costumes”." in text and "Costumes Active" in text


@pytest.mark.parametrize("headers", [{}, HX])
@pytest.mark.parametrize("name, message", [
    ("tuition", "There is already a category called “tuition”."),
    (" PACKAGES ", "There is already a category called “PACKAGES”."),
    ("  ", "Enter a name."),
    ("x" * 61, "Use at most 60 characters."),
])
def test_a_duplicate_or_blank_name_is_refused_next_to_the_field_and_nothing_is_stored(signed_in, headers, name,
                                                                                       message):
    sam = signed_in("staff@example.com")
    before = [row.__data__ for row in LineCategory.select().order_by(LineCategory.id)]
    response = sam.post(URL, data={"name": name, "active": "y"}, headers=headers)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and message in html
    assert html.index(message) > html.index('id="name"') and ("<html" in html) == (not headers)
    assert [row.__data__ for row in LineCategory.select().order_by(LineCategory.id)] == before


def test_editing_keeps_its_own_name_in_another_case_and_refuses_another_ones(signed_in):
    sam, tuition = signed_in("staff@example.com"), category("Tuition")
    assert "Edit “Tuition”" in page_text(sam.get(f"{URL}/{tuition.id}"))
    assert sam.post(f"{URL}/{tuition.id}", data={"name": "TUITION", "active": "y"}).status_code == 303
    assert LineCategory.get_by_id(tuition.id).name == "TUITION"
    clash = sam.post(f"{URL}/{tuition.id}", data={"name": "packages", "active": "y"})
    assert clash.status_code == 422 and "There is already a category called “packages”." in page_text(clash)
    blank = sam.post(f"{URL}/{tuition.id}", data={"name": "", "active": "y"})
    assert blank.status_code == 422 and "Enter a name." in page_text(blank)
    assert LineCategory.get_by_id(tuition.id).name == "TUITION"


def test_the_htmx_add_gets_back_the_listing_and_a_fresh_form(signed_in):
    sam = signed_in("staff@example.com")
    response = sam.post(URL, data={"name": "Costumes", "active": "y"}, headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html and 'id="listing"' in html
    assert "Costumes" in html and 'value="Costumes"' not in html  # the form is empty again
    assert "HX-Request" in response.headers["Vary"]
    listing = sam.get(URL, headers=HX).get_data(as_text=True)
    assert "<html" not in listing and listing.lstrip().startswith('<div id="listing"')


def test_the_list_pages_in_the_same_queries_as_the_table_grows(signed_in, query_count):
    sam = signed_in("staff@example.com")
    _, few = query_count(sam.get, URL)
    LineCategory.insert_many([{"name": f"Category {n:02}"} for n in range(40)]).execute()
    first, many = query_count(sam.get, URL)
    assert few == many
    assert "Page 1 of 2 (42 categories)" in page_text(first)
    second = page_text(sam.get(f"{URL}?page=2"))
    assert "Tuition" in second and "Category 00" not in second


# Lines filed as they are sold


def test_a_registration_paid_by_card_is_filed_under_tuition_and_the_household_page_shows_it(signed_in):
    dana, sam = signed_in("parent@example.com"), signed_in("staff@example.com")
    sam.post(f"{URL}/{category('Tuition').id}", data={"name": "Class fees", "active": "y"})  # renamed, still Cubby's
    register(dana, "Ballet I", "Ben")
    pay_with_card(dana, SUCCESS_CARD)
    [line] = newest_lines()
    assert line.category.name == "Class fees" and line.amount_cents == 24000
    assert [e.amount_cents for e in LedgerEntry.select().where(LedgerEntry.order == line.order_id)] == [24000, -24000]


def test_send_bill_files_the_registration_under_tuition_and_the_household_page_shows_it(signed_in):
    dana, sam = signed_in("parent@example.com"), signed_in("staff@example.com")
    register(dana, "Ballet I", "Ben")
    assert dana.post("/register/send-bill", data={"po_number": "PO-42"}).status_code == 303
    [line] = newest_lines()
    assert line.category.name == "Tuition"
    order = Order.get_by_id(line.order_id)
    text = page_text(sam.get(f"/staff/households/{smith().id}"))
    assert f"Order #{order.number} · " in text and "Ballet I · $240.00 · Tuition" in text


def test_a_staff_enrollment_is_filed_under_tuition(signed_in):
    from test_staff_enrollments import enroll_form, enroll_url

    assert signed_in("staff@example.com").post(enroll_url(), data=enroll_form()).status_code == 303
    assert [(line.description, line.category.name) for line in newest_lines()] == [("Ballet I", "Tuition")]


def test_a_package_sold_is_filed_under_packages_and_a_box_office_line_has_no_category(signed_in):
    from test_staff_billing import new_order_form

    sam = signed_in("staff@example.com")
    sell_package(Company.current(), User.get(User.email == "staff@example.com"), Package.get(), smith())
    assert [line.category.name for line in newest_lines()] == ["Packages"]
    assert sam.post("/staff/billing/orders/new", data=new_order_form()).status_code == 303
    assert [line.category for line in newest_lines()] == [None, None]
    assert "Recital costume · $45.00 · No category" in page_text(sam.get(f"/staff/households/{smith().id}"))


def test_a_retired_category_is_given_to_no_new_line_but_stays_on_the_lines_filed_under_it(signed_in):
    dana, sam = signed_in("parent@example.com"), signed_in("staff@example.com")
    tuition = category("Tuition")
    filed = OrderLine.select().where(OrderLine.category == tuition).count()
    assert sam.post(f"{URL}/{tuition.id}", data={"name": "Tuition"}).status_code == 303  # unticked: inactive
    assert "Tuition Inactive" in page_text(sam.get(URL))
    register(dana, "Ballet I", "Ben")
    dana.post("/register/send-bill", data={"po_number": "PO-43"})
    assert [line.category for line in newest_lines()] == [None]
    assert OrderLine.select().where(OrderLine.category == tuition).count() == filed


def test_the_migration_files_lines_sold_before_it_and_rolls_back(app):
    import importlib.util
    import pathlib

    from webapp.database import migration_router
    from webapp.extensions import db

    spec = importlib.util.spec_from_file_location("m032", pathlib.Path("db/migrations/032_code_tables.py"))
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    filed = {line.id: line.category_id for line in OrderLine.select()}
    OrderLine.update(category=None).execute()  # as every line stood before the migration
    migration._file_existing_lines(db.obj)
    assert {line.id: line.category_id for line in OrderLine.select()} == filed
    router = migration_router()
    while "032_code_tables" in router.done:  # later migrations go back first
        router.rollback()
    assert "line_category" not in db.get_tables()
    assert "category_id" not in [c.name for c in db.get_columns("order_line")]
    router.run()
    assert [c.name for c in LineCategory.select().order_by(LineCategory.id)] == ["Tuition", "Packages"]
