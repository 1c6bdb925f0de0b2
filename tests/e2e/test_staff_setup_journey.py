"""Sam sets a term up in the browser: a location, a division, the course "Hip Hop I" on Thursdays at 5:00 PM with a
holiday skipped; previews its classes, generates them, and finds the course on the course list."""
import datetime

from playwright.sync_api import expect

from conftest import school_today
from webapp.models import Course, Division, Location, Meeting

from .conftest import check, sign_in


def test_sam_sets_up_a_location_a_division_and_hip_hop_i_with_its_classes(new_context):
    today = school_today()
    first = today + datetime.timedelta(days=7 + (3 - today.weekday()) % 7)  # a Thursday at least a week ahead
    last, holiday = first + datetime.timedelta(weeks=7), first + datetime.timedelta(weeks=2)
    sam = new_context().new_page()
    sign_in(sam, "staff@example.com")
    sam.goto("/staff/")
    sam.get_by_role("link", name="Locations", exact=True).tap()
    expect(sam.get_by_role("heading", name="Locations", level=1)).to_be_visible()
    check(sam)
    sam.get_by_label("Name").fill("Eastside")
    sam.get_by_label("Address").fill("3 Mill Road")
    sam.get_by_role("button", name="Add location").tap()
    expect(sam.locator("#listing")).to_contain_text("3 Mill Road")
    check(sam)

    sam.goto("/staff/divisions")
    sam.get_by_label("Name").fill("Beta Corp")
    sam.get_by_label("Subject to Pending Payment").check()
    sam.get_by_role("button", name="Add division").tap()
    expect(sam.locator("#listing")).to_contain_text("Beta Corp")
    assert Division.get(Division.name == "Beta Corp").subject_to_pending_payment

    sam.goto("/staff/courses")
    sam.get_by_role("link", name="New course").tap()
    expect(sam.get_by_role("heading", name="New course", level=1)).to_be_visible()
    check(sam)
    sam.get_by_label("Name").fill("Hip Hop I")
    sam.get_by_label("Location", exact=True).select_option(label="Eastside")
    sam.get_by_label("Instructor").select_option(label="Pat Lee")
    sam.get_by_label("Capacity (seats)").fill("10")
    sam.get_by_label("Price").fill("160 dollars")
    sam.get_by_label("First day").fill(first.isoformat())
    sam.get_by_label("Last day").fill(last.isoformat())
    sam.get_by_label("Thursday").check()
    sam.get_by_label("Starts at").fill("17:00")
    sam.get_by_label("Length (minutes)").fill("60")
    sam.get_by_role("button", name="Create course").tap()
    expect(sam.get_by_text("Enter an amount in dollars, such as 45.00.")).to_be_visible()
    check(sam)
    assert not Course.select().where(Course.name == "Hip Hop I").exists()
    sam.get_by_label("Price").fill("160")
    sam.get_by_role("button", name="Create course").tap()
    expect(sam.get_by_role("heading", name="Hip Hop I", level=1)).to_be_visible()

    sam.get_by_role("link", name="Generate classes").tap()
    sam.get_by_label("Skip dates (holidays)").fill(holiday.isoformat())
    sam.get_by_role("button", name="Preview").tap()
    expect(sam.locator("#plan")).to_contain_text("7 classes to add · 0 already there · 0 to remove")
    check(sam)
    assert Meeting.select().join(Course).where(Course.name == "Hip Hop I").count() == 0
    sam.get_by_role("button", name="Generate these classes").tap()
    expect(sam.locator("#flash")).to_contain_text("7 classes added, 0 removed, 0 already there.")
    days = [m.starts_at.date() for m in Meeting.select().join(Course).where(Course.name == "Hip Hop I")]
    assert len(days) == 7 and holiday not in days

    sam.get_by_role("link", name="Courses", exact=True).first.tap()
    row = sam.get_by_role("row").filter(has_text="Hip Hop I")
    expect(row).to_contain_text("Eastside")
    expect(row).to_contain_text("Pat Lee")
    assert Location.get(Location.name == "Eastside").address == "3 Mill Road"
