"""Staff enroll a household's student from its page (the order on account or not, payable online or not, with a note
the family sees), put them on a full course's waitlist, and drop or transfer a Registered enrollment whatever the
company lets families do; only staff, only the household's own students, nothing stored on bad input."""
import datetime
import re

import pytest

from conftest import at_once, page_text
from enrollment_helpers import enrollment, ledger_total, student
from webapp.models import Account, Company, Course, Enrollment, LedgerEntry, Meeting, Order, WaitlistOffer, utcnow

HX = {"HX-Request": "true"}
SAM = "staff@example.com"


def smith():
    return Account.get(Account.name == "Smith household")


def course(name):
    return Course.get(name=name)


def enroll_url(account=None):
    return f"/staff/households/{(account or smith()).id}/enrollments"


def change_url(first="Ben", name="Pottery for Kids", action=""):
    return f"/staff/households/{smith().id}/enrollments/{enrollment(first, name).id}" + (f"/{action}" if action else "")


def enroll_form(**overrides):
    data = {"student": student("Ben").id, "course": course("Ballet I").id, "on_account": "y", "payable_online": "y",
            "external_note": "Balance due before the first class"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def stored():
    return Order.select().count(), Enrollment.select().count(), ledger_total()


@pytest.fixture(autouse=True)
def families_may_neither_drop_nor_transfer(app):
    Company.update(allow_drop=False, allow_transfer=False).execute()


@pytest.mark.parametrize("email", ["parent@example.com", "instructor@example.com", "frontdesk@example.com"])
def test_only_staff_who_may_bill_enroll_drop_or_transfer(signed_in, email):
    user, before = signed_in(email), stored()
    assert user.post(enroll_url(), data=enroll_form()).status_code == 403
    assert user.post(f"/staff/households/{smith().id}/waitlist", data=enroll_form()).status_code == 403
    assert user.get(change_url()).status_code == 403
    assert user.post(change_url(action="drop")).status_code == 403
    assert user.post(change_url(action="transfer"), data={"course": course("Ballet I").id}).status_code == 403
    assert stored() == before and enrollment("Ben", "Pottery for Kids").status == Enrollment.REGISTERED


def test_alex_at_the_front_desk_is_offered_none_of_it(signed_in):
    text = page_text(signed_in("frontdesk@example.com").get(f"/staff/households/{smith().id}"))
    assert "Ben Smith Pottery for Kids Northside Registered" in text
    assert "Enroll a student" not in text and "Drop or transfer" not in text


def test_unknown_ids_and_another_households_student_are_not_found(signed_in):
    sam, before, smith_id = signed_in(SAM), stored(), smith().id
    assert sam.post("/staff/households/999999/enrollments", data=enroll_form()).status_code == 404
    assert sam.post(enroll_url(), data=enroll_form(student=student("Lee").id)).status_code == 404
    assert sam.post(f"/staff/households/{smith_id}/waitlist", data=enroll_form(student=student("Lee").id)).status_code == 404
    assert sam.post(enroll_url(), data=enroll_form(course=999999)).status_code == 404
    assert sam.get(f"/staff/households/{smith_id}/enrollments/999999").status_code == 404
    mai = enrollment("Mai", "Jazz II")  # the Nguyens' student, seen from the Smiths' page
    for url in (f"/staff/households/{smith_id}/enrollments/{mai.id}",):
        assert sam.get(url).status_code == 404
        assert sam.post(url + "/drop").status_code == 404
        assert sam.post(url + "/transfer", data={"course": course("Ballet I").id}).status_code == 404
    assert stored() == before and mai.status == Enrollment.REGISTERED


@pytest.mark.parametrize("overrides, message", [
    ({"student": "0"}, "Choose one of the household's students."),
    ({"student": None}, "Choose one of the household's students."),
    ({"course": "0"}, "Choose a course with classes still to come."),
    ({"course": "abc"}, "Choose a course with classes still to come."),
    ({"external_note": "x" * 501}, "Use at most 500 characters."),
])
def test_bad_input_says_why_next_to_the_field_and_stores_nothing(signed_in, overrides, message):
    before = stored()
    response = signed_in(SAM).post(enroll_url(), data=enroll_form(**overrides))
    assert response.status_code == 422 and message in page_text(response)
    assert 'class="error" id="' in response.get_data(as_text=True)  # under its field
    assert stored() == before


def test_a_creative_movement_enrollment_is_refused_once_the_course_has_ended(signed_in):
    before = stored()
    response = signed_in(SAM).post(enroll_url(), data=enroll_form(course=course("Creative Movement").id))
    assert response.status_code == 422 and "Choose a course with classes still to come." in page_text(response)
    assert stored() == before


def test_an_order_on_account_shows_under_pay_an_order_balance_with_its_note(signed_in):
    sam, before = signed_in(SAM), ledger_total()
    response = sam.post(enroll_url(), data=enroll_form())
    assert response.status_code == 303
    assert enrollment("Ben", "Ballet I").status == Enrollment.REGISTERED
    order = Order.select().order_by(Order.number.desc()).first()
    assert (order.state, order.on_account, order.payable_online, order.external_note) == (
        Order.ON_ACCOUNT, True, True, "Balance due before the first class")
    charge = LedgerEntry.get(LedgerEntry.order == order)
    assert (charge.kind, charge.amount_cents, charge.memo, charge.student_id, charge.location_id) == (
        LedgerEntry.CHARGE, 24000, "Ballet I", student("Ben").id, course("Ballet I").location_id)
    assert order.lines.get().course_id == course("Ballet I").id  # drop and transfer find the enrollment's order
    assert ledger_total() == before + 24000
    text = page_text(sam.get(response.headers["Location"]))
    assert f"Ben is enrolled in Ballet I; order #{order.number} for $240.00 is on account." in text
    assert "Ben Smith Ballet I Downtown Registered" in text
    family = page_text(signed_in("parent@example.com").get("/billing/pay-balance"))
    assert f"Order #{order.number}" in family and "Balance due before the first class" in family and "$240.00" in family


def test_an_order_not_payable_online_stays_off_pay_an_order_balance(signed_in):
    sam = signed_in(SAM)
    assert sam.post(enroll_url(), data=enroll_form(payable_online=None)).status_code == 303
    order = Order.select().order_by(Order.number.desc()).first()
    assert order.on_account and not order.payable_online
    assert f"Order #{order.number}" not in page_text(signed_in("parent@example.com").get("/billing/pay-balance"))
    text = page_text(sam.get(f"/staff/households/{smith().id}"))
    assert re.search(rf"Order #{order.number} · [^·]+ · \$240\.00 (?!· payable online)", text), text


def test_an_order_not_on_account_is_paid_at_the_desk_and_never_online(signed_in):
    sam = signed_in(SAM)
    response = sam.post(enroll_url(), data=enroll_form(on_account=None))
    order = Order.select().order_by(Order.number.desc()).first()
    assert (order.state, order.on_account, order.payable_online) == (Order.OPEN, False, False)
    assert "is to pay at the front desk." in page_text(sam.get(response.headers["Location"]))
    assert f"Order #{order.number}" not in page_text(signed_in("parent@example.com").get("/billing/pay-balance"))


def test_a_free_course_enrolls_without_an_order(signed_in):
    Course.update(price_cents=0).where(Course.name == "Ballet I").execute()
    before = stored()
    response = signed_in(SAM).post(enroll_url(), data=enroll_form())
    assert response.status_code == 303 and enrollment("Ben", "Ballet I").status == Enrollment.REGISTERED
    assert stored()[0] == before[0] and stored()[2] == before[2]


def test_a_student_already_registered_is_refused(signed_in):
    before = stored()
    response = signed_in(SAM).post(enroll_url(), data=enroll_form(student=student("Amy").id))
    assert response.status_code == 422 and "Amy is already Registered in Ballet I." in page_text(response)
    assert stored() == before


def test_max_unpaid_balance_still_holds(signed_in):
    Company.update(max_unpaid_balance_cents=60000).execute()  # Smith owes $555.00
    before = stored()
    response = signed_in(SAM).post(enroll_url(), data=enroll_form())
    assert response.status_code == 422 and "past the school's limit" in page_text(response)
    assert stored() == before  # the seat claimed inside the refused transaction is given back too


def test_a_full_course_offers_the_waitlist_instead(signed_in):
    sam, before = signed_in(SAM), stored()
    response = sam.post(enroll_url(), data=enroll_form(student=student("Amy").id, course=course("Jazz II").id))
    text = page_text(response)
    assert response.status_code == 422 and "Jazz II is full; Amy can go on its waitlist instead." in text
    assert "Put on the Jazz II waitlist instead" in response.get_data(as_text=True)
    assert stored() == before
    waitlisted = sam.post(f"/staff/households/{smith().id}/waitlist",
                          data={"student": student("Amy").id, "course": course("Jazz II").id})
    assert waitlisted.status_code == 303
    assert enrollment("Amy", "Jazz II").status == Enrollment.WAITLISTED and stored()[0] == before[0]
    assert "Amy is on the Jazz II waitlist." in page_text(sam.get(waitlisted.headers["Location"]))


def test_a_seat_held_for_a_waitlisted_student_is_theirs_to_enroll_in(signed_in):
    Course.update(capacity=3).where(Course.name == "Jazz II").execute()  # Mai and Linh, and a seat offered to Ben
    waiting = enrollment("Ben", "Jazz II")
    WaitlistOffer.create(enrollment=waiting, expires_at=utcnow() + datetime.timedelta(hours=24))
    response = signed_in(SAM).post(enroll_url(), data=enroll_form(course=course("Jazz II").id))
    assert response.status_code == 303 and enrollment("Ben", "Jazz II").status == Enrollment.REGISTERED
    assert WaitlistOffer.get(WaitlistOffer.enrollment == waiting).status == WaitlistOffer.CLAIMED


def test_the_waitlist_is_refused_while_the_course_has_seats(signed_in):
    before = stored()
    response = signed_in(SAM).post(f"/staff/households/{smith().id}/waitlist", data=enroll_form())
    assert response.status_code == 422 and "Ballet I has seats left; register instead." in page_text(response)
    assert stored() == before


def test_the_last_seat_goes_to_one_of_two_staff_enrolling_at_once(app, signed_in):
    thursdays = course("Ballet I (Thursdays)")
    taken = Enrollment.select().where((Enrollment.course == thursdays) & Enrollment.status.in_(Enrollment.ACTIVE)).count()
    Course.update(capacity=taken + 1).where(Course.id == thursdays.id).execute()
    sam, other_sam = signed_in(SAM), signed_in(SAM)
    answers = at_once([lambda: sam.post(enroll_url(), data=enroll_form(course=thursdays.id)),
                       lambda: other_sam.post(enroll_url(), data=enroll_form(student=student("Amy").id,
                                                                              course=thursdays.id))])
    assert sorted(a.status_code for a in answers) == [303, 422]
    assert Enrollment.select().where((Enrollment.course == thursdays)
                                     & Enrollment.status.in_(Enrollment.ACTIVE)).count() == taken + 1
    assert LedgerEntry.select().where(LedgerEntry.memo == "Ballet I (Thursdays)").count() == 1


def test_staff_drop_while_families_may_not_and_the_seat_is_offered(signed_in, outbox):
    pottery = course("Pottery for Kids")
    Course.update(capacity=Enrollment.select().where((Enrollment.course == pottery)
                                                    & Enrollment.status.in_(Enrollment.ACTIVE)).count()
                  ).where(Course.id == pottery.id).execute()
    waiting = Enrollment.create(student=student("Amy"), course=pottery, status=Enrollment.WAITLISTED)
    sam, before = signed_in(SAM), ledger_total()
    household = page_text(sam.get(f"/staff/households/{smith().id}"))
    assert "Ben Smith Pottery for Kids Northside Registered Drop or transfer" in household
    terms = page_text(sam.get(change_url()))
    assert "Drop Ben from Pottery for Kids" in terms and "$180.00 still owed on order #1002" in terms
    response = sam.post(change_url(action="drop"))
    assert response.status_code == 303
    assert enrollment("Ben", "Pottery for Kids").status == Enrollment.DROPPED
    assert ledger_total() == before - 18000  # order #1002's unpaid $180.00 voided; no withdraw penalty set
    assert WaitlistOffer.get(WaitlistOffer.enrollment == waiting).status == WaitlistOffer.OPEN
    text = page_text(sam.get(response.headers["Location"]))
    assert "Ben is dropped from Pottery for Kids; $180.00 of order #1002 is voided." in text


def test_a_waitlisted_enrollment_is_not_dropped_here(signed_in):
    sam, before = signed_in(SAM), stored()
    response = sam.post(change_url("Ben", "Jazz II", "drop"))
    assert response.status_code == 409 and "cancel the waitlist instead" in page_text(response)
    assert stored() == before and enrollment("Ben", "Jazz II").status == Enrollment.WAITLISTED


def test_staff_transfer_moves_the_enrollment_and_charges_the_difference(signed_in):
    sam, before = signed_in(SAM), ledger_total()
    page = page_text(sam.get(change_url()))
    assert "Move Ben from Pottery for Kids ($180.00) to" in page
    assert "Ballet I, Downtown: $240.00, $60.00 more, charged on a new order" in page
    response = sam.post(change_url(action="transfer"), data={"course": course("Ballet I").id})
    assert response.status_code == 303
    assert enrollment("Ben", "Pottery for Kids").status == Enrollment.DROPPED
    assert enrollment("Ben", "Ballet I").status == Enrollment.REGISTERED
    charge = LedgerEntry.select().order_by(LedgerEntry.id.desc()).first()
    assert (charge.kind, charge.amount_cents, charge.memo) == (
        LedgerEntry.CHARGE, 6000, "Transfer from Pottery for Kids to Ballet I")
    assert ledger_total() == before + 6000
    assert "Ben is moved from Pottery for Kids to Ballet I; $60.00 is charged." in page_text(
        sam.get(response.headers["Location"]))


def test_a_transfer_to_a_cheaper_course_credits_the_household(signed_in):
    Course.update(price_cents=15000).where(Course.name == "Ballet I").execute()
    sam, before = signed_in(SAM), ledger_total()
    sam.post(change_url(action="transfer"), data={"course": course("Ballet I").id})
    credit = LedgerEntry.select().order_by(LedgerEntry.id.desc()).first()
    assert (credit.kind, credit.amount_cents, credit.order_id) == (LedgerEntry.CREDIT, -3000, None)
    assert ledger_total() == before - 3000


@pytest.mark.parametrize("data", [{}, {"course": "abc"}])
def test_a_transfer_without_a_course_says_so_and_stores_nothing(signed_in, data):
    sam, before = signed_in(SAM), stored()
    response = sam.post(change_url(action="transfer"), data=data)
    assert response.status_code == 422 and "Choose the course to transfer to." in page_text(response)
    assert stored() == before


def test_a_transfer_to_a_full_course_is_refused(signed_in):
    sam, before = signed_in(SAM), stored()
    response = sam.post(change_url(action="transfer"), data={"course": course("Jazz II").id})
    assert response.status_code == 409 and "not open for a transfer" in page_text(response)
    assert stored() == before


def test_htmx_gets_the_fragments(signed_in):
    sam = signed_in(SAM)
    page = sam.get(change_url(), headers=HX)
    assert page.status_code == 200 and "<html" not in page.get_data(as_text=True)
    assert "Drop Ben from Pottery for Kids" in page_text(page) and "HX-Request" in page.headers["Vary"]
    assert "<html" in sam.get(change_url()).get_data(as_text=True)
    refused = sam.post(enroll_url(), data=enroll_form(course="0"), headers=HX)
    assert refused.status_code == 422 and "<html" not in refused.get_data(as_text=True)
    assert "Choose a course with classes still to come." in page_text(refused)


def test_the_household_page_runs_the_same_queries_with_more_courses(signed_in, query_count):
    sam, ballet = signed_in(SAM), course("Ballet I")
    _, before = query_count(sam.get, f"/staff/households/{smith().id}")
    soon = datetime.datetime.now() + datetime.timedelta(days=3)
    for n in range(20):
        extra = Course.create(name=f"Extra {n}", location=ballet.location_id, capacity=5, price_cents=18000)
        Meeting.create(course=extra, starts_at=soon, ends_at=soon + datetime.timedelta(hours=1))
    response, after = query_count(sam.get, f"/staff/households/{smith().id}")
    assert after == before and "Extra 19, Downtown, $180.00 (5 seats left)" in response.get_data(as_text=True)


def ended(name):
    """Every meeting of the course a year earlier: it has ended, as a last term's course has."""
    for meeting in Meeting.select().where(Meeting.course == course(name)):
        year = datetime.timedelta(days=365)
        Meeting.update(starts_at=meeting.starts_at - year, ends_at=meeting.ends_at - year).where(
            Meeting.id == meeting.id).execute()


def test_an_ended_course_offers_no_drop_or_transfer_on_the_household_page(signed_in):
    ended("Pottery for Kids")
    sam = signed_in(SAM)
    for headers in ({}, HX):
        page = sam.get(f"/staff/households/{smith().id}", headers=headers)
        html, text = page.get_data(as_text=True), page_text(page)
        assert "Ben Smith Pottery for Kids Northside Registered No class ahead" in text
        assert "Amy Smith Ballet I Downtown Registered Drop or transfer" in text  # still running
        assert change_url() not in html
    direct = sam.get(change_url())  # the address typed anyway: refused, never a 500
    assert direct.status_code == 409 and "Pottery for Kids has ended; it can no longer be changed." in page_text(direct)
    before = stored()
    assert sam.post(change_url(action="drop")).status_code == 409 and stored() == before


def test_a_course_whose_classes_ahead_are_all_cancelled_offers_no_drop_either(signed_in):
    Meeting.update(cancelled_at=utcnow()).where((Meeting.course == course("Pottery for Kids"))
                                                & (Meeting.starts_at > datetime.datetime.now())).execute()
    text = page_text(signed_in(SAM).get(f"/staff/households/{smith().id}"))
    assert "Pottery for Kids Northside Registered No class ahead" in text
