"""Scale data: the documented shape per household, the same seed giving the same data, consistent ledgers,
generated guardians seeing their own data, and the demo personas seeing exactly what they saw before."""
import datetime
from zoneinfo import ZoneInfo

import pytest
from peewee import fn

from conftest import TEST_CONFIG, page_text, release_connections, sign_in
from webapp import create_app
from webapp.billing.ledger import payable_online_orders
from webapp.models import (
    Account, Allocation, Attendance, Enrollment, Guardian, LedgerEntry, Meeting, Order, OrderLine, Payment, Student,
    User,
)
from webapp.scale import ScaleRefused, build_scale
from webapp.scale.households import FAMILY_DOMAIN

HOUSEHOLDS = 20
NOW = datetime.datetime.now(ZoneInfo("America/New_York")).replace(tzinfo=None, microsecond=0)
DEMO_PAGES = ["/home", "/schedule/", "/billing/pay-balance", "/account/", "/packages/1"]
DEMO_PATRONS = ["parent@example.com", "partner@example.com", "nanny@example.com", "grandparents@example.com",
                "trainee@example.com"]


def generated_accounts():
    guardians = Guardian.select(Guardian.account).join(User).where(User.email.endswith("@" + FAMILY_DOMAIN))
    return list(Account.select().where(Account.id.in_(guardians)).order_by(Account.id))


def snapshot():
    """Names and amounts of every generated household, in the order they were made (ids and dates left out)."""
    rows = []
    for account in generated_accounts():
        people = [(u.email, u.name) for u in User.select().join(Guardian).where(Guardian.account == account)
                  .order_by(User.id)]
        students = [s.name for s in account.students.order_by(Student.id)]
        lines = [(line.description, line.amount_cents) for line in OrderLine.select().join(Order)
                 .where(Order.account == account).order_by(Order.number)]
        entries = [(e.kind, e.amount_cents, e.memo) for e in account.ledger.order_by(LedgerEntry.id)]
        rows.append((account.name, people, students, lines, entries))
    return rows


def pages(app, emails):
    """{(email, path): the visible text} for each demo persona's pages (403 and 404 answers included)."""
    texts = {}
    for email in emails:
        client = app.test_client()
        assert sign_in(client, email).status_code == 303
        for path in DEMO_PAGES:
            response = client.get(path)
            texts[(email, path)] = (response.status_code, page_text(response))
    return texts


@pytest.fixture
def report(app):
    return build_scale(HOUSEHOLDS, seed=7, now=NOW)


def test_it_adds_the_households_it_reports_in_the_documented_ranges(report):
    accounts = generated_accounts()
    assert len(accounts) == report.households == HOUSEHOLDS
    ids = [a.id for a in accounts]
    assert report.rows["ledger_entry"] == LedgerEntry.select().where(LedgerEntry.account.in_(ids)).count()
    assert report.rows["order"] == Order.select().where(Order.account.in_(ids)).count()
    for account in accounts:
        guardians = list(account.guardians)
        assert 1 <= len(guardians) <= 2 and sum(g.is_primary for g in guardians) == 1
        students = list(account.students)
        assert 1 <= len(students) <= 3
        for student in students:
            assert 1 <= student.enrollments.count() <= 3
        entries = account.ledger.count()
        assert 20 <= entries <= 400, f"{account.name}: {entries} ledger entries"
    assert 40 <= report.rows["ledger_entry"] / HOUSEHOLDS <= 200  # about 100 per household, as documented


def test_the_same_seed_gives_the_same_names_and_amounts(app, report, fresh_database_url, tmp_path):
    first = snapshot()
    release_connections()
    for seed, same in ((7, True), (8, False)):
        folder = tmp_path / f"seed-{seed}"
        folder.mkdir()
        create_app({**TEST_CONFIG, "DATABASE_URL": fresh_database_url(folder)})
        build_scale(HOUSEHOLDS, seed=seed, now=NOW)
        assert (snapshot() == first) is same
        release_connections()


def test_order_numbers_continue_after_the_demo_and_stay_unique(report):
    generated = Order.select().where(Order.account.in_([a.id for a in generated_accounts()]))
    demo_last = Order.select(fn.MAX(Order.number)).where(Order.id.not_in(generated.select(Order.id))).scalar()
    assert generated.select(fn.MIN(Order.number)).scalar() == demo_last + 1
    assert Order.select(fn.COUNT(fn.DISTINCT(Order.number))).scalar() == Order.select().count()


def test_every_order_balance_is_its_charges_less_its_payments_and_never_below_zero(report):
    balances = dict(LedgerEntry.select(LedgerEntry.order, fn.SUM(LedgerEntry.amount_cents))
                    .where(LedgerEntry.order.is_null(False)).group_by(LedgerEntry.order).tuples())
    allocated = dict(Allocation.select(Allocation.order, fn.SUM(Allocation.amount_cents)).group_by(Allocation.order)
                     .tuples())
    paid = {order_id: -cents for order_id, cents in LedgerEntry.select(LedgerEntry.order, fn.SUM(LedgerEntry.amount_cents))
            .where(LedgerEntry.kind == LedgerEntry.PAYMENT).group_by(LedgerEntry.order).tuples()}
    for order in Order.select().where(Order.account.in_([a.id for a in generated_accounts()])):
        charged = sum(e.amount_cents for e in order.ledger if e.kind in (LedgerEntry.CHARGE, LedgerEntry.ADJUSTMENT))
        assert balances[order.id] == charged - paid.get(order.id, 0) >= 0
        assert allocated.get(order.id, 0) == paid.get(order.id, 0)
    for payment in Payment.select():
        assert payment.amount_cents == sum(a.amount_cents for a in payment.allocations)


def test_attendance_is_recorded_only_for_enrolled_students_and_meetings_already_over_or_reported(report):
    enrolled = {(e.student_id, e.course_id) for e in Enrollment.select()}
    records = Attendance.select(Attendance, Meeting).join(Meeting).where(Attendance.set_by.not_in(
        User.select(User.id).where(User.email.endswith("@example.com"))))
    assert records.count() > 0
    for record in records:
        assert (record.student_id, record.meeting.course_id) in enrolled
        assert record.meeting.starts_at < NOW or record.set_by_role == Attendance.BY_PATRON


def _household_with_payable_orders():
    for account in generated_accounts():
        orders = payable_online_orders([account.id])
        if orders:
            return account, orders
    pytest.fail("no generated household has an order payable online")


def test_a_generated_guardian_signs_in_and_sees_their_own_household(app, report):
    account, orders = _household_with_payable_orders()
    primary = User.select().join(Guardian).where((Guardian.account == account) & Guardian.is_primary).get()
    client = app.test_client()
    assert sign_in(client, primary.email).status_code == 303
    home = page_text(client.get("/home"))
    assert f"Hello, {primary.first_name}" in home and f"{account.name}:" in home
    enrollment = Enrollment.select().join(Student).where(Student.billing_account == account).first()
    schedule = page_text(client.get("/schedule/"))
    assert f"{enrollment.student.first_name} · {enrollment.course.name}" in schedule
    pay = page_text(client.get("/billing/pay-balance"))
    assert all(f"Order #{order.number}" in pay for order in orders)
    others = Order.select().where(Order.account != account).order_by(Order.id.desc()).first()
    assert f"Order #{others.number}" not in pay
    assert client.post(f"/billing/cart/orders/{others.number}").status_code == 404
    assert client.post(f"/billing/cart/orders/{orders[0].number}").status_code == 303


def test_the_demo_personas_see_exactly_what_they_saw_before(app):
    before = pages(app, DEMO_PATRONS)
    build_scale(HOUSEHOLDS, seed=7, now=NOW)
    assert pages(app, DEMO_PATRONS) == before


def test_a_second_run_is_refused(report):
    with pytest.raises(ScaleRefused, match="already"):
        build_scale(1, seed=7, now=NOW)


def test_the_command_prints_what_it_made_and_how_long_it_took(app):
    result = app.test_cli_runner().invoke(args=["demo", "scale", "--households", "3", "--seed", "2"])
    assert result.exit_code == 0, result.output
    assert "scale data: 3 households (seed 2) in" in result.output and "ledger_entry" in result.output
    again = app.test_cli_runner().invoke(args=["demo", "scale", "--households", "3"])
    assert again.exit_code != 0 and "already" in again.output


def test_orders_made_after_the_scale_data_take_fresh_numbers(report):
    from webapp.billing.charges import create_order
    from webapp.models import Account, Company, User

    sam = User.get(User.email == "staff@example.com")
    made = create_order(Company.current(), sam, Account.get(Account.name == "Smith household"), [("Late fee", 500, None)])
    assert made.number == Order.select(fn.MAX(Order.number)).scalar() and Order.select().where(
        Order.number == made.number).count() == 1
