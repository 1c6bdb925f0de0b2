"""At the front desk, Alex finds the Smiths by typing Ben's name and reads who is enrolled where (no money shown);
Sam opens the same household and reads its balance and the newest ledger entry."""
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
