"""The audit of staff enrollment actions (issue 13.10): enroll, waitlist, a seat offered from the waitlist, drop and
transfer each record who did what in the action's own transaction; the household's page shows it with the money it
moved (to staff who may bill), the course's page shows the place; a refused action records nothing."""
import pytest

from conftest import page_text
from enrollment_helpers import enrollment, student
from test_staff_audit import SAM, audit_cannot_be_written, changes_section
from test_staff_enrollments import change_url, course, enroll_form, enroll_url, smith
from webapp.models import Company, Course, Enrollment, StaffChange

ALEX = "frontdesk@example.com"


def household_changes(client):
    return changes_section(client.get(f"/staff/households/{smith().id}"))


def course_changes(client, name):
    return changes_section(client.get(f"/staff/courses/{course(name).id}"))


def with_a_free_seat(name):
    """The course has one seat more than it has students in it."""
    taken = Enrollment.select().where((Enrollment.course == course(name)) & Enrollment.status.in_(Enrollment.ACTIVE))
    Course.update(capacity=taken.count() + 1).where(Course.name == name).execute()


def test_an_enrollment_on_account_shows_who_enrolled_whom_with_its_order(signed_in):
    sam = signed_in(SAM)
    assert sam.post(enroll_url(), data=enroll_form()).status_code == 303
    changes = household_changes(sam)
    assert "Sam Ortiz enrolled Ben in Ballet I: Registered Order #1008, on account, may pay online: $240.00" in changes
    assert "Sam Ortiz enrolled Ben in Ballet I: Registered" in course_changes(sam, "Ballet I")
    assert "$240.00" not in course_changes(sam, "Ballet I")  # the course's page shows the place, not the money
    latest = StaffChange.select().order_by(StaffChange.id.desc()).first()
    assert (latest.kind, latest.object_key, latest.changed_by.email) == ("billing", str(smith().id), SAM)


def test_an_enrollment_to_pay_at_the_desk_says_so(signed_in):
    sam = signed_in(SAM)
    assert sam.post(enroll_url(), data=enroll_form(on_account=None, payable_online=None)).status_code == 303
    assert "Order #1008, to pay at the front desk: $240.00" in household_changes(sam)


@pytest.mark.parametrize("overrides", [{"course": "0"}, {"student": ""}, {"external_note": "x" * 1001}])
def test_an_enrollment_refused_for_bad_input_records_nothing(signed_in, overrides):
    sam = signed_in(SAM)
    assert sam.post(enroll_url(), data=enroll_form(**overrides)).status_code == 422
    assert not StaffChange.select().exists()


def test_an_enrollment_in_a_full_course_records_nothing_and_its_waitlist_is_recorded(signed_in):
    sam, jazz = signed_in(SAM), course("Jazz II")
    refused = sam.post(enroll_url(), data=enroll_form(student=student("Amy").id, course=jazz.id))
    assert refused.status_code == 422 and "Jazz II is full" in page_text(refused)
    assert not StaffChange.select().exists()
    waitlisted = sam.post(f"/staff/households/{smith().id}/waitlist",
                          data=enroll_form(student=student("Amy").id, course=jazz.id))
    assert waitlisted.status_code == 303
    assert "Sam Ortiz waitlisted Amy in Jazz II: Waitlisted" in household_changes(sam)
    assert "Sam Ortiz waitlisted Amy in Jazz II: Waitlisted" in course_changes(sam, "Jazz II")


def test_a_waitlist_refused_while_the_course_has_seats_records_nothing(signed_in):
    sam = signed_in(SAM)
    assert sam.post(f"/staff/households/{smith().id}/waitlist", data=enroll_form()).status_code == 422
    assert not StaffChange.select().exists()


def test_a_seat_offered_from_the_waitlist_then_taken_shows_each_step(signed_in):
    sam, jazz = signed_in(SAM), course("Jazz II")
    assert sam.post(f"/staff/courses/{jazz.id}/offer").status_code == 409  # full: no seat to offer
    assert not StaffChange.select().exists()
    with_a_free_seat("Jazz II")
    assert sam.post(f"/staff/courses/{jazz.id}/offer").status_code == 303
    offered = course_changes(sam, "Jazz II")
    assert "Sam Ortiz offered a seat Ben in Jazz II: Waitlisted → Seat held until" in offered
    assert "Sam Ortiz offered a seat Ben in Jazz II: Waitlisted → Seat held until" in household_changes(sam)
    assert sam.post(enroll_url(), data=enroll_form(course=jazz.id)).status_code == 303  # the held seat is Ben's
    changes = household_changes(sam)
    assert "Sam Ortiz enrolled Ben in Jazz II: Waitlisted → Registered" in changes
    assert changes.index("enrolled Ben in Jazz II") < changes.index("offered a seat")  # newest first


def test_a_drop_shows_what_was_voided_on_the_household_and_the_place_on_the_course(signed_in):
    Company.update(withdraw_penalty_cents=2500).execute()
    sam = signed_in(SAM)
    assert sam.post(change_url(action="drop")).status_code == 303
    changes = household_changes(sam)
    assert ("Sam Ortiz dropped Ben in Pottery for Kids: Registered → Dropped Order #1002 voided: $180.00 "
            "Withdraw penalty: $25.00") in changes
    on_course = course_changes(sam, "Pottery for Kids")
    assert "Sam Ortiz dropped Ben in Pottery for Kids: Registered → Dropped" in on_course and "$180.00" not in on_course


def test_a_drop_refused_records_nothing(signed_in):
    sam = signed_in(SAM)
    assert sam.post(change_url("Ben", "Jazz II", "drop")).status_code == 409  # a waitlist is not dropped
    assert sam.post(change_url(action="drop")).status_code == 303
    assert sam.post(change_url(action="drop")).status_code == 409  # dropped already
    assert StaffChange.select().count() == 2  # the one drop: on the household and on the course


def test_a_family_dropping_its_own_enrollment_is_not_a_staff_change(signed_in):
    Company.update(allow_drop=True).execute()
    dana, ben = signed_in("parent@example.com"), enrollment("Ben", "Pottery for Kids")
    assert dana.post(f"/account/students/{ben.student_id}/enrollments/{ben.id}/drop").status_code == 303
    assert enrollment("Ben", "Pottery for Kids").status == Enrollment.DROPPED
    assert not StaffChange.select().exists()


def test_a_transfer_shows_from_and_to_with_the_difference_charged(signed_in):
    sam = signed_in(SAM)
    assert sam.post(change_url(action="transfer"), data={"course": course("Ballet I").id}).status_code == 303
    changes = household_changes(sam)
    assert "Sam Ortiz transferred Ben: Pottery for Kids → Ballet I Order #1008 charged: $60.00" in changes
    for name in ("Pottery for Kids", "Ballet I"):
        on_course = course_changes(sam, name)
        assert "Sam Ortiz transferred Ben: Pottery for Kids → Ballet I" in on_course and "$60.00" not in on_course


def test_a_transfer_to_a_cheaper_course_shows_the_credit(signed_in):
    Course.update(price_cents=15000).where(Course.name == "Ballet I").execute()
    sam = signed_in(SAM)
    assert sam.post(change_url(action="transfer"), data={"course": course("Ballet I").id}).status_code == 303
    assert "transferred Ben: Pottery for Kids → Ballet I Credited: $30.00" in household_changes(sam)


@pytest.mark.parametrize("data", [{}, {"course": "abc"}, {"course": "999999"}, {"course": "JAZZ"}])
def test_a_transfer_refused_records_nothing(signed_in, data):
    sam = signed_in(SAM)
    if data.get("course") == "JAZZ":
        data = {"course": course("Jazz II").id}  # full
    assert sam.post(change_url(action="transfer"), data=data).status_code in (409, 422)
    assert not StaffChange.select().exists()


def test_alex_at_the_front_desk_sees_the_places_but_not_the_money(signed_in):
    sam, alex = signed_in(SAM), signed_in(ALEX)
    sam.post(change_url(action="drop"))
    with_a_free_seat("Jazz II")
    sam.post(f"/staff/courses/{course('Jazz II').id}/offer")
    seen = household_changes(alex)
    assert "Sam Ortiz offered a seat Ben in Jazz II" in seen  # moved no money
    assert "dropped" not in seen and "$180.00" not in seen
    assert "Sam Ortiz dropped Ben in Pottery for Kids: Registered → Dropped" in course_changes(alex, "Pottery for Kids")


@pytest.mark.parametrize("email", ["parent@example.com", "instructor@example.com"])
def test_families_and_instructors_see_no_enrollment_changes(signed_in, email):
    signed_in(SAM).post(enroll_url(), data=enroll_form())
    for url in (f"/staff/households/{smith().id}", f"/staff/courses/{course('Ballet I').id}"):
        response = signed_in(email).get(url)
        assert response.status_code == 403 and "enrolled Ben" not in page_text(response)


def test_the_record_and_the_drop_are_one_transaction(signed_in, monkeypatch):
    sam = signed_in(SAM)
    audit_cannot_be_written(monkeypatch)
    with pytest.raises(RuntimeError):
        sam.post(change_url(action="drop"))
    assert enrollment("Ben", "Pottery for Kids").status == Enrollment.REGISTERED  # no drop without its record
