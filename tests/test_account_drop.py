"""Drop Enrollment from Your Student(s): the terms shown before confirming, posted to the ledger under the household
lock, the seat offered to the waitlist; refused after the end, in Pending Payment and on the waitlist; only with the
payment grant, only when the company allows it."""
import datetime

import pytest

from enrollment_helpers import change_url, enrollment, ledger_total, student
from conftest import page_text
from webapp.models import (
    Company, Course, Enrollment, LedgerEntry, Meeting, Order, WaitlistOffer,
)

HX = {"HX-Request": "true"}


def url(first="Ben", course="Pottery for Kids"):
    return change_url("drop", first, course)


def order_balance(number):
    return sum(e.amount_cents for e in LedgerEntry.select().join(Order).where(Order.number == number))


@pytest.fixture(autouse=True)
def drops_allowed(app):
    Company.update(allow_drop=True).execute()


def test_the_enrollments_offer_drop_only_when_the_company_allows_it(signed_in):
    dana, ben = signed_in("parent@example.com"), student("Ben")
    assert "Drop Enrollment from Pottery for Kids" in page_text(dana.get(f"/account/students/{ben.id}/enrollments"))
    Company.update(allow_drop=False).execute()
    assert "Drop Enrollment" not in page_text(dana.get(f"/account/students/{ben.id}/enrollments"))
    assert dana.get(url()).status_code == 404 and dana.post(url()).status_code == 404


@pytest.mark.parametrize("headers", [{}, HX])
def test_the_confirmation_shows_the_date_what_is_voided_and_what_is_kept(signed_in, headers):
    Company.update(withdraw_penalty_cents=2500).execute()
    response = signed_in("parent@example.com").get(url(), headers=headers)
    text = page_text(response)
    assert response.status_code == 200 and ("<html" in response.get_data(as_text=True)) != bool(headers)
    assert "Drop Ben from Pottery for Kids?" in text
    assert "Voided $180.00 still owed on order #1002" in text and "Withdraw penalty $25.00" in text
    assert "Already paid $0.00" in text
    assert enrollment("Ben", "Pottery for Kids").status == Enrollment.REGISTERED  # showing changes nothing


def test_the_effective_date_is_the_next_meeting(signed_in):
    course = Course.get(name="Pottery for Kids")
    ahead = (Meeting.select().where((Meeting.course == course) & (Meeting.starts_at > datetime.datetime.now()))
             .order_by(Meeting.starts_at).first())
    text = page_text(signed_in("parent@example.com").get(url()))
    assert f"Effective {ahead.starts_at:%A} {ahead.starts_at.day} {ahead.starts_at:%b %Y}" in text


def test_what_was_paid_is_not_refunded_and_the_page_says_so(signed_in):
    text = page_text(signed_in("parent@example.com").get(url("Amy", "Ballet I")))
    assert "Voided $140.00 still owed on order #1001" in text
    assert "Already paid $100.00, not refunded automatically: the school's staff refund it from your household's page" in text


@pytest.mark.parametrize("headers", [{}, HX])
def test_dana_drops_bens_pottery_and_the_ledger_moves_to_the_cent(signed_in, headers):
    Company.update(withdraw_penalty_cents=2500).execute()
    before = ledger_total()
    response = signed_in("parent@example.com").post(url(), headers=headers)
    assert enrollment("Ben", "Pottery for Kids").status == Enrollment.DROPPED
    assert ledger_total() == before - 18000 + 2500
    assert order_balance(1002) == 2500  # the penalty stands on the order; what was owed is voided
    kinds = [(e.kind, e.amount_cents, e.memo) for e in LedgerEntry.select().join(Order).where(Order.number == 1002)
             .order_by(LedgerEntry.id)][-2:]
    assert kinds == [(LedgerEntry.VOID, -18000, "Pottery for Kids dropped"), (LedgerEntry.CHARGE, 2500, "Withdraw penalty")]
    if headers:
        text = page_text(response)
        assert response.status_code == 200
        assert "Ben is dropped from Pottery for Kids; $180.00 of order #1002 is voided" in text
        assert "Drop Enrollment from Pottery for Kids" not in text
    else:
        assert response.status_code == 303 and response.headers["Location"].endswith("/enrollments")


def test_a_paid_enrollment_voids_only_what_is_owed(signed_in):
    before = ledger_total()
    signed_in("parent@example.com").post(url("Amy", "Ballet I"))
    assert ledger_total() == before - 14000 and order_balance(1001) == 0


def test_a_drop_twice_is_refused_and_changes_the_ledger_once(signed_in):
    dana = signed_in("parent@example.com")
    dana.post(url())
    after = ledger_total()
    again = dana.post(url(), headers=HX)
    assert again.status_code == 409 and "it cannot be changed" in page_text(again)
    assert ledger_total() == after


def test_the_freed_seat_is_offered_to_the_waitlist(signed_in):
    course = Course.get(name="Pottery for Kids")
    Course.update(capacity=Enrollment.select().where((Enrollment.course == course)
                                                    & Enrollment.status.in_(Enrollment.ACTIVE)).count()
                  ).where(Course.id == course.id).execute()
    amy = student("Amy")
    waiting = Enrollment.create(student=amy, course=course, status=Enrollment.WAITLISTED)
    signed_in("parent@example.com").post(url())
    assert WaitlistOffer.get(WaitlistOffer.enrollment == waiting).status == WaitlistOffer.OPEN


def test_a_drop_after_the_course_ended_is_refused_and_stores_nothing(signed_in):
    course = Course.get(name="Pottery for Kids")
    Meeting.delete().where((Meeting.course == course) & (Meeting.starts_at > datetime.datetime.now() - datetime.timedelta(days=1))).execute()
    dana, before = signed_in("parent@example.com"), ledger_total()
    assert "Pottery for Kids has ended; it can no longer be changed." in page_text(dana.get(url()))
    response = dana.post(url(), headers=HX)
    assert response.status_code == 409 and "has ended" in page_text(response)
    assert ledger_total() == before and enrollment("Ben", "Pottery for Kids").status == Enrollment.REGISTERED


def test_a_drop_while_the_order_is_in_pending_payment_is_refused(signed_in):
    Order.update(state=Order.PENDING_PAYMENT).where(Order.number == 1002).execute()
    dana, before = signed_in("parent@example.com"), ledger_total()
    response = dana.post(url(), headers=HX)
    assert response.status_code == 409
    assert "Order #1002 is in Pending Payment; Pottery for Kids can be changed once payment is received." in page_text(response)
    assert ledger_total() == before and enrollment("Ben", "Pottery for Kids").status == Enrollment.REGISTERED


def test_a_pending_payment_enrollment_is_not_offered_and_is_refused(signed_in):
    Enrollment.update(status=Enrollment.PENDING_PAYMENT).where(Enrollment.id == enrollment("Ben", "Pottery for Kids").id).execute()
    dana = signed_in("parent@example.com")
    assert "Drop Enrollment" not in page_text(dana.get(f"/account/students/{student('Ben').id}/enrollments"))
    response = dana.post(url())
    assert response.status_code == 409 and "Pending Payment" in page_text(response)


def test_a_waitlisted_enrollment_cannot_be_dropped(signed_in):
    dana, before = signed_in("parent@example.com"), ledger_total()
    response = dana.post(url("Ben", "Jazz II"))
    assert response.status_code == 409 and "cancel the waitlist instead" in page_text(response)
    assert enrollment("Ben", "Jazz II").status == Enrollment.WAITLISTED and ledger_total() == before


def test_a_guardian_without_the_payment_grant_gets_403(signed_in):
    nanny = signed_in("nanny@example.com")
    assert nanny.get(url()).status_code == 403 and nanny.post(url()).status_code == 403
    assert "Drop Enrollment" not in page_text(nanny.get(f"/account/students/{student('Ben').id}/enrollments"))
    assert enrollment("Ben", "Pottery for Kids").status == Enrollment.REGISTERED


def test_a_linked_household_cannot_drop(signed_in):
    grandparents = signed_in("grandparents@example.com")
    assert grandparents.post(url("Amy", "Ballet I")).status_code == 403
    assert enrollment("Amy", "Ballet I").status == Enrollment.REGISTERED


def test_another_households_enrollment_is_404(signed_in):
    trainee, lee = signed_in("trainee@example.com"), student("Lee")
    assert trainee.get(url()).status_code == 404 and trainee.post(url()).status_code == 404
    ben_enrollment = enrollment("Ben", "Pottery for Kids")
    assert trainee.post(f"/account/students/{lee.id}/enrollments/{ben_enrollment.id}/drop").status_code == 404
    assert ben_enrollment.status == Enrollment.REGISTERED


def test_the_drop_needs_the_csrf_token(signed_in):
    response = signed_in("parent@example.com").post(url(), csrf=False)
    assert response.status_code != 200 and enrollment("Ben", "Pottery for Kids").status == Enrollment.REGISTERED


def test_two_guardians_dropping_at_once_drop_once(signed_in):
    from conftest import at_once

    before = ledger_total()
    dana, chris = signed_in("parent@example.com"), signed_in("partner@example.com")
    answers = at_once([lambda c=c: c.post(url()) for c in (dana, chris)])
    assert sorted(a.status_code for a in answers) == [303, 409]
    assert ledger_total() == before - 18000


def test_the_confirmation_query_count_does_not_grow_with_the_ledger(signed_in, query_count):
    dana = signed_in("parent@example.com")
    small = query_count(dana.get, url())[1]
    order = Order.get(Order.number == 1002)
    for _ in range(30):
        LedgerEntry.create(account=order.account_id, order=order, kind=LedgerEntry.PAYMENT, amount_cents=-1, memo="x")
    response, large = query_count(dana.get, url())
    assert "Already paid $0.30" in page_text(response) and large == small
