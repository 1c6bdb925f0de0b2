"""Makeups by request (tokens off, "Allow visitors to request a makeup enrollment" on): Request a Makeup, Past
Makeups, staff approving (a seat held as a token booking holds it) or declining with a reason, mail both ways."""
import datetime

import pytest

from conftest import at_once, page_text
from test_makeups import local_now, makeups_url, student, thursday_ballet
from test_preferences import _set as set_preferences
from webapp.account.makeup_requests import approve_request, decline_request, request_makeup
from webapp.account.makeup_tokens import MakeupRefused
from webapp.attendance.services import roster_students
from webapp.models import Attendance, CheckInCode, Company, Course, MakeupRequest, Meeting, OutboxMessage, User
from webapp.registration.services import seats_taken

HX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def requests_instead_of_tokens(app):
    Company.update(makeup_tokens=False, makeup_requests=True).execute()
    CONTEXT["app"] = app


CONTEXT = {}  # the app, for the services called directly (they render their mail)


def request_url(first="Amy"):
    return f"/account/students/{student(first).id}/makeups/request"


def staff_user():
    return User.get(User.email == "staff@example.com")


def requested(meeting=None, first="Amy"):
    """A request made by Dana through the service."""
    with CONTEXT["app"].app_context():
        return request_makeup(User.get(User.email == "parent@example.com"), student(first),
                              (meeting or thursday_ballet()).id, "", local_now())


def mail(subject_start):
    return list(OutboxMessage.select().where(OutboxMessage.subject.startswith(subject_start)))


# The preference


def test_the_preference_is_on_the_preferences_page_under_makeups(signed_in):
    text = page_text(signed_in("staff@example.com").get("/staff/preferences"))
    makeups = text[text.index("Makeups"):]
    assert "Makeup tokens" in makeups and "Allow visitors to request a makeup enrollment" in makeups


def test_sam_switches_requests_on_and_off_and_danas_next_page_follows(signed_in):
    Company.update(makeup_tokens=True, makeup_requests=False).execute()
    sam, dana = signed_in("staff@example.com"), signed_in("parent@example.com")
    set_preferences(sam, makeup_tokens=False, makeup_requests=True)
    assert "Request a Makeup" in page_text(dana.get(makeups_url()))
    set_preferences(sam, makeup_requests=False)
    assert "Makeups" not in page_text(dana.get(f"/account/students/{student('Amy').id}"))
    assert dana.get(makeups_url()).status_code == 404


@pytest.mark.parametrize("headers", [{}, HX])
def test_amys_makeups_offer_request_a_makeup_and_past_makeups(signed_in, headers):
    response = signed_in("parent@example.com").get(makeups_url(), headers=headers)
    assert ("<html" in response.get_data(as_text=True)) != bool(headers)
    text = page_text(response)
    assert "Request a Makeup" in text and "Past Makeups" in text and "No makeups requested yet." in text
    assert "Current Location Tokens" not in text


def test_with_neither_tokens_nor_requests_makeups_is_hidden_and_404(signed_in):
    Company.update(makeup_requests=False).execute()
    dana, sam = signed_in("parent@example.com"), signed_in("staff@example.com")
    assert "Makeups" not in page_text(dana.get(f"/account/students/{student('Amy').id}"))
    assert dana.get(makeups_url()).status_code == 404
    assert dana.get(request_url()).status_code == 404
    assert dana.post(request_url(), data={"meeting": thursday_ballet().id}).status_code == 404
    assert sam.get("/staff/makeups/").status_code == 404
    assert "Makeup requests" not in page_text(sam.get("/staff/"))
    assert MakeupRequest.select().count() == 0


def test_with_tokens_on_the_request_routes_are_404_and_tokens_show(signed_in):
    Company.update(makeup_tokens=True).execute()
    dana = signed_in("parent@example.com")
    assert "Current Location Tokens" in page_text(dana.get(makeups_url()))
    assert dana.get(request_url()).status_code == 404
    assert signed_in("staff@example.com").get("/staff/makeups/").status_code == 404


def test_staff_home_links_the_requests(signed_in):
    assert "Makeup requests" in page_text(signed_in("staff@example.com").get("/staff/"))


# Requesting


def test_dana_requests_a_makeup_and_staff_are_mailed(signed_in):
    meeting, dana = thursday_ballet(), signed_in("parent@example.com")
    form = page_text(dana.get(request_url()))
    assert "Ballet I (Thursdays) (Downtown)" in form and "Ballet I (Downtown)" not in form  # not her own class
    response = dana.post(request_url(), data={"meeting": str(meeting.id), "note": "She missed Tuesday."})
    assert response.status_code == 303
    made = MakeupRequest.get()
    assert (made.status, made.meeting_id, made.note) == (MakeupRequest.REQUESTED, meeting.id, "She missed Tuesday.")
    past = page_text(dana.get(makeups_url()))
    assert "Class Ballet I (Thursdays)" in past and "Status Requested" in past
    to = {m.to for m in mail("Makeup requested")}
    assert to == {"staff@example.com", "frontdesk@example.com"}
    assert "She missed Tuesday." in mail("Makeup requested")[0].body


def test_no_meeting_chosen_is_told_next_to_the_choice_and_nothing_stored(signed_in):
    response = signed_in("parent@example.com").post(request_url(), data={"note": "x"}, headers=HX)
    assert response.status_code == 422
    assert 'id="meeting-error"' in response.get_data(as_text=True)
    assert "Choose a class for the makeup." in page_text(response) and MakeupRequest.select().count() == 0


def test_a_note_too_long_is_told_next_to_the_note_and_nothing_stored(signed_in):
    response = signed_in("parent@example.com").post(
        request_url(), data={"meeting": str(thursday_ballet().id), "note": "x" * 501}, headers=HX)
    assert response.status_code == 422 and 'id="note-error"' in response.get_data(as_text=True)
    assert "Use at most 500 characters." in page_text(response) and MakeupRequest.select().count() == 0


def test_no_double_request_for_the_same_meeting(signed_in):
    meeting = thursday_ballet()
    requested(meeting)
    dana = signed_in("parent@example.com")
    assert f'value="{meeting.id}"' not in dana.get(request_url()).get_data(as_text=True)
    response = dana.post(request_url(), data={"meeting": str(meeting.id)})
    assert response.status_code == 409 and "already requested" in page_text(response)
    assert MakeupRequest.select().count() == 1


def test_a_declined_request_may_be_asked_again(app):
    meeting = thursday_ballet()
    first = requested(meeting)
    with app.app_context():
        decline_request(staff_user(), first.id, "Full that week.")
    requested(meeting)
    assert MakeupRequest.select().where(MakeupRequest.status == MakeupRequest.REQUESTED).count() == 1


def test_no_request_for_a_full_meeting(signed_in):
    meeting = thursday_ballet()
    Course.update(capacity=0).where(Course.id == meeting.course_id).execute()
    dana = signed_in("parent@example.com")
    assert f'value="{meeting.id}"' not in dana.get(request_url()).get_data(as_text=True)
    response = dana.post(request_url(), data={"meeting": str(meeting.id)})
    assert response.status_code == 409 and "is full" in page_text(response)
    assert MakeupRequest.select().count() == 0


def test_no_request_for_a_past_meeting(signed_in):
    past = (Meeting.select().join(Course).where((Course.name == "Ballet I (Thursdays)")
                                                & (Meeting.starts_at < local_now())).first())
    response = signed_in("parent@example.com").post(request_url(), data={"meeting": str(past.id)})
    assert response.status_code == 409 and "already started" in page_text(response)
    assert MakeupRequest.select().count() == 0


def test_no_request_for_the_students_own_class(signed_in):
    own = (Meeting.select().join(Course).where((Course.name == "Ballet I") & (Meeting.starts_at > local_now()))
           .first())
    response = signed_in("parent@example.com").post(request_url(), data={"meeting": str(own.id)})
    assert response.status_code == 409 and MakeupRequest.select().count() == 0


# Staff decide


def test_sam_approves_the_seat_is_held_and_the_family_is_mailed(signed_in):
    made, sam = requested(), signed_in("staff@example.com")
    assert "Amy" in page_text(sam.get("/staff/makeups/"))
    assert sam.post(f"/staff/makeups/{made.id}/approve").status_code == 303
    assert MakeupRequest.get_by_id(made.id).status == MakeupRequest.APPROVED
    assert "No makeup requests are waiting." in page_text(sam.get("/staff/makeups/"))
    assert student("Amy").id in [s.id for s in roster_students(made.meeting)]
    decided = mail("Makeup approved")
    assert decided and {m.to for m in decided} == {"parent@example.com"}
    assert "Status Approved" in page_text(signed_in("parent@example.com").get(makeups_url()))


def test_an_approved_makeup_takes_a_seat_from_others(signed_in):
    meeting = thursday_ballet()
    Course.update(capacity=seats_taken([meeting.course_id])[meeting.course_id] + 1).where(
        Course.id == meeting.course_id).execute()
    made = requested(meeting)
    signed_in("staff@example.com").post(f"/staff/makeups/{made.id}/approve")
    response = signed_in("parent@example.com").post(request_url("Ben"), data={"meeting": str(meeting.id)})
    assert response.status_code == 409 and "is full" in page_text(response)


def test_approve_twice_approves_once(signed_in):
    made, sam = requested(), signed_in("staff@example.com")
    assert sam.post(f"/staff/makeups/{made.id}/approve").status_code == 303
    again = sam.post(f"/staff/makeups/{made.id}/approve")
    assert again.status_code == 409 and "already approved" in page_text(again)
    assert len(mail("Makeup approved")) == 1


def test_two_approvals_for_the_last_seat_at_once_take_it_once(signed_in):
    meeting = thursday_ballet()
    amys, bens = requested(meeting), requested(meeting, "Ben")
    Course.update(capacity=seats_taken([meeting.course_id])[meeting.course_id] + 1).where(
        Course.id == meeting.course_id).execute()
    sam, alex = signed_in("staff@example.com"), signed_in("frontdesk@example.com")
    answers = at_once([lambda: sam.post(f"/staff/makeups/{amys.id}/approve"),
                       lambda: alex.post(f"/staff/makeups/{bens.id}/approve")])
    assert sorted(a.status_code for a in answers) == [303, 409]
    assert MakeupRequest.select().where(MakeupRequest.status == MakeupRequest.APPROVED).count() == 1


def test_one_request_approved_twice_at_once_is_approved_once(signed_in):
    made = requested()
    sam, alex = signed_in("staff@example.com"), signed_in("frontdesk@example.com")
    answers = at_once([lambda: sam.post(f"/staff/makeups/{made.id}/approve"),
                       lambda: alex.post(f"/staff/makeups/{made.id}/approve")])
    assert sorted(a.status_code for a in answers) == [303, 409]
    assert len(mail("Makeup approved")) == 1


def test_decline_needs_a_reason_next_to_the_field(signed_in):
    made = requested()
    response = signed_in("staff@example.com").post(f"/staff/makeups/{made.id}/decline", data={"reason": " "},
                                                   headers=HX)
    assert response.status_code == 422 and f'id="error-{made.id}"' in response.get_data(as_text=True)
    assert "Give the family a reason." in page_text(response)
    assert MakeupRequest.get_by_id(made.id).status == MakeupRequest.REQUESTED


def test_declining_frees_nothing_and_the_family_reads_the_reason(signed_in):
    made = requested()
    assert signed_in("staff@example.com").post(f"/staff/makeups/{made.id}/decline",
                                               data={"reason": "That class is for beginners."}).status_code == 303
    assert MakeupRequest.get_by_id(made.id).status == MakeupRequest.DECLINED
    assert student("Amy").id not in [s.id for s in roster_students(made.meeting)]
    assert "That class is for beginners." in mail("Makeup declined")[0].body
    text = page_text(signed_in("parent@example.com").get(makeups_url()))
    assert "Status Declined" in text and "Reason That class is for beginners." in text


def test_checking_in_by_code_finds_the_approved_makeup_meeting(signed_in):
    now = local_now()
    meeting = Meeting.create(course=Course.get(name="Ballet I (Thursdays)"),
                             starts_at=now - datetime.timedelta(minutes=10), ends_at=now + datetime.timedelta(minutes=50))
    MakeupRequest.create(student=student("Amy"), meeting=meeting, status=MakeupRequest.APPROVED)
    code = CheckInCode.get(CheckInCode.student == student("Amy")).code
    response = signed_in("staff@example.com").post("/staff/check-in/", data={"code": code}, headers=HX)
    assert "Amy Smith is checked in: present at Ballet I (Thursdays)." in page_text(response)
    assert Attendance.get((Attendance.meeting == meeting) & (Attendance.student == student("Amy"))).status == "present"


def test_approving_a_meeting_that_started_is_refused(app):
    made = requested()
    with app.app_context(), pytest.raises(MakeupRefused):
        approve_request(staff_user(), made.id, made.meeting.starts_at)


# Access


def test_another_household_gets_404(signed_in):
    lee = signed_in("trainee@example.com")
    assert lee.get(makeups_url()).status_code == 404
    assert lee.get(request_url()).status_code == 404
    assert lee.post(request_url(), data={"meeting": thursday_ballet().id}).status_code == 404
    assert MakeupRequest.select().count() == 0


def test_a_linked_household_sees_past_makeups_but_may_not_request(signed_in):
    karie = signed_in("grandparents@example.com")
    assert "Past Makeups" in page_text(karie.get(makeups_url()))
    assert karie.get(request_url()).status_code == 403
    assert karie.post(request_url(), data={"meeting": thursday_ballet().id}).status_code == 403


@pytest.mark.parametrize("email", ["parent@example.com", "instructor@example.com"])
def test_families_and_instructors_get_403_on_the_staff_routes(signed_in, email):
    made, someone = requested(), signed_in(email)
    assert someone.get("/staff/makeups/").status_code == 403
    assert someone.post(f"/staff/makeups/{made.id}/approve").status_code == 403
    assert someone.post(f"/staff/makeups/{made.id}/decline", data={"reason": "no"}).status_code == 403
    assert MakeupRequest.get_by_id(made.id).status == MakeupRequest.REQUESTED


def test_a_missing_request_is_404(signed_in):
    assert signed_in("staff@example.com").post("/staff/makeups/99999/approve").status_code == 404


# Query counts


def test_query_counts_do_not_grow_with_requests(signed_in, query_count):
    dana, sam = signed_in("parent@example.com"), signed_in("staff@example.com")
    requested()
    small = [query_count(dana.get, makeups_url())[1], query_count(dana.get, request_url())[1],
             query_count(sam.get, "/staff/makeups/")[1]]
    for week in range(1, 4):
        requested(thursday_ballet(week))
    for meeting in Meeting.select().join(Course).where(Course.name == "Ballet I (Thursdays)").limit(20):
        MakeupRequest.create(student=student("Amy"), meeting=meeting, status=MakeupRequest.DECLINED, reason="no")
    large = [query_count(dana.get, makeups_url()), query_count(dana.get, request_url()),
             query_count(sam.get, "/staff/makeups/")]
    assert page_text(large[0][0]).count("Status Declined") >= 5
    assert page_text(large[2][0]).count("Approve") >= 4
    assert [count for _, count in large] == small
