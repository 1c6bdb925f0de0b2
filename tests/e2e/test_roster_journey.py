"""Issue 4, the instructor side: at the side of the studio Pat opens a roster on a phone, marks a student with one
tap per change (the row updates in place), and submits the roster."""
import datetime
import re
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from webapp.models import Company, Course, Meeting

from .conftest import check, sign_in
from .test_htmx_csp import Watched


def class_time_now():
    """Ballet I's next meeting started a few minutes ago: Pat is at the side of the studio."""
    local = datetime.datetime.now(ZoneInfo(Company.current().timezone)).replace(tzinfo=None, microsecond=0)
    starts = max(local - datetime.timedelta(minutes=5), local.replace(hour=0, minute=0, second=0))
    ballet = Meeting.select().join(Course).where((Course.name == "Ballet I") & (Meeting.starts_at > local))
    meeting = ballet.order_by(Meeting.starts_at).first()
    Meeting.update(starts_at=starts, ends_at=starts + datetime.timedelta(hours=1)).where(Meeting.id == meeting.id).execute()
    return meeting.id


def test_pat_marks_amy_and_submits_the_ballet_roster(new_context):
    """My classes → Roster of Ballet I → Amy Present → Amy absent, Excused by instructor → Submit roster."""
    meeting_id = class_time_now()
    watched = Watched(new_context())
    page = watched.page
    sign_in(page, "instructor@example.com")
    expect(page).to_have_url(re.compile(r"/classes/$"))
    expect(page.get_by_role("heading", name="My classes", level=1)).to_be_visible()
    check(page)

    page.get_by_role("region", name="Today").locator(f'a[href="/classes/meetings/{meeting_id}"]').tap()
    expect(page).to_have_url(re.compile(r"/classes/meetings/\d+$"))
    expect(page.get_by_role("heading", name="Ballet I", level=1)).to_be_visible()
    roster_url = page.url
    amy = page.locator("li.roster-row").filter(has=page.get_by_role("heading", name="Amy Smith", level=2))
    expect(amy).to_have_count(1)
    state = amy.locator("p.state")
    present = amy.get_by_role("button", name="Mark Amy Smith Present", exact=True)
    excused = amy.get_by_role("button", name="Mark Amy Smith absent: Excused by instructor", exact=True)
    expect(state).to_have_text("Not marked")
    expect(present).to_have_attribute("aria-pressed", "false")
    expect(excused).to_have_attribute("aria-pressed", "false")
    check(page)

    # One tap: Present. Only Amy's row is swapped; the page stays.
    watched.mark_document()
    page.evaluate("document.querySelector('h1').__kept = true")
    present.tap()
    expect(state).to_have_text("Present")
    expect(present).to_have_attribute("aria-pressed", "true")
    expect(excused).to_have_attribute("aria-pressed", "false")
    expect(page.locator("#flash")).to_contain_text("Amy Smith: Present.")
    assert page.url == roster_url
    watched.assert_same_document()
    assert page.evaluate("document.querySelector('h1').__kept === true"), "more than Amy's row was replaced"
    check(page)

    # One tap: absent, with the instructor-only reason.
    excused.tap()
    expect(state).to_have_text("Absent: Excused by instructor")
    expect(excused).to_have_attribute("aria-pressed", "true")
    expect(present).to_have_attribute("aria-pressed", "false")
    expect(page.locator("#flash")).to_contain_text("Amy Smith: Excused by instructor.")
    watched.assert_same_document()
    check(page)

    page.get_by_role("button", name="Submit roster").tap()
    expect(page.get_by_text(re.compile(r"Roster submitted by Pat Lee at "))).to_be_visible()
    expect(page.get_by_text("Only the office can change it now.", exact=False)).to_be_visible()
    expect(page.get_by_role("button", name="Submit roster")).to_have_count(0)
    expect(amy.get_by_role("button")).to_have_count(0)
    expect(state).to_have_text("Absent: Excused by instructor")
    watched.assert_same_document()
    check(page)

    # Coming back later, the roster is still submitted and Amy still excused.
    page.reload()
    expect(page.get_by_text(re.compile(r"Roster submitted by Pat Lee at "))).to_be_visible()
    expect(state).to_have_text("Absent: Excused by instructor")
    page.get_by_role("link", name="My classes").first.tap()
    expect(page.get_by_text("roster submitted").first).to_be_visible()
    check(page)
    watched.assert_clean()
