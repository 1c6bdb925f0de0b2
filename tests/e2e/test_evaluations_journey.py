"""Evaluated skills on a phone: Pat taps a skill for Amy on the Ballet I roster (the skill updates in place, the
focus stays on the tapped button), and Dana opens Amy's evaluations and sees it. Also with JavaScript off."""
import re

from playwright.sync_api import expect

from .conftest import PHONE, check, main_nav, sign_in
from .test_roster_journey import class_time_now


def _amys_skills(page, meeting_id):
    page.goto(f"/classes/meetings/{meeting_id}")
    amy = page.locator("li.roster-row").filter(has=page.get_by_role("heading", name="Amy Smith", level=2))
    amy.locator("summary").tap()
    return amy.locator("div[id^=skill-]").filter(has=page.locator("legend, h3", has_text="Pirouette"))


def test_pat_taps_a_skill_for_amy_and_dana_sees_it(page, browser, live_server):
    meeting_id = class_time_now()
    sign_in(page, "instructor@example.com")
    pirouette = _amys_skills(page, meeting_id)
    state = pirouette.locator("p.skill-state")
    expect(state).to_contain_text("Not started")
    tapped = pirouette.get_by_role("button", name="Pirouette for Amy Smith: In progress")
    expect(tapped).to_have_attribute("aria-pressed", "false")
    check(page)
    pirouette.get_by_label("Comment on Pirouette for Amy Smith (optional)").fill("Spotting well")
    tapped.tap()
    expect(page.locator("#flash")).to_contain_text("Amy Smith: Pirouette in progress.")
    expect(state).to_contain_text("In progress")
    expect(state).to_contain_text("Pat Lee · “Spotting well”")
    expect(tapped).to_have_attribute("aria-pressed", "true")
    expect(tapped).to_be_focused()
    beside = pirouette.locator("xpath=following-sibling::p[contains(@class, 'widget-status')]")
    expect(beside).to_have_text("Amy Smith: Pirouette in progress.")  # the result, next to the tapped control
    expect(page).to_have_url(re.compile(rf"/classes/meetings/{meeting_id}$"))
    check(page)

    dana = browser.new_context(**PHONE, base_url=live_server.url).new_page()
    sign_in(dana, "parent@example.com")
    main_nav(dana, "My Account")
    dana.get_by_role("link", name="Your Student(s)").first.tap()
    dana.get_by_role("navigation", name="Amy's sections").get_by_role("link", name="Evaluations").tap()
    expect(dana.get_by_role("heading", name="Amy's evaluations", level=1)).to_be_visible()
    row = dana.get_by_role("row").filter(has=dana.get_by_role("rowheader", name="Pirouette"))
    expect(row).to_contain_text("In progress")
    expect(row).to_contain_text("Pat Lee")
    expect(row).to_contain_text("Spotting well")
    expect(dana.get_by_role("row").filter(has=dana.get_by_role("rowheader", name="Plié"))).to_contain_text("Mastered")
    check(dana)
    dana.context.close()


def test_with_javascript_off_pat_taps_a_skill_and_the_roster_comes_back_with_it(browser, live_server):
    meeting_id = class_time_now()
    page = browser.new_context(**PHONE, base_url=live_server.url, java_script_enabled=False).new_page()
    sign_in(page, "instructor@example.com")
    pirouette = _amys_skills(page, meeting_id)
    pirouette.get_by_role("button", name="Pirouette for Amy Smith: Mastered").tap()
    expect(page).to_have_url(re.compile(rf"/classes/meetings/{meeting_id}\?skills=\d+#skill-\d+-\d+$"))
    expect(page.locator("#flash")).to_contain_text("Amy Smith: Pirouette mastered.")
    expect(pirouette.locator("p.skill-state")).to_be_visible()
    expect(pirouette.locator("p.skill-state")).to_contain_text("Mastered")
    page.context.close()


def test_sam_adds_a_skill_to_ballet_i_and_pat_finds_it_on_the_roster_at_320_px(page, browser, live_server):
    sign_in(page, "staff@example.com")
    page.goto("/staff/")
    page.get_by_role("link", name="Evaluated skills").tap()
    expect(page.get_by_role("heading", name="Evaluated skills", level=1)).to_be_visible()
    check(page)
    page.get_by_role("button", name="Add skill").tap()  # nothing filled in
    expect(page.locator("#name-error")).to_have_text("Enter the skill's name.")
    check(page)
    page.get_by_label("Course level").select_option("Ballet I")
    page.get_by_label("Skill", exact=True).fill("Arabesque")
    page.get_by_label("Order").fill("3")
    page.get_by_role("button", name="Add skill").tap()
    expect(page.locator("#flash")).to_contain_text("Added “Arabesque” to Ballet I.")
    expect(page.get_by_role("rowheader", name="Arabesque")).to_be_visible()
    check(page)

    meeting_id = class_time_now()
    pat = browser.new_context(**PHONE, base_url=live_server.url).new_page()
    pat.set_viewport_size({"width": 320, "height": 640})
    sign_in(pat, "instructor@example.com")
    arabesque = _amys_skills(pat, meeting_id).page.locator("div[id^=skill-]").filter(
        has=pat.locator("legend", has_text="Arabesque"))
    expect(arabesque.locator("p.skill-state")).to_have_text("Not evaluated yet")
    assert pat.evaluate("document.documentElement.scrollWidth") <= 320
    check(pat)
    pat.context.close()
