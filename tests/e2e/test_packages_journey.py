"""Issue 7: a guardian watches a prepaid package run down on Home; staff invoice an hour of it and mark the invoice
paid, and only then does the family's widget count the hour as used."""
import re

from playwright.sync_api import expect

from .conftest import check, sign_in
from .test_htmx_csp import Watched


def hours_row(scope, name):
    return scope.locator("table.allowance-table tbody tr").filter(has=scope.page.get_by_role("rowheader", name=name))


def test_package_hours_go_down_when_the_invoice_is_paid(new_context):
    # Dana on Home: Ben's package widget, collapsed, expands and collapses in place.
    dana_watch = Watched(new_context())
    dana = dana_watch.page
    sign_in(dana, "parent@example.com")
    expect(dana.get_by_role("heading", name="Hello, Dana", level=1)).to_be_visible()
    widget = dana.locator("section#package-1")
    toggle = widget.locator("#package-1-toggle")
    expect(toggle).to_contain_text("Private Lesson Pack")
    expect(toggle).to_contain_text("Ben")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(widget.get_by_text("6 h left of 10 h Private instruction", exact=True)).to_be_visible()
    check(dana)

    dana_watch.mark_document()
    toggle.tap()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(toggle).to_contain_text("Hide details")
    private = hours_row(widget, "Private instruction")
    expect(private.get_by_role("cell").first).to_have_text("6 of 10 h")
    expect(hours_row(widget, "Studio rental").get_by_role("cell").first).to_have_text("2 of 2 h")
    expect(dana).to_have_url(re.compile(r"/home$"))
    dana_watch.assert_same_document()
    check(dana)

    toggle.tap()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(widget.locator("table")).to_have_count(0)
    expect(widget.get_by_text("6 h left of 10 h Private instruction", exact=True)).to_be_visible()
    dana_watch.assert_same_document()
    check(dana)

    # Sam, staff: Billing → Smith household → Actions → View Balances → History → back.
    sam_watch = Watched(new_context())
    sam = sam_watch.page
    sign_in(sam, "staff@example.com")
    sam.get_by_role("navigation", name="Main").get_by_role("link", name="Billing").tap()
    expect(sam).to_have_url(re.compile(r"/staff/packages/$"))
    expect(sam.get_by_role("heading", name="Packages", level=1)).to_be_visible()
    check(sam)

    smith = sam.get_by_role("row").filter(has=sam.get_by_role("rowheader", name="Smith household", exact=True))
    expect(smith).to_contain_text("Private Lesson Pack")
    view_balances = smith.get_by_role("link", name="View Balances")
    expect(view_balances).to_be_hidden()
    smith.locator("details.actions-menu summary").filter(has_text="Actions").tap()
    expect(view_balances).to_be_visible()
    check(sam)
    view_balances.tap()
    expect(sam).to_have_url(re.compile(r"/staff/packages/\d+$"))
    balances_url = sam.url
    expect(sam.get_by_role("heading", name="Private Lesson Pack", level=1)).to_be_visible()
    expect(hours_row(sam.locator("#balances"), "Private instruction")).to_contain_text("6 of 10 h")
    check(sam)

    sam.get_by_role("link", name="History", exact=True).tap()
    expect(sam).to_have_url(re.compile(r"/staff/packages/\d+/history$"))
    expect(sam.get_by_role("heading", name="History", level=1)).to_be_visible()
    oldest = sam.locator("table.history-table tbody tr").last
    expect(oldest).to_contain_text("Package sold")
    expect(oldest).to_contain_text("$500.00")
    check(sam)

    sam.get_by_role("link", name="View Balances").tap()
    expect(sam).to_have_url(balances_url)
    expect(sam.get_by_role("heading", name="Private Lesson Pack", level=1)).to_be_visible()

    # Invoice one hour of Private instruction: nothing is used until the invoice is paid.
    sam.locator("#invoice-allotment").select_option(label="Private instruction")
    expect(sam.get_by_label("Hour type or item")).to_have_value(sam.locator("#invoice-allotment").input_value())
    sam.locator("#invoice-quantity").fill("1")
    expect(sam.get_by_label("Quantity")).to_have_value("1")
    sam_watch.mark_document()
    sam.get_by_role("button", name="Create invoice").tap()
    flash = sam.locator("#flash")
    expect(flash).to_contain_text(re.compile(r"Invoice #\d+ for .*Private instruction.* is waiting to be paid\."))
    number = re.search(r"Invoice #(\d+)", flash.inner_text()).group(1)
    invoice = sam.locator(f"#invoice-{number}")
    expect(invoice).to_contain_text("1 h Private instruction")
    expect(invoice).to_contain_text("$45.00")
    expect(invoice).to_contain_text("Unpaid")
    expect(hours_row(sam.locator("#balances"), "Private instruction")).to_contain_text("6 of 10 h")
    sam_watch.assert_same_document()
    check(sam)

    invoice.get_by_role("button", name=f"Mark paid invoice #{number}").tap()
    expect(flash).to_contain_text(f"Invoice #{number} paid.")
    expect(invoice).to_contain_text("Paid")
    expect(hours_row(sam.locator("#balances"), "Private instruction")).to_contain_text("5 of 10 h")
    sam_watch.assert_same_document()
    check(sam)
    sam_watch.assert_clean()

    # Dana looks again: the widget counts the paid hour.
    dana.reload()
    expect(widget.get_by_text("5 h left of 10 h Private instruction", exact=True)).to_be_visible()
    check(dana)
    dana_watch.assert_clean()
