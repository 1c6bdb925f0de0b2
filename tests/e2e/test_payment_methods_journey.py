"""Stored payment information on a phone: Dana adds a card from My Account on the sandbox's card page (nothing
paid), makes it the default, authorizes it for recurring billing and deletes the old one; Payments shows what is
outstanding."""
import re

from playwright.sync_api import expect

from .conftest import check, main_nav, sign_in


def add_a_card(page, number):
    page.get_by_role("button", name="Add Payment Method").tap()
    expect(page.get_by_role("heading", name="Add a card", level=1)).to_be_visible()
    check(page)
    page.get_by_label("Card number").fill(number)
    page.get_by_label("Expiry").fill("12/34")
    page.get_by_label("Security code").fill("123")
    page.get_by_label("Name on card").fill("Dana Smith")
    page.get_by_role("button", name="Save the card").tap()
    expect(page).to_have_url(re.compile(r"/account/payments$"))


def test_dana_adds_a_card_makes_it_default_authorizes_recurring_and_deletes_the_old_one(page):
    sign_in(page, "parent@example.com")
    main_nav(page, "My Account")
    page.get_by_role("link", name="Stored payment information").tap()
    expect(page.get_by_role("heading", name="Payments", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Outstanding")).to_be_visible()
    expect(page.get_by_role("link", name="Make Payment")).to_be_visible()
    check(page)

    add_a_card(page, "4242 4242 4242 4242")
    expect(page.get_by_text(re.compile(r"Visa ending 4242 · expires 12/34 · Default"))).to_be_visible()
    add_a_card(page, "5555 5555 5555 4444")
    mastercard = page.locator("li", has_text="Mastercard ending 4444")
    expect(mastercard).to_contain_text("Recurring billing: not authorized")
    check(page)

    mastercard.get_by_role("link", name="View/Edit").tap()
    expect(page.get_by_role("heading", name="Mastercard ending 4444", level=1)).to_be_visible()
    check(page)
    page.get_by_label("Set to Default?").check()
    page.get_by_label("This payment method is authorized for recurring billing").check()
    page.get_by_role("button", name="Save", exact=True).tap()
    expect(page).to_have_url(re.compile(r"/account/payments$"))
    mastercard = page.locator("li", has_text="Mastercard ending 4444")
    expect(mastercard).to_contain_text("Default")
    expect(mastercard).to_contain_text("Recurring billing: authorized")

    page.get_by_role("button", name=re.compile(r"^Delete\W+Visa ending 4242$")).tap()
    expect(page.get_by_text("Visa ending 4242 is deleted.")).to_be_visible()
    expect(page.locator("li", has_text="Visa ending 4242")).to_have_count(0)
    check(page)


def test_with_echecks_dana_adds_a_bank_account_on_the_sandboxs_page(page, app):
    from webapp.extensions import db
    from webapp.models import Company

    with app.app_context(), db.connection_context():
        Company.update(echecks=True).execute()
    sign_in(page, "parent@example.com")
    page.goto("/account/payments")
    page.get_by_role("group", name="Payment Method Type").get_by_label("Bank Account").check()
    check(page)
    page.get_by_role("button", name="Add Payment Method").tap()
    expect(page.get_by_role("heading", name="Add a bank account", level=1)).to_be_visible()
    check(page)
    page.get_by_label("Routing number").fill("110000000")
    page.get_by_label("Account number").fill("000123456789")
    page.get_by_label("Name on the account").fill("Dana Smith")
    page.get_by_role("button", name="Save the bank account").tap()
    expect(page).to_have_url(re.compile(r"/account/payments$"))
    bank = page.locator("li", has_text="Sandbox Test Bank ending 6789")
    expect(bank).to_contain_text("Bank Account · Sandbox Test Bank ending 6789 · Default")
    expect(bank).not_to_contain_text("expires")
    check(page)
