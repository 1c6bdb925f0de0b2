"""Transaction History on a phone: Dana switches All, Charges, Payments and Refunds, opens the Downtown statement
and downloads it; the PDF says what #1001 still owes."""
import io
import re

import pypdf
from playwright.sync_api import expect

from .conftest import PHONE, check, main_nav, sign_in


def test_dana_reads_her_history_and_downloads_the_downtown_statement(page):
    sign_in(page, "parent@example.com")
    main_nav(page, "My Account")
    page.get_by_role("link", name="Transaction History").tap()
    expect(page.get_by_role("heading", name="Transaction History", level=1)).to_be_visible()
    table = page.locator("table.stack")
    expect(table).to_contain_text("Ballet I tuition")
    check(page)
    tabs = page.get_by_role("navigation", name="Transaction types")
    for tab, shown, hidden in [("Charges", "Pottery for Kids", "Card payment"),
                               ("Payments", "Card payment", "Pottery for Kids"),
                               ("Refunds", "Refund: returned sketchbook set", "Card payment")]:
        tabs.get_by_role("link", name=tab, exact=True).tap()
        expect(tabs.get_by_role("link", name=tab, exact=True)).to_have_attribute("aria-current", "page")
        expect(table).to_contain_text(shown)
        expect(table).not_to_contain_text(hidden)
        expect(page).to_have_url(re.compile(f"tab={tab.lower()}"))
        check(page)

    page.get_by_label("Location").select_option(label="Downtown")
    page.get_by_role("button", name="Generate Statement for This Location").tap()
    expect(page.get_by_role("heading", name="Statement for Downtown", level=1)).to_be_visible()
    expect(page.get_by_role("row", name=re.compile(r"#1001"))).to_contain_text("$140.00")
    check(page)
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("Download PDF")).tap()
    pdf = pypdf.PdfReader(io.BytesIO(open(download.value.path(), "rb").read()))
    text = re.sub(r"\s+", "", "".join(p.extract_text() for p in pdf.pages))
    assert "#1001AmySmith" in text and "$240.00$100.00$140.00" in text and "Totaldue$175.00" in text


def test_history_and_every_report_fit_320_px_and_pass_axe(page):
    page.set_viewport_size({"width": 320, "height": PHONE["viewport"]["height"]})
    sign_in(page, "parent@example.com")
    for path, heading in [("/account/history", "Transaction History"),
                          ("/account/history/statement?location=1", "Statement for"),
                          ("/account/history/ledger?location=1", "Ledger for"),
                          ("/account/history/paid", "Amounts paid in")]:
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
        assert page.evaluate("document.documentElement.scrollWidth") <= 320, path
        check(page)
