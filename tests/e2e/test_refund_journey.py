"""A card refund on a phone (issue 16, Quality): Dana pays #1001 by card, Sam refunds $10 of that payment from Card
payments and refunds, and Dana reads it under Refunds in Transaction History: its date, description and amount."""
import re

from babel.dates import format_date
from playwright.sync_api import expect

from .conftest import check, main_nav, sign_in, sign_out
from .test_checkout_journey import add_1001_from_upcoming_courses, pay_on_the_sandbox_page


def test_sam_refunds_ten_dollars_of_danas_card_payment_and_she_sees_it_under_refunds(page, app):
    from webapp.account.ledger_reports import company_today
    from webapp.models import Company

    sign_in(page, "parent@example.com")
    add_1001_from_upcoming_courses(page)
    pay_on_the_sandbox_page(page, "$140.00", "4242 4242 4242 4242")
    expect(page.get_by_role("heading", name="Receipt", level=1)).to_be_visible()
    sign_out(page)

    sign_in(page, "staff@example.com")
    page.get_by_role("link", name="Card payments and refunds").tap()
    payment = page.locator("main li.card").filter(has=page.get_by_role("heading", name="$140.00 from Smith household"))
    expect(payment).to_contain_text("Visa ending 4242")
    check(page)
    payment.get_by_label(re.compile(r"^Amount to refund")).fill("10.00")
    payment.get_by_label(re.compile(r"^Reason")).fill("Shorter class")
    payment.get_by_role("button", name=re.compile(r"^Refund up to \$140\.00")).tap()
    expect(page.get_by_text("$10.00 is refunded to Visa ending 4242.")).to_be_visible()
    expect(payment).to_contain_text("$10.00 refunded")
    check(page)
    sign_out(page)

    sign_in(page, "parent@example.com")
    main_nav(page, "My Account")
    page.get_by_role("link", name="Transaction History").tap()
    page.get_by_role("navigation", name="Transaction types").get_by_role("link", name="Refunds", exact=True).tap()
    row = page.get_by_role("row", name=re.compile(r"Refund to Visa 4242"))
    expect(row).to_have_count(1)
    with app.app_context():
        company = Company.current()
        today = format_date(company_today(company), "d MMM y", locale=company.locale)  # as the page writes a day
    expect(row.locator('[data-label="Date"]')).to_have_text(today)
    expect(row.locator('[data-label="Description"]')).to_have_text("Refund to Visa 4242")
    expect(row.locator('[data-label="Order"]')).to_have_text("#1001")
    expect(row.locator('[data-label="Amount"]')).to_have_text("$10.00")
    expect(page.locator("table.stack")).not_to_contain_text("$140.00")  # the refund, not the payment it came from
    check(page)
