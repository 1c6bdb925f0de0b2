"""Issue 4, the family side: on Upcoming Courses a guardian reports, changes and clears an absence in the Absent?
cell itself, on a phone, with and without JavaScript; an instructor's reason is read-only text."""
import re

from playwright.sync_api import expect

from .conftest import assert_fits_phone, assert_no_axe_violations, check, sign_in
from .test_htmx_csp import Watched

HISTORY = re.compile(r"(\d+) absent, (\d+) present this term")
PATRON_REASONS = ["Sick", "Vacation", "Family emergency"]
INSTRUCTOR_REASONS = ["No show", "Excused by instructor"]


def check_without_javascript(page, mirror):
    """check() for a page whose context has JavaScript off.

    axe never finishes there (its timers do not fire with scripts off), so the page's exact HTML is served, at the
    same address, to `mirror`, a phone page with scripts on (and service workers blocked), and checked there."""
    assert_fits_phone(page)
    html, url = page.content(), page.url.split("#")[0]
    mirror.route(url, lambda route: route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html))
    try:
        mirror.goto(url)
    finally:
        mirror.unroute(url)
    assert mirror.locator("main").inner_text() == page.locator("main").inner_text(), "the copy differs from the page"
    assert_fits_phone(mirror)
    assert_no_axe_violations(mirror)


def open_upcoming_courses(page):
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Upcoming Courses").tap()
    expect(page).to_have_url(re.compile(r"/schedule/$"))
    expect(page.get_by_role("heading", name="Upcoming Courses", level=1)).to_be_visible()
    check(page)


def first_open_meeting(page, student, course):
    """The first listed meeting of `student` in `course` whose Absent? cell offers the ✕: (its cell, its day)."""
    row = (
        page.locator("#schedule tbody tr")
        .filter(has_text=f"{student} · {course}")
        .filter(has=page.locator("div.absent-cell a.absent-x"))
        .first
    )
    expect(row).to_be_visible()
    day = row.locator("td.when time").inner_text().strip()
    cell_id = row.locator("div.absent-cell").get_attribute("id")
    return page.locator(f"#{cell_id}"), day


def mark_other_cells(page, cell):
    """Tag every element of the page but the cell's own subtree; an htmx swap of the cell alone keeps the tags."""
    page.evaluate(
        """(id) => {
          window.__sameDocument = true;
          document.querySelectorAll("header, h1, #schedule tr, div.absent-cell").forEach((el) => {
            if (el.id !== id) el.__untouched = true;
          });
        }""",
        cell.get_attribute("id"),
    )


def assert_only_the_cell_changed(page):
    replaced = page.evaluate(
        """() => [...document.querySelectorAll("header, h1, #schedule tr, div.absent-cell")]
                 .filter((el) => el.__untouched !== true)
                 .map((el) => el.id || el.outerHTML.slice(0, 80))"""
    )
    assert page.evaluate("window.__sameDocument === true"), f"{page.url} reloaded instead of swapping the cell in place"
    # The row holding the cell is kept (only its cell was swapped); the cell itself is the one new element.
    assert len(replaced) == 1 and replaced[0].startswith("absent-"), (
        f"more than the Absent? cell changed on {page.url}: new elements {replaced}"
    )


def expect_reason_buttons(cell, student, course, day):
    """The reasons to pick from, in the cell: patron-usable only."""
    expect(cell.get_by_role("group", name=f"Why will {student} miss {course} on {day}?")).to_be_visible()
    for reason in PATRON_REASONS:
        expect(cell.get_by_role("button", name=reason, exact=True)).to_be_visible()
    for reason in INSTRUCTOR_REASONS:
        expect(cell.get_by_role("button", name=reason, exact=True)).to_have_count(0)


def report_absent_in_place(page, student, course, reason):
    """Tap the ✕ of the first open meeting, then the reason: all in place. Returns (cell, day)."""
    cell, day = first_open_meeting(page, student, course)
    x = cell.get_by_role("link", name=f"Report {student} absent on {day}", exact=True)
    expect(x).to_be_visible()
    expect(x).to_have_class(re.compile(r"\babsent-x\b"))
    mark_other_cells(page, cell)

    x.tap()
    expect_reason_buttons(cell, student, course, day)
    expect(page).to_have_url(re.compile(r"/schedule/$"))
    assert_only_the_cell_changed(page)
    check(page)

    mark_other_cells(page, cell)
    cell.get_by_role("button", name=reason, exact=True).tap()
    expect(cell.get_by_text(f"Absent: {reason}", exact=True)).to_be_visible()
    expect(cell.get_by_text(HISTORY)).to_be_visible()
    expect(page.locator("#flash")).to_contain_text(f"{student} is reported absent ({reason}) on {day}.")
    expect(page).to_have_url(re.compile(r"/schedule/$"))
    assert_only_the_cell_changed(page)
    check(page)
    return cell, day


def history_of(locator):
    absent, present = HISTORY.search(locator.inner_text()).groups()
    return int(absent), int(present)


def test_dana_reports_changes_and_clears_amys_absence_in_place(new_context):
    """Dana taps Amy's ✕, picks Sick, changes it to Vacation, then clears it: the cell changes in place each time."""
    watched = Watched(new_context())
    page = watched.page
    sign_in(page, "parent@example.com")
    open_upcoming_courses(page)

    # The instructor's "No show" on Amy's last past Ballet class is plain text, not something to tap.
    no_show = page.locator("#schedule tr.past div.absent-cell").filter(has_text="Absent: No show")
    expect(no_show).to_have_count(1)
    expect(no_show.locator("..").locator("..")).to_contain_text("Amy · Ballet I")
    expect(no_show.get_by_text("Absent: No show", exact=True)).to_be_visible()
    expect(no_show.get_by_role("link")).to_have_count(0)
    expect(no_show.get_by_role("button")).to_have_count(0)
    absent_before, present_before = history_of(no_show)

    cell, day = report_absent_in_place(page, "Amy", "Ballet I", "Sick")
    assert history_of(cell) == (absent_before + 1, present_before), (
        f"the history line should count the new absence: {cell.inner_text()!r} after {no_show.inner_text()!r}"
    )

    # Change it: the "Absent: Sick" chip opens the reasons again, Sick pressed.
    change = cell.get_by_role("link", name=re.compile(rf"^Absent: Sick\. Change or clear Amy's absence on {day}"))
    expect(change).to_be_visible()
    mark_other_cells(page, cell)
    change.tap()
    expect_reason_buttons(cell, "Amy", "Ballet I", day)
    expect(cell.get_by_role("button", name="Sick", exact=True)).to_have_attribute("aria-pressed", "true")
    expect(cell.get_by_role("button", name="Clear absence")).to_be_visible()
    assert_only_the_cell_changed(page)
    check(page)

    mark_other_cells(page, cell)
    cell.get_by_role("button", name="Vacation", exact=True).tap()
    expect(cell.get_by_text("Absent: Vacation", exact=True)).to_be_visible()
    expect(cell.get_by_text("Absent: Sick")).to_have_count(0)
    expect(page.locator("#flash")).to_contain_text(f"Amy is reported absent (Vacation) on {day}.")
    assert history_of(cell) == (absent_before + 1, present_before), "changing the reason is not a second absence"
    assert_only_the_cell_changed(page)
    check(page)

    # Clear it: the ✕ is back.
    mark_other_cells(page, cell)
    cell.get_by_role("link", name=re.compile(r"^Absent: Vacation\. Change or clear")).tap()
    expect(cell.get_by_role("button", name="Vacation", exact=True)).to_have_attribute("aria-pressed", "true")
    check(page)
    cell.get_by_role("button", name="Clear absence").tap()
    expect(cell.get_by_role("link", name=f"Report Amy absent on {day}", exact=True)).to_be_visible()
    expect(cell.get_by_text("Absent:")).to_have_count(0)
    expect(page.locator("#flash")).to_contain_text(f"Amy is expected on {day} again.")
    assert_only_the_cell_changed(page)
    check(page)

    # A fresh visit agrees with what the cell showed.
    page.reload()
    expect(cell.get_by_role("link", name=f"Report Amy absent on {day}", exact=True)).to_be_visible()
    watched.assert_clean()


def test_jo_without_payment_grants_reports_ben_absent_in_place(new_context):
    """Jo, a secondary guardian without payment or balance grants, still reports Ben absent for Pottery."""
    watched = Watched(new_context())
    page = watched.page
    sign_in(page, "nanny@example.com")
    open_upcoming_courses(page)

    cell, day = report_absent_in_place(page, "Ben", "Pottery for Kids", "Sick")
    expect(cell.get_by_role("link", name=re.compile(rf"^Absent: Sick\. Change or clear Ben's absence on {day}"))).to_be_visible()

    page.reload()
    expect(cell.get_by_text("Absent: Sick", exact=True)).to_be_visible()
    check(page)
    watched.assert_clean()


def test_dana_reports_an_absence_without_javascript(new_context):
    """With JavaScript off the ✕ is a link to a page of reasons; picking one goes back to Upcoming Courses."""
    page = new_context(java_script_enabled=False).new_page()
    mirror = new_context(service_workers="block").new_page()
    sign_in(page, "parent@example.com")
    page.goto("/schedule/")
    expect(page.get_by_role("heading", name="Upcoming Courses", level=1)).to_be_visible()
    check_without_javascript(page, mirror)

    cell, day = first_open_meeting(page, "Amy", "Ballet I")
    cell.get_by_role("link", name=f"Report Amy absent on {day}", exact=True).tap()
    expect(page).to_have_url(re.compile(r"/schedule/absence/\d+/\d+$"))
    expect(page.get_by_role("heading", name="Absent?", level=1)).to_be_visible()
    expect_reason_buttons(page.locator("main"), "Amy", "Ballet I", day)
    check_without_javascript(page, mirror)

    page.get_by_role("button", name="Sick", exact=True).tap()
    expect(page).to_have_url(re.compile(r"/schedule/#absent-\d+-\d+$"))
    expect(page.get_by_role("heading", name="Upcoming Courses", level=1)).to_be_visible()
    expect(page.get_by_text(f"Amy is reported absent (Sick) on {day}.")).to_be_visible()
    expect(cell.get_by_text("Absent: Sick", exact=True)).to_be_visible()
    expect(cell.get_by_text(HISTORY)).to_be_visible()
    check_without_javascript(page, mirror)
