"""Staff find a household by its name, a guardian or a student, and see it on one page: guardians, students and
enrollments for every staff user; balance, orders and ledger only with "Access Billing Tab"."""
import re

import pytest

from conftest import page_text
from webapp.models import Account, Guardian, LedgerEntry, Student, User

HX = {"HX-Request": "true"}
SAM, ALEX = "staff@example.com", "frontdesk@example.com"


def smith():
    return Account.get(Account.name == "Smith household")


def add_households(count, prefix="Zephyr"):
    """`count` households named "<prefix> household NN", each with a primary guardian and a student."""
    for n in range(count):
        account = Account.create(name=f"{prefix} household {n:02}")
        user = User.create(email=f"{prefix.lower()}{n}@example.com", name=f"Robin {prefix} {n}", password_hash="x")
        Guardian.create(user=user, account=account, is_primary=True)
        Student.create(first_name=f"Kit{n}", last_name=prefix, billing_account=account)


def add_ledger(account, count):
    LedgerEntry.insert_many([{"account": account.id, "kind": LedgerEntry.CREDIT, "amount_cents": -100,
                              "memo": f"Goodwill credit {n}"} for n in range(count)]).execute()


@pytest.mark.parametrize("q, found", [
    ("smith", ["Forest household", "Smith household"]),  # the Forests' linked student is Amy Smith
    ("nanny@example", ["Smith household"]),
    ("Linh", ["Nguyen household"]),
    ("karie forest", ["Forest household"]),  # every word must match
    ("FOREST", ["Forest household"]),
    ("nobody-here", []),
])
def test_search_finds_households_by_name_guardian_email_or_student(signed_in, q, found):
    text = page_text(signed_in(SAM).get("/staff/households/", query_string={"q": q}))
    listed = [name for name in ("Acme Corp Logistics", "Acme Corp Training", "Forest household", "Nguyen household",
                                "Smith household") if name in text]
    assert listed == found
    if not found:
        assert f"No household matches “{q}”." in text


def test_results_are_paged_by_name_and_htmx_gets_only_them(signed_in):
    add_households(30)
    sam = signed_in(SAM)
    first = page_text(sam.get("/staff/households/?q=zephyr"))
    assert "30 households matching “zephyr”" in first and "Page 1 of 2 (30 households)" in first
    assert "Zephyr household 24" in first and "Zephyr household 25" not in first
    fragment = sam.get("/staff/households/?q=zephyr&page=2", headers=HX).get_data(as_text=True)
    assert "<html" not in fragment and 'id="results"' in fragment
    assert "Zephyr household 25" in fragment and "Zephyr household 29" in fragment and "Zephyr household 24" not in fragment


def test_search_runs_the_same_queries_at_any_size(signed_in, query_count):
    sam = signed_in(SAM)
    _, few = query_count(sam.get, "/staff/households/")
    add_households(40)
    _, many = query_count(sam.get, "/staff/households/")
    assert few == many <= 7  # the user and memberships, then the count, the page, its guardians, links and students


def test_sam_sees_the_household_with_its_money_from_the_ledger(signed_in):
    text = page_text(signed_in(SAM).get(f"/staff/households/{smith().id}"))
    assert re.search(r"Guardians Dana Smith · parent@example.com Primary guardian Chris Smith · partner@example.com "
                     r"Guardian · may pay, sees balances, does not see Transaction History", text), text
    assert "Students Amy Smith Ben Smith" in text
    assert "Ben Smith Jazz II Downtown Waitlisted" in text and "Amy Smith Ballet I Downtown Registered" in text
    ledger_sum = sum(e.amount_cents for e in LedgerEntry.select().where(LedgerEntry.account == smith()))
    assert ledger_sum == 55500 and "Balance: $555.00" in text
    assert "Order #1002 · " in text and "$180.00 · payable online" in text
    assert "Field trip Amy Smith #1003 Downtown $35.00 $555.00" in text  # the newest entry, and the balance after it


def test_alex_sees_the_household_but_none_of_its_money(signed_in):
    text = page_text(signed_in(ALEX).get(f"/staff/households/{smith().id}"))
    assert "Dana Smith" in text and "Ben Smith Jazz II Downtown Waitlisted" in text
    for money in ("Balance", "Order #1002", "Ledger", "$555.00", "Record a payment"):
        assert money not in text


def test_the_forest_household_shows_amy_as_linked(signed_in):
    forest = Account.get(Account.name == "Forest household")
    text = page_text(signed_in(SAM).get(f"/staff/households/{forest.id}"))
    assert "Amy Smith (linked; billed to another household)" in text and "Every order is paid up." in text


def test_the_ledger_pages_newest_first_in_the_same_queries(signed_in, query_count):
    sam, account = signed_in(SAM), smith()
    _, before = query_count(sam.get, f"/staff/households/{account.id}")
    add_ledger(account, 40)
    first, after = query_count(sam.get, f"/staff/households/{account.id}")
    assert after == before
    assert "Older" in page_text(first) and "Goodwill credit 39" in page_text(first)
    older = page_text(sam.get(f"/staff/households/{account.id}?page=2"))
    assert "Newer" in older and "Goodwill credit 0" in older and "Goodwill credit 39" not in older


@pytest.mark.parametrize("email", ["parent@example.com", "instructor@example.com", "grandparents@example.com"])
def test_only_staff_reach_households(signed_in, email):
    user = signed_in(email)
    assert user.get("/staff/households/").status_code == 403
    assert user.get(f"/staff/households/{smith().id}").status_code == 403


def test_an_unknown_household_is_404_and_signed_out_goes_to_sign_in(signed_in, client):
    assert signed_in(SAM).get("/staff/households/999999").status_code == 404
    response = client.get(f"/staff/households/{smith().id}")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_odd_search_input_is_answered_not_refused(signed_in):
    sam = signed_in(SAM)
    for q in ("%", "_", "'; DROP TABLE account; --", "x" * 500, "a b c d e f g h"):
        response = sam.get("/staff/households/", query_string={"q": q})
        assert response.status_code == 200 and f"matching “{q[:100]}”" in page_text(response)
    assert sam.get("/staff/households/?page=abc").status_code == 200
