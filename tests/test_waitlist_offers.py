"""Waitlist offers: staff offer a free seat to the first student waiting, the family is emailed and registers on the
held seat through the cart, nobody else can take it meanwhile, and an unclaimed hold expires to the next student."""
import datetime

import pytest

from billing_helpers import SUCCESS_CARD, pay_with_card
from conftest import page_text
from registration_helpers import course, register, student
from webapp import jobs
from webapp.models import Account, Enrollment, ReminderSetting, Student, WaitlistOffer, utcnow
from webapp.registration.services import seats_taken


def _jazz():
    return course("Jazz II")


def _free_a_jazz_seat():
    mai = Enrollment.get(student=student("Mai"), course=_jazz())
    Enrollment.update(status=Enrollment.DROPPED).where(Enrollment.id == mai.id).execute()


def _offer(sam):
    return sam.post(f"/staff/courses/{_jazz().id}/offer")


def _bens_offer():
    return WaitlistOffer.select().join(Enrollment).where(Enrollment.student == student("Ben")).get()


def test_a_full_course_has_no_seat_to_offer(signed_in):
    sam = signed_in("staff@example.com")
    page = page_text(sam.get(f"/staff/courses/{_jazz().id}"))
    assert "Ben Smith" in page and "2 seats · 0 free" in page and "Offer the free seat" not in page
    refused = _offer(sam)
    assert refused.status_code == 409 and "Jazz II has no free seat to offer." in page_text(refused)
    assert not WaitlistOffer.select().exists()


def test_staff_offer_the_free_seat_and_the_family_hears_until_when_it_is_held(signed_in, outbox):
    _free_a_jazz_seat()
    sam = signed_in("staff@example.com")
    assert "Offer the free seat to the next student waiting" in page_text(sam.get(f"/staff/courses/{_jazz().id}"))
    response = _offer(sam)
    assert response.status_code == 303
    offer = _bens_offer()
    assert offer.status == WaitlistOffer.OPEN and offer.offered_by.name == "Sam Ortiz"
    held_for = offer.expires_at - offer.offered_at
    assert datetime.timedelta(hours=47, minutes=59) < held_for <= datetime.timedelta(hours=48)
    assert "A seat in Jazz II is held for Ben" in page_text(sam.get(response.headers["Location"]))
    mail = [m for m in outbox if m.subject == "A seat in Jazz II is held for Ben"]
    assert [m.to for m in mail] == [["parent@example.com"]] and "Register in My registrations" in mail[0].body
    assert "seat held until" in page_text(sam.get(f"/staff/courses/{_jazz().id}"))
    assert seats_taken([_jazz().id])[_jazz().id] == 2  # the held seat counts as taken


def test_nobody_else_can_take_the_held_seat(signed_in):
    _free_a_jazz_seat()
    _offer(signed_in("staff@example.com"))
    dana = signed_in("parent@example.com")
    refused = register(dana, "Jazz II", "Amy")
    assert refused.status_code == 422 and "Jazz II is full" in page_text(refused)
    assert "Full" in page_text(dana.get("/register/"))


def test_the_family_registers_on_the_held_seat_by_card_and_the_hold_is_claimed(signed_in):
    _free_a_jazz_seat()
    _offer(signed_in("staff@example.com"))
    dana = signed_in("parent@example.com")
    mine = page_text(dana.get("/register/mine"))
    assert "Waitlisted: a seat is held until" in mine and "Register Ben in Jazz II" in mine
    assert register(dana, "Jazz II", "Ben").status_code == 303
    response, _, _ = pay_with_card(dana, SUCCESS_CARD)
    assert "Receipt" in page_text(response)
    assert Enrollment.get(student=student("Ben"), course=_jazz()).status == Enrollment.REGISTERED
    assert _bens_offer().status == WaitlistOffer.CLAIMED
    assert seats_taken([_jazz().id])[_jazz().id] == 2  # Linh and Ben: the hold became the enrollment
    assert "a seat is held" not in page_text(dana.get("/register/mine"))


def test_send_bill_on_the_held_seat_claims_it_too(signed_in):
    _free_a_jazz_seat()
    _offer(signed_in("staff@example.com"))
    dana = signed_in("parent@example.com")
    register(dana, "Jazz II", "Ben")
    assert dana.post("/register/send-bill", data={"po_number": "PO-7"}).status_code == 303
    assert Enrollment.get(student=student("Ben"), course=_jazz()).status in Enrollment.ACTIVE
    assert _bens_offer().status == WaitlistOffer.CLAIMED and seats_taken([_jazz().id])[_jazz().id] == 2


def test_an_unclaimed_hold_expires_and_the_seat_goes_to_the_next_student_waiting(signed_in, outbox):
    nguyen = Account.get(Account.name == "Nguyen household")
    kim = Student.create(first_name="Kim", last_name="Nguyen", billing_account=nguyen)
    Enrollment.create(student=kim, course=_jazz(), status=Enrollment.WAITLISTED,
                      created_at=utcnow() + datetime.timedelta(seconds=1))
    _free_a_jazz_seat()
    _offer(signed_in("staff@example.com"))
    WaitlistOffer.update(expires_at=utcnow() - datetime.timedelta(minutes=1)).execute()
    assert jobs.expire_waitlist_offers.call_local() == 1
    assert _bens_offer().status == WaitlistOffer.EXPIRED
    kims = WaitlistOffer.select().join(Enrollment).where(Enrollment.student == kim).get()
    assert kims.status == WaitlistOffer.OPEN and kims.offered_by is None
    assert jobs.expire_waitlist_offers.call_local() == 0  # run again: nothing more expires, nobody offered twice
    assert WaitlistOffer.select().count() == 2

    dana = signed_in("parent@example.com")
    assert "a seat is held" not in page_text(dana.get("/register/mine"))
    refused = register(dana, "Jazz II", "Ben")
    assert refused.status_code == 422 and "already Waitlisted" in page_text(refused)
    assert "offer expired" in page_text(signed_in("staff@example.com").get(f"/staff/courses/{_jazz().id}"))


def test_with_the_switch_off_the_seat_is_held_without_an_email(signed_in, outbox):
    ReminderSetting.create(kind=ReminderSetting.WAITLIST_OFFERED, enabled=False)
    _free_a_jazz_seat()
    _offer(signed_in("staff@example.com"))
    assert _bens_offer().status == WaitlistOffer.OPEN and not outbox


@pytest.mark.parametrize("email", ["parent@example.com", "instructor@example.com"])
def test_only_staff_may_offer_a_seat(signed_in, email):
    _free_a_jazz_seat()
    assert _offer(signed_in(email)).status_code == 403 and not WaitlistOffer.select().exists()


def test_offering_on_an_unknown_course_is_a_404(signed_in):
    assert signed_in("staff@example.com").post("/staff/courses/999999/offer").status_code == 404
