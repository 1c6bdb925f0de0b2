"""Makeups on a phone: Dana uses Amy's Downtown token for a Ballet I makeup next week, sees it Pending, cancels it
and sees the token Available again."""
import datetime
import re
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from webapp.models import Course, MakeupToken, Meeting, Student

from .conftest import check, main_nav, sign_in


def _next_week_ballet():
    """The Ballet I (Thursdays) meeting a week or so from now."""
    now = datetime.datetime.now(ZoneInfo("America/New_York")).replace(tzinfo=None)
    return (Meeting.select().join(Course).where((Course.name == "Ballet I (Thursdays)")
                                                & (Meeting.starts_at > now + datetime.timedelta(days=6)))
            .order_by(Meeting.starts_at).first())


def test_dana_books_and_cancels_a_makeup_with_amys_downtown_token(page):
    meeting = _next_week_ballet()
    when = f"{meeting.starts_at:%a} {meeting.starts_at.day} {meeting.starts_at:%b}"
    sign_in(page, "parent@example.com")
    main_nav(page, "My Account")
    page.get_by_role("link", name="Your Student(s)").first.tap()
    page.get_by_role("navigation", name="Amy's sections").get_by_role("link", name="Makeups").tap()
    expect(page.get_by_role("heading", name="Amy's makeups", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Current Location Tokens (Downtown)")).to_be_visible()
    check(page)
    page.get_by_role("link", name=re.compile(r"^Use a token earned for Ballet I")).tap()
    expect(page.get_by_role("heading", name="Choose a makeup class at Downtown")).to_be_visible()
    check(page)
    page.get_by_label(re.compile(rf"Ballet I \(Thursdays\), {when}")).check()
    page.get_by_role("button", name="Book the makeup").tap()
    expect(page.locator("#flash")).to_contain_text("Amy is booked for a makeup: Ballet I (Thursdays)")
    pending = page.locator("section", has=page.get_by_role("heading", name="Pending Makeup Tokens"))
    expect(pending.get_by_text(re.compile(rf"Ballet I \(Thursdays\), {when}"))).to_be_visible()
    expect(page.get_by_text("No tokens to use at Downtown.")).to_be_visible()
    check(page)
    token = MakeupToken.get((MakeupToken.student == Student.get(first_name="Amy")) & MakeupToken.used_for.is_null(False)
                            & (MakeupToken.status == MakeupToken.PENDING))
    assert token.used_for_id == meeting.id
    pending.get_by_role("button", name=re.compile(r"^Cancel makeup")).tap()
    expect(page.locator("#flash")).to_contain_text("Amy's token is available again.")
    here = page.locator("section", has=page.get_by_role("heading", name="Current Location Tokens (Downtown)"))
    expect(here.get_by_role("link", name=re.compile(r"^Use a token"))).to_be_visible()
    expect(pending.get_by_text("No tokens are applied to a makeup class to come.")).to_be_visible()
    check(page)
    assert MakeupToken.get_by_id(token.id).status == MakeupToken.AVAILABLE
