"""Drop Enrollment on a phone: Dana opens Ben's enrollments, sees what dropping Pottery for Kids voids, drops it and
sees it gone, with the ledger moved by the $180.00 order #1002 owed; or transfers him to Ballet I for $60.00 more."""
from playwright.sync_api import expect

from .conftest import check, main_nav, sign_in


def test_dana_drops_bens_pottery_and_sees_what_is_voided(page, app):
    from webapp.extensions import db
    from webapp.models import LedgerEntry, Order

    sign_in(page, "parent@example.com")
    main_nav(page, "My Account")
    page.get_by_role("link", name="Your Student(s)").first.tap()
    page.get_by_role("navigation", name="Ben's sections").get_by_role("link", name="Enrollments").tap()
    expect(page.get_by_role("heading", name="Ben's enrollments", level=1)).to_be_visible()
    page.get_by_role("link", name="Drop Enrollment from Pottery for Kids").tap()
    expect(page.get_by_role("heading", name="Drop Ben from Pottery for Kids?")).to_be_visible()
    expect(page.get_by_text("$180.00 still owed on order #1002")).to_be_visible()
    check(page)
    page.get_by_role("button", name="Drop Enrollment").tap()
    expect(page.locator("#flash")).to_contain_text("Ben is dropped from Pottery for Kids; $180.00 of order #1002 is voided.")
    expect(page.get_by_role("heading", name="Ben's enrollments", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="Drop Enrollment from Pottery for Kids")).to_have_count(0)
    check(page)
    with app.app_context(), db.connection_context():
        owed = sum(e.amount_cents for e in LedgerEntry.select().join(Order).where(Order.number == 1002))
    assert owed == 0


def test_dana_transfers_ben_from_pottery_to_ballet_and_sees_the_difference(page, app):
    from webapp.extensions import db
    from webapp.models import Company

    with app.app_context(), db.connection_context():
        Company.update(allow_transfer=True).execute()
    sign_in(page, "parent@example.com")
    main_nav(page, "My Account")
    page.get_by_role("link", name="Your Student(s)").first.tap()
    page.get_by_role("navigation", name="Ben's sections").get_by_role("link", name="Enrollments").tap()
    page.get_by_role("link", name="Transfer Enrollment from Pottery for Kids").tap()
    expect(page.get_by_role("heading", name="Move Ben from Pottery for Kids ($180.00) to")).to_be_visible()
    page.get_by_role("button", name="Transfer Enrollment").tap()
    expect(page.get_by_text("Choose the course to transfer to.")).to_be_visible()
    check(page)
    page.get_by_label("Ballet I, Downtown: $240.00, $60.00 more, charged on a new order", exact=False).first.check()
    page.get_by_role("button", name="Transfer Enrollment").tap()
    expect(page.locator("#flash")).to_contain_text("Ben is moved from Pottery for Kids to Ballet I; $60.00 is charged.")
    expect(page.get_by_role("link", name="Transfer Enrollment from Ballet I")).to_be_visible()
    check(page)
