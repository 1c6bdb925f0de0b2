"""Staff move or cancel one meeting: families are emailed, reported absences for a cancelled class are dropped,
and nobody marks, reports or submits a cancelled class."""
import datetime

import pytest

from conftest import page_text, school_today
from webapp.emails.opt_outs import opt_out_of_email
from webapp.models import (
    AbsenceReason, Attendance, Course, MakeupToken, Meeting, OutboxMessage, ReminderSetting, Student,
)

HX = {"HX-Request": "true"}


def _next(course_name, offset=0):
    now = datetime.datetime.now()
    return (Meeting.select().join(Course).where((Course.name == course_name) & (Meeting.starts_at > now))
            .order_by(Meeting.starts_at).offset(offset).first())


def _bens_absence():
    """The future Pottery meeting Dana reported Ben away from (Vacation), with its record."""
    ben = Student.get(Student.first_name == "Ben")
    record = Attendance.get((Attendance.student == ben) & (Attendance.set_by_role == Attendance.BY_PATRON))
    return record.meeting, ben


def _mail(outbox, subject):
    return {m.to[0]: m for m in outbox if m.subject == subject}


def test_staff_move_a_class_and_every_guardian_of_its_families_hears_the_new_time(signed_in, outbox):
    meeting = _next("Ballet I")
    new_start = datetime.datetime.combine(meeting.starts_at.date() + datetime.timedelta(days=1), datetime.time(17, 30))
    sam = signed_in("staff@example.com")
    assert "Move the class" in page_text(sam.get(f"/staff/meetings/{meeting.id}/move"))
    response = sam.post(f"/staff/meetings/{meeting.id}/move", data={
        "day": new_start.date().isoformat(), "starts": "17:30", "ends": "18:30"})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"#meeting-{meeting.id}")
    moved = Meeting.get_by_id(meeting.id)
    assert (moved.starts_at, moved.ends_at) == (new_start, new_start + datetime.timedelta(hours=1))
    assert moved.moved_from == meeting.starts_at
    assert "Ballet I moved to" in page_text(sam.get(response.headers["Location"]))

    sent = _mail(outbox, "Ballet I has moved")
    assert {"parent@example.com", "partner@example.com", "nanny@example.com"} <= set(sent)
    body = sent["parent@example.com"].body
    assert "it is now" in body and "5:30 PM to 6:30 PM" in body and "List-Unsubscribe" in sent["parent@example.com"].extra_headers
    schedule = page_text(signed_in("parent@example.com").get("/schedule/"))
    assert f"Moved from {meeting.starts_at:%a} {meeting.starts_at.day}" in schedule


def test_moving_twice_keeps_the_time_it_first_had(signed_in):
    meeting = _next("Ballet I")
    sam = signed_in("staff@example.com")
    for hour in ("17:00", "18:00"):
        sam.post(f"/staff/meetings/{meeting.id}/move", data={
            "day": meeting.starts_at.date().isoformat(), "starts": hour, "ends": hour.replace(":00", ":45")})
    assert Meeting.get_by_id(meeting.id).moved_from == meeting.starts_at


def test_cancelling_asks_first_then_drops_the_reported_absence_and_keeps_the_makeup_token(signed_in, outbox):
    meeting, ben = _bens_absence()
    token = MakeupToken.get((MakeupToken.student == ben) & (MakeupToken.earned_for == meeting))
    sam = signed_in("staff@example.com")
    question = sam.post(f"/staff/meetings/{meeting.id}/cancel")
    assert "Cancel Pottery for Kids on" in page_text(question) and "Cancel this class" in page_text(question)
    assert Meeting.get_by_id(meeting.id).cancelled_at is None and not outbox

    response = sam.post(f"/staff/meetings/{meeting.id}/cancel", data={"confirm": "yes"})
    assert response.status_code == 303
    cancelled = Meeting.get_by_id(meeting.id)
    assert cancelled.cancelled_at is not None and cancelled.cancelled_by.name == "Sam Ortiz"
    assert Attendance.get_or_none((Attendance.meeting == meeting) & (Attendance.student == ben)) is None
    assert MakeupToken.get_by_id(token.id).status == MakeupToken.AVAILABLE
    assert "Any absence you had reported for it is dropped." in _mail(outbox, "Pottery for Kids is cancelled")[
        "parent@example.com"].body
    assert "Cancelled" in page_text(sam.get(f"/staff/courses/{meeting.course_id}"))


def test_a_cancelled_class_shows_so_to_the_family_and_takes_no_absence(signed_in):
    meeting, ben = _bens_absence()
    signed_in("staff@example.com").post(f"/staff/meetings/{meeting.id}/cancel", data={"confirm": "yes"})
    dana = signed_in("parent@example.com")
    html = dana.get("/schedule/").get_data(as_text=True)
    assert "Cancelled by the school" in page_text(dana.get("/schedule/"))
    assert f"/schedule/absence/{meeting.id}/{ben.id}" not in html
    vacation = AbsenceReason.get(AbsenceReason.name == "Vacation")
    for headers in ({}, HX):
        refused = dana.post(f"/schedule/absence/{meeting.id}/{ben.id}", data={"reason": vacation.id},
                            headers=headers)
        assert refused.status_code == 403 and "The school cancelled this class." in page_text(refused)
    assert Attendance.get_or_none(Attendance.meeting == meeting) is None


def test_nobody_marks_or_submits_a_cancelled_class(signed_in):
    meeting = _next("Ballet I")
    amy = Student.get(Student.first_name == "Amy")
    signed_in("staff@example.com").post(f"/staff/meetings/{meeting.id}/cancel", data={"confirm": "yes"})
    pat = signed_in("instructor@example.com")
    roster = page_text(pat.get(f"/classes/meetings/{meeting.id}"))
    assert "The school cancelled this class." in roster and "Mark Amy" not in roster
    assert "cancelled" in page_text(pat.get("/classes/"))
    refused = pat.post(f"/classes/meetings/{meeting.id}/students/{amy.id}", data={"mark": "present"})
    assert refused.status_code == 403 and Attendance.get_or_none(Attendance.meeting == meeting) is None


def test_a_class_that_started_or_is_cancelled_cannot_change(signed_in, outbox):
    past = (Meeting.select().join(Course).where((Course.name == "Ballet I") & (Meeting.starts_at < datetime.datetime.now()))
            .order_by(Meeting.starts_at.desc()).first())
    sam = signed_in("staff@example.com")
    refused = sam.post(f"/staff/meetings/{past.id}/cancel", data={"confirm": "yes"})
    assert refused.status_code == 409 and "already started" in page_text(refused)
    moved = sam.post(f"/staff/meetings/{past.id}/move", data={
        "day": (school_today() + datetime.timedelta(days=3)).isoformat(), "starts": "16:00", "ends": "17:00"})
    assert moved.status_code == 422 and "already started" in page_text(moved)
    assert Meeting.get_by_id(past.id).starts_at == past.starts_at and Meeting.get_by_id(past.id).cancelled_at is None

    meeting = _next("Ballet I")
    sam.post(f"/staff/meetings/{meeting.id}/cancel", data={"confirm": "yes"})
    again = sam.post(f"/staff/meetings/{meeting.id}/cancel", data={"confirm": "yes"})
    assert again.status_code == 409 and "already cancelled" in page_text(again)
    under_htmx = sam.post(f"/staff/meetings/{meeting.id}/cancel", data={"confirm": "yes"}, headers=HX)
    assert under_htmx.status_code == 409 and under_htmx.headers["HX-Retarget"] == "#main"
    assert "already cancelled" in page_text(under_htmx) and "<html" not in under_htmx.get_data(as_text=True)
    told = [m.to[0] for m in outbox if m.subject == "Ballet I is cancelled"]
    assert told and len(told) == len(set(told))  # the refused second cancel told nobody again


@pytest.mark.parametrize("headers", [{}, HX])
@pytest.mark.parametrize("form, field, message", [
    ({"day": "", "starts": "16:00", "ends": "17:00"}, "day", "Pick the new date."),
    ({"day": "2099-01-01", "starts": "17:00", "ends": "16:00"}, "ends", "The class must end after it starts."),
    ({"day": "2020-01-01", "starts": "16:00", "ends": "17:00"}, "day", "Pick a time that is still to come."),
    ({"day": "1e30", "starts": "x" * 10_000, "ends": "17:00"}, "starts", "Pick the start time."),
])
def test_a_bad_move_is_refused_next_to_the_field_and_changes_nothing(signed_in, outbox, headers, form, field, message):
    meeting = _next("Ballet I")
    response = signed_in("staff@example.com").post(f"/staff/meetings/{meeting.id}/move", data=dict(form), headers=headers)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and message in html
    assert html.index(message) > html.index(f'id="{field}"') and ("<html" in html) == (not headers)
    assert Meeting.get_by_id(meeting.id).starts_at == meeting.starts_at and not outbox


def test_with_the_switch_off_or_an_address_opted_out_no_email_goes(app, signed_in, outbox):
    with app.app_context():
        opt_out_of_email("partner@example.com")
    meeting = _next("Ballet I")
    sam = signed_in("staff@example.com")
    sam.post(f"/staff/meetings/{meeting.id}/move", data={
        "day": meeting.starts_at.date().isoformat(), "starts": "18:00", "ends": "19:00"})
    sent = _mail(outbox, "Ballet I has moved")
    assert "parent@example.com" in sent and "partner@example.com" not in sent

    ReminderSetting.create(kind=ReminderSetting.MEETING_CHANGED, enabled=False)
    outbox.clear()
    sam.post(f"/staff/meetings/{_next('Ballet I', 1).id}/cancel", data={"confirm": "yes"})
    assert not outbox and not OutboxMessage.select().where(OutboxMessage.subject == "Ballet I is cancelled").exists()


@pytest.mark.parametrize("email", ["parent@example.com", "instructor@example.com"])
def test_only_staff_may_see_courses_or_move_or_cancel_a_class(signed_in, email):
    meeting = _next("Ballet I")
    client = signed_in(email)
    for url in ("/staff/courses", f"/staff/courses/{meeting.course_id}", f"/staff/meetings/{meeting.id}/move"):
        assert client.get(url).status_code == 403
    assert client.post(f"/staff/meetings/{meeting.id}/cancel", data={"confirm": "yes"}).status_code == 403
    assert client.post(f"/staff/meetings/{meeting.id}/move", data={
        "day": "2099-01-01", "starts": "16:00", "ends": "17:00"}).status_code == 403
    assert Meeting.get_by_id(meeting.id).cancelled_at is None and Meeting.get_by_id(meeting.id).moved_from is None


def test_an_unknown_course_or_class_is_a_404(signed_in):
    sam = signed_in("staff@example.com")
    assert sam.get("/staff/courses/999999").status_code == 404
    assert sam.get("/staff/meetings/999999/move").status_code == 404
    assert sam.post("/staff/meetings/999999/cancel", data={"confirm": "yes"}).status_code == 404


def test_the_courses_pages_are_pages_and_htmx_fragments(signed_in):
    sam = signed_in("staff@example.com")
    course = _next("Ballet I").course_id
    for url, text in (("/staff/courses", "Pottery for Kids"), (f"/staff/courses/{course}", "To come")):
        page, fragment = sam.get(url).get_data(as_text=True), sam.get(url, headers=HX).get_data(as_text=True)
        assert "<html" in page and "<html" not in fragment and text in fragment
    assert "Classes to come" in page_text(sam.get("/staff/courses"))


def test_the_courses_page_reads_the_same_number_of_queries_with_more_courses(signed_in, query_count):
    sam = signed_in("staff@example.com")
    _, before = query_count(sam.get, "/staff/courses")
    ballet = Course.get(Course.name == "Ballet I")
    for n in range(20):
        Course.create(name=f"Extra {n}", location=ballet.location, instructor=ballet.instructor, capacity=5)
    response, after = query_count(sam.get, "/staff/courses")
    assert "Extra 19" in page_text(response) and after == before
