"""At the front desk, Alex finds the Smiths by typing Ben's name and reads who is enrolled where (no money shown);
Sam opens the same household, reads its balance and the newest ledger entry, and voids $30 of #1002."""
import re

from playwright.sync_api import expect

from .conftest import check, sign_in, sign_out


def test_alex_finds_the_smiths_by_a_student_name_and_sam_sees_their_ledger(new_context):
    page = new_context().new_page()
    sign_in(page, "frontdesk@example.com")
    page.goto("/staff/")
    page.get_by_role("link", name="Find a household").tap()
    expect(page.get_by_role("heading", name="Households", level=1)).to_be_visible()
    check(page)
    page.get_by_label("Find a household").fill("ben")  # htmx searches as Alex types: no button press
    results = page.locator("#results")
    expect(results).to_contain_text("1 household matching “ben”")
    expect(page.get_by_label("Find a household")).to_be_focused()  # typing goes on where it was
    check(page)
    results.get_by_role("link", name="Smith household").tap()
    expect(page.get_by_role("heading", name="Smith household", level=1)).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="Jazz II")).to_contain_text("Waitlisted")
    expect(page.get_by_text("Balance:")).to_have_count(0)
    check(page)
    sign_out(page)

    sign_in(page, "staff@example.com")
    page.goto("/staff/households/?q=smith")
    page.locator("#results").get_by_role("link", name="Smith household").tap()
    expect(page.get_by_role("heading", name="Balance: $555.00")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="Field trip")).to_contain_text("$35.00")
    check(page)
    order = page.locator("li.order").filter(has_text="Order #1002")
    order.get_by_label(re.compile(r"^Amount to void")).fill("300")
    order.get_by_role("button", name=re.compile(r"^Void up to \$180\.00")).tap()
    expect(order.get_by_text("That is more than order #1002 still owes.")).to_be_visible()
    check(page)
    order.get_by_label(re.compile(r"^Amount to void")).fill("30")
    order.get_by_label(re.compile(r"^Reason")).fill("Sibling discount")
    order.get_by_role("button", name=re.compile(r"^Void up to \$180\.00")).tap()
    expect(page.get_by_text("$30.00 of order #1002 is voided.")).to_be_visible()
    expect(page.get_by_role("heading", name="Balance: $525.00")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="Voided: Sibling discount")).to_contain_text("-$30.00")
    check(page)
