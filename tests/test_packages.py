"""Packages: the demo figures, invoices and their states, money through the ledger, the widget, staff screens, access."""
import re
import threading

import pytest

from conftest import page_text
from webapp.auth.services import hash_password
from webapp.extensions import db
from webapp.models import (
    Account, Company, LedgerEntry, Order, OrderLine, Package, PackageAllotment, PackagePurchase, Permission, Student,
    UsageInvoice, User,
)
from webapp.packages.balances import package_balance, package_history, purchases_query
from webapp.packages.services import (
    PackageRefused, define_package, delete_invoice, invoice_usage, pay_invoice, record_payment, refund, sell_package,
    transfer_balance, void_invoice,
)

HX = {"HX-Request": "true"}


def user(email):
    return User.get(User.email == email)


def ben_pack():
    return PackagePurchase.select().join(Package).where(Package.name == "Private Lesson Pack").get()


def allotment(name):
    return PackageAllotment.get(PackageAllotment.name == name)


def lines(purchase):
    return {line.allotment.name: line for line in package_balance(purchase).lines}


def remaining(purchase, name):
    return lines(purchase)[name].remaining


def second_pack(account_name="Smith household", price=20000, paid=0):
    """Another package sold to a household (for transfers)."""
    package = Package.get_or_none(Package.name == "Studio Hours 5") or define_package(
        "Studio Hours 5", price, [(PackageAllotment.HOURS, "Studio rental", 5, 2500)])
    account = Account.get(Account.name == account_name)
    return sell_package(Company.current(), user("staff@example.com"), package, account, paid_cents=paid)


# ---- the demo, as SPEC.md describes it ----

def test_bens_pack_adds_up_from_its_invoices_and_the_ledger(app):
    pkg = package_balance(ben_pack())
    assert (pkg.price_cents, pkg.paid_cents, pkg.owed_cents) == (50000, 30000, 20000)
    assert [line.summary for line in pkg.lines] == [
        "6 h left of 10 h Private instruction", "2 h left of 2 h Studio rental", "1 left of 2 Sketchbook"]
    assert [(line.used_cents, line.remaining_cents) for line in pkg.lines] == [(18000, 27000), (0, 5000), (500, 500)]
    sale = ben_pack().order
    assert OrderLine.get(OrderLine.order == sale).amount_cents == 50000 and sale.account.name == "Smith household"


def test_the_demo_history_is_newest_first_with_payments_and_paid_invoices(app):
    with app.app_context():  # amounts are written in the company's currency
        history = package_history(ben_pack())
    assert [row.at for row in history] == sorted((row.at for row in history), reverse=True)
    actions = [row.action for row in history]
    assert actions[-1] == "Package sold" and actions.count("Package payment") == 2
    assert sum(1 for a in actions if re.fullmatch(r"Used \d+ (h|×) .+ \(invoice #\d+\), paid \$\d+\.\d\d", a)) == 3
    assert "Used 2 h Private instruction (invoice #3), paid $90.00" in actions  # in the family's words
    assert {row.user for row in history} == {"Sam Ortiz", "Pat Lee"}


# ---- invoices: quantities move only when paid ----

def test_an_unpaid_invoice_changes_nothing_until_it_is_paid(app):
    sam, pack = user("staff@example.com"), ben_pack()
    invoice = invoice_usage(sam, pack, allotment("Private instruction"), 1, "Lesson")
    assert invoice.state == UsageInvoice.UNPAID and invoice.amount_cents == 4500
    assert remaining(pack, "Private instruction") == 6
    paid = pay_invoice(sam, invoice)
    assert paid.state == UsageInvoice.PAID and paid.paid_by.email == "staff@example.com"
    assert remaining(pack, "Private instruction") == 5 and lines(pack)["Private instruction"].used_cents == 22500


def test_paying_twice_is_a_no_op(app):
    sam, pack = user("staff@example.com"), ben_pack()
    invoice = pay_invoice(sam, invoice_usage(sam, pack, allotment("Sketchbook"), 1))
    again = pay_invoice(sam, invoice)
    assert again.paid_at == invoice.paid_at and remaining(pack, "Sketchbook") == 0


def test_voiding_unpaid_changes_nothing_voiding_paid_gives_back_and_deleting_paid_is_refused(app):
    sam, pack, hours = user("staff@example.com"), ben_pack(), allotment("Studio rental")
    unpaid = invoice_usage(sam, pack, hours, 1)
    assert void_invoice(sam, unpaid).state == UsageInvoice.VOID and remaining(pack, "Studio rental") == 2
    paid = pay_invoice(sam, invoice_usage(sam, pack, hours, 2))
    assert remaining(pack, "Studio rental") == 0
    with pytest.raises(PackageRefused, match="Void it instead"):
        delete_invoice(sam, paid)
    assert void_invoice(sam, paid).state == UsageInvoice.VOID and remaining(pack, "Studio rental") == 2
    assert void_invoice(sam, paid).state == UsageInvoice.VOID  # again: nothing more
    with pytest.raises(PackageRefused, match="is void, so it cannot be paid"):
        pay_invoice(sam, paid)
    gone = delete_invoice(sam, invoice_usage(sam, pack, hours, 1))
    assert gone.state == UsageInvoice.DELETED and remaining(pack, "Studio rental") == 2
    with app.app_context():
        actions = [row.action for row in package_history(pack)]
    assert any(a.endswith(f"(invoice #{gone.id}) deleted") for a in actions)
    assert any(a.endswith(f"(invoice #{paid.id}) voided: given back to the package") for a in actions)


def test_an_invoice_for_more_than_remains_is_refused_counting_unpaid_ones(app):
    sam, pack, hours = user("staff@example.com"), ben_pack(), allotment("Private instruction")
    with pytest.raises(PackageRefused, match=r"Only 6 h of Private instruction left to invoice .* so 7 h is too many"):
        invoice_usage(sam, pack, hours, 7)
    invoice_usage(sam, pack, hours, 5)
    with pytest.raises(PackageRefused, match="Only 1 h"):
        invoice_usage(sam, pack, hours, 2)
    assert UsageInvoice.select().where(UsageInvoice.state == UsageInvoice.UNPAID).count() == 1


def test_paying_checks_again_what_remains(app):
    """An invoice that slipped past the first check (written around the service) still cannot be paid."""
    sam, pack, hours = user("staff@example.com"), ben_pack(), allotment("Private instruction")
    sneaked = UsageInvoice.create(purchase=pack, allotment=hours, quantity=7, amount_cents=31500)
    with pytest.raises(PackageRefused, match="Only 6 h of Private instruction remain"):
        pay_invoice(sam, sneaked)
    assert UsageInvoice.get_by_id(sneaked.id).state == UsageInvoice.UNPAID and remaining(pack, "Private instruction") == 6


def test_an_allotment_of_another_package_is_refused(app):
    other = define_package("Clay Pack", 5000, [(PackageAllotment.ITEM, "Clay bag", 3, 1500)])
    with pytest.raises(PackageRefused, match="not part of this package"):
        invoice_usage(user("staff@example.com"), ben_pack(), other.allotments.get(), 1)


def test_two_payments_of_invoices_at_once_never_take_remaining_below_zero(app):
    sam, pack, hours = user("staff@example.com"), ben_pack(), allotment("Private instruction")
    invoices = [UsageInvoice.create(purchase=pack, allotment=hours, quantity=4, amount_cents=18000) for _ in range(2)]
    db.close()
    barrier, outcomes = threading.Barrier(2), []

    def pay(invoice):
        try:
            barrier.wait()
            pay_invoice(sam, invoice)
            outcomes.append("paid")
        except PackageRefused:
            outcomes.append("refused")
        finally:
            db.close()

    threads = [threading.Thread(target=pay, args=(invoice,)) for invoice in invoices]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["paid", "refused"]
    assert remaining(pack, "Private instruction") == 2


# ---- money: sale, payments, refunds, transfers, all in the ledger ----

def test_selling_a_package_makes_an_order_with_its_charge_and_payment(app):
    with app.app_context():  # the receipts are mailed, as outside any request
        purchase = second_pack(paid=5000)
        order = purchase.order
        assert order.account.name == "Smith household" and [line.amount_cents for line in order.lines] == [20000]
        entries = sorted((e.kind, e.amount_cents) for e in LedgerEntry.select().where(LedgerEntry.order == order))
        assert entries == [(LedgerEntry.CHARGE, 20000), (LedgerEntry.PAYMENT, -5000)]
        pkg = package_balance(purchase)
        assert (pkg.paid_cents, pkg.owed_cents) == (5000, 15000)


def test_a_student_of_another_household_cannot_be_sold_a_package_for_it(app):
    forest, ben = Account.get(Account.name == "Forest household"), Student.get(Student.first_name == "Ben")
    before = Order.select().count()
    with pytest.raises(PackageRefused, match="student of that household"):
        sell_package(Company.current(), user("staff@example.com"), Package.get(), forest, ben)
    assert Order.select().count() == before


def test_a_payment_is_a_ledger_entry_and_cannot_exceed_what_is_owed(app):
    with app.app_context():  # the receipts are mailed, as outside any request
        sam, pack = user("staff@example.com"), ben_pack()
        with pytest.raises(PackageRefused, match="more than the package still owes"):
            record_payment(sam, pack, 20001, "cash")
        record_payment(sam, pack, 20000, "check", "#204")
        assert package_balance(pack).owed_cents == 0
        assert LedgerEntry.select().where((LedgerEntry.order == pack.order_id) & (LedgerEntry.kind == LedgerEntry.PAYMENT)).count() == 3


def test_a_refund_gives_back_only_paid_money_usage_has_not_drawn_on(app):
    sam, pack = user("staff@example.com"), ben_pack()
    assert package_balance(pack).unused_paid_cents == 30000 - 18500
    with pytest.raises(PackageRefused, match="only paid money"):
        refund(sam, pack, 11501, "Moving away")
    entry = refund(sam, pack, 11500, "Moving away")
    assert entry.kind == LedgerEntry.REFUND and entry.amount_cents == 11500 and entry.memo == "Refund: Moving away"
    pkg = package_balance(pack)
    assert (pkg.paid_cents, pkg.owed_cents, pkg.unused_paid_cents) == (18500, 31500, 0)


def test_a_transfer_moves_paid_money_to_another_package_of_the_household(app):
    sam, pack, other = user("staff@example.com"), ben_pack(), second_pack()
    transfer_balance(sam, pack, other, 10000)
    assert package_balance(pack).paid_cents == 20000 and package_balance(other).paid_cents == 10000
    transfers = LedgerEntry.select().where(LedgerEntry.kind == LedgerEntry.TRANSFER)
    assert sum(e.amount_cents for e in transfers) == 0 and transfers.count() == 2
    with app.app_context():
        assert any(row.action.startswith("Balance transfer from Private Lesson Pack") for row in package_history(other))
    with pytest.raises(PackageRefused, match="only paid money|Only paid money"):
        transfer_balance(sam, pack, other, 1501)


def test_a_transfer_decides_on_the_money_as_it_is_under_the_lock_not_as_the_page_read_it(app):
    """Two staff on one package's page: the second transfer must see the first one's entries, not the page's read."""
    sam, other = user("staff@example.com"), second_pack(price=50000)
    read_by_the_page = purchases_query().where(PackagePurchase.id == ben_pack().id).get()  # with its order's money
    transfer_balance(sam, ben_pack(), other, 10000)  # of 11,500 paid and unused: 1,500 left
    with pytest.raises(PackageRefused, match="Only paid money"):
        transfer_balance(sam, read_by_the_page, other, 1501)
    assert package_balance(ben_pack()).paid_cents == 20000


def test_a_transfer_to_another_household_or_beyond_what_the_target_owes_is_refused(app):
    with app.app_context():  # the receipts are mailed, as outside any request
        sam, pack = user("staff@example.com"), ben_pack()
        with pytest.raises(PackageRefused, match="same household"):
            transfer_balance(sam, pack, second_pack("Forest household"), 100)
        with pytest.raises(PackageRefused, match="more than the other package still owes"):
            transfer_balance(sam, pack, second_pack(price=20000, paid=19950), 100)
        assert not LedgerEntry.select().where(LedgerEntry.kind == LedgerEntry.TRANSFER).exists()


def test_a_package_name_is_defined_once(app):
    with pytest.raises(PackageRefused, match="already a package called"):
        define_package("private lesson pack", 100, [(PackageAllotment.ITEM, "Pencil", 1, 100)])


# ---- the widget on the guardian home, expanding and collapsing in place ----

def test_the_home_shows_one_collapsed_widget_per_package(signed_in):
    response = signed_in("parent@example.com").get("/home")
    html, text = response.get_data(as_text=True), page_text(response)
    pack = ben_pack()
    assert html.count('class="package-widget card collapsed"') == 1
    assert f'id="package-{pack.id}" hx-target="this" hx-swap="outerHTML"' in re.sub(r"\s+", " ", html)
    assert f'href="/packages/{pack.id}" hx-get="/packages/{pack.id}"' in html and 'aria-expanded="false"' in html
    assert "Private Lesson Pack · Ben" in text and "6 h left of 10 h Private instruction" in text
    assert "2 h left of 2 h Studio rental" in text and "1 left of 2 Sketchbook" in text


def test_expanding_with_htmx_returns_the_widget_alone_expanded(signed_in):
    pack = ben_pack()
    response = signed_in("parent@example.com").get(f"/packages/{pack.id}", headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "HX-Request" in response.headers["Vary"]
    assert html.lstrip().startswith(f'<section class="package-widget card" id="package-{pack.id}"') and "<html" not in html
    assert 'aria-expanded="true"' in html and f'hx-get="/packages/{pack.id}?expanded=0"' in html
    assert "Amount paid" in html and "$300.00" in html and "$270.00" in html  # Dana may see money
    assert ">History<" not in html


def test_collapsing_with_htmx_returns_the_widget_alone_collapsed(signed_in):
    pack = ben_pack()
    html = signed_in("parent@example.com").get(f"/packages/{pack.id}?expanded=0", headers=HX).get_data(as_text=True)
    assert html.lstrip().startswith(f'<section class="package-widget card collapsed" id="package-{pack.id}"')
    assert "6 h left of 10 h Private instruction" in html and "Amount paid" not in html and "<html" not in html


def test_without_javascript_the_toggle_is_a_package_page_and_back(signed_in):
    client, pack = signed_in("parent@example.com"), ben_pack()
    page = client.get(f"/packages/{pack.id}")
    text = page_text(page)
    assert "<html" in page.get_data(as_text=True) and "Package Balance" in text and "HX-Request" in page.headers["Vary"]
    assert "Total price $500.00" in text and "Amount owed $200.00" in text and "6 of 10 h" in text
    assert "History" in text and "Package payment" in text  # Dana holds the transaction-history grant
    assert f'href="/home#package-{pack.id}"' in page.get_data(as_text=True)
    collapsed = client.get(f"/packages/{pack.id}?expanded=0")
    assert "<html" in collapsed.get_data(as_text=True) and "6 h left of 10 h Private instruction" in page_text(collapsed)


def test_guardians_without_the_balance_grant_see_quantities_but_never_money(signed_in):
    jo, pack = signed_in("nanny@example.com"), ben_pack()
    assert "6 h left of 10 h Private instruction" in page_text(jo.get("/home"))
    for response in (jo.get(f"/packages/{pack.id}"), jo.get(f"/packages/{pack.id}", headers=HX)):
        html = response.get_data(as_text=True)
        assert response.status_code == 200 and "6 of 10 h" in html
        assert "$" not in page_text(response) and "Amount paid" not in html and ">History<" not in html


def test_chris_sees_the_money_but_not_the_history(signed_in):
    text = page_text(signed_in("partner@example.com").get(f"/packages/{ben_pack().id}"))
    assert "Amount paid $300.00" in text and "History" not in text


def test_another_household_gets_404_and_no_widget(signed_in):
    karie, pack = signed_in("grandparents@example.com"), ben_pack()
    assert "Private Lesson Pack" not in page_text(karie.get("/home"))
    assert karie.get(f"/packages/{pack.id}").status_code == 404
    assert karie.get(f"/packages/{pack.id}", headers=HX).status_code == 404
    assert karie.get(f"/packages/students/{pack.student_id}").status_code == 404


def _grow(packages, invoices):
    """`packages` more packages for the Smiths, each with `invoices` paid invoices and a payment."""
    sam, smith = user("staff@example.com"), Account.get(Account.name == "Smith household")
    for n in range(packages):
        package = define_package(f"Pack {n}", 10000, [(PackageAllotment.HOURS, "Lessons", 100, 100),
                                                     (PackageAllotment.ITEM, "Brush", 100, 100)])
        purchase = sell_package(Company.current(), sam, package, smith, paid_cents=5000)
        for allot in package.allotments:
            for _ in range(invoices):
                pay_invoice(sam, invoice_usage(sam, purchase, allot, 1))


@pytest.mark.parametrize("url", ["/home", "/packages/{id}"])
def test_query_count_does_not_grow_with_packages_or_history(app, signed_in, query_count, url):
    client, url = signed_in("parent@example.com"), url.format(id=ben_pack().id)
    _, small = query_count(client.get, url)
    with app.app_context():  # the receipts are mailed
        _grow(packages=6, invoices=4)
    pay_invoice(user("staff@example.com"), invoice_usage(user("staff@example.com"), ben_pack(), allotment("Sketchbook"), 1))
    response, large = query_count(client.get, url)
    assert response.status_code == 200 and large == small, f"{url}: {small} queries, then {large}"
    if url == "/home":
        assert page_text(response).count("left of 100 h Lessons") == 6


# ---- staff: Billing → Packages ----

def test_staff_list_households_with_packages_and_search(signed_in):
    sam = signed_in("staff@example.com")
    text = page_text(sam.get("/staff/packages/"))
    assert "Smith household" in text and "Private Lesson Pack · Ben Smith" in text and "View Balances" in text
    assert "Forest household" not in text
    assert "Smith household" in page_text(sam.get("/staff/packages/?q=ben+lesson"))
    fragment = sam.get("/staff/packages/?q=zebra", headers=HX)
    html = fragment.get_data(as_text=True)
    assert html.lstrip().startswith('<div id="results">') and "No household, student or package matches" in html


def test_staff_list_pages_through_households_in_constant_queries(signed_in, query_count):
    sam = signed_in("staff@example.com")
    _, small = query_count(sam.get, "/staff/packages/")
    package, staff = Package.get(), user("staff@example.com")
    for n in range(22):
        sell_package(Company.current(), staff, package, Account.create(name=f"Household {n:02}"))
    response, large = query_count(sam.get, "/staff/packages/")
    assert large == small and "Page 1 of 2 (23 households)" in page_text(response)
    second = page_text(sam.get("/staff/packages/?page=2"))
    assert "Smith household" in second and "Household 00" not in second


def test_the_packages_list_needs_the_billing_tab(signed_in, app):
    bare = User.create(email="desk@example.com", name="Desk Clerk", role=User.STAFF, password_hash=hash_password("cubby-demo"))
    Permission.create(user=bare, code=Permission.VIEW_ALL_STUDENT_ENROLLMENTS)
    clerk, pack = signed_in("desk@example.com"), ben_pack()
    for url in ("/staff/packages/", f"/staff/packages/{pack.id}", f"/staff/packages/{pack.id}/history", "/staff/packages/sell"):
        assert clerk.get(url).status_code == 403, url
    assert clerk.post(f"/staff/packages/{pack.id}/payment", data={"payment-amount": "5"}).status_code == 403
    # with "View All Student Enrollments" the clerk may see the widget, but not the money
    response = clerk.get(f"/packages/{pack.id}")
    assert response.status_code == 200 and "6 of 10 h" in page_text(response) and "$" not in page_text(response)
    for email in ("parent@example.com", "instructor@example.com"):
        assert signed_in(email).get("/staff/packages/").status_code == 403


def test_view_balances_and_history_for_staff(signed_in):
    sam, pack = signed_in("staff@example.com"), ben_pack()
    text = page_text(sam.get(f"/staff/packages/{pack.id}"))
    for part in ("Total price $500.00", "Amount paid $300.00", "Amount owed $200.00", "Private instruction 6 of 10 h",
                 "$45.00/h $180.00 $270.00", "Sketchbook 1 of 2 $5.00 each $5.00 $5.00", "Invoice hours or items"):
        assert part in text, part
    history = page_text(sam.get(f"/staff/packages/{pack.id}/history"))
    assert history.index("Package payment $100.00") < history.index("Package payment $200.00") < history.index("Package sold $500.00")


def test_a_package_without_items_shows_no_items_section(signed_in):
    package = define_package("Hours Only", 9000, [(PackageAllotment.HOURS, "Coaching", 2, 4500)])
    purchase = sell_package(Company.current(), user("staff@example.com"), package,
                            Account.get(Account.name == "Smith household"))
    html = signed_in("staff@example.com").get(f"/staff/packages/{purchase.id}").get_data(as_text=True)
    assert "<caption>Hours</caption>" in html and "<caption>Items</caption>" not in html


def test_staff_invoice_in_place_then_mark_paid_without_javascript(signed_in):
    sam, pack = signed_in("staff@example.com"), ben_pack()
    hours = allotment("Private instruction")
    response = sam.post(f"/staff/packages/{pack.id}/invoice", headers=HX,
                        data={"invoice-allotment": hours.id, "invoice-quantity": "1", "invoice-memo": "Lesson"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and html.lstrip().startswith('<div id="balances"')
    invoice = UsageInvoice.select().order_by(UsageInvoice.id.desc()).get()
    assert f"Invoice #{invoice.id} for 1 h Private instruction ($45.00) is waiting to be paid." in html
    assert "6 of 10 h" in html and f"Mark paid<span class=\"visually-hidden\"> invoice #{invoice.id}" in html
    assert sam.get(f"/staff/packages/invoices/{invoice.id}/pay").status_code == 405
    paid = sam.post(f"/staff/packages/invoices/{invoice.id}/pay")
    assert paid.status_code == 303 and paid.headers["Location"] == f"/staff/packages/{pack.id}"
    assert remaining(pack, "Private instruction") == 5
    assert "5 h left of 10 h Private instruction" in page_text(signed_in("parent@example.com").get("/home"))


def test_a_refused_invoice_action_says_why(signed_in):
    sam, pack = signed_in("staff@example.com"), ben_pack()
    paid = UsageInvoice.select().where(UsageInvoice.purchase == pack).first()
    response = sam.post(f"/staff/packages/invoices/{paid.id}/delete", headers=HX)
    assert response.status_code == 409 and "Void it instead" in response.get_data(as_text=True)
    assert UsageInvoice.get_by_id(paid.id).state == UsageInvoice.PAID
    assert sam.post("/staff/packages/invoices/99999/pay").status_code == 404


@pytest.mark.parametrize("form, data, field, message", [
    ("invoice", {"invoice-quantity": "7"}, "invoice-quantity", "Only 6 h of Private instruction left to invoice"),
    ("invoice", {"invoice-quantity": "abc"}, "invoice-quantity", "Enter a whole number from 1 to 999."),
    ("invoice", {"invoice-quantity": "0"}, "invoice-quantity", "Enter a whole number from 1 to 999."),
    ("payment", {"payment-amount": "12.345"}, "payment-amount", "Enter an amount in dollars, such as 45.00."),
    ("payment", {"payment-amount": "lots"}, "payment-amount", "Enter an amount in dollars, such as 45.00."),
    ("payment", {"payment-amount": "200.01"}, "payment-amount", "That is more than the package still owes."),
    ("refund", {"refund-amount": "5", "refund-reason": ""}, "refund-reason", "Say why."),
    ("refund", {"refund-amount": "200", "refund-reason": "Moving"}, "refund-amount", "only paid money"),
])
def test_bad_input_is_a_422_next_to_the_field_and_stores_nothing(signed_in, form, data, field, message):
    sam, pack = signed_in("staff@example.com"), ben_pack()
    data = {"invoice-allotment": allotment("Private instruction").id, "payment-method": "cash", **data}
    before = (UsageInvoice.select().count(), LedgerEntry.select().count())
    for headers in ({}, HX):
        response = sam.post(f"/staff/packages/{pack.id}/{form}", data=dict(data), headers=headers)
        html = response.get_data(as_text=True)
        assert response.status_code == 422
        assert re.search(rf'id="{field}-error">[^<]*{re.escape(message)}', html), html[-3000:]
        assert ("<html" in html) == (not headers)
    assert (UsageInvoice.select().count(), LedgerEntry.select().count()) == before


def test_nothing_changes_without_the_csrf_token(signed_in):
    sam, pack = signed_in("staff@example.com"), ben_pack()
    sam.post(f"/staff/packages/{pack.id}/payment", data={"payment-amount": "10", "payment-method": "cash"}, csrf=False)
    assert package_balance(pack).paid_cents == 30000


def test_staff_record_a_payment_refund_and_transfer_through_the_forms(signed_in):
    sam, pack, other = signed_in("staff@example.com"), ben_pack(), second_pack()
    assert sam.post(f"/staff/packages/{pack.id}/payment",
                    data={"payment-amount": "$50", "payment-method": "check", "payment-note": "#311"}).status_code == 303
    assert sam.post(f"/staff/packages/{pack.id}/refund",
                    data={"refund-amount": "20.00", "refund-reason": "Goodwill"}).status_code == 303
    response = sam.post(f"/staff/packages/{pack.id}/transfer", headers=HX,
                        data={"transfer-target": other.id, "transfer-amount": "30"})
    assert response.status_code == 200 and "$30.00 transferred to Studio Hours 5." in response.get_data(as_text=True)
    assert package_balance(pack).paid_cents == 30000 + 5000 - 2000 - 3000 and package_balance(other).paid_cents == 3000


def test_staff_define_a_package_and_sell_it(signed_in):
    sam = signed_in("staff@example.com")
    bad = sam.post("/staff/packages/new", data={"name": "Wheel Pack", "price": "300"})
    assert bad.status_code == 422 and "Add at least one hour type or item." in page_text(bad)
    rows = {"allotments-0-kind": "hours", "allotments-0-name": "Wheel time", "allotments-0-quantity": "6",
            "allotments-0-unit_price": "40", "allotments-1-kind": "item", "allotments-1-name": "Clay bag"}
    missing = sam.post("/staff/packages/new", data={"name": "Wheel Pack", "price": "300", **rows})
    assert missing.status_code == 422 and "Enter how many are included." in page_text(missing)
    assert not Package.select().where(Package.name == "Wheel Pack").exists()
    rows.update({"allotments-1-quantity": "2", "allotments-1-unit_price": "12.50"})
    made = sam.post("/staff/packages/new", data={"name": "Wheel Pack", "price": "300", **rows})
    package = Package.get(Package.name == "Wheel Pack")
    assert made.status_code == 303 and made.headers["Location"] == f"/staff/packages/sell?package={package.id}"
    assert sorted((a.kind, a.name, a.quantity, a.unit_price_cents) for a in package.allotments) == [
        ("hours", "Wheel time", 6, 4000), ("item", "Clay bag", 2, 1250)]
    smith, amy = Account.get(Account.name == "Smith household"), Student.get(Student.first_name == "Amy")
    sold = sam.post("/staff/packages/sell", data={"package": package.id, "account": smith.id, "student": amy.id,
                                                  "paid_now": "100", "method": "cash"})
    purchase = PackagePurchase.get(PackagePurchase.package == package)
    assert sold.status_code == 303 and purchase.student == amy and package_balance(purchase).owed_cents == 20000
    text = page_text(signed_in("parent@example.com").get("/home"))
    assert "Wheel Pack · Amy" in text and "6 h left of 6 h Wheel time" in text and "2 left of 2 Clay bag" in text


# ---- instructors ----

def test_pat_invoices_a_lesson_for_ben_and_sees_no_money(signed_in):
    pat, pack = signed_in("instructor@example.com"), ben_pack()
    page = pat.get(f"/packages/students/{pack.student_id}")
    assert page.status_code == 200 and "Invoice a lesson" in page_text(page) and "$" not in page_text(page)
    hours = allotment("Private instruction")
    too_many = pat.post(f"/packages/{pack.id}/lessons", data={f"lesson-{pack.id}-allotment": hours.id,
                                                              f"lesson-{pack.id}-quantity": "9"})
    assert too_many.status_code == 422 and "so 9 h is too many" in page_text(too_many)
    done = pat.post(f"/packages/{pack.id}/lessons", data={f"lesson-{pack.id}-allotment": hours.id,
                                                          f"lesson-{pack.id}-quantity": "1"})
    assert done.status_code == 303
    invoice = UsageInvoice.get(UsageInvoice.state == UsageInvoice.UNPAID)
    assert invoice.created_by.email == "instructor@example.com" and remaining(pack, "Private instruction") == 6
    sketchbook = {f"lesson-{pack.id}-allotment": allotment("Sketchbook").id, f"lesson-{pack.id}-quantity": "1"}
    assert pat.post(f"/packages/{pack.id}/lessons", data=sketchbook).status_code == 422  # items are the office's


def test_an_instructor_who_does_not_teach_the_student_gets_404(signed_in):
    User.create(email="other@example.com", name="Robin Vale", role=User.INSTRUCTOR, password_hash=hash_password("cubby-demo"))
    robin, pack = signed_in("other@example.com"), ben_pack()
    assert robin.get(f"/packages/students/{pack.student_id}").status_code == 404
    assert robin.get(f"/packages/{pack.id}").status_code == 404
    assert robin.post(f"/packages/{pack.id}/lessons", data={}).status_code == 404
    assert signed_in("parent@example.com").post(f"/packages/{pack.id}/lessons", data={}).status_code == 403


def test_voiding_a_paid_invoice_asks_first(signed_in):
    sam, pack = signed_in("staff@example.com"), ben_pack()
    paid = UsageInvoice.select().where(UsageInvoice.purchase == pack, UsageInvoice.state == UsageInvoice.PAID).first()
    asked = sam.post(f"/staff/packages/invoices/{paid.id}/void")
    text = page_text(asked)
    assert asked.status_code == 200 and f"Void invoice #{paid.id}?" in text and "go back to the package" in text
    assert UsageInvoice.get_by_id(paid.id).state == UsageInvoice.PAID
    assert sam.post(f"/staff/packages/invoices/{paid.id}/void", data={"confirm": "yes"}).status_code == 303
    assert UsageInvoice.get_by_id(paid.id).state == UsageInvoice.VOID
