"""Staff put orders on account and record offline payments; balances by customer or by student."""
import re

import pytest

from billing_helpers import balances, order
from conftest import page_text
from webapp.models import Account, Company, LedgerEntry, Order, Payment, Permission, Student


@pytest.fixture
def sam(signed_in):
    return signed_in("staff@example.com")


def smith():
    return Account.get(Account.name == "Smith household")


def new_order_form(**overrides):
    data = {"account": smith().id, "lines-0-description": "Recital costume", "lines-0-amount": "45.00",
            "lines-0-student": Student.get(Student.first_name == "Amy").id, "lines-1-description": "Recital costume",
            "lines-1-amount": "45.00", "lines-1-student": Student.get(Student.first_name == "Ben").id,
            "on_account": "y", "payable_online": "y", "external_note": "Due before the recital"}
    data.update(overrides)
    return data


def test_staff_create_an_order_on_account_that_the_family_can_pay_online(sam, signed_in):
    response = sam.post("/staff/billing/orders/new", data=new_order_form())
    assert response.status_code == 303
    created = Order.select().order_by(Order.number.desc()).first()
    assert created.number == 1008 and created.on_account and created.payable_online  # the demo's last is #1007
    assert balances(1008) == {1008: 9000}
    assert sorted(line.student.first_name for line in created.lines) == ["Amy", "Ben"]
    text = page_text(signed_in("parent@example.com").get("/billing/pay-balance"))
    assert "Order #1008" in text and "Due before the recital" in text and "$90.00" in text


@pytest.mark.parametrize("overrides, message", [
    ({"lines-0-description": "", "lines-1-description": ""}, "Fill in at least one line."),
    ({"lines-0-amount": "0"}, "Enter an amount above zero."),
    ({"lines-0-amount": "abc"}, "Enter an amount like 25.00."),
    ({"lines-0-amount": ""}, "Enter the amount."),
])
def test_bad_order_input_stores_nothing(sam, overrides, message):
    response = sam.post("/staff/billing/orders/new", data=new_order_form(**overrides))
    assert response.status_code == 422 and message in page_text(response)
    assert Order.select().count() == 7  # the demo's four orders, Ben's package, Amy's punch pass, a pending PO


def test_a_student_of_another_household_cannot_be_billed_here(sam):
    lee = Student.get(Student.first_name == "Lee")
    response = sam.post("/staff/billing/orders/new", data=new_order_form(**{"lines-0-student": lee.id}))
    assert response.status_code == 422 and "Lee Park is not billed to Smith household." in page_text(response)
    assert Order.select().count() == 7  # the demo's four orders, Ben's package, Amy's punch pass, a pending PO


def test_max_unpaid_balance_refuses_a_charge_by_customer_and_by_student(sam):
    Company.update(max_unpaid_balance_cents=40000).execute()  # Smith owes $555.00
    response = sam.post("/staff/billing/orders/new", data=new_order_form())
    assert response.status_code == 422 and "household's unpaid balance past the school's limit" in page_text(response)
    Company.update(balance_mode=Company.BY_STUDENT, max_unpaid_balance_cents=20000).execute()  # Amy $175, Ben $380
    response = sam.post("/staff/billing/orders/new", data=new_order_form(**{"lines-1-description": ""}))
    assert response.status_code == 422 and "student's unpaid balance" in page_text(response)
    Company.update(max_unpaid_balance_cents=45000).execute()  # Ben's $380 includes his package's $200 owed
    assert sam.post("/staff/billing/orders/new", data=new_order_form()).status_code == 303


def test_the_grandparents_pay_amys_field_trip_and_see_only_their_payment(sam, signed_in):
    forest = Account.get(Account.name == "Forest household")
    response = sam.post("/staff/billing/payments/new", data={
        "order_number": "1003", "payer": forest.id, "amount": "35.00", "method": "check", "note": "check #2041"})
    assert response.status_code == 303
    assert balances(1003) == {1003: 0}
    entry = LedgerEntry.get(LedgerEntry.order == order(1003), LedgerEntry.kind == LedgerEntry.PAYMENT)
    assert entry.account == smith() and entry.payer_account == forest
    karie = page_text(signed_in("grandparents@example.com").get("/home"))
    assert "Payments you made" in karie and "$35.00 for Amy" in karie
    assert "Smith household" not in karie and "$320.00" not in karie


@pytest.mark.parametrize("amount, order_number, message", [
    ("0", "1003", "Enter an amount above zero."),
    ("36.00", "1003", "That is more than the balance of order #1003."),
    ("ten", "1003", "Enter an amount like 25.00."),
    ("5", "9999", "There is no order with that number."),
    ("5", "abc", "Enter an order number like 1003."),
])
def test_bad_offline_payments_store_nothing(sam, amount, order_number, message):
    response = sam.post("/staff/billing/payments/new", data={
        "order_number": order_number, "payer": smith().id, "amount": amount, "method": "cash"})
    assert response.status_code == 422 and message in page_text(response)
    assert Payment.select().count() == 0 and balances(1003) == {1003: 3500}


def test_staff_billing_needs_the_billing_permission_and_the_staff_role(sam, signed_in):
    Permission.delete().where(Permission.code == Permission.ACCESS_BILLING_TAB).execute()
    assert sam.get("/staff/billing/orders/new").status_code == 403
    assert sam.post("/staff/billing/payments/new", data={"order_number": "1003"}).status_code == 403
    for email in ("parent@example.com", "instructor@example.com"):
        assert signed_in(email).get("/staff/billing/payments/new").status_code == 403


def test_home_shows_each_students_balance_by_student(signed_in):
    Company.update(balance_mode=Company.BY_STUDENT).execute()
    text = page_text(signed_in("parent@example.com").get("/home"))
    assert "Amy Smith: $175.00" in text and "Ben Smith: $380.00" in text  # Ben: Pottery $180, package $200
    assert "Smith household:" not in text


def test_record_a_payment_starts_with_no_payer_and_refuses_one_without(sam):
    page = sam.get("/staff/billing/payments/new").get_data(as_text=True)
    payer = re.search(r'<select[^>]*name="payer".*?</select>', page, re.S).group(0)
    assert payer.index("Choose the household that paid") < payer.index("Acme") and "selected" not in payer
    response = sam.post("/staff/billing/payments/new", data={"order_number": "1002", "amount": "25.00", "method": "cash"})
    assert response.status_code == 422 and "Choose the household that paid." in page_text(response)
    assert Payment.select().where(Payment.method == "cash").count() == 0
    # The form comes back with the order's own household offered; posting it again records it.
    assert re.search(rf'<option selected value="{smith().id}">Smith household</option>', response.get_data(as_text=True))


def test_typing_the_order_number_shows_the_order_and_offers_its_household(sam):
    response = sam.get("/staff/billing/payments/new?order_number=1002", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<div id="lookup">') and "<html" not in html
    assert "Order #1002 · Smith household · Pottery for Kids for Ben · balance $180.00" in page_text(response)
    assert re.search(rf'<option selected value="{smith().id}">Smith household</option>', html)
    unknown = sam.get("/staff/billing/payments/new?order_number=9999", headers={"HX-Request": "true"})
    assert "There is no order #9999." in page_text(unknown)


def test_the_confirmation_names_the_payer(sam):
    forest = Account.get(Account.name == "Forest household")
    response = sam.post("/staff/billing/payments/new", data={"order_number": "1003", "payer": forest.id,
                                                            "amount": "35.00", "method": "cash"})
    assert "$35.00 from Forest household is recorded on order #1003." in page_text(sam.get(response.headers["Location"]))


def test_a_new_order_needs_its_household_chosen(sam):
    assert "Choose a household" in sam.get("/staff/billing/orders/new").get_data(as_text=True)
    response = sam.post("/staff/billing/orders/new", data=new_order_form(account="0"))
    assert response.status_code == 422 and "Choose the household the order is for." in page_text(response)
    assert Order.select().count() == 7
