"""My Account on a phone: Dana reassigns the unassigned address to herself, adds a student and edits Amy's
allergies; the family portal's bottom bar fits one row at 320 and 390 px and hides no content."""
import re

import pytest
from playwright.sync_api import expect

from .conftest import PHONE, check, main_nav, sign_in

NAV_FITS = """(width) => {
  const nav = document.querySelector("nav[aria-label=Main].tabbar");
  const links = [...nav.querySelectorAll("a")].map(a => a.getBoundingClientRect());
  window.scrollTo(0, document.documentElement.scrollHeight);
  const content = document.querySelector("main").lastElementChild.getBoundingClientRect();
  return {
    scrollWidth: document.documentElement.scrollWidth,
    tops: links.map(r => Math.round(r.top)),
    rights: links.map(r => Math.round(r.right)),
    navTop: nav.getBoundingClientRect().top,
    contentBottom: content.bottom,
    fixed: getComputedStyle(nav).position,
  };
}"""


def test_dana_reassigns_the_unassigned_address_to_herself(page):
    sign_in(page, "parent@example.com")
    main_nav(page, "My Account")
    page.get_by_role("link", name="Contacts of Smith household").tap()
    expect(page.get_by_role("heading", name="Account Information", level=1)).to_be_visible()
    unassigned = page.locator("section", has=page.get_by_role("heading", name="Unassigned"))
    expect(unassigned.get_by_role("link", name="12 Elm Street, Riverside")).to_be_visible()
    expect(page.locator("em.unsubscribed").first).to_have_text("Unsubscribed")
    check(page)
    page.get_by_label("Reassign 12 Elm Street, Riverside to").select_option(label="Dana Smith")
    page.get_by_role("button", name="Reassign 12 Elm Street, Riverside").tap()
    dana = page.locator("section", has=page.get_by_role("heading", name="Dana Smith"))
    expect(dana.get_by_role("link", name="12 Elm Street, Riverside")).to_be_visible()
    expect(unassigned.get_by_role("link", name="12 Elm Street, Riverside")).to_have_count(0)
    expect(page.locator("#flash")).to_contain_text("linked to Dana Smith")
    check(page)


def test_dana_adds_a_student_and_edits_amys_allergies(page):
    sign_in(page, "parent@example.com")
    main_nav(page, "My Account")
    page.get_by_role("link", name="Your Student(s)").first.tap()
    expect(page.get_by_role("heading", name="Your Student(s)", level=1)).to_be_visible()
    page.get_by_role("link", name="Add Student").tap()
    page.get_by_label("First name").fill("Cleo")
    page.get_by_label("Last name").fill("Smith")
    page.get_by_label("Date of birth").fill("2020-05-01")
    check(page)
    page.get_by_role("button", name="Save").tap()
    expect(page.get_by_role("heading", name="Cleo Smith", level=1)).to_be_visible()
    expect(page.locator("#flash")).to_contain_text("Added Cleo.")
    check(page)

    page.get_by_role("link", name="Your Student(s)").tap()
    expect(page.get_by_role("heading", name="Your Student(s)", level=1)).to_be_visible()
    page.get_by_role("link", name=re.compile(r"^Edit Student\W+Amy Smith$")).tap()
    page.get_by_label("Allergies (optional)").fill("Peanuts")
    page.get_by_label("Emergency contact phone (optional)").fill("call me")
    page.get_by_role("button", name="Save").tap()
    expect(page.get_by_text("Enter a phone number with digits only")).to_be_visible()
    expect(page.get_by_label("Emergency contact phone (optional)")).to_have_attribute("aria-invalid", "true")
    check(page)
    page.get_by_label("Emergency contact phone (optional)").fill("212 555 0111")
    page.get_by_role("button", name="Save").tap()
    expect(page.get_by_role("heading", name="Amy Smith", level=1)).to_be_visible()
    expect(page.get_by_text("Peanuts")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/account/students/\d+$"))
    check(page)


@pytest.mark.parametrize("width", [320, 390])
@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_the_bottom_bar_fits_one_row_and_hides_no_content(browser, live_server, width, javascript):
    context = browser.new_context(**{**PHONE, "viewport": {"width": width, "height": 640}},
                                  base_url=live_server.url, java_script_enabled=javascript)
    page = context.new_page()
    sign_in(page, "parent@example.com")
    for name, heading in [("Upcoming Courses", "Upcoming Courses"), ("My Account", "My Account"),
                          ("Home", "Hello, Dana")]:
        main_nav(page, name)
        expect(page.get_by_role("heading", name=heading, level=1)).to_be_visible()
        nav = page.get_by_role("navigation", name="Main")
        expect(nav.get_by_role("link", name=name, exact=True)).to_have_attribute("aria-current", "page")
        expect(nav.locator("[aria-current=page]")).to_have_count(1)
        fit = page.evaluate(NAV_FITS, width)
        assert fit["fixed"] == "fixed"
        assert fit["scrollWidth"] <= width, f"{page.url} scrolls sideways at {width}px"
        assert len(set(fit["tops"])) == 1 and max(fit["rights"]) <= width, f"the bar wraps at {width}px: {fit}"
        assert fit["contentBottom"] <= fit["navTop"], f"{page.url}: the bar hides the end of the page at {width}px"
    context.close()


MY_ACCOUNT_PAGES = ["/account/", "/account/payments", "/account/students", "/account/students/1",
                    "/account/students/1/edit", "/account/households/1/students/new",
                    "/account/households/1/information", "/account/households/1/email/new",
                    "/account/households/1/phone/new", "/account/households/1/address/new",
                    "/account/contacts/email/1", "/account/contacts/phone/1", "/account/contacts/address/1",
                    "/account/households/1/login-email/1", "/account/students/1/evaluations"]


def test_every_my_account_page_fits_the_phone_and_passes_axe(page):
    sign_in(page, "parent@example.com")
    for path in MY_ACCOUNT_PAGES:
        response = page.goto(path)
        assert response.status == 200, path
        check(page)
