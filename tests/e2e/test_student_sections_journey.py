"""Your Student(s) on a phone: Dana shows and hides Ben's waitlist and cancels it, opens Amy's attendance and QR
code; Sam checks Amy in by her code at the class happening now."""
import datetime
import re
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from webapp.models import Attendance, CheckInCode, Course, Meeting, Student

from .conftest import PHONE, check, main_nav, sign_in


def _students_page(page):
    sign_in(page, "parent@example.com")
    main_nav(page, "My Account")
    page.get_by_role("link", name="Your Student(s)").first.tap()
    expect(page.get_by_role("heading", name="Your Student(s)", level=1)).to_be_visible()


def test_dana_shows_and_hides_bens_waitlist_and_cancels_it(page):
    _students_page(page)
    page.get_by_role("navigation", name="Ben's sections").get_by_role("link", name="Enrollments").tap()
    expect(page.get_by_role("heading", name="Ben's enrollments", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Pottery for Kids")).to_be_visible()  # not the Drop link naming it
    waitlist = page.locator("#waitlist")
    waitlist.get_by_role("link", name="Show Waitlist Enrollments").tap()
    expect(waitlist.get_by_text("number 1 on the waitlist")).to_be_visible()
    expect(page).to_have_url(re.compile(r"waitlist=1"))
    check(page)
    waitlist.get_by_role("link", name="Hide Waitlist Enrollments").tap()
    expect(waitlist.get_by_text("Jazz II")).to_have_count(0)
    waitlist.get_by_role("link", name="Show Waitlist Enrollments").tap()
    waitlist.get_by_role("button", name="Cancel Waitlist for Jazz II").tap()
    expect(page.locator("#flash")).to_contain_text("Ben is off the Jazz II waitlist.")
    expect(waitlist.get_by_text("Ben is on no waitlist.")).to_be_visible()
    check(page)
    page.get_by_role("navigation", name="Ben's sections").get_by_role("link", name="Passes").tap()
    expect(page.get_by_role("heading", name="Ben's passes", level=1)).to_be_visible()
    check(page)


def test_dana_opens_amys_attendance_and_qr_code_and_sam_checks_her_in(page, browser, live_server):
    _students_page(page)
    amy_nav = page.get_by_role("navigation", name="Amy's sections")
    amy_nav.get_by_role("link", name="Attendance").tap()
    expect(page.get_by_role("heading", name="Amy's attendance", level=1)).to_be_visible()
    expect(page.get_by_text("Absent: No show")).to_be_visible()
    page.get_by_role("link", name="Show Past Enrollments").tap()
    expect(page.get_by_role("heading", name="Creative Movement")).to_be_visible()
    check(page)
    page.get_by_role("navigation", name="Amy's sections").get_by_role("link", name="QR Codes").tap()
    expect(page.get_by_role("heading", name="Amy's QR code", level=1)).to_be_visible()
    expect(page.locator(".qr-code svg")).to_be_visible()
    code = page.locator(".check-in-code").inner_text()
    assert code == CheckInCode.get(CheckInCode.student == Student.get(first_name="Amy")).code
    check(page)

    now = datetime.datetime.now(ZoneInfo("America/New_York")).replace(tzinfo=None, microsecond=0)
    meeting = Meeting.create(course=Course.get(name="Ballet I"), starts_at=now - datetime.timedelta(minutes=5),
                             ends_at=now + datetime.timedelta(minutes=55))
    sam = browser.new_context(**PHONE, base_url=live_server.url).new_page()
    sign_in(sam, "staff@example.com")
    sam.goto("/staff/check-in/")
    sam.get_by_label("Check-in code").fill("not a code")
    sam.get_by_role("button", name="Check in").tap()
    expect(sam.locator("#code-error")).to_contain_text("No student has this code")
    check(sam)
    sam.get_by_label("Check-in code").fill(code.lower())
    sam.get_by_role("button", name="Check in").tap()
    expect(sam.locator("#flash")).to_contain_text("Amy Smith is checked in: present at Ballet I.")
    record = Attendance.get((Attendance.meeting == meeting) & (Attendance.student == Student.get(first_name="Amy")))
    assert record.status == Attendance.PRESENT
    check(sam)
    sam.context.close()


def test_with_javascript_off_the_waitlist_toggles_and_cancels_and_passes_show(browser, live_server):
    page = browser.new_context(**PHONE, base_url=live_server.url, java_script_enabled=False).new_page()
    _students_page(page)
    page.get_by_role("navigation", name="Ben's sections").get_by_role("link", name="Enrollments").tap()
    page.get_by_role("link", name="Show Waitlist Enrollments").tap()
    page.get_by_role("button", name="Cancel Waitlist for Jazz II").tap()
    expect(page).to_have_url(re.compile(r"/enrollments\?waitlist=1$"))
    expect(page.get_by_text("Ben is on no waitlist.")).to_be_visible()
    page.get_by_role("navigation", name="Ben's sections").get_by_role("link", name="Passes").tap()
    expect(page.get_by_role("heading", name="Ben's passes", level=1)).to_be_visible()
    page.goto(page.url.replace("/2/passes", "/1/passes"))
    expect(page.get_by_text("3 used, 7 remaining")).to_be_visible()
    page.context.close()
