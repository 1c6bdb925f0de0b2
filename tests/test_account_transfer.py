"""Transfer Enrollment from Your Student(s): the open courses of the same division with a seat and each price
difference; on confirm the old place Dropped, the new one Registered, the difference charged or credited to the cent;
the last seat taken once under concurrency; refused after the end, in Pending Payment, on the waitlist."""
import datetime

import pytest

from enrollment_helpers import change_url, enrollment, ledger_total, student
from conftest import at_once, page_text
from webapp.models import Company, Course, Enrollment, LedgerEntry, Meeting, Order

HX = {"HX-Request": "true"}


def url(first="Ben", course="Pottery for Kids"):
    return change_url("transfer", first, course)


def course_id(name):
    return Course.get(name=name).id


@pytest.fixture(autouse=True)
def transfers_allowed(app):
    Company.update(allow_transfer=True).execute()


def test_transfer_is_offered_only_when_the_company_allows_it(signed_in):
    dana, ben = signed_in("parent@example.com"), student("Ben")
    assert "Transfer Enrollment from Pottery for Kids" in page_text(dana.get(f"/account/students/{ben.id}/enrollments"))
    Company.update(allow_transfer=False).execute()
    assert "Transfer Enrollment" not in page_text(dana.get(f"/account/students/{ben.id}/enrollments"))
    assert dana.get(url()).status_code == 404 and dana.post(url(), data={"course": course_id("Ballet I")}).status_code == 404


@pytest.mark.parametrize("headers", [{}, HX])
def test_the_page_lists_open_courses_of_the_division_with_the_difference(signed_in, headers):
    response = signed_in("parent@example.com").get(url(), headers=headers)
    text = page_text(response)
    assert response.status_code == 200 and ("<html" in response.get_data(as_text=True)) != bool(headers)
    assert "Move Ben from Pottery for Kids ($180.00) to" in text
    assert "Ballet I, Downtown: $240.00, $60.00 more, charged on a new order" in text
    assert "Jazz II" not in text  # full
    assert "Acme" not in text and "Creative Movement" not in text  # another division; ended


@pytest.mark.parametrize("headers", [{}, HX])
def test_a_dearer_course_charges_the_difference_on_a_new_order(signed_in, headers):
    before = ledger_total()
    response = signed_in("parent@example.com").post(url(), data={"course": course_id("Ballet I")}, headers=headers)
    assert enrollment("Ben", "Pottery for Kids").status == Enrollment.DROPPED
    assert enrollment("Ben", "Ballet I").status == Enrollment.REGISTERED
    assert ledger_total() == before + 6000
    charge = LedgerEntry.select().order_by(LedgerEntry.id.desc()).first()
    assert (charge.kind, charge.amount_cents, charge.memo) == (
        LedgerEntry.CHARGE, 6000, "Transfer from Pottery for Kids to Ballet I")
    assert charge.order.lines.get().amount_cents == 6000 and charge.order.state == Order.ON_ACCOUNT
    if headers:
        assert "Ben is moved from Pottery for Kids to Ballet I; $60.00 is charged." in page_text(response)
    else:
        assert response.status_code == 303 and response.headers["Location"].endswith("/enrollments")


def test_a_cheaper_course_credits_the_difference_to_the_household(signed_in):
    before = ledger_total()
    signed_in("parent@example.com").post(url("Amy", "Ballet I"), data={"course": course_id("Pottery for Kids")})
    assert enrollment("Amy", "Pottery for Kids").status == Enrollment.REGISTERED
    assert ledger_total() == before - 6000
    credit = LedgerEntry.select().order_by(LedgerEntry.id.desc()).first()
    assert (credit.kind, credit.amount_cents, credit.order_id) == (LedgerEntry.CREDIT, -6000, None)


def test_a_missing_choice_is_refused_next_to_the_field_and_stores_nothing(signed_in):
    before = ledger_total()
    response = signed_in("parent@example.com").post(url(), data={"course": "x"}, headers=HX)
    assert response.status_code == 422 and "Choose the course to transfer to." in page_text(response)
    assert 'aria-describedby="course-error"' in response.get_data(as_text=True)
    assert ledger_total() == before and enrollment("Ben", "Pottery for Kids").status == Enrollment.REGISTERED


@pytest.mark.parametrize("target", ["Jazz II", "Pottery for Kids", "Acme Corp Onboarding"])
def test_a_full_same_or_other_division_course_is_refused(signed_in, target):
    name = target if Course.get_or_none(name=target) else Course.get(Course.division.is_null(False)).name
    before = ledger_total()
    response = signed_in("parent@example.com").post(url(), data={"course": course_id(name)})
    assert response.status_code == 409 and "not open for a transfer" in page_text(response)
    assert ledger_total() == before and enrollment("Ben", "Pottery for Kids").status == Enrollment.REGISTERED


def test_a_transfer_after_the_course_ended_is_refused(signed_in):
    Meeting.delete().where((Meeting.course == course_id("Pottery for Kids"))
                           & (Meeting.starts_at > datetime.datetime.now() - datetime.timedelta(days=1))).execute()
    before = ledger_total()
    response = signed_in("parent@example.com").post(url(), data={"course": course_id("Ballet I")})
    assert response.status_code == 409 and "has ended" in page_text(response) and ledger_total() == before


def test_a_transfer_while_the_order_is_in_pending_payment_is_refused(signed_in):
    Order.update(state=Order.PENDING_PAYMENT).where(Order.number == 1002).execute()
    before = ledger_total()
    response = signed_in("parent@example.com").post(url(), data={"course": course_id("Ballet I")})
    assert response.status_code == 409 and "Order #1002 is in Pending Payment" in page_text(response)
    assert ledger_total() == before and enrollment("Ben", "Pottery for Kids").status == Enrollment.REGISTERED


def test_a_waitlisted_enrollment_cannot_be_transferred(signed_in):
    response = signed_in("parent@example.com").post(url("Ben", "Jazz II"), data={"course": course_id("Ballet I")})
    assert response.status_code == 409 and "cancel the waitlist instead" in page_text(response)
    assert enrollment("Ben", "Jazz II").status == Enrollment.WAITLISTED


def test_without_the_payment_grant_403_and_another_household_404(signed_in):
    nanny, trainee = signed_in("nanny@example.com"), signed_in("trainee@example.com")
    assert nanny.get(url()).status_code == 403 and nanny.post(url(), data={"course": "1"}).status_code == 403
    assert trainee.get(url()).status_code == 404 and trainee.post(url(), data={"course": "1"}).status_code == 404
    assert enrollment("Ben", "Pottery for Kids").status == Enrollment.REGISTERED


def test_two_students_transferring_into_the_last_seat_get_it_once(signed_in):
    ballet = Course.get(name="Ballet I")
    taken = Enrollment.select().where((Enrollment.course == ballet) & Enrollment.status.in_(Enrollment.ACTIVE)).count()
    Course.update(capacity=taken + 1).where(Course.id == ballet.id).execute()
    amy_pottery = Enrollment.create(student=student("Amy"), course=Course.get(name="Ballet I (Thursdays)"))
    dana, chris = signed_in("parent@example.com"), signed_in("partner@example.com")
    amy_url = f"/account/students/{student('Amy').id}/enrollments/{amy_pottery.id}/transfer"
    before = ledger_total()
    answers = at_once([lambda: dana.post(url(), data={"course": ballet.id}),
                       lambda: chris.post(amy_url, data={"course": ballet.id})])
    assert sorted(a.status_code for a in answers) == [303, 409]
    assert Enrollment.select().where((Enrollment.course == ballet)
                                     & Enrollment.status.in_(Enrollment.ACTIVE)).count() == taken + 1
    assert ledger_total() in (before + 6000, before)  # Ben pays $60 more; Amy's $240 class costs the same


def test_the_page_query_count_does_not_grow_with_courses(signed_in, query_count):
    dana = signed_in("parent@example.com")
    small = query_count(dana.get, url())[1]
    ballet = Course.get(name="Ballet I")
    for n in range(20):
        course = Course.create(name=f"Extra {n}", location=ballet.location_id, capacity=5, price_cents=18000)
        Meeting.create(course=course, starts_at=datetime.datetime.now() + datetime.timedelta(days=3),
                       ends_at=datetime.datetime.now() + datetime.timedelta(days=3, hours=1))
    response, large = query_count(dana.get, url())
    assert "Extra 19, Downtown: $180.00, the same price" in page_text(response) and large == small


def test_the_seat_left_behind_is_offered_to_the_old_courses_waitlist(signed_in):
    from webapp.models import WaitlistOffer

    pottery = Course.get(name="Pottery for Kids")
    Course.update(capacity=Enrollment.select().where((Enrollment.course == pottery)
                                                    & Enrollment.status.in_(Enrollment.ACTIVE)).count()
                  ).where(Course.id == pottery.id).execute()
    waiting = Enrollment.create(student=student("Amy"), course=pottery, status=Enrollment.WAITLISTED)
    signed_in("parent@example.com").post(url(), data={"course": course_id("Ballet I")})
    assert WaitlistOffer.get(WaitlistOffer.enrollment == waiting).status == WaitlistOffer.OPEN
