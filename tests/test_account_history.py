"""Transaction History, the statement and ledger of a location and the statement of amounts paid: who sees them,
what they add up to, and that the PDF says what the page says."""
import datetime
import io
import re

import pypdf
import pytest

from conftest import page_text, school_today
from webapp.account.ledger_reports import company_today
from webapp.models import Account, Company, LedgerEntry, Location, Order, Student

HX = {"HX-Request": "true"}


def smith():
    return Account.get(Account.name == "Smith household")


def forest():
    return Account.get(Account.name == "Forest household")


def place(name):
    return Location.get(Location.name == name)


def pdf_text(response):
    """The PDF's text without whitespace: pypdf splits or joins words where the glyphs' spacing leaves it unsure."""
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/pdf"
    return squash("".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(response.data)).pages))


def squash(text):
    return re.sub(r"\s+", "", text)


def karie_pays_for_amys_field_trip(cents=2000, days_ago=3):
    """Karie (Forest) sends a check for part of Amy's field trip, which the Smiths are billed for."""
    trip = Order.get(Order.number == 1003)
    amy = Student.get(Student.first_name == "Amy")
    LedgerEntry.create(account=smith(), kind=LedgerEntry.PAYMENT, amount_cents=-cents, order=trip, student=amy,
                       location=place("Downtown"), payer_account=forest(), memo="Check from Karie Forest",
                       created_at=datetime.datetime.utcnow() - datetime.timedelta(days=days_ago))


@pytest.mark.parametrize("headers", [{}, HX])
def test_all_shows_the_last_30_days_newest_first_with_the_running_balance(signed_in, headers):
    response = signed_in("parent@example.com").get("/account/history", headers=headers)
    html, text = response.get_data(as_text=True), page_text(response)
    assert response.status_code == 200 and response.headers["Vary"].count("HX-Request")
    assert ("<html" in html) != bool(headers)
    # #1003 (8 days ago) is first; #1004's charge and payment (45 days ago) are older than 30 days; its refund is not.
    assert text.index("#1003") < text.index("#1002") < text.index("Ballet I tuition")
    assert "Art supplies" not in text and "Refund: returned sketchbook set" in text
    assert "Field trip Amy Smith #1003 Downtown $35.00 $555.00" in text  # the newest row's balance: the household's
    assert sum(e.amount_cents for e in LedgerEntry.select().where(LedgerEntry.account == smith())) == 55500


@pytest.mark.parametrize("tab, shown, hidden", [
    ("charges", ["Ballet I tuition", "Pottery for Kids", "Field trip"], ["Card payment", "Refund:"]),
    ("payments", ["Card payment"], ["Ballet I tuition", "Refund:"]),
    ("refunds", ["Refund: returned sketchbook set"], ["Ballet I tuition", "Card payment"]),
])
def test_each_tab_shows_its_kind_only_and_no_running_balance(signed_in, tab, shown, hidden):
    response = signed_in("parent@example.com").get(f"/account/history?tab={tab}")
    text = page_text(response)
    assert all(s in text for s in shown) and not any(h in text for h in hidden)
    assert "Balance" not in text.split("Statements and ledgers")[0]


def test_a_date_range_only_with_the_full_history_preference(signed_in):
    dana = signed_in("parent@example.com")
    long_ago = (school_today() - datetime.timedelta(days=60)).isoformat()
    limited = page_text(dana.get(f"/account/history?start={long_ago}"))
    assert "Art supplies" not in limited and 'name="start"' not in dana.get("/account/history").get_data(as_text=True)
    Company.update(full_ledger_history=True).execute()
    full = page_text(dana.get(f"/account/history?start={long_ago}"))
    assert "Art supplies Ben Smith #1004 Northside $60.00" in full
    assert "Show these days" in full
    backwards = dana.get(f"/account/history?start=2026-05-02&end=2026-05-01")
    assert backwards.status_code == 422 and "Pick a day on or after the first one." in page_text(backwards)


def test_pages_of_25_keep_the_running_balance(signed_in):
    amy = Student.get(Student.first_name == "Amy")
    for i in range(30):
        LedgerEntry.create(account=smith(), kind=LedgerEntry.CHARGE, amount_cents=100, student=amy, memo=f"Fee {i}",
                           created_at=datetime.datetime.utcnow() - datetime.timedelta(hours=i + 1))
    dana = signed_in("parent@example.com")
    first, second = (page_text(dana.get(f"/account/history?page={n}")) for n in (1, 2))
    assert "Fee 0 " in first and "Fee 24 " in first and "Fee 25 " not in first and "Older" in first
    assert "Fee 25 " in second and "Newer" in second and "Fee 24 " not in second
    # Fee 25 (25 hours ago) comes after the whole demo ledger ($555.00) and Fees 26-29: its balance is $560.00.
    assert "Fee 25 Amy Smith $1.00 $560.00" in second


def test_query_count_does_not_grow_with_the_ledger(signed_in, query_count):
    dana = signed_in("parent@example.com")
    urls = ["/account/history", "/account/history/statement?location=%d" % place("Downtown").id,
            "/account/history/ledger?location=%d" % place("Downtown").id, "/account/history/paid"]
    before = [query_count(dana.get, url)[1] for url in urls]
    amy = Student.get(Student.first_name == "Amy")
    trip = Order.get(Order.number == 1003)
    for i in range(40):
        LedgerEntry.create(account=smith(), kind=LedgerEntry.PAYMENT if i % 2 else LedgerEntry.CHARGE,
                           amount_cents=-50 if i % 2 else 100, order=trip, student=amy, location=place("Downtown"))
    assert [query_count(dana.get, url)[1] for url in urls] == before


def test_statement_for_downtown_page_and_pdf_agree(signed_in):
    dana = signed_in("parent@example.com")
    downtown = place("Downtown").id
    page = page_text(dana.get(f"/account/history/statement?location={downtown}"))
    assert "#1001 Amy Smith" in page and "$240.00 $100.00 $140.00" in page and "Total due $175.00" in page
    assert "#1002" not in page and "1 River Street, Riverside" in page
    text = pdf_text(dana.get(f"/account/history/statement.pdf?location={downtown}"))
    for phrase in ("Riverside Arts Academy, Downtown · 1 River Street, Riverside", "Smith household",
                   "#1001 Amy Smith", "$240.00 $100.00 $140.00", "Total due $175.00"):
        assert squash(phrase) in text, phrase
    assert squash("#1002") not in text and squash("Download PDF") not in text
    northside = pdf_text(dana.get(f"/account/history/statement.pdf?location={place('Northside').id}"))
    assert squash("#1002 Ben Smith") in northside and squash("Total due $180.00") in northside
    assert "#1004" not in northside


def test_ledger_for_northside_opens_and_closes_with_the_balance(signed_in):
    dana = signed_in("parent@example.com")
    northside = place("Northside").id
    text = pdf_text(dana.get(f"/account/history/ledger.pdf?location={northside}"))
    # #1004 ($60 charged and paid 45 days ago) is before the 30 days: it is in the opening balance ($0).
    assert squash("Opening balance $0.00") in text and squash("Art supplies") not in text
    assert squash("Returned: sketchbook set #1004 Ben Smith -$20.00 $160.00") in text
    assert squash("Closing balance $180.00") in text
    Company.update(full_ledger_history=True).execute()
    start = (school_today() - datetime.timedelta(days=50)).isoformat()
    full = page_text(dana.get(f"/account/history/ledger?location={northside}&start={start}"))
    assert "Art supplies #1004 Ben Smith $60.00 $60.00" in full and "Closing balance $180.00" in full


def assert_statements_equal_the_ledger(signed_in, guardians):
    """Each guardian's statement total at each location is what the ledger's open orders there add up to."""
    for guardian in guardians:
        client = signed_in(guardian.user.email)
        for location in Location.select():
            owed = {}
            there = ((LedgerEntry.account == guardian.account_id) & (LedgerEntry.location == location)
                     & LedgerEntry.order.is_null(False))
            for entry in LedgerEntry.select().where(there):
                owed[entry.order_id] = owed.get(entry.order_id, 0) + entry.amount_cents
            expected = sum(cents for cents in owed.values() if cents > 0)
            text = page_text(client.get(f"/account/history/statement?account={guardian.account_id}"
                                        f"&location={location.id}"))
            assert text.split("Total due")[-1].split()[0] == f"${expected / 100:,.2f}", (guardian.user.email, text)


def with_the_history_grant():
    from webapp.models import Guardian, User

    return list(Guardian.select(Guardian, User).join(User).where(Guardian.can_view_transactions
                                                                 & (Guardian.status == Guardian.ACCEPTED)))


def test_statement_totals_equal_the_ledger_for_every_demo_household_and_location(signed_in):
    guardians = with_the_history_grant()
    assert {g.user.email for g in guardians} >= {"parent@example.com", "grandparents@example.com"}
    assert_statements_equal_the_ledger(signed_in, guardians)


def test_statement_totals_equal_the_ledger_for_generated_households(signed_in):
    from webapp.scale import build_scale
    from webapp.scale.households import FAMILY_DOMAIN

    build_scale(3, seed=7)
    generated = [g for g in with_the_history_grant() if g.user.email.endswith("@" + FAMILY_DOMAIN)]
    assert generated and any(e.location_id for e in LedgerEntry.select().where(
        LedgerEntry.account.in_([g.account_id for g in generated])))
    assert_statements_equal_the_ledger(signed_in, generated)


@pytest.mark.parametrize("url", ["/account/history", "/account/history/statement?location=1",
                                 "/account/history/ledger.pdf?location=1", "/account/history/paid.pdf"])
@pytest.mark.parametrize("email", ["partner@example.com", "nanny@example.com", "staff@example.com"])
def test_no_transaction_history_grant_is_403(signed_in, email, url):
    assert signed_in(email).get(url).status_code == 403


def test_my_account_links_transaction_history_only_with_the_grant(signed_in):
    assert "Transaction History" in page_text(signed_in("parent@example.com").get("/account/"))
    assert "Transaction History" not in page_text(signed_in("partner@example.com").get("/account/"))


def test_another_households_ledger_or_an_unknown_location_is_404(signed_in):
    karie = signed_in("grandparents@example.com")
    for url in (f"/account/history?account={smith().id}", f"/account/history/statement?account={smith().id}",
                f"/account/history/paid.pdf?account={smith().id}", "/account/history/statement?location=99999",
                "/account/history/ledger?location=abc"):
        assert karie.get(url).status_code == 404, url


def test_statement_and_ledger_need_their_preferences(signed_in):
    Company.update(statement_for_location=False, ledger_for_location=False).execute()
    dana = signed_in("parent@example.com")
    assert dana.get("/account/history/statement?location=1").status_code == 404
    assert dana.get("/account/history/ledger.pdf?location=1").status_code == 404
    text = page_text(dana.get("/account/history"))
    assert "Generate Statement for This Location" not in text and "Generate Ledger for This Location" not in text


def test_karie_gets_a_statement_of_what_forest_paid_for_amy_without_the_smith_balance(signed_in):
    karie_pays_for_amys_field_trip(2000)
    karie = signed_in("grandparents@example.com")
    year = company_today(Company.get()).year
    text = pdf_text(karie.get(f"/account/history/paid.pdf?year={year}"))
    assert squash("Forest household") in text and squash("Tax id: 12-3456789") in text
    assert squash("Amy Smith") in text and squash("Check from Karie Forest $20.00") in text
    assert squash(f"Total paid in {year}: $20.00") in text
    for smith_money in ("$100.00", "$140.00", "$555.00", "Ben Smith", "Smith household"):
        assert squash(smith_money) not in text
    # Her History lists her check, with Forest's own balance beside it (nothing owed), never the Smiths' entries.
    history = page_text(karie.get("/account/history"))
    assert "Check from Karie Forest Amy Smith #1003 Downtown -$20.00 $0.00" in history
    assert "#1001" not in history and "Field trip" not in history
    # Dana's statement of amounts paid leaves Karie's check out: the Smiths did not pay it.
    dana = pdf_text(signed_in("parent@example.com").get(f"/account/history/paid.pdf?year={year}"))
    assert "Karie" not in dana and squash("Smith household") in dana


def test_amounts_paid_per_student_for_a_year(signed_in):
    dana = signed_in("parent@example.com")
    year = company_today(Company.get()).year
    text = page_text(dana.get(f"/account/history/paid?year={year}"))
    amy = text.split("Paid for Amy Smith")[1].split()[0]
    ben = text.split("Paid for Ben Smith")[1].split()[0]
    paid = {}
    for entry in LedgerEntry.select().where((LedgerEntry.account == smith()) & LedgerEntry.payer_account.is_null()
                                            & LedgerEntry.kind.in_((LedgerEntry.PAYMENT, LedgerEntry.REFUND))):
        if entry.created_at.year == year:
            paid[entry.student_id] = paid.get(entry.student_id, 0) - entry.amount_cents
    by_name = {s.first_name: f"${paid.get(s.id, 0) / 100:,.2f}" for s in Student.select()}
    assert (amy, ben) == (by_name["Amy"], by_name["Ben"])
    assert "Refund" in text and "-$20.00" in text
    assert f"No payments in {year - 5}." in page_text(dana.get(f"/account/history/paid?year={year - 5}"))
    assert dana.get("/account/history/paid?year=1999").status_code == 404


def test_the_report_buttons_open_the_pages_and_the_pages_offer_the_pdf(signed_in):
    dana = signed_in("parent@example.com")
    html = dana.get("/account/history").get_data(as_text=True)
    assert 'formaction="/account/history/statement"' in html and 'formaction="/account/history/ledger"' in html
    assert f'href="/account/history/paid?account={smith().id}"' in html
    statement = dana.get(f"/account/history/statement?location={place('Downtown').id}").get_data(as_text=True)
    assert f"/account/history/statement.pdf?account={smith().id}&amp;location={place('Downtown').id}" in statement


@pytest.mark.parametrize("headers", [{}, HX])
@pytest.mark.parametrize("url, heading", [("/account/history/statement?location={d}", "Statement for Downtown"),
                                          ("/account/history/ledger?location={d}", "Ledger for Downtown"),
                                          ("/account/history/paid", "Amounts paid in")])
def test_each_report_is_a_page_or_its_htmx_fragment(signed_in, headers, url, heading):
    response = signed_in("parent@example.com").get(url.format(d=place("Downtown").id), headers=headers)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "HX-Request" in response.headers["Vary"]
    assert heading in html and ("<html" in html) != bool(headers) and ("Sign out" in html) != bool(headers)


def test_with_the_full_history_the_range_starts_at_the_last_30_days_and_ends_today(signed_in):
    Company.update(full_ledger_history=True).execute()
    dana = signed_in("parent@example.com")
    today = company_today(Company.get())
    text = page_text(dana.get(f"/account/history?end={(today + datetime.timedelta(days=400)).isoformat()}"))
    assert "Art supplies" not in text and "Field trip" in text
    html = dana.get("/account/history").get_data(as_text=True)
    assert f'value="{(today - datetime.timedelta(days=30)).isoformat()}"' in html and f'value="{today}"' in html


def test_a_location_name_outside_ascii_still_downloads(signed_in):
    Location.update(name="Île Nord").where(Location.name == "Northside").execute()
    response = signed_in("parent@example.com").get(f"/account/history/statement.pdf?location={place('Île Nord').id}")
    assert response.headers["Content-Disposition"] == 'attachment; filename="statement-le-nord.pdf"'
    assert squash("Statement for Île Nord") in pdf_text(response)
