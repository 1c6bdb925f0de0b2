"""Your Student(s) → Makeups with tokens: the five groups, Use a token (a seat at one open meeting, the token
Pending), cancelling it (Available again), Spent once the makeup is marked; the token's rules; scoping."""
import datetime
from zoneinfo import ZoneInfo

import pytest

from conftest import at_once, page_text
from webapp.models import (
    Attendance, CheckInCode, Company, Course, Enrollment, Location, MakeupToken, Meeting, Student,
)

HX = {"HX-Request": "true"}


def student(first):
    return Student.get(Student.first_name == first)


def local_now():
    return datetime.datetime.now(ZoneInfo("America/New_York")).replace(tzinfo=None, microsecond=0)


def available_token(first="Amy"):
    return MakeupToken.get((MakeupToken.student == student(first)) & (MakeupToken.status == MakeupToken.AVAILABLE))


def thursday_ballet(week=0):
    """A meeting of Ballet I (Thursdays) still to come: `week` 0 is the next one."""
    return (Meeting.select().join(Course).where((Course.name == "Ballet I (Thursdays)")
                                                & (Meeting.starts_at > local_now()))
            .order_by(Meeting.starts_at).offset(week).first())


def makeups_url(first="Amy"):
    return f"/account/students/{student(first).id}/makeups"


def use_url(token):
    return f"/account/students/{token.student_id}/makeups/{token.id}"


def downtown_token_for(first):
    """A fresh Downtown token for the student, earned for a past Ballet I meeting."""
    earned = Meeting.select().join(Course).where(Course.name == "Ballet I").order_by(Meeting.starts_at).first()
    return MakeupToken.create(student=student(first), location=Location.get(name="Downtown"), earned_for=earned,
                              expires_on=local_now().date() + datetime.timedelta(days=30))


# The page


@pytest.mark.parametrize("headers", [{}, HX])
def test_amys_makeups_show_her_downtown_token_and_the_spent_one_as_a_page_and_a_fragment(signed_in, headers):
    response = signed_in("parent@example.com").get(makeups_url(), headers=headers)
    assert ("<html" in response.get_data(as_text=True)) != bool(headers) and "HX-Request" in response.headers["Vary"]
    text = page_text(response)
    here = text[text.index("Current Location Tokens (Downtown)"):text.index("Tokens Available in Other Locations")]
    assert "Earned for Ballet I" in here and "Location Downtown" in here and "Expires" in here and "Use a token" in here
    spent = text[text.index("Spent Makeup Tokens"):]
    assert "Earned for Creative Movement" in spent and "Makeup class Ballet I (Thursdays)" in spent
    assert "No tokens are applied to a makeup class to come." in text and "No expired tokens." in text


def test_bens_northside_token_is_in_other_locations_until_northside_is_selected(signed_in):
    dana = signed_in("parent@example.com")
    text = page_text(dana.get(makeups_url("Ben")))
    elsewhere = text[text.index("Tokens Available in Other Locations"):text.index("Pending Makeup Tokens")]
    assert "Earned for Pottery for Kids" in elsewhere and "Location Northside" in elsewhere
    expired = text[text.index("Expired Makeup Tokens"):text.index("Spent Makeup Tokens")]
    assert "Earned for Pottery for Kids" in expired
    dana.post("/account/location", data={"location": str(Location.get(name="Northside").id)})
    text = page_text(dana.get(makeups_url("Ben")))
    here = text[text.index("Current Location Tokens (Northside)"):text.index("Tokens Available in Other Locations")]
    assert "Location Northside" in here and "Use a token" in here


def test_an_available_token_past_its_day_shows_as_expired_before_the_job_runs(signed_in):
    token = available_token()
    MakeupToken.update(expires_on=local_now().date() - datetime.timedelta(days=1)).where(
        MakeupToken.id == token.id).execute()
    text = page_text(signed_in("parent@example.com").get(makeups_url()))
    assert "No tokens to use at Downtown." in text
    assert "Earned for Ballet I" in text[text.index("Expired Makeup Tokens"):text.index("Spent Makeup Tokens")]


def test_makeups_are_hidden_and_absent_when_tokens_are_off(signed_in):
    Company.update(makeup_tokens=False).execute()
    dana = signed_in("parent@example.com")
    assert "Makeups" not in page_text(dana.get(f"/account/students/{student('Amy').id}/enrollments"))
    token = available_token()
    assert dana.get(makeups_url()).status_code == 404
    assert dana.get(use_url(token)).status_code == 404
    assert dana.post(use_url(token), data={"meeting": thursday_ballet().id}).status_code == 404
    assert MakeupToken.get_by_id(token.id).status == MakeupToken.AVAILABLE


def test_the_student_nav_links_makeups_when_tokens_are_on(signed_in):
    assert "Makeups" in page_text(signed_in("parent@example.com").get(f"/account/students/{student('Amy').id}/qr"))


# Scoping


def test_another_household_gets_404_for_the_page_the_form_and_the_booking(signed_in):
    lee, token = signed_in("trainee@example.com"), available_token()
    assert lee.get(makeups_url()).status_code == 404
    assert lee.get(use_url(token)).status_code == 404
    assert lee.post(use_url(token), data={"meeting": thursday_ballet().id}).status_code == 404
    assert MakeupToken.get_by_id(token.id).status == MakeupToken.AVAILABLE


def test_another_students_token_is_404(signed_in):
    ben_token = available_token("Ben")
    url = f"/account/students/{student('Amy').id}/makeups/{ben_token.id}"
    assert signed_in("parent@example.com").get(url).status_code == 404


def test_a_linked_household_sees_the_tokens_but_may_not_use_them(signed_in):
    karie, token = signed_in("grandparents@example.com"), available_token()
    assert "Current Location Tokens" in page_text(karie.get(makeups_url()))
    assert karie.get(use_url(token)).status_code == 403
    assert karie.post(use_url(token), data={"meeting": thursday_ballet().id}).status_code == 403
    assert MakeupToken.get_by_id(token.id).status == MakeupToken.AVAILABLE


def test_staff_have_no_makeups_page(signed_in):
    assert signed_in("staff@example.com").get(makeups_url()).status_code == 403


# Use a token


def test_the_choice_lists_open_meetings_at_the_tokens_location_only(signed_in):
    text = page_text(signed_in("parent@example.com").get(use_url(available_token())))
    assert "Choose a makeup class at Downtown" in text
    assert text.count("Ballet I (Thursdays),") == 4  # the next four weeks
    assert "Ballet I, " not in text  # Amy is in the Tuesday class already
    assert "Jazz II" not in text  # full
    assert "Pottery for Kids" not in text and "Safety Workshop" not in text  # another location; another division


def test_a_full_meeting_is_not_offered(signed_in):
    meeting = thursday_ballet()
    Course.update(capacity=1).where(Course.id == meeting.course_id).execute()
    MakeupToken.update(status=MakeupToken.PENDING, used_for=meeting).where(
        MakeupToken.id == downtown_token_for("Ben").id).execute()
    html = signed_in("parent@example.com").get(use_url(available_token())).get_data(as_text=True)
    assert f'value="{meeting.id}"' not in html and f'value="{thursday_ballet(1).id}"' in html


@pytest.mark.parametrize("headers", [{}, HX])
def test_dana_books_a_makeup_and_the_token_turns_pending(signed_in, headers):
    dana, token, meeting = signed_in("parent@example.com"), available_token(), thursday_ballet(1)
    response = dana.post(use_url(token), data={"meeting": str(meeting.id)}, headers=headers)
    booked = MakeupToken.get_by_id(token.id)
    assert booked.status == MakeupToken.PENDING and booked.used_for_id == meeting.id
    if not headers:
        assert response.status_code == 303 and response.headers["Location"].endswith(makeups_url())
        response = dana.get(makeups_url())
    text = page_text(response)
    assert "Amy is booked for a makeup: Ballet I (Thursdays)" in text and "The token is Pending." in text
    pending = text[text.index("Pending Makeup Tokens"):text.index("Expired Makeup Tokens")]
    assert "Makeup class Ballet I (Thursdays)" in pending and "Cancel makeup" in pending
    assert "No tokens to use at Downtown." in text
    # The seat is held: Amy is on that meeting's roster.
    roster = page_text(signed_in("instructor@example.com").get(f"/classes/meetings/{meeting.id}"))
    assert "Amy Smith" in roster


@pytest.mark.parametrize("headers", [{}, HX])
def test_cancelling_the_booking_gives_the_token_back(signed_in, headers):
    dana, token = signed_in("parent@example.com"), available_token()
    dana.post(use_url(token), data={"meeting": str(thursday_ballet().id)})
    response = dana.post(use_url(token) + "/cancel", headers=headers)
    back = MakeupToken.get_by_id(token.id)
    assert back.status == MakeupToken.AVAILABLE and back.used_for_id is None
    text = page_text(response if headers else dana.get(makeups_url()))
    assert "The makeup in Ballet I (Thursdays) is cancelled; Amy's token is available again." in text
    assert "Use a token" in text[text.index("Current Location Tokens"):text.index("Tokens Available in Other")]
    again = dana.post(use_url(token) + "/cancel", headers=HX)
    assert again.status_code == 409 and "That makeup is no longer booked." in page_text(again)


def test_a_makeup_that_has_started_cannot_be_cancelled(signed_in):
    dana, token, meeting = signed_in("parent@example.com"), available_token(), thursday_ballet()
    dana.post(use_url(token), data={"meeting": str(meeting.id)})
    Meeting.update(starts_at=local_now() - datetime.timedelta(minutes=5)).where(Meeting.id == meeting.id).execute()
    response = dana.post(use_url(token) + "/cancel", headers=HX)
    assert response.status_code == 409 and "already started" in page_text(response)
    assert MakeupToken.get_by_id(token.id).status == MakeupToken.PENDING


def test_the_token_is_spent_when_the_makeup_is_marked(signed_in):
    dana, token, meeting = signed_in("parent@example.com"), available_token(), thursday_ballet()
    dana.post(use_url(token), data={"meeting": str(meeting.id)})
    pat = signed_in("instructor@example.com")
    assert pat.post(f"/classes/meetings/{meeting.id}/students/{token.student_id}",
                    data={"mark": "present"}).status_code == 303
    assert MakeupToken.get_by_id(token.id).status == MakeupToken.SPENT
    text = page_text(dana.get(makeups_url()))
    assert "Makeup class Ballet I (Thursdays)" in text[text.index("Spent Makeup Tokens"):]
    assert "No tokens are applied to a makeup class to come." in text


# The token's rules: nothing changes when one is refused


def test_no_meeting_chosen_is_told_next_to_the_choice(signed_in):
    token = available_token()
    for value in (None, "", "x", "1e3", str(2**40)):
        response = signed_in("parent@example.com").post(use_url(token), data={} if value is None else {"meeting": value},
                                                         headers=HX)
        assert response.status_code == 422 and "Choose a class for the makeup." in page_text(response)
        assert 'id="meeting-error"' in response.get_data(as_text=True)
    assert MakeupToken.get_by_id(token.id).status == MakeupToken.AVAILABLE


def test_a_token_cannot_be_used_twice(signed_in):
    dana, token = signed_in("parent@example.com"), available_token()
    assert dana.post(use_url(token), data={"meeting": str(thursday_ballet().id)}).status_code == 303
    second = dana.post(use_url(token), data={"meeting": str(thursday_ballet(1).id)}, headers=HX)
    assert second.status_code == 409 and "That token is already used." in page_text(second)
    assert MakeupToken.get_by_id(token.id).used_for_id == thursday_ballet().id


def test_a_token_cannot_be_used_at_another_location(signed_in):
    token = available_token()
    pottery = (Meeting.select().join(Course).where((Course.name == "Pottery for Kids")
                                                   & (Meeting.starts_at > local_now())).first())
    assert not Enrollment.select().where((Enrollment.student == token.student_id)
                                         & (Enrollment.course == pottery.course_id)).exists()
    response = signed_in("parent@example.com").post(use_url(token), data={"meeting": str(pottery.id)}, headers=HX)
    assert response.status_code == 409 and "choose one at the token's location" in page_text(response)
    assert MakeupToken.get_by_id(token.id).status == MakeupToken.AVAILABLE


def test_a_token_cannot_be_used_after_it_expired(signed_in):
    token = available_token()
    MakeupToken.update(expires_on=local_now().date() - datetime.timedelta(days=1)).where(
        MakeupToken.id == token.id).execute()
    dana = signed_in("parent@example.com")
    assert "This token can no longer be used." in page_text(dana.get(use_url(token)))
    response = dana.post(use_url(token), data={"meeting": str(thursday_ballet().id)}, headers=HX)
    assert response.status_code == 409 and "That token expired on" in page_text(response)
    assert MakeupToken.get_by_id(token.id).status == MakeupToken.AVAILABLE


def test_a_token_cannot_buy_a_class_after_its_last_day(signed_in):
    token, later = available_token(), thursday_ballet(2)
    MakeupToken.update(expires_on=thursday_ballet(1).starts_at.date()).where(MakeupToken.id == token.id).execute()
    dana = signed_in("parent@example.com")
    assert page_text(dana.get(use_url(token))).count("Ballet I (Thursdays),") == 2
    response = dana.post(use_url(token), data={"meeting": str(later.id)}, headers=HX)
    assert response.status_code == 409 and "before that class" in page_text(response)
    assert MakeupToken.get_by_id(token.id).status == MakeupToken.AVAILABLE


def test_a_class_that_started_or_was_cancelled_is_refused(signed_in):
    token, meeting = available_token(), thursday_ballet()
    dana = signed_in("parent@example.com")
    past = (Meeting.select().join(Course).where((Course.name == "Ballet I (Thursdays)")
                                                & (Meeting.starts_at < local_now())).first())
    response = dana.post(use_url(token), data={"meeting": str(past.id)}, headers=HX)
    assert response.status_code == 409 and "already started or was cancelled" in page_text(response)
    Meeting.update(cancelled_at=datetime.datetime(2026, 1, 1)).where(Meeting.id == meeting.id).execute()
    response = dana.post(use_url(token), data={"meeting": str(meeting.id)}, headers=HX)
    assert response.status_code == 409
    assert MakeupToken.get_by_id(token.id).status == MakeupToken.AVAILABLE


def test_a_class_the_student_is_in_already_is_refused(signed_in):
    token = available_token()
    tuesday = (Meeting.select().join(Course).where((Course.name == "Ballet I") & (Meeting.starts_at > local_now()))
               .first())
    response = signed_in("parent@example.com").post(use_url(token), data={"meeting": str(tuesday.id)}, headers=HX)
    assert response.status_code == 409
    assert MakeupToken.get_by_id(token.id).status == MakeupToken.AVAILABLE


# At once


def test_two_bookings_for_the_last_seat_at_once_take_it_once(signed_in):
    meeting = thursday_ballet()
    Course.update(capacity=1).where(Course.id == meeting.course_id).execute()
    amys, bens = available_token(), downtown_token_for("Ben")
    dana, chris = signed_in("parent@example.com"), signed_in("partner@example.com")
    answers = at_once([lambda: dana.post(use_url(amys), data={"meeting": str(meeting.id)}),
                       lambda: chris.post(use_url(bens), data={"meeting": str(meeting.id)})])
    assert sorted(a.status_code for a in answers) == [303, 409]
    assert MakeupToken.select().where((MakeupToken.used_for == meeting.id)
                                      & (MakeupToken.status == MakeupToken.PENDING)).count() == 1


def test_one_token_used_twice_at_once_buys_one_makeup(signed_in):
    token = available_token()
    dana, chris = signed_in("parent@example.com"), signed_in("partner@example.com")
    answers = at_once([lambda: dana.post(use_url(token), data={"meeting": str(thursday_ballet().id)}),
                       lambda: chris.post(use_url(token), data={"meeting": str(thursday_ballet(1).id)})])
    assert sorted(a.status_code for a in answers) == [303, 409]
    assert MakeupToken.get_by_id(token.id).status == MakeupToken.PENDING
    assert MakeupToken.select().where(MakeupToken.used_for.is_null(False)
                                      & (MakeupToken.status == MakeupToken.PENDING)).count() == 1


# Query counts


def test_query_counts_do_not_grow_with_tokens(signed_in, query_count):
    dana, token = signed_in("parent@example.com"), available_token()
    urls = [makeups_url(), use_url(token)]
    small = [query_count(dana.get, url)[1] for url in urls]
    amy, downtown = student("Amy"), Location.get(name="Downtown")
    meetings = list(Meeting.select().join(Course).where(Course.name.in_(["Jazz II", "Pottery for Kids"])))
    for i, meeting in enumerate(meetings):
        MakeupToken.create(student=amy, location=downtown, earned_for=meeting, expires_on=token.expires_on,
                           status=[MakeupToken.AVAILABLE, MakeupToken.SPENT, MakeupToken.EXPIRED][i % 3],
                           used_for=thursday_ballet() if i % 3 == 1 else None)
    large = [query_count(dana.get, url) for url in urls]
    assert page_text(large[0][0]).count("Earned for Jazz II") >= 5
    assert [count for _, count in large] == small


def test_checking_in_at_the_makeup_spends_the_token(signed_in):
    token, now = available_token(), local_now()
    meeting = Meeting.create(course=Course.get(name="Ballet I (Thursdays)"), ends_at=now + datetime.timedelta(minutes=50),
                             starts_at=now - datetime.timedelta(minutes=10))
    MakeupToken.update(status=MakeupToken.PENDING, used_for=meeting).where(MakeupToken.id == token.id).execute()
    code = CheckInCode.get(CheckInCode.student == token.student_id).code
    response = signed_in("staff@example.com").post("/staff/check-in/", data={"code": code}, headers=HX)
    assert "Amy Smith is checked in: present at Ballet I (Thursdays)." in response.get_data(as_text=True)
    assert Attendance.get((Attendance.meeting == meeting) & (Attendance.student == token.student_id)).status == "present"
    assert MakeupToken.get_by_id(token.id).status == MakeupToken.SPENT


def test_the_school_cancelling_the_makeup_class_gives_the_token_back(signed_in):
    dana, token, meeting = signed_in("parent@example.com"), available_token(), thursday_ballet()
    dana.post(use_url(token), data={"meeting": str(meeting.id)})
    signed_in("staff@example.com").post(f"/staff/meetings/{meeting.id}/cancel", data={"confirm": "yes"})
    back = MakeupToken.get_by_id(token.id)
    assert back.status == MakeupToken.AVAILABLE and back.used_for_id is None
    assert f'value="{meeting.id}"' not in dana.get(use_url(token)).get_data(as_text=True)


def test_bens_expired_token_cannot_be_used(signed_in):
    expired = MakeupToken.get((MakeupToken.student == student("Ben")) & (MakeupToken.status == MakeupToken.EXPIRED))
    response = signed_in("parent@example.com").post(use_url(expired), data={"meeting": str(thursday_ballet().id)},
                                                     headers=HX)
    assert response.status_code == 409 and "That token expired on" in page_text(response)
    assert MakeupToken.get_by_id(expired.id).status == MakeupToken.EXPIRED
