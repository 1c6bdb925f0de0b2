"""Makeups by request on a phone: Dana requests a makeup for Amy, Sam approves it from Staff home, and Dana sees it
under Past Makeups as approved."""
import re

from playwright.sync_api import expect

from test_makeups import thursday_ballet
from webapp.models import Company, MakeupRequest

from .conftest import check, main_nav, sign_in, sign_out


def test_dana_requests_a_makeup_sam_approves_it_dana_sees_it_approved(page):
    Company.update(makeup_tokens=False, makeup_requests=True).execute()
    meeting = thursday_ballet(1)
    when = f"{meeting.starts_at:%a} {meeting.starts_at.day} {meeting.starts_at:%b}"
    sign_in(page, "parent@example.com")
    main_nav(page, "My Account")
    page.get_by_role("link", name="Your Student(s)").first.tap()
    page.get_by_role("navigation", name="Amy's sections").get_by_role("link", name="Makeups").tap()
    expect(page.get_by_role("heading", name="Request a Makeup")).to_be_visible()
    expect(page.get_by_text("No makeups requested yet.")).to_be_visible()
    check(page)
    page.get_by_role("link", name="Request a Makeup for Amy").tap()
    page.get_by_label(re.compile(rf"Ballet I \(Thursdays\) \(Downtown\), {when}")).check()
    page.get_by_label("Note for the school (optional)").fill("Amy missed her Tuesday class.")
    page.get_by_role("button", name="Request the makeup").tap()
    expect(page.locator("#flash")).to_contain_text("A makeup for Amy at Ballet I (Thursdays)")
    past = page.locator("section", has=page.get_by_role("heading", name="Past Makeups"))
    expect(past).to_contain_text("Requested")
    check(page)
    sign_out(page)

    sign_in(page, "staff@example.com")
    page.goto("/staff/")
    page.get_by_role("link", name="Makeup requests").tap()
    expect(page.get_by_text("Amy missed her Tuesday class.")).to_be_visible()
    check(page)
    page.get_by_role("button", name="Approve Amy Smith's makeup").tap()
    expect(page.locator("#flash")).to_contain_text("is approved; the family is emailed.")
    expect(page.get_by_text("No makeup requests are waiting.")).to_be_visible()
    check(page)
    assert MakeupRequest.get().status == MakeupRequest.APPROVED
    sign_out(page)

    sign_in(page, "parent@example.com")
    main_nav(page, "My Account")
    page.get_by_role("link", name="Your Student(s)").first.tap()
    page.get_by_role("navigation", name="Amy's sections").get_by_role("link", name="Makeups").tap()
    past = page.locator("section", has=page.get_by_role("heading", name="Past Makeups"))
    expect(past).to_contain_text(re.compile(rf"Ballet I \(Thursdays\), {when}"))
    expect(past).to_contain_text("Approved")
    check(page)
