"""Staff generate a course's classes from its weekly pattern: a preview first (a GET that changes nothing), then one
POST; generating again never adds a class twice and never removes one that attendance or a token hangs on."""
import datetime

import pytest

from conftest import page_text
from test_staff_course_setup import course_form
from webapp.models import Attendance, Course, Meeting, Student
from webapp.staff.meeting_plan import parse_dates

HX = {"HX-Request": "true"}
THURSDAYS = [datetime.date(2027, 1, 7) + datetime.timedelta(weeks=n) for n in range(8)]  # Jan 7 to Feb 25


@pytest.fixture
def sam(signed_in):
    return signed_in("staff@example.com")


@pytest.fixture
def hip_hop(sam):
    assert sam.post("/staff/courses/new", data=course_form()).status_code == 303
    return Course.get(Course.name == "Hip Hop I")


def meeting_days(course):
    return [m.starts_at.date() for m in Meeting.select().where(Meeting.course == course).order_by(Meeting.starts_at)]


def test_the_preview_lists_the_dates_and_changes_nothing(sam, hip_hop):
    response = sam.get(f"/staff/courses/{hip_hop.id}/meetings?skip_dates=2027-02-11")
    text = page_text(response)
    assert response.status_code == 200
    assert "7 classes to add · 0 already there · 0 to remove" in text
    assert "Skipped" in text and meeting_days(hip_hop) == []
    assert 'datetime="2027-01-07T17:00:00"' in response.get_data(as_text=True)
    assert 'datetime="2027-02-11T17:00:00"' not in response.get_data(as_text=True)


def test_confirming_creates_the_classes_of_the_pattern_less_the_skip_dates(sam, hip_hop):
    response = sam.post(f"/staff/courses/{hip_hop.id}/meetings", data={"skip_dates": "2027-02-11"})
    assert response.status_code == 303
    assert meeting_days(hip_hop) == [d for d in THURSDAYS if d != datetime.date(2027, 2, 11)]
    first = Meeting.select().where(Meeting.course == hip_hop).order_by(Meeting.starts_at).first()
    assert (first.starts_at, first.ends_at) == (datetime.datetime(2027, 1, 7, 17), datetime.datetime(2027, 1, 7, 18))
    assert "7 classes added, 0 removed, 0 already there." in page_text(sam.get(response.headers["Location"]))


def test_generating_again_adds_no_class_twice_even_one_moved_or_cancelled(sam, hip_hop):
    sam.post(f"/staff/courses/{hip_hop.id}/meetings", data={"skip_dates": ""})
    moved = Meeting.get((Meeting.course == hip_hop) & (Meeting.starts_at == datetime.datetime(2027, 1, 14, 17)))
    Meeting.update(starts_at=datetime.datetime(2027, 1, 15, 17), moved_from=moved.starts_at).where(
        Meeting.id == moved.id).execute()
    Meeting.update(cancelled_at=datetime.datetime(2026, 12, 1)).where(
        (Meeting.course == hip_hop) & (Meeting.starts_at == datetime.datetime(2027, 1, 21, 17))).execute()
    assert "Nothing to change" in page_text(sam.get(f"/staff/courses/{hip_hop.id}/meetings"))
    sam.post(f"/staff/courses/{hip_hop.id}/meetings", data={"skip_dates": ""})
    sam.post(f"/staff/courses/{hip_hop.id}/meetings", data={"skip_dates": ""})
    assert Meeting.select().where(Meeting.course == hip_hop).count() == 8


def test_a_new_skip_date_removes_its_empty_class_but_never_one_with_attendance(sam, hip_hop):
    sam.post(f"/staff/courses/{hip_hop.id}/meetings", data={"skip_dates": ""})
    attended = Meeting.get((Meeting.course == hip_hop) & (Meeting.starts_at == datetime.datetime(2027, 1, 28, 17)))
    Attendance.create(meeting=attended, student=Student.get(Student.first_name == "Amy"), status=Attendance.ABSENT,
                      set_by_role=Attendance.BY_PATRON)
    preview = page_text(sam.get(f"/staff/courses/{hip_hop.id}/meetings?skip_dates=2027-01-21%0A2027-01-28"))
    assert "0 classes to add · 6 already there · 1 to remove · 1 off the pattern that stay" in preview
    sam.post(f"/staff/courses/{hip_hop.id}/meetings", data={"skip_dates": "2027-01-21,2027-01-28"})
    days = meeting_days(hip_hop)
    assert datetime.date(2027, 1, 21) not in days and datetime.date(2027, 1, 28) in days and len(days) == 7
    assert Attendance.select().where(Attendance.meeting == attended).exists()


def test_a_bad_skip_date_is_refused_next_to_the_field_and_nothing_is_made(sam, hip_hop):
    response = sam.post(f"/staff/courses/{hip_hop.id}/meetings", data={"skip_dates": "2027-02-11\nnext tuesday"})
    assert response.status_code == 422
    assert "“next tuesday” is not a date" in page_text(response)
    assert meeting_days(hip_hop) == []


def test_a_course_without_a_pattern_says_what_to_set(sam):
    ballet = Course.get(Course.name == "Ballet I")
    before = Meeting.select().where(Meeting.course == ballet).count()
    response = sam.post(f"/staff/courses/{ballet.id}/meetings", data={"skip_dates": ""})
    assert response.status_code == 422 and "Set the course's dates and weekly pattern first" in page_text(response)
    assert Meeting.select().where(Meeting.course == ballet).count() == before


def test_parse_dates_takes_lines_or_commas_and_drops_repeats():
    assert parse_dates("2027-01-02, 2027-01-01\n\n2027-01-02") == [datetime.date(2027, 1, 1), datetime.date(2027, 1, 2)]
    with pytest.raises(ValueError):
        parse_dates("2027-02-30")


@pytest.mark.parametrize("email", ["parent@example.com", "instructor@example.com"])
def test_only_staff_preview_or_generate(signed_in, hip_hop, email):
    client = signed_in(email)
    assert client.get(f"/staff/courses/{hip_hop.id}/meetings").status_code == 403
    assert client.post(f"/staff/courses/{hip_hop.id}/meetings", data={"skip_dates": ""}).status_code == 403
    assert meeting_days(hip_hop) == []


def test_an_unknown_course_is_404_and_a_get_never_generates(sam, hip_hop):
    assert sam.get("/staff/courses/999999/meetings").status_code == 404
    assert sam.post("/staff/courses/999999/meetings", data={"skip_dates": ""}).status_code == 404
    sam.get(f"/staff/courses/{hip_hop.id}/meetings")
    sam.post(f"/staff/courses/{hip_hop.id}/meetings", data={"skip_dates": ""}, csrf=False)
    assert meeting_days(hip_hop) == []


def test_htmx_gets_the_preview_alone(sam, hip_hop):
    page = sam.get(f"/staff/courses/{hip_hop.id}/meetings")
    fragment = sam.get(f"/staff/courses/{hip_hop.id}/meetings", headers=HX).get_data(as_text=True)
    assert "<html" in page.get_data(as_text=True) and "HX-Request" in page.headers["Vary"]
    assert "<html" not in fragment and 'id="plan"' in fragment and "8 classes to add" in fragment


def test_the_preview_reads_the_same_number_of_queries_with_more_classes(sam, hip_hop, query_count):
    sam.post(f"/staff/courses/{hip_hop.id}/meetings", data={"skip_dates": ""})
    _, before = query_count(sam.get, f"/staff/courses/{hip_hop.id}/meetings")
    Course.update(last_day=datetime.date(2027, 6, 24)).where(Course.id == hip_hop.id).execute()
    sam.post(f"/staff/courses/{hip_hop.id}/meetings", data={"skip_dates": ""})
    response, after = query_count(sam.get, f"/staff/courses/{hip_hop.id}/meetings")
    assert "Nothing to change" in page_text(response) and after == before
