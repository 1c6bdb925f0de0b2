"""The staff console's newer screens at phone size, each checked (fits 390 px, axe): Sam invites an instructor and
finds the invitation under Changes, opens Email Management and one email's editor, the order line categories,
a new household's form and the Smiths' Enroll a student; Pat registers Ben for Ballet I on account from the class
list, and Dana finds the order under Pay an Order Balance."""
import re

from playwright.sync_api import expect

from .conftest import check, sign_in, sign_out


def test_sam_invites_an_instructor_and_walks_the_console(new_context):
    page = new_context().new_page()
    sign_in(page, "staff@example.com")
    page.goto("/staff/users/")
    expect(page.get_by_role("heading", name="Users", level=1)).to_be_visible()
    check(page)
    page.goto("/staff/users/new")
    page.get_by_label("Name", exact=True).fill("Taylor Reed")
    page.get_by_label("Email", exact=True).fill("taylor@example.com")
    page.get_by_role("button", name="Invite and send the link").tap()
    expect(page.get_by_text(re.compile(r"Invited Taylor Reed\."))).to_be_visible()
    check(page)
    page.goto("/staff/users/?q=taylor")
    page.get_by_role("link", name="Taylor Reed").first.tap()
    expect(page.get_by_role("heading", name="Changes")).to_be_visible()
    expect(page.locator(".staff-changes")).to_contain_text("Sam Ortiz added it")
    check(page)
    for path, heading in [("/staff/emails", "Email Management"), ("/staff/emails/status_adjusted/edit", None),
                          ("/staff/line-categories", "Order line categories"), ("/staff/households/new", "New household"),
                          ("/classes/", "Classes")]:
        page.goto(path)
        if heading:
            expect(page.get_by_role("heading", name=heading, level=1)).to_be_visible()
        check(page)
    page.goto("/staff/households/?q=smith")
    page.locator("#results").get_by_role("link", name="Smith household").tap()
    expect(page.get_by_role("heading", name="Enroll a student")).to_be_visible()
    check(page)


def test_pat_registers_ben_on_account_and_dana_can_pay_it_online(new_context):
    page = new_context().new_page()
    sign_in(page, "instructor@example.com")
    page.goto("/classes/")
    page.get_by_role("link", name=re.compile(r"^Register a student in Ballet I$")).first.tap()
    expect(page.get_by_role("heading", name="Register a student in Ballet I", level=1)).to_be_visible()
    page.get_by_label("Find a student").fill("ben")
    results = page.locator("#results")
    expect(results).to_contain_text("Ben Smith")
    check(page)
    results.get_by_role("button", name=re.compile(r"^Register on account\W+Ben Smith")).tap()
    expect(page.get_by_text(re.compile(r"Order #\d+"))).to_be_visible()
    number = re.search(r"Order #(\d+)", page.inner_text("body")).group(1)
    check(page)
    sign_out(page)
    sign_in(page, "parent@example.com")
    page.goto("/billing/pay-balance")
    expect(page.locator("main")).to_contain_text(f"Order #{number}")
    check(page)
