"""Alex Kim, front desk: staff without "Access Billing Tab" check students in and read rosters, and touch no money."""
import datetime

import pytest

from conftest import page_text
from fuzz_helpers import changed_tables, database_fingerprint
from webapp.clock import local_now
from webapp.models import Attendance, CheckInCode, Course, Meeting, Student

ALEX, SAM = "frontdesk@example.com", "staff@example.com"
IDS = {"purchase_id": 1, "invoice_id": 1, "number": 1001, "student_id": 1, "division_id": 1, "account_id": 1, "key": "none",
       "name": "payment", "action": "pay", "enrollment_id": 1, "user_id": 1}


def billing_rules(app):
    """Every rule whose view needs "Access Billing Tab", with one method each."""
    rules = [rule for rule in app.url_map.iter_rules()
             if getattr(app.view_functions[rule.endpoint], "needs_billing", False)]
    return [(rule, "POST" if "POST" in rule.methods and "GET" not in rule.methods else "GET") for rule in rules]


def url(rule):
    return rule.build({name: IDS[name] for name in rule.arguments}, append_unknown=False)[1]


def test_billing_routes_are_found_by_their_mark(app):
    paths = {rule.rule for rule, _ in billing_rules(app)}
    assert {"/staff/billing/orders/new", "/staff/billing/payments/new", "/staff/pending/"} <= paths


def test_alex_gets_403_on_every_billing_route_and_nothing_changes(app, signed_in):
    alex, before = signed_in(ALEX), database_fingerprint()
    for rule, method in billing_rules(app):
        response = alex.open(url(rule), method=method, data={"csrf_token": alex.csrf_token()})
        assert response.status_code == 403, (rule.rule, method, response.status_code)
    assert changed_tables(before, database_fingerprint()) == []


def test_sam_reaches_the_billing_pages_alex_is_refused(app, signed_in):
    sam = signed_in(SAM)
    for rule, method in billing_rules(app):
        if method == "GET" and not rule.arguments:
            assert sam.get(url(rule)).status_code == 200, rule.rule


def test_the_staff_home_offers_alex_no_billing(signed_in):
    alex_home = page_text(signed_in(ALEX).get("/staff/"))
    sam_home = page_text(signed_in(SAM).get("/staff/"))
    for label in ("New order", "Record a payment", "Card payments and refunds"):
        assert label in sam_home and label not in alex_home
    assert "Pending payments" not in signed_in(ALEX).get("/staff/").get_data(as_text=True)


@pytest.mark.parametrize("headers", [{}, {"HX-Request": "true"}])
def test_alex_checks_amy_in_by_her_code(app, signed_in, headers):
    with app.app_context():
        amy, now = Student.get(Student.first_name == "Amy"), local_now()
    meeting = Meeting.create(course=Course.get(name="Ballet I"), starts_at=now - datetime.timedelta(minutes=10),
                             ends_at=now + datetime.timedelta(minutes=50))
    code = CheckInCode.get(CheckInCode.student == amy).code
    signed_in(ALEX).post("/staff/check-in/", data={"code": code}, headers=headers)
    record = Attendance.get((Attendance.meeting == meeting) & (Attendance.student == amy))
    assert record.status == Attendance.PRESENT and record.set_by.email == ALEX


def test_the_staff_home_links_check_in_while_qr_codes_are_on(signed_in):
    from webapp.models import Company

    assert 'href="/staff/check-in/"' in signed_in(ALEX).get("/staff/").get_data(as_text=True)
    Company.update(student_qr_codes=False).execute()
    assert 'href="/staff/check-in/"' not in signed_in(ALEX).get("/staff/").get_data(as_text=True)


def test_alex_reads_a_roster(signed_in):
    meeting = Meeting.select().join(Course).where(Course.name == "Ballet I").order_by(Meeting.starts_at).first()
    text = page_text(signed_in(ALEX).get(f"/classes/meetings/{meeting.id}"))
    assert "Amy" in text and "Ballet I" in text
