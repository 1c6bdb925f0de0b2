"""Stored payment methods (issue 16.2, seed 004): who may save them, who may pay with them, and a business
with no gateway, where nothing can be added or used."""
import pytest

from billing_helpers import SUCCESS_CARD, balances, charges
from conftest import page_text
from webapp.models import Company, Guardian, Payment, PaymentMethod, User

HX = {"HX-Request": "true"}


def add_card_on_the_sandbox_page(client, number=SUCCESS_CARD, name="Jo Rivera"):
    """Add Payment Method, then Save the card on the sandbox's page; returns the page the payer comes back to."""
    card_page = client.post("/billing/payment-methods/new")
    assert card_page.status_code == 303, page_text(card_page)
    back = client.post(card_page.headers["Location"], data={"number": number, "expiry": "12/39", "cvc": "123",
                                                            "name": name})
    assert back.status_code == 303
    return client.get(back.headers["Location"])


def methods_of(email):
    return list(PaymentMethod.select().join(User).where(User.email == email).order_by(PaymentMethod.id))


def test_a_secondary_guardian_without_the_payment_grant_saves_a_card_but_sees_no_money(signed_in):
    jo = signed_in("nanny@example.com")
    assert 'href="/account/payments"' in jo.get("/account/").get_data(as_text=True)
    text = page_text(add_card_on_the_sandbox_page(jo))
    assert "Credit Card · Visa ending 4242 · expires 12/39 · Default" in text
    assert "Outstanding" not in text and "Make Payment" not in text and "Last payment" not in text
    assert [m.last4 for m in methods_of("nanny@example.com")] == ["4242"]
    assert charges() == 0 and Payment.select().count() == 0


def test_a_secondary_guardian_keeps_three_methods_at_most(signed_in):
    jo = signed_in("nanny@example.com")
    for number in (SUCCESS_CARD, "5555 5555 5555 4444", SUCCESS_CARD):
        add_card_on_the_sandbox_page(jo, number)
    assert "Add Payment Method" not in page_text(jo.get("/account/payments"))
    refused = jo.post("/billing/payment-methods/new", follow_redirects=True)
    assert "You already keep three payment methods" in page_text(refused) and len(methods_of("nanny@example.com")) == 3


def test_a_secondary_guardian_cannot_pay_with_a_saved_card_without_the_payment_grant(signed_in):
    jo = signed_in("nanny@example.com")
    add_card_on_the_sandbox_page(jo)
    (method,) = methods_of("nanny@example.com")
    assert jo.get("/billing/pay-balance").status_code == 403
    assert jo.get("/billing/cart").status_code == 403
    assert jo.post("/billing/cart/orders/1001").status_code == 403
    assert jo.post("/billing/checkout", data={"method": str(method.id)}).status_code == 403
    assert Payment.select().count() == 0 and charges() == 0 and balances(1001) == {1001: 14000}


def test_the_payment_grant_then_lets_the_same_guardian_pay_with_the_saved_card(signed_in):
    jo = signed_in("nanny@example.com")
    add_card_on_the_sandbox_page(jo)
    (method,) = methods_of("nanny@example.com")
    Guardian.update(can_make_payments=True).where(
        Guardian.user == User.get(User.email == "nanny@example.com")).execute()
    assert jo.post("/billing/cart/orders/1001").status_code == 303
    paid = jo.post("/billing/checkout", data={"method": str(method.id)}, follow_redirects=True)
    assert "Receipt" in page_text(paid) and balances(1001) == {1001: 0}


def test_a_guardian_without_portal_access_and_staff_get_403(signed_in):
    jo = signed_in("nanny@example.com")
    Guardian.update(status=Guardian.REVOKED).where(
        Guardian.user == User.get(User.email == "nanny@example.com")).execute()
    assert jo.get("/account/payments").status_code == 403
    assert jo.post("/billing/payment-methods/new").status_code == 403
    sam = signed_in("staff@example.com")
    assert sam.get("/account/payments").status_code == 403
    assert sam.post("/billing/payment-methods/new").status_code == 403
    assert PaymentMethod.select().count() == 0


def test_a_secondary_guardians_card_is_404_to_the_primary_guardian(signed_in):
    add_card_on_the_sandbox_page(signed_in("nanny@example.com"))
    (method,) = methods_of("nanny@example.com")
    dana = signed_in("parent@example.com")
    assert dana.get(f"/billing/payment-methods/{method.id}").status_code == 404
    assert dana.post(f"/billing/payment-methods/{method.id}/delete").status_code == 404
    assert PaymentMethod.select().count() == 1


@pytest.fixture
def no_gateway(app):
    """The business has no payment gateway configured, and Dana kept a card from before."""
    dana_id = User.get(User.email == "parent@example.com").id
    PaymentMethod.create(user=dana_id, gateway="sandbox", token="tok_before", brand="Visa", last4="4242",
                         exp_month=12, exp_year=2039, is_default=True)
    Company.update(payment_gateway="").execute()


NOT_CONFIGURED = "This account is not configured to accept online payments."


def test_without_a_gateway_add_payment_method_says_the_account_is_not_configured(signed_in, no_gateway):
    dana = signed_in("parent@example.com")
    page = dana.get("/account/payments")
    text = page_text(page)
    assert NOT_CONFIGURED in text and "Add Payment Method" not in text and "Visa ending 4242" not in text
    assert NOT_CONFIGURED in page_text(dana.get("/account/payments", headers=HX))
    answer = dana.post("/billing/payment-methods/new", follow_redirects=True)
    assert NOT_CONFIGURED in page_text(answer)
    stripe_answer = dana.post("/stripe-gateway/cards", follow_redirects=True)
    assert NOT_CONFIGURED in page_text(stripe_answer)
    assert PaymentMethod.select().count() == 1


def test_without_a_gateway_nothing_can_be_paid_not_even_with_a_saved_card(signed_in, no_gateway):
    dana = signed_in("parent@example.com")
    dana.post("/billing/cart/orders/1001")
    cart = page_text(dana.get("/billing/cart"))
    assert NOT_CONFIGURED in cart and "Visa ending 4242" not in cart
    (method,) = methods_of("parent@example.com")
    for choice in (str(method.id), "new"):
        refused = dana.post("/billing/checkout", data={"method": choice})
        assert refused.status_code == 422 and NOT_CONFIGURED in page_text(refused)
    assert Payment.select().count() == 0 and balances(1001) == {1001: 14000}


def add_bank_account(client, routing="110000000", account="000123456789"):
    """Add Payment Method → Bank Account, then Save the bank account on the sandbox's page."""
    bank_page = client.post("/billing/payment-methods/new", data={"kind": "bank"})
    assert bank_page.status_code == 303, page_text(bank_page)
    page = client.get(bank_page.headers["Location"])
    assert "Add a bank account" in page_text(page) and "Routing number" in page_text(page)
    return client.post(bank_page.headers["Location"], data={"routing": routing, "account": account,
                                                             "name": "Dana Smith"})


def test_with_echecks_a_bank_account_is_saved_on_the_providers_page_keeping_only_the_last_four_and_the_bank(signed_in):
    from webapp.gateway.sandbox import SandboxToken

    Company.update(echecks=True).execute()
    dana = signed_in("parent@example.com")
    page = page_text(dana.get("/account/payments"))
    assert "Payment Method Type" in page and "Bank Account" in page and "Credit Card (or Debit card)" in page
    back = add_bank_account(dana)
    assert back.status_code == 303 and back.headers["Location"].endswith("/account/payments")
    (method,) = methods_of("parent@example.com")
    assert (method.kind, method.brand, method.last4, method.exp_month, method.is_default) == (
        "bank", "Sandbox Test Bank", "6789", None, True)
    assert "110000000" not in repr(method.__data__) and "123456789" not in repr(method.__data__)
    assert "123456789" not in repr([t.__data__ for t in SandboxToken.select()])  # the sandbox drops them too
    text = page_text(dana.get("/account/payments"))
    assert "Bank Account · Sandbox Test Bank ending 6789 · Default · Recurring billing: not authorized" in text
    assert "expires" not in text
    edit = page_text(dana.get(f"/billing/payment-methods/{method.id}"))
    assert "Bank Account" in edit and "Sandbox Test Bank ending 6789" in edit and "expires" not in edit
    assert charges() == 0 and Payment.select().count() == 0


def test_the_methods_list_tells_a_card_from_a_bank_account(signed_in):
    Company.update(echecks=True).execute()
    dana = signed_in("parent@example.com")
    add_card_on_the_sandbox_page(dana, name="Dana Smith")
    add_bank_account(dana, routing="021000021", account="4321")
    text = page_text(dana.get("/account/payments"))
    assert "Credit Card · Visa ending 4242 · expires 12/39 · Default" in text
    assert "Bank Account · JPMorgan Chase ending 4321 · Recurring billing" in text
    dana.post("/billing/cart/orders/1001")
    cart = page_text(dana.get("/billing/cart"))
    assert "Visa ending 4242, expires 12/39" in cart and "JPMorgan Chase ending 4321" in cart


@pytest.mark.parametrize("routing, account, message", [
    ("110000001", "000123456789", "That routing number is not valid."),
    ("11000000", "000123456789", "Use the 9 digits of the routing number."),
    ("١١٠٠٠٠٠٠٠", "000123456789", "Use the 9 digits of the routing number."),
    ("110000000", "123", "Use 4 to 17 digits."),
    ("110000000", "", "Enter the account number."),
])
def test_a_bank_account_the_page_refuses_is_not_saved_and_says_why_next_to_the_field(signed_in, routing, account,
                                                                                     message):
    Company.update(echecks=True).execute()
    refused = add_bank_account(signed_in("parent@example.com"), routing, account)
    assert refused.status_code == 422 and message in page_text(refused)
    assert PaymentMethod.select().count() == 0


def test_without_echecks_no_bank_account_is_offered_or_taken(signed_in):
    dana = signed_in("parent@example.com")
    text = page_text(dana.get("/account/payments"))
    assert "Add Payment Method" in text and "Bank Account" not in text and "Payment Method Type" not in text
    refused = dana.post("/billing/payment-methods/new", data={"kind": "bank"})
    assert refused.status_code == 422 and "Only a card can be added here" in page_text(refused)
    fragment = dana.post("/billing/payment-methods/new", data={"kind": "bank"}, headers=HX)
    assert fragment.status_code == 422 and "<html" not in fragment.get_data(as_text=True)
    assert dana.post("/billing/payment-methods/new").headers["Location"].startswith("/sandbox-gateway/pay/")
    from webapp.gateway.sandbox import SandboxSession
    assert [s.kind for s in SandboxSession.select()] == ["card"]


def test_a_bank_account_for_another_guardian_or_staff(signed_in):
    Company.update(echecks=True).execute()
    add_bank_account(signed_in("parent@example.com"))
    (method,) = methods_of("parent@example.com")
    assert signed_in("partner@example.com").get(f"/billing/payment-methods/{method.id}").status_code == 404
    sam = signed_in("staff@example.com")
    assert sam.post("/billing/payment-methods/new", data={"kind": "bank"}).status_code == 403
    assert sam.get(f"/billing/payment-methods/{method.id}").status_code == 403


def test_a_saved_bank_account_pays_and_the_ledger_says_it_was_a_bank_account(signed_in):
    from webapp.models import LedgerEntry

    Company.update(echecks=True).execute()
    dana = signed_in("parent@example.com")
    add_bank_account(dana)
    (method,) = methods_of("parent@example.com")
    dana.post("/billing/cart/orders/1001")
    paid = dana.post("/billing/checkout", data={"method": str(method.id)}, follow_redirects=True)
    assert "Receipt" in page_text(paid) and balances(1001) == {1001: 0}
    (entry,) = LedgerEntry.select().where((LedgerEntry.kind == LedgerEntry.PAYMENT) & LedgerEntry.payment.is_null(False))
    assert entry.memo == "Bank account payment (Sandbox Test Bank 6789)"


def test_every_method_on_file_for_the_family_is_listed_and_only_its_guardian_manages_it(signed_in):
    jo = signed_in("nanny@example.com")
    add_card_on_the_sandbox_page(jo, "5555 5555 5555 4444")
    (method,) = methods_of("nanny@example.com")
    dana = signed_in("parent@example.com")
    page = dana.get("/account/payments")
    text, html = page_text(page), page.get_data(as_text=True)
    assert "Jo Rivera’s: Credit Card · Mastercard ending 4444 · expires 12/39 · Default" in text
    assert f"/billing/payment-methods/{method.id}" not in html  # no View/Edit, Make default or Delete of Jo's card
    assert dana.post(f"/billing/payment-methods/{method.id}/delete").status_code == 404
    assert "Jo Rivera’s" not in page_text(signed_in("grandparents@example.com").get("/account/payments"))
    assert "Mastercard ending 4444 · expires 12/39 · Default" in page_text(jo.get("/account/payments"))
    assert "Jo Rivera’s" not in page_text(jo.get("/account/payments"))  # her own card is not named as someone else's
