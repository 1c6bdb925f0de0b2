"""Your Student(s), per student: Enrollments (current, waitlist with position, past; Cancel Waitlist), Attendance,
Passes and the QR code with check-in by code. Each follows its company switch; every route is scoped to the
household."""
import datetime
import re
from zoneinfo import ZoneInfo

import pytest

from conftest import page_text
from webapp.models import (
    Attendance, CheckInCode, Company, Course, Enrollment, Location, Meeting, Student, WaitlistOffer, utcnow,
)

HX = {"HX-Request": "true"}


def student(first):
    return Student.get(Student.first_name == first)


def jazz_waitlist(first="Ben"):
    return Enrollment.get((Enrollment.student == student(first)) & (Enrollment.course == Course.get(name="Jazz II")))


def local_now():
    return datetime.datetime.now(ZoneInfo("America/New_York")).replace(tzinfo=None, microsecond=0)


def switch(**values):
    Company.update(**values).execute()


# Enrollments


def test_current_enrollments_show_course_days_location_instructor_dates_and_status(signed_in):
    text = page_text(signed_in("parent@example.com").get(f"/account/students/{student('Amy').id}/enrollments"))
    assert re.search(r"Ballet I Days and time Tuesdays, 4:00 PM – 5:00 PM Location Downtown Instructor Pat Lee "
                     r"Start and end \d+ \w+ \d{4} – \d+ \w+ \d{4} Status Registered", text), text
    assert "Creative Movement" not in text  # past enrollments are hidden until shown


def test_past_enrollments_show_and_hide(signed_in):
    dana = signed_in("parent@example.com")
    url = f"/account/students/{student('Amy').id}/enrollments"
    shown = page_text(dana.get(url + "?past=1"))
    assert "Hide Past Enrollments Creative Movement" in shown and "Location Downtown" in shown
    assert "Status Completed" in shown
    assert "Creative Movement" not in page_text(dana.get(url))


@pytest.mark.parametrize("headers", [{}, HX])
def test_the_waitlist_shows_with_its_position_as_a_page_and_a_fragment(signed_in, headers):
    response = signed_in("parent@example.com").get(f"/account/students/{student('Ben').id}/enrollments?waitlist=1",
                                                   headers=headers)
    body = response.get_data(as_text=True)
    assert ("<html" in body) != bool(headers) and "HX-Request" in response.headers["Vary"]
    assert "Jazz II" in page_text(response) and "number 1 on the waitlist" in page_text(response)
    assert "Cancel Waitlist" in page_text(response)


def test_the_waitlist_position_counts_who_joined_first(signed_in):
    amy = student("Amy")
    Enrollment.create(student=amy, course=Course.get(name="Jazz II"), status=Enrollment.WAITLISTED)
    text = page_text(signed_in("parent@example.com").get(f"/account/students/{amy.id}/enrollments?waitlist=1"))
    assert "number 2 on the waitlist" in text


@pytest.mark.parametrize("headers", [{}, HX])
def test_dana_cancels_bens_waitlist(signed_in, headers):
    dana = signed_in("parent@example.com")
    ben, enrollment = student("Ben"), jazz_waitlist()
    response = dana.post(f"/account/students/{ben.id}/waitlist/{enrollment.id}/cancel", headers=headers)
    assert Enrollment.get_by_id(enrollment.id).status == Enrollment.CANCELLED
    if headers:
        assert response.status_code == 200 and "Ben is on no waitlist." in page_text(response)
    else:
        assert response.status_code == 303 and response.headers["Location"].endswith("/enrollments?waitlist=1")
    again = dana.post(f"/account/students/{ben.id}/waitlist/{enrollment.id}/cancel", headers=HX)
    assert again.status_code == 409 and "Ben is no longer on that waitlist." in page_text(again)


def test_cancelling_a_held_seat_offers_it_to_the_next_student_waiting(signed_in):
    amy, ben, jazz = student("Amy"), student("Ben"), Course.get(name="Jazz II")
    Course.update(capacity=3).where(Course.id == jazz.id).execute()
    amys = Enrollment.create(student=amy, course=jazz, status=Enrollment.WAITLISTED)
    WaitlistOffer.create(enrollment=jazz_waitlist(), expires_at=utcnow() + datetime.timedelta(hours=4))
    signed_in("parent@example.com").post(f"/account/students/{ben.id}/waitlist/{jazz_waitlist().id}/cancel")
    assert WaitlistOffer.get(WaitlistOffer.enrollment == jazz_waitlist()).status == WaitlistOffer.EXPIRED
    assert WaitlistOffer.get(WaitlistOffer.enrollment == amys).status == WaitlistOffer.OPEN


def test_a_registered_enrollment_is_not_cancelled_as_a_waitlist(signed_in):
    ballet = Enrollment.get(Enrollment.student == student("Amy"))
    response = signed_in("parent@example.com").post(
        f"/account/students/{student('Amy').id}/waitlist/{ballet.id}/cancel")
    assert response.status_code == 409 and Enrollment.get_by_id(ballet.id).status == Enrollment.REGISTERED


def test_cancel_waitlist_is_absent_when_the_company_switched_it_off(signed_in):
    switch(cancel_waitlist=False)
    dana, ben, enrollment = signed_in("parent@example.com"), student("Ben"), jazz_waitlist()
    assert "Cancel Waitlist" not in page_text(dana.get(f"/account/students/{ben.id}/enrollments?waitlist=1"))
    assert dana.post(f"/account/students/{ben.id}/waitlist/{enrollment.id}/cancel").status_code == 404
    assert jazz_waitlist().status == Enrollment.WAITLISTED


def test_a_linked_household_sees_but_cannot_cancel(signed_in):
    karie, amy = signed_in("grandparents@example.com"), student("Amy")
    waiting = Enrollment.create(student=amy, course=Course.get(name="Jazz II"), status=Enrollment.WAITLISTED)
    page = page_text(karie.get(f"/account/students/{amy.id}/enrollments?waitlist=1"))
    assert "Jazz II" in page and "Cancel Waitlist" not in page
    assert karie.post(f"/account/students/{amy.id}/waitlist/{waiting.id}/cancel").status_code == 403
    assert Enrollment.get_by_id(waiting.id).status == Enrollment.WAITLISTED


def test_the_cancel_needs_the_csrf_token(signed_in):
    ben, enrollment = student("Ben"), jazz_waitlist()
    response = signed_in("parent@example.com").post(f"/account/students/{ben.id}/waitlist/{enrollment.id}/cancel",
                                                    csrf=False)
    assert response.status_code != 200 and jazz_waitlist().status == Enrollment.WAITLISTED
    assert signed_in("parent@example.com").get(f"/account/students/{ben.id}/waitlist/{enrollment.id}/cancel"
                                                ).status_code == 405


# Attendance


def test_attendance_lists_every_meeting_with_its_mark_and_totals(signed_in):
    dana, amy = signed_in("parent@example.com"), student("Amy")
    text = page_text(dana.get(f"/account/students/{amy.id}/attendance"))
    assert "Ballet I Present 2 · Absent 1 · Not marked 0 · To come 10" in text, text[:400]
    assert "Absent: No show" in text and "Creative Movement" not in text
    body = dana.get(f"/account/students/{amy.id}/attendance").get_data(as_text=True)
    # The family's own future absence links to its Absent? cell on Upcoming Courses; Pat's "No show" does not.
    assert re.search(r'href="/schedule/#absent-\d+-%d">Absent: Family emergency' % amy.id, body)
    assert not re.search(r'<a [^>]*>Absent: No show', body)
    past = page_text(dana.get(f"/account/students/{amy.id}/attendance?past=1"))
    assert "Creative Movement Present 10 · Absent 0 · Not marked 0" in past


def test_attendance_is_absent_when_switched_off(signed_in):
    switch(show_attendance=False)
    dana, amy = signed_in("parent@example.com"), student("Amy")
    assert dana.get(f"/account/students/{amy.id}/attendance").status_code == 404
    assert "Attendance" not in page_text(dana.get(f"/account/students/{amy.id}/enrollments"))


# Passes


def test_passes_show_the_amount_paid_only_with_the_balance_grant(signed_in):
    amy = student("Amy")
    dana = page_text(signed_in("parent@example.com").get(f"/account/students/{amy.id}/passes"))
    assert re.search(r"Open Studio 10-punch Punches 3 used, 7 remaining Date purchased .+ Active Yes "
                     r"Expiration date .+ Amount paid \$", dana), dana
    jo = page_text(signed_in("nanny@example.com").get(f"/account/students/{amy.id}/passes"))
    assert "3 used, 7 remaining" in jo and "Amount paid" not in jo


def test_passes_are_absent_when_switched_off(signed_in):
    switch(show_passes=False)
    assert signed_in("parent@example.com").get(f"/account/students/{student('Amy').id}/passes").status_code == 404


# QR codes and check-in


def test_the_qr_code_is_an_inline_svg_of_a_random_code_with_its_text(signed_in):
    amy = student("Amy")
    body = signed_in("parent@example.com").get(f"/account/students/{amy.id}/qr").get_data(as_text=True)
    code = CheckInCode.get(CheckInCode.student == amy).code
    assert "<svg" in body and code in body and len(code) >= 16 and str(amy.id) != code
    assert CheckInCode.get(CheckInCode.student == student("Ben")).code != code


@pytest.mark.parametrize("headers", [{}, HX])
def test_the_primary_guardian_rotates_the_code(signed_in, headers):
    amy = student("Amy")
    old = CheckInCode.get(CheckInCode.student == amy).code
    response = signed_in("parent@example.com").post(f"/account/students/{amy.id}/qr", headers=headers)
    new = CheckInCode.get(CheckInCode.student == amy).code
    assert new != old and response.status_code == (200 if headers else 303)
    sam = signed_in("staff@example.com")
    assert "No student has this code" in page_text(sam.post("/staff/check-in/", data={"code": old}))


def test_only_the_primary_guardian_rotates(signed_in):
    amy = student("Amy")
    old = CheckInCode.get(CheckInCode.student == amy).code
    for email in ("partner@example.com", "grandparents@example.com"):
        user = signed_in(email)
        assert "Make a new code" not in page_text(user.get(f"/account/students/{amy.id}/qr"))
        assert user.post(f"/account/students/{amy.id}/qr").status_code == 403
    assert CheckInCode.get(CheckInCode.student == amy).code == old


def test_qr_codes_are_absent_when_switched_off(signed_in):
    switch(student_qr_codes=False)
    amy = student("Amy")
    assert signed_in("parent@example.com").get(f"/account/students/{amy.id}/qr").status_code == 404
    assert signed_in("staff@example.com").get("/staff/check-in/").status_code == 404


def _meeting_now(course="Ballet I"):
    now = local_now()
    return Meeting.create(course=Course.get(name=course), starts_at=now - datetime.timedelta(minutes=10),
                          ends_at=now + datetime.timedelta(minutes=50))


@pytest.mark.parametrize("headers", [{}, HX])
def test_sam_checks_amy_in_by_her_code(signed_in, headers):
    amy, meeting = student("Amy"), _meeting_now()
    code = CheckInCode.get(CheckInCode.student == amy).code
    sam = signed_in("staff@example.com")
    response = sam.post("/staff/check-in/", data={"code": f" {code[:5].lower()}-{code[5:]} "}, headers=headers)
    record = Attendance.get((Attendance.meeting == meeting) & (Attendance.student == amy))
    assert record.status == Attendance.PRESENT and record.set_by.email == "staff@example.com"
    assert response.status_code == (200 if headers else 303)
    if headers:
        assert "Amy Smith is checked in: present at Ballet I." in response.get_data(as_text=True)


def test_no_meeting_now_is_said_clearly_and_marks_nothing(signed_in):
    amy = student("Amy")
    before = Attendance.select().count()
    response = signed_in("staff@example.com").post(
        "/staff/check-in/", data={"code": CheckInCode.get(CheckInCode.student == amy).code}, headers=HX)
    assert response.status_code == 422 and "Amy Smith has no class happening now" in page_text(response)
    assert Attendance.select().count() == before


def test_a_meeting_of_a_course_the_student_is_not_in_is_not_checked_in(signed_in):
    meeting, amy = _meeting_now("Pottery for Kids"), student("Amy")
    response = signed_in("staff@example.com").post(
        "/staff/check-in/", data={"code": CheckInCode.get(CheckInCode.student == amy).code})
    assert response.status_code == 422
    assert not Attendance.select().where(Attendance.meeting == meeting).exists()


@pytest.mark.parametrize("code", ["", "x" * 500, "' OR 1=1 --", "%00"])
def test_bad_codes_get_a_message_next_to_the_field(signed_in, code):
    response = signed_in("staff@example.com").post("/staff/check-in/", data={"code": code}, headers=HX)
    assert response.status_code == 422 and 'id="code-error"' in response.get_data(as_text=True)


def test_families_and_instructors_cannot_check_in(signed_in):
    code = CheckInCode.get(CheckInCode.student == student("Amy")).code
    meeting = _meeting_now()
    for email in ("parent@example.com", "instructor@example.com"):
        assert signed_in(email).post("/staff/check-in/", data={"code": code}).status_code == 403
    assert not Attendance.select().where(Attendance.meeting == meeting).exists()


# Scope and roles


def test_another_households_student_is_404_on_every_section(signed_in):
    karie, ben = signed_in("grandparents@example.com"), student("Ben")
    for path in ("enrollments", "attendance", "passes", "qr"):
        assert karie.get(f"/account/students/{ben.id}/{path}").status_code == 404, path
    assert karie.post(f"/account/students/{ben.id}/qr").status_code == 404
    assert karie.post(f"/account/students/{ben.id}/waitlist/{jazz_waitlist().id}/cancel").status_code == 404
    assert jazz_waitlist().status == Enrollment.WAITLISTED


def test_staff_get_403_on_family_sections(signed_in):
    sam, amy = signed_in("staff@example.com"), student("Amy")
    for path in ("enrollments", "attendance", "passes", "qr"):
        assert sam.get(f"/account/students/{amy.id}/{path}").status_code == 403, path
    assert sam.post(f"/account/students/{amy.id}/qr").status_code == 403


def _many_past_enrollments(amy, count):
    downtown = Location.get(name="Downtown")
    start = datetime.datetime(2020, 1, 6, 15, 0)
    for i in range(count):
        course = Course.create(name=f"Old class {i}", location=downtown, capacity=5)
        for week in range(5):
            starts = start + datetime.timedelta(weeks=week, days=i)
            meeting = Meeting.create(course=course, starts_at=starts, ends_at=starts + datetime.timedelta(hours=1))
            Attendance.create(meeting=meeting, student=amy, status=Attendance.PRESENT, set_by_role="instructor")
        Enrollment.create(student=amy, course=course, status=Enrollment.REGISTERED)


def test_query_counts_do_not_grow_with_enrollments(signed_in, query_count):
    dana, amy = signed_in("parent@example.com"), student("Amy")
    urls = [f"/account/students/{amy.id}/enrollments?past=1&waitlist=1", f"/account/students/{amy.id}/attendance?past=1"]
    small = [query_count(dana.get, url)[1] for url in urls]
    _many_past_enrollments(amy, 30)
    large = [query_count(dana.get, url) for url in urls]
    assert "Old class 29" in page_text(large[0][0]) and "Old class 29" in page_text(large[1][0])
    assert [count for _, count in large] == small


def test_two_guardians_cancelling_the_same_waitlist_at_once_cancel_it_once(signed_in):
    from conftest import at_once

    dana, chris = signed_in("parent@example.com"), signed_in("partner@example.com")
    url = f"/account/students/{student('Ben').id}/waitlist/{jazz_waitlist().id}/cancel"
    answers = at_once([lambda c=c: c.post(url) for c in (dana, chris)])
    assert sorted(a.status_code for a in answers) == [303, 409]
    assert jazz_waitlist().status == Enrollment.CANCELLED
