"""How an htmx action feels, keyboard only and on a slow network: focus follows the swap, the widget is busy while
it works and refuses a second tap, its result shows next to it, the message region stays put, the title and the
current page follow a swap, the focus ring shows on every background, and every page reflows at 320 px."""
import re

from playwright.sync_api import expect

from .conftest import sign_in
from .test_absences_journey import first_open_meeting
from .test_htmx_csp import Watched

SLOW_MS = 1500


def amys_open_cell(new_context):
    """Dana on Upcoming Courses: (the page, the Absent? cell of Amy's first open Ballet I meeting, its day)."""
    page = Watched(new_context()).page
    sign_in(page, "parent@example.com")
    page.goto("/schedule/")
    return (page, *first_open_meeting(page, "Amy", "Ballet I"))


def test_keyboard_only_the_absent_cell_keeps_the_focus_in_the_widget(new_context):
    page, cell, day = amys_open_cell(new_context)
    cell.locator("a.absent-x").focus()
    page.keyboard.press("Enter")
    expect(cell.get_by_role("button", name="Sick")).to_be_focused()  # the first reason, not <body>
    page.keyboard.press("Enter")
    pill = cell.get_by_role("link", name=re.compile(r"^Absent: Sick\. Change or clear Amy's absence"))
    expect(pill).to_be_focused()
    status = page.locator(f"#{cell.get_attribute('id')}-status")
    expect(status).to_have_text(f"Amy is reported absent (Sick) on {day}.")  # next to the cell, not 800 px up
    expect(page.locator("#flash")).to_contain_text(f"Amy is reported absent (Sick) on {day}.")
    # Amy's other Ballet I cells that show the term's counts count this absence too, without a reload.
    same_class = "." + cell.locator("span.history").get_attribute("class").split()[1]  # history-<student>-<course>
    others = [c for c in page.locator(same_class).all() if not c.evaluate(f"(el) => el.closest('#{cell.get_attribute('id')}')")]
    assert others, "no other cell shows the counts"
    mine = cell.locator("span.history").inner_text()
    assert all(other.inner_text() == mine for other in others), [o.inner_text() for o in others]


def test_keyboard_only_the_package_widget_and_the_roster(new_context):
    page = Watched(new_context()).page
    sign_in(page, "parent@example.com")
    toggle = page.locator(".package-toggle").first
    toggle.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".package-toggle[aria-expanded=true]")).to_be_focused()

    pat = Watched(new_context()).page
    sign_in(pat, "instructor@example.com")
    pat.get_by_role("region", name="Rosters to submit").get_by_role("link").first.click()
    row = pat.locator("li.roster-row").first
    row.get_by_role("button", name=re.compile(r"Present$")).focus()
    pat.keyboard.press("Enter")
    expect(pat.locator("li.roster-row").first.get_by_role("button", name=re.compile(r"Present$"))).to_be_focused()


def test_on_a_slow_network_the_cell_is_busy_and_takes_no_second_tap(new_context):
    page, cell, _ = amys_open_cell(new_context)
    cell.locator("a.absent-x").tap()
    sick = cell.get_by_role("button", name="Sick")
    expect(sick).to_be_visible()
    reports = []
    page.on("request", lambda request: reports.append(request.url) if request.method == "POST" else None)
    page.route("**/schedule/absence/**", lambda route: (page.wait_for_timeout(SLOW_MS), route.continue_()))
    sick.tap()
    expect(cell).to_have_attribute("aria-busy", "true")
    expect(cell.get_by_role("button", name="Vacation")).to_be_disabled()  # the other reasons wait, visibly
    expect(cell.get_by_role("link", name=re.compile(r"^Absent: Sick"))).to_be_visible(timeout=SLOW_MS * 4)
    assert len(reports) == 1


def test_the_message_region_stays_in_place_and_the_cart_swap_updates_title_and_navigation(new_context):
    page = Watched(new_context()).page
    sign_in(page, "parent@example.com")
    page.goto("/schedule/")
    page.evaluate("window.__region = document.getElementById('flash')")
    page.get_by_role("button", name="Add Order #1001 to Cart").tap()
    expect(page).to_have_url(re.compile(r"/billing/cart$"))
    expect(page.get_by_role("heading", name="Your cart", level=1)).to_be_focused()
    expect(page.locator("#flash")).to_contain_text("Order #1001 is in your cart.")
    assert page.evaluate("window.__region === document.getElementById('flash')"), "the live region was replaced"
    assert page.title().startswith("Cart · ")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name=re.compile(r"^Cart"))).to_have_attribute("aria-current", "page")
    expect(nav.get_by_role("link", name="Upcoming Courses")).not_to_have_attribute("aria-current", "page")


CONTRAST = """([selector]) => {
  const luminance = (rgb) => {
    const [r, g, b] = rgb.match(/\\d+(\\.\\d+)?/g).slice(0, 3).map(Number).map((v) => {
      v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const el = document.querySelector(selector);
  let back = el.parentElement, bg = getComputedStyle(back).backgroundColor;
  while (bg === "rgba(0, 0, 0, 0)" && back.parentElement) { back = back.parentElement; bg = getComputedStyle(back).backgroundColor; }
  const ring = luminance(getComputedStyle(el).outlineColor), behind = luminance(bg);
  return (Math.max(ring, behind) + 0.05) / (Math.min(ring, behind) + 0.05);
}"""


def test_the_focus_ring_has_three_to_one_on_the_header_and_on_cards(new_context):
    page = Watched(new_context()).page
    sign_in(page, "parent@example.com")
    for selector in (".site-header .brand", "main .card a"):
        page.focus(selector)
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Tab")  # focus-visible comes with the keyboard
        assert page.evaluate(CONTRAST, [selector]) >= 3, selector


PAGES = {
    "parent@example.com": ["/home", "/schedule/", "/schedule/future-absences", "/billing/pay-balance", "/billing/cart",
                           "/register/", "/register/mine", "/account/", "/account/payments", "/account/students",
                           "/account/students/1", "/account/students/1/edit", "/account/households/1/students/new",
                           "/account/households/1/information", "/account/households/1/phone/new",
                           "/account/contacts/address/1", "/account/households/1/login-email/1",
                           "/account/students/2/enrollments?waitlist=1&past=1", "/account/students/1/attendance?past=1",
                           "/account/students/1/passes", "/account/students/1/qr", "/account/students/1/evaluations"],
    "instructor@example.com": ["/classes/"],
    "staff@example.com": ["/staff/", "/staff/pending/", "/staff/packages/", "/staff/billing/payments/new",
                          "/staff/billing/orders/new", "/staff/courses", "/staff/courses/1", "/staff/emails",
                          "/staff/locations", "/staff/locations/1", "/staff/divisions", "/staff/divisions/1",
                          "/staff/courses/new", "/staff/courses/1/edit", "/staff/courses/1/meetings",
                          "/staff/check-in/", "/staff/skills", "/staff/skills/1"],
}


def test_every_page_reflows_at_320_px(new_context):
    for email, paths in PAGES.items():
        page = new_context().new_page()
        page.set_viewport_size({"width": 320, "height": 640})
        sign_in(page, email)
        for path in paths:
            page.goto(path)
            # A phone zooms a page that is too wide out to fit (innerWidth grows): compare with the screen's 320 px.
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 320, f"{path} as {email} is {width} px wide on a 320 px screen"
