"""One cart (issue 16.3): order balances and registrations in one cart, one checkout, Send Bill for the registrations."""
import threading

import pytest

from billing_helpers import HTMX, SUCCESS_CARD, balances, charges, pay_with_card
from conftest import page_text
from registration_helpers import course, register, student
from webapp.access import family
from webapp.billing import checkout
from webapp.billing.ledger import account_balances
from webapp.billing.send_bill import SendBillRefused, send_bill
from webapp.extensions import db
from webapp.models import (
    Account, CartItem, Company, Enrollment, LedgerEntry, Order, Payment, PurchaseOrder, RegistrationItem, User,
)


@pytest.fixture
def dana(signed_in):
    """Dana with Order #1001's balance ($140.00) and Ben's Ballet I ($240.00) in her cart."""
    client = signed_in("parent@example.com")
    assert client.post("/billing/cart/orders/1001").status_code == 303
    assert register(client, "Ballet I", "Ben").status_code == 303
    client.get("/billing/cart")  # the messages of adding them are read
    return client


def user(email):
    return User.get(User.email == email)


def test_the_old_registrations_cart_address_leads_to_the_one_cart(dana):
    response = dana.get("/register/cart")
    assert response.status_code in (301, 303) and response.headers["Location"] == "/billing/cart"
    text = page_text(dana.get(response.headers["Location"]))
    assert "Order #1001" in text and "Ballet I Registration for Ben Smith" in text and "Total $380.00" in text
    assert "Pay $380.00" in text and "Send Bill (Purchase Order)" in text
    assert "Cart (2)" in dana.get("/home").get_data(as_text=True)


def test_adding_a_registration_shows_the_one_cart(signed_in):
    client = signed_in("parent@example.com")
    response = register(client, "Ballet I", "Ben")
    assert response.status_code == 303 and response.headers["Location"] == "/billing/cart"
    assert "Ballet I for Ben is in your cart." in page_text(client.get("/billing/cart"))


def test_one_checkout_pays_the_balance_and_the_registration_and_the_ledger_shows_each(dana):
    smith = Account.get(Account.name == "Smith household")
    before = account_balances([smith.id])[smith.id]
    response, key, _ = pay_with_card(dana, SUCCESS_CARD)
    assert "Total paid $380.00" in page_text(response)
    payment = Payment.get(Payment.key == key)
    assert Payment.select().count() == 1 and charges() == 1 and payment.amount_cents == 38000
    placed = Order.get(Order.number == 1008)  # the registration's order, placed at checkout
    paid = {e.order.number: e.amount_cents for e in LedgerEntry.select().where(LedgerEntry.payment == payment)}
    assert paid == {1001: -14000, 1008: -24000}  # each line its own entry, not a cent lost or made
    assert balances(1001, 1008) == {1001: 0, 1008: 0} and placed.state == Order.COMPLETE
    assert account_balances([smith.id])[smith.id] == before - 14000  # the registration's charge is paid as well
    assert Enrollment.get(student=student("Ben"), course=course("Ballet I")).status == Enrollment.REGISTERED
    assert "Your cart is empty." in page_text(dana.get("/billing/cart"))


def test_send_bill_bills_the_registrations_and_leaves_the_balance_in_the_cart(dana):
    response = dana.post("/register/send-bill", data={"po_number": "PO-42"})
    assert response.status_code == 303 and response.headers["Location"] == "/billing/cart"
    billed = Order.get(Order.number == 1008)
    assert billed.state == Order.ON_ACCOUNT and PurchaseOrder.get(PurchaseOrder.order == billed).number == "PO-42"
    assert [e.amount_cents for e in LedgerEntry.select().where(LedgerEntry.order == billed)] == [24000]
    assert Enrollment.get(student=student("Ben"), course=course("Ballet I")).status == Enrollment.REGISTERED
    assert Payment.select().count() == 0 and balances(1001) == {1001: 14000}
    text = page_text(dana.get("/billing/cart"))
    assert "Order #1008 is on account, billed to PO PO-42." in text
    assert "Order #1001" in text and "Total $140.00" in text and "Registration for Ben" not in text
    assert "Send Bill (Purchase Order)" not in text  # nothing left to bill
    response, _, _ = pay_with_card(dana, SUCCESS_CARD)  # the balance is paid at the same checkout afterwards
    assert "Total paid $140.00" in page_text(response) and balances(1001, 1008) == {1001: 0, 1008: 24000}


def test_send_bill_with_only_registrations_leads_to_my_registrations(signed_in):
    client = signed_in("parent@example.com")
    register(client, "Ballet I", "Ben")
    response = client.post("/register/send-bill", data={"po_number": "PO-1"})
    assert response.status_code == 303 and response.headers["Location"] == "/register/mine"


def test_send_bill_without_a_po_number_says_so_next_to_the_field_and_keeps_the_whole_cart(dana):
    response = dana.post("/register/send-bill", data={"po_number": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "Enter the purchase order number." in page_text(response)
    assert "<html" in html and "Order #1001" in html and "Total $380.00" in page_text(response)
    fragment = dana.post("/register/send-bill", data={"po_number": "  "}, headers=HTMX)
    assert fragment.status_code == 422 and "<html" not in fragment.get_data(as_text=True)
    assert Order.select().count() == 7 and RegistrationItem.select().count() == 1 and CartItem.select().count() == 1


def test_removing_the_registration_with_htmx_answers_the_one_cart_in_place(dana):
    item = RegistrationItem.get()
    response = dana.post(f"/register/cart/{item.id}/remove", headers=HTMX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html and "HX-Request" in response.headers["Vary"]
    assert "Ballet I for Ben is out of your cart." in html and "Order #1001" in html and "Total $140.00" in html
    assert 'id="cart-link" href="/billing/cart" hx-swap-oob="true"' in html and "Cart (1)" in html
    assert "Send Bill (Purchase Order)" not in html  # only registrations are billed


def test_removing_the_registration_without_javascript_redirects_to_the_one_cart(dana):
    response = dana.post(f"/register/cart/{RegistrationItem.get().id}/remove")
    assert response.status_code == 303 and response.headers["Location"] == "/billing/cart"
    text = page_text(dana.get("/billing/cart"))
    assert "Ballet I for Ben is out of your cart." in text and "Total $140.00" in text
    assert not RegistrationItem.select().exists() and CartItem.select().count() == 1


def test_another_households_cart_items_are_404_and_nothing_changes(dana, signed_in):
    item = RegistrationItem.get()
    for email in ("grandparents@example.com", "trainee@example.com", "partner@example.com"):  # Chris: not his cart
        other = signed_in(email)
        assert other.post(f"/register/cart/{item.id}/remove").status_code == 404
        assert other.post(f"/register/cart/{item.id}/remove", headers=HTMX).status_code == 404
    assert signed_in("grandparents@example.com").post("/billing/cart/orders/1001/remove").status_code == 404
    assert RegistrationItem.select().count() == 1 and CartItem.select().count() == 1
    assert "Order #1001" not in page_text(signed_in("partner@example.com").get("/billing/cart"))


def test_without_the_payment_grant_the_cart_and_send_bill_are_403(dana, signed_in):
    jo = signed_in("nanny@example.com")
    assert jo.get("/billing/cart").status_code == 403
    assert jo.post("/register/send-bill", data={"po_number": "PO-1"}).status_code == 403
    assert jo.post(f"/register/cart/{RegistrationItem.get().id}/remove").status_code == 403
    assert Order.select().count() == 7 and RegistrationItem.select().count() == 1


def test_send_bill_without_csrf_changes_nothing(dana):
    dana.post("/register/send-bill", data={"po_number": "PO-1"}, csrf=False)
    assert Order.select().count() == 7 and RegistrationItem.select().count() == 1


def test_with_online_payments_off_the_cart_still_bills_registrations(dana):
    Company.update(pay_balances_online=False).execute()
    text = page_text(dana.get("/billing/cart"))
    assert "Ballet I" in text and "Order #1001" not in text and "Total $240.00" in text
    assert "This account is not configured to accept online payments." in text and "Pay $" not in text
    assert "Cart (1)" in dana.get("/home").get_data(as_text=True)  # what the cart shows
    response = dana.post("/register/send-bill", data={"po_number": "PO-3"})
    assert response.status_code == 303 and response.headers["Location"] == "/register/mine"
    assert "Cart (0)" in dana.get("/home").get_data(as_text=True)
    assert Order.get(Order.number == 1008).state == Order.ON_ACCOUNT and CartItem.select().count() == 1


def test_the_one_cart_costs_the_same_queries_however_many_lines(signed_in, query_count):
    client = signed_in("parent@example.com")
    client.post("/billing/cart/orders/1001")
    register(client, "Ballet I", "Ben")
    client.get("/billing/cart")
    _, few = query_count(client.get, "/billing/cart")
    client.post("/billing/cart/orders/1002")
    register(client, "Pottery for Kids", "Amy")
    response, more = query_count(client.get, "/billing/cart")
    assert "Total $740.00" in page_text(response) and few == more


def _at_once(app, *calls):
    """Run the calls in threads released together; returns what each returned or raised."""
    db.close()
    barrier, results = threading.Barrier(len(calls)), [None] * len(calls)

    def run(index, call):
        with app.app_context():
            try:
                barrier.wait()
                results[index] = call()
            except Exception as error:  # noqa: BLE001 (returned to the test)
                results[index] = error
            finally:
                db.close()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(calls)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    return results


def test_two_send_bills_at_once_never_pass_max_unpaid_balance_together(app, dana, signed_in):
    register(signed_in("partner@example.com"), "Pottery for Kids", "Amy")
    smith = Account.get(Account.name == "Smith household")
    owed = account_balances([smith.id])[smith.id]
    Company.update(max_unpaid_balance_cents=owed + 24000 + 10000).execute()  # room for either, not both
    company, purchase_orders = Company.current(), PurchaseOrder.select().count()
    results = _at_once(app, *[
        (lambda u=user(email): send_bill(company, u, family(u), "PO-9"))
        for email in ("parent@example.com", "partner@example.com")
    ])
    refused = [r for r in results if isinstance(r, SendBillRefused)]
    assert len(refused) == 1 and "past the school's limit" in str(refused[0])
    assert not [r for r in results if isinstance(r, Exception) and not isinstance(r, SendBillRefused)]
    assert account_balances([smith.id])[smith.id] <= company.max_unpaid_balance_cents
    assert PurchaseOrder.select().count() == purchase_orders + 1 and RegistrationItem.select().count() == 1


def test_send_bill_and_a_card_checkout_of_one_cart_at_once_place_the_registration_once(app, dana):
    company, dana_user = Company.current(), user("parent@example.com")
    results = _at_once(app, lambda: send_bill(company, dana_user, family(dana_user), "PO-5"),
                       lambda: checkout.start_checkout(company, dana_user))
    unexpected = [r for r in results if isinstance(r, Exception)
                  and not isinstance(r, (SendBillRefused, checkout.CheckoutRefused))]
    assert unexpected == [] and not all(isinstance(r, Exception) for r in results)
    ben, ballet = student("Ben"), course("Ballet I")
    seated = Enrollment.select().where((Enrollment.student == ben) & (Enrollment.course == ballet)
                                       & Enrollment.status.in_(Enrollment.ACTIVE)).count()
    held = RegistrationItem.select().where(RegistrationItem.order.is_null(False)).count()
    assert seated + held == 1  # Registered by the bill, or holding its seat for the open card payment: never both
    new_orders = Order.select(Order.id).where(Order.number > 1007)
    owed = sum(e.amount_cents for e in LedgerEntry.select().where(LedgerEntry.order.in_(new_orders)))
    assert owed == 24000  # charged once: a card order given back to the bill was voided
    open_payments = Payment.select().where(Payment.state == Payment.PENDING)
    # The card payment left open is the balance, with the seat only if it holds it; Send Bill after it cancels it.
    assert sum(p.amount_cents for p in open_payments) in (0, 14000, 38000)
    assert (sum(p.amount_cents for p in open_payments) == 38000) == bool(held)
    assert CartItem.select().count() == 1 and balances(1001) == {1001: 14000}  # the balance still waits in the cart
