"""Rosters: who may open them, one-tap marks with and without htmx, submitting, bad input, the query budget."""
import datetime
import re

import pytest

from conftest import page_text, school_today, sign_in
from webapp.attendance.services import report_absence
from webapp.auth.services import hash_password
from webapp.models import AbsenceReason, Attendance, Company, Course, Enrollment, Meeting, Student, User

HX = {"HX-Request": "true"}


def _ballet_meeting(past):
    """Ballet I's most recent past meeting (Amy: "No show") or its next future one."""
    ballet = Meeting.select().join(Course).where(Course.name == "Ballet I")
    now = datetime.datetime.now()
    if past:
        # Before today, as the demo loader marks it: "now - 1 day" missed a meeting held yesterday afternoon.
        midnight = datetime.datetime.combine(school_today(), datetime.time())
        return ballet.where(Meeting.starts_at < midnight).order_by(Meeting.starts_at.desc()).first()
    return ballet.where(Meeting.starts_at > now + datetime.timedelta(days=1)).order_by(Meeting.starts_at).first()


def _student(first):
    return Student.get(Student.first_name == first)


def _reason(name):
    return AbsenceReason.get(AbsenceReason.name == name)


def _record(meeting, student):
    return Attendance.get_or_none((Attendance.meeting == meeting) & (Attendance.student == student))


def _mark_url(meeting, student):
    return f"/classes/meetings/{meeting.id}/students/{student.id}"


def _pressed(html, student, value):
    """The aria-pressed state of one mark button."""
    button = re.search(rf'<button[^>]*id="mark-{student.id}-{value}"[^>]*>', html, re.S).group(0)
    return re.search(r'aria-pressed="(\w+)"', button).group(1)


def test_my_classes_links_each_meeting_to_its_roster(signed_in):
    meeting = _ballet_meeting(past=False)
    html = signed_in("instructor@example.com").get("/classes/").get_data(as_text=True)
    assert f'href="/classes/meetings/{meeting.id}"' in html


def test_my_classes_lists_rosters_still_to_submit_first_then_today_then_upcoming(signed_in):
    past, future = _ballet_meeting(past=True), _ballet_meeting(past=False)
    pat = signed_in("instructor@example.com")
    html = pat.get("/classes/").get_data(as_text=True)
    text = page_text(pat.get("/classes/"))
    assert text.index("Rosters to submit") < text.index("Today") < text.index("Upcoming")
    overdue = html[html.index("Rosters to submit"):html.index('id="today-title"')]
    assert f'href="/classes/meetings/{past.id}"' in overdue and f'href="/classes/meetings/{future.id}"' not in overdue
    pat.post(f"/classes/meetings/{past.id}/submit")
    html = pat.get("/classes/").get_data(as_text=True)
    assert f'href="/classes/meetings/{past.id}"' not in html  # submitted: off the list


def test_pat_sees_the_ballet_roster_with_amys_no_show_and_every_active_reason(signed_in):
    meeting, amy = _ballet_meeting(past=True), _student("Amy")
    response = signed_in("instructor@example.com").get(f"/classes/meetings/{meeting.id}")
    text, html = page_text(response), response.get_data(as_text=True)
    assert "Ballet I" in text and "Amy Smith" in text and "Absent: No show" in text
    assert "Mark Amy Smith Present" in text and "Mark Amy Smith absent: Excused by instructor" in text
    for name in ("Sick", "Vacation", "Family emergency", "No show"):
        assert f"Mark Amy Smith absent: {name}" in text
    assert _pressed(html, amy, _reason("No show").id) == "true" and _pressed(html, amy, "present") == "false"
    assert "Submit roster" in text


def test_the_roster_is_a_page_and_an_htmx_fragment(signed_in):
    meeting = _ballet_meeting(past=True)
    client = signed_in("instructor@example.com")
    page = client.get(f"/classes/meetings/{meeting.id}").get_data(as_text=True)
    fragment = client.get(f"/classes/meetings/{meeting.id}", headers=HX)
    html = fragment.get_data(as_text=True)
    assert "<html" in page and "<html" not in html and "HX-Request" in fragment.headers["Vary"]
    assert "<h1>Ballet I</h1>" in html and 'id="roster"' in html and "Absent: No show" in html


def test_a_student_not_yet_marked_says_so(signed_in):
    meeting = _ballet_meeting(past=False)
    text = page_text(signed_in("instructor@example.com").get(f"/classes/meetings/{meeting.id}"))
    assert "Amy Smith Not marked" in text


def test_marking_present_without_javascript_redirects_back_to_the_roster(signed_in):
    meeting, amy = _ballet_meeting(past=True), _student("Amy")
    client = signed_in("instructor@example.com")
    response = client.post(_mark_url(meeting, amy), data={"mark": "present"})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/classes/meetings/{meeting.id}#roster-row-{amy.id}"
    page = client.get(response.headers["Location"])
    assert "Amy Smith: Present." in page_text(page) and "Absent: No show" not in page_text(page)
    assert _pressed(page.get_data(as_text=True), amy, "present") == "true"
    record = _record(meeting, amy)
    assert record.status == Attendance.PRESENT and record.reason is None and record.set_by.name == "Pat Lee"


def test_marking_with_htmx_answers_only_that_students_row(signed_in):
    meeting, amy = _ballet_meeting(past=True), _student("Amy")
    response = signed_in("instructor@example.com").post(_mark_url(meeting, amy), data={"mark": "present"}, headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "HX-Request" in response.headers["Vary"]
    assert html.lstrip().startswith(f'<li id="roster-row-{amy.id}"') and "<html" not in html
    assert re.search(r'class="state"[^>]*>Present<', html)
    assert _pressed(html, amy, "present") == "true" and _pressed(html, amy, _reason("No show").id) == "false"
    assert 'id="flash" class="flash-region" role="status" aria-live="polite" hx-swap-oob="innerHTML"' in html and "Amy Smith: Present." in html  # the message region, out of band
    assert _record(meeting, amy).status == Attendance.PRESENT


def test_an_instructor_only_reason_marks_the_student_absent(signed_in):
    meeting, amy, excused = _ballet_meeting(past=False), _student("Amy"), _reason("Excused by instructor")
    html = signed_in("instructor@example.com").post(
        _mark_url(meeting, amy), data={"mark": str(excused.id)}, headers=HX
    ).get_data(as_text=True)
    assert "Absent: Excused by instructor" in html and _pressed(html, amy, excused.id) == "true"
    record = _record(meeting, amy)
    assert record.status == Attendance.ABSENT and record.reason == excused
    assert record.set_by_role == Attendance.BY_INSTRUCTOR


def test_the_instructor_sees_and_overrides_a_reason_the_family_reported(signed_in):
    meeting, amy = _ballet_meeting(past=False), _student("Amy")
    dana = User.get(User.email == "parent@example.com")
    report_absence(Company.current(), dana, meeting, amy, _reason("Sick"), meeting.starts_at - datetime.timedelta(days=1))
    client = signed_in("instructor@example.com")
    assert "Absent: Sick — reported by Dana Smith (family)" in page_text(client.get(f"/classes/meetings/{meeting.id}"))
    no_show = _reason("No show")
    html = client.post(_mark_url(meeting, amy), data={"mark": str(no_show.id)}, headers=HX).get_data(as_text=True)
    assert "Absent: No show" in html and "Sick" not in re.search(r'class="state".*?</p>', html, re.S).group(0)
    assert "reported by" not in html
    record = _record(meeting, amy)
    assert record.reason == no_show and record.set_by_role == Attendance.BY_INSTRUCTOR


def test_after_submitting_only_staff_may_change_the_roster(signed_in):
    meeting, amy = _ballet_meeting(past=True), _student("Amy")
    pat = signed_in("instructor@example.com")
    response = pat.post(f"/classes/meetings/{meeting.id}/submit")
    assert response.status_code == 303
    text = page_text(pat.get(response.headers["Location"]))
    assert re.search(r"Roster submitted by Pat Lee at \d{1,2}:\d\d [AP]M", text)
    assert "Only the office can change it now." in text and "Submit roster" not in text and "Mark Amy" not in text
    assert "Amy Smith Absent: No show" in text  # a no-show stays on the submitted roster
    assert Meeting.get_by_id(meeting.id).roster_submitted_by.name == "Pat Lee"

    refused = pat.post(_mark_url(meeting, amy), data={"mark": "present"})
    assert refused.status_code == 403 and "only the office can change it now" in page_text(refused)
    assert _record(meeting, amy).reason.name == "No show"

    sam = signed_in("staff@example.com")
    assert "Mark Amy Smith Present" in page_text(sam.get(f"/classes/meetings/{meeting.id}"))
    assert sam.post(_mark_url(meeting, amy), data={"mark": "present"}).status_code == 303
    record = _record(meeting, amy)
    assert record.status == Attendance.PRESENT and record.set_by.name == "Sam Ortiz"


def test_a_refused_htmx_mark_says_why_in_the_message_region(signed_in):
    meeting, amy = _ballet_meeting(past=True), _student("Amy")
    pat = signed_in("instructor@example.com")
    pat.post(f"/classes/meetings/{meeting.id}/submit")
    response = pat.post(_mark_url(meeting, amy), data={"mark": "present"}, headers=HX)
    assert response.status_code == 403 and response.headers["HX-Retarget"] == "#flash"
    assert "only the office can change it now" in response.get_data(as_text=True)


def test_submitting_with_htmx_answers_the_roster_block(signed_in):
    meeting = _ballet_meeting(past=True)
    response = signed_in("instructor@example.com").post(f"/classes/meetings/{meeting.id}/submit", headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and html.lstrip().startswith('<div id="roster"') and "<html" not in html
    assert "Roster submitted by Pat Lee" in html and "Submit roster" not in html and "<button" not in html


def test_submitting_twice_keeps_the_first_submission(signed_in):
    meeting = _ballet_meeting(past=True)
    signed_in("instructor@example.com").post(f"/classes/meetings/{meeting.id}/submit")
    first = Meeting.get_by_id(meeting.id).roster_submitted_at
    signed_in("staff@example.com").post(f"/classes/meetings/{meeting.id}/submit")
    again = Meeting.get_by_id(meeting.id)
    assert again.roster_submitted_at == first and again.roster_submitted_by.name == "Pat Lee"


@pytest.mark.parametrize("email", ["instructor@example.com", "staff@example.com"])
def test_a_roster_cannot_be_submitted_before_the_class_starts(signed_in, email):
    meeting = _ballet_meeting(past=False)
    client = signed_in(email)
    page = page_text(client.get(f"/classes/meetings/{meeting.id}"))
    assert "Submit roster" not in page and "You can submit the roster once the class has started." in page
    for headers in ({}, HX):
        response = client.post(f"/classes/meetings/{meeting.id}/submit", headers=headers)
        assert response.status_code == 409 and "has not started yet" in page_text(response)
    assert Meeting.get_by_id(meeting.id).roster_submitted_at is None


def test_staff_may_submit_a_roster_late(signed_in):
    meeting = _ballet_meeting(past=True)
    assert signed_in("staff@example.com").post(f"/classes/meetings/{meeting.id}/submit").status_code == 303
    assert Meeting.get_by_id(meeting.id).roster_submitted_by.name == "Sam Ortiz"


def test_staff_may_open_any_roster(signed_in):
    meeting = _ballet_meeting(past=True)
    text = page_text(signed_in("staff@example.com").get(f"/classes/meetings/{meeting.id}"))
    assert "Amy Smith" in text and "Absent: No show" in text


def test_a_guardian_may_not_open_or_mark_a_roster(signed_in):
    meeting, amy = _ballet_meeting(past=False), _student("Amy")
    dana = signed_in("parent@example.com")
    assert dana.get(f"/classes/meetings/{meeting.id}").status_code == 403
    assert dana.post(_mark_url(meeting, amy), data={"mark": "present"}).status_code == 403
    assert dana.post(f"/classes/meetings/{meeting.id}/submit").status_code == 403
    assert _record(meeting, amy) is None and Meeting.get_by_id(meeting.id).roster_submitted_at is None


def test_another_instructors_class_is_404(app):
    User.create(email="kim@example.com", name="Kim Cho", role=User.INSTRUCTOR, password_hash=hash_password("kim-secret-1"))
    client = app.test_client()
    assert sign_in(client, "kim@example.com", "kim-secret-1").status_code == 303
    meeting, amy = _ballet_meeting(past=False), _student("Amy")
    assert client.get(f"/classes/meetings/{meeting.id}").status_code == 404
    assert client.post(_mark_url(meeting, amy), data={"mark": "present"}).status_code == 404
    assert client.post(f"/classes/meetings/{meeting.id}/submit").status_code == 404
    assert _record(meeting, amy) is None and Meeting.get_by_id(meeting.id).roster_submitted_at is None


@pytest.mark.parametrize("first, course", [("Ben", "Ballet I"), ("Ben", "Jazz II")])  # not enrolled; waitlisted
def test_a_student_without_a_place_in_the_class_is_404(signed_in, first, course):
    meeting = Meeting.select().join(Course).where(Course.name == course).first()
    ben = _student(first)
    response = signed_in("instructor@example.com").post(_mark_url(meeting, ben), data={"mark": "present"})
    assert response.status_code == 404 and _record(meeting, ben) is None


def test_get_on_a_mark_or_submit_url_changes_nothing(signed_in):
    meeting, amy = _ballet_meeting(past=False), _student("Amy")
    client = signed_in("instructor@example.com")
    assert client.get(_mark_url(meeting, amy) + "?mark=present").status_code == 405
    assert client.get(f"/classes/meetings/{meeting.id}/submit").status_code == 405
    assert _record(meeting, amy) is None and Meeting.get_by_id(meeting.id).roster_submitted_at is None


def test_a_post_without_the_csrf_token_changes_nothing(signed_in):
    meeting, amy = _ballet_meeting(past=False), _student("Amy")
    client = signed_in("instructor@example.com")
    response = client.post(_mark_url(meeting, amy), data={"mark": "present"}, csrf=False)
    assert response.status_code == 303
    assert "Please try that again." in page_text(client.get(response.headers["Location"], follow_redirects=True))
    client.post(f"/classes/meetings/{meeting.id}/submit", csrf=False)
    assert _record(meeting, amy) is None and Meeting.get_by_id(meeting.id).roster_submitted_at is None


def _retire(name):
    AbsenceReason.update(active=False).where(AbsenceReason.name == name).execute()
    return str(_reason(name).id)


@pytest.mark.parametrize("mark", ["999999", "sick", "", "inactive"])
def test_an_unknown_or_retired_reason_is_422_with_a_message_in_the_row(signed_in, mark):
    meeting, amy = _ballet_meeting(past=True), _student("Amy")
    mark = _retire("Vacation") if mark == "inactive" else mark
    client = signed_in("instructor@example.com")
    fragment = client.post(_mark_url(meeting, amy), data={"mark": mark}, headers=HX)
    html = fragment.get_data(as_text=True)
    assert fragment.status_code == 422 and html.lstrip().startswith(f'<li id="roster-row-{amy.id}"')
    assert re.search(r'class="error"[^>]*>(That reason is not offered|Choose Present)', html)
    page = client.post(_mark_url(meeting, amy), data={"mark": mark})
    assert page.status_code == 422 and "<html" in page.get_data(as_text=True)
    assert "Choose Present or one of the reasons" in page_text(page)
    assert _record(meeting, amy).reason.name == "No show"


def _fill_ballet(total):
    """Enroll students in Ballet I up to `total`, half of them already marked at the meeting."""
    ballet, smith = Course.get(Course.name == "Ballet I"), _student("Amy").billing_account
    meeting, present = _ballet_meeting(past=True), Attendance.PRESENT
    for n in range(total - Enrollment.select().where(Enrollment.course == ballet).count()):
        student = Student.create(first_name=f"Kid{n:02}", last_name="Smith", billing_account=smith)
        Enrollment.create(student=student, course=ballet)
        if n % 2:
            Attendance.create(meeting=meeting, student=student, status=present, set_by_role=Attendance.BY_INSTRUCTOR)


def test_the_roster_query_count_does_not_grow_with_the_class(signed_in, query_count):
    meeting = _ballet_meeting(past=True)
    client = signed_in("instructor@example.com")
    _fill_ballet(2)
    small_page, small = query_count(client.get, f"/classes/meetings/{meeting.id}")
    _fill_ballet(30)
    large_page, large = query_count(client.get, f"/classes/meetings/{meeting.id}")
    assert page_text(small_page).count("Mark Kid") < page_text(large_page).count("Mark Kid")
    assert large_page.get_data(as_text=True).count('class="roster-row"') == 30
    assert large == small, f"{small} queries for 2 students, {large} for 30"


def test_submitting_with_students_not_marked_asks_first(signed_in):
    meeting, amy = _ballet_meeting(past=True), _student("Amy")
    Attendance.delete().where((Attendance.meeting == meeting) & (Attendance.student == amy)).execute()
    pat = signed_in("instructor@example.com")
    asked = pat.post(f"/classes/meetings/{meeting.id}/submit")
    assert "Submit the roster with 1 not marked?" in page_text(asked) and "Not marked: Amy Smith" in page_text(asked)
    assert Meeting.get_by_id(meeting.id).roster_submitted_at is None
    assert pat.post(f"/classes/meetings/{meeting.id}/submit", data={"confirm": "yes"}).status_code == 303
    assert Meeting.get_by_id(meeting.id).roster_submitted_at is not None
