"""Staff keep the absence-reason code table: add, rename, retire; bad input; who may."""
import datetime

import pytest

from conftest import page_text
from webapp.attendance.services import patron_reasons
from webapp.models import AbsenceReason, Attendance, Course, Meeting, Student

HX = {"HX-Request": "true"}


def good(**changes):
    """A valid reason form, with changes (a fresh dict: the test client adds its CSRF token to it)."""
    return {"name": "Late bus", "patron_usable": "y", "active": "y", "sort_order": "7", **changes}


def _reason(name):
    return AbsenceReason.get(AbsenceReason.name == name)


def test_staff_see_the_whole_code_table_from_the_nav_and_staff_home(signed_in):
    client = signed_in("staff@example.com")
    home = client.get("/staff/").get_data(as_text=True)
    assert home.count('href="/staff/reasons"') == 2  # the nav item and the link on Staff home
    text = page_text(client.get("/staff/reasons"))
    assert "Sick Families and instructors Active 0" in text
    assert "Excused by instructor Instructors only Active 4" in text
    assert "Edit Vacation" in text and "Add a reason" in text


def test_the_code_table_and_the_edit_form_are_pages_and_htmx_fragments(signed_in):
    client, sick = signed_in("staff@example.com"), _reason("Sick")
    for url, heading in (("/staff/reasons", "<h1>Absence reasons</h1>"), (f"/staff/reasons/{sick.id}", "Edit “Sick”")):
        page, fragment = client.get(url), client.get(url, headers=HX)
        assert "<html" in page.get_data(as_text=True) and heading in page.get_data(as_text=True)
        html = fragment.get_data(as_text=True)
        assert "<html" not in html and heading in html and "HX-Request" in fragment.headers["Vary"]


def test_adding_a_reason_without_javascript(signed_in):
    client = signed_in("staff@example.com")
    response = client.post("/staff/reasons", data=good())
    assert response.status_code == 303 and response.headers["Location"] == "/staff/reasons"
    text = page_text(client.get("/staff/reasons"))
    assert "Added “Late bus”." in text and "Late bus Families and instructors Active 7" in text
    assert "Late bus" in [r.name for r in patron_reasons()]


def test_adding_a_reason_with_htmx_answers_the_table_and_a_fresh_form(signed_in):
    response = signed_in("staff@example.com").post("/staff/reasons", data=good(patron_usable=""), headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and html.lstrip().startswith('<div id="reasons"') and "<html" not in html
    assert "Late bus" in html and 'value="Late bus"' not in html  # in the table, not left in the form
    assert "Added “Late bus”." in html  # the out-of-band message
    late = _reason("Late bus")
    assert not late.patron_usable and late.active and late.sort_order == 7


def test_renaming_a_reason_shows_everywhere_it_was_used(signed_in):
    client = signed_in("staff@example.com")
    no_show = _reason("No show")
    page = client.get(f"/staff/reasons/{no_show.id}")
    assert 'value="No show"' in page.get_data(as_text=True) and "Edit “No show”" in page_text(page)
    response = client.post(f"/staff/reasons/{no_show.id}", data={"name": "Did not come", "active": "y", "sort_order": "3"})
    assert response.status_code == 303
    assert "Saved “Did not come”." in page_text(client.get(response.headers["Location"]))
    record = Attendance.get(Attendance.reason == no_show.id)
    text = page_text(signed_in("instructor@example.com").get(f"/classes/meetings/{record.meeting_id}"))
    assert "Absent: Did not come" in text and "No show" not in text


def test_a_retired_reason_is_no_longer_offered_but_history_keeps_it(signed_in):
    vacation = _reason("Vacation")
    meeting = Meeting.select().join(Course).where(Course.name == "Ballet I").order_by(Meeting.starts_at).first()
    amy = Student.get(Student.first_name == "Amy")
    Attendance.update(status=Attendance.ABSENT, reason=vacation, set_by_role=Attendance.BY_PATRON).where(
        (Attendance.meeting == meeting) & (Attendance.student == amy)
    ).execute()
    client = signed_in("staff@example.com")
    response = client.post(f"/staff/reasons/{vacation.id}", data={"name": "Vacation", "patron_usable": "y", "sort_order": "1"})
    assert response.status_code == 303
    assert "Vacation Families and instructors Inactive 1" in page_text(client.get("/staff/reasons"))
    assert "Vacation" not in [r.name for r in patron_reasons()]
    pat = signed_in("instructor@example.com")
    text = page_text(pat.get(f"/classes/meetings/{meeting.id}"))
    assert "Absent: Vacation" in text and "absent: Vacation" not in text  # shown, but no button for it
    assert "Mark Amy Smith absent: Sick" in text
    future = Meeting.select().join(Course).where(
        (Course.name == "Ballet I") & (Meeting.starts_at > datetime.datetime.now())
    ).first()
    assert "absent: Vacation" not in page_text(pat.get(f"/classes/meetings/{future.id}"))


@pytest.mark.parametrize(
    "data, message",
    [
        ({"name": ""}, "Enter a name."),
        ({"name": "   "}, "Enter a name."),
        ({"name": "x" * 61}, "Use at most 60 characters."),
        ({"name": "sick"}, "There is already a reason called “sick”."),
        ({"name": "  NO SHOW "}, "There is already a reason called “NO SHOW”."),
        ({"sort_order": "1000"}, "Use a number from 0 to 999."),
        ({"sort_order": "-1"}, "Use a number from 0 to 999."),
        ({"sort_order": "soon"}, "Not a valid integer value."),
    ],
)
def test_bad_input_gets_a_message_next_to_the_field_and_nothing_is_stored(signed_in, data, message):
    client = signed_in("staff@example.com")
    before = [(r.name, r.active, r.sort_order) for r in AbsenceReason.select().order_by(AbsenceReason.id)]
    page = client.post("/staff/reasons", data=good(**data))
    assert page.status_code == 422 and "<html" in page.get_data(as_text=True)
    field = "name" if "name" in data else "sort_order"
    assert f'id="{field}-error">{message}' in page.get_data(as_text=True)
    fragment = client.post("/staff/reasons", data=good(**data), headers=HX)
    assert fragment.status_code == 422 and fragment.get_data(as_text=True).lstrip().startswith('<div id="reasons"')
    assert message in fragment.get_data(as_text=True)
    edit = client.post(f"/staff/reasons/{_reason('Family emergency').id}", data=good(**data))
    assert edit.status_code == 422 and f'id="{field}-error">{message}' in edit.get_data(as_text=True)
    assert [(r.name, r.active, r.sort_order) for r in AbsenceReason.select().order_by(AbsenceReason.id)] == before


def test_a_reason_may_keep_its_own_name_in_another_case(signed_in):
    sick = _reason("Sick")
    response = signed_in("staff@example.com").post(f"/staff/reasons/{sick.id}", data=good(name="SICK"))
    assert response.status_code == 303 and AbsenceReason.get_by_id(sick.id).name == "SICK"


@pytest.mark.parametrize("email", ["instructor@example.com", "parent@example.com"])
def test_only_staff_may_keep_the_code_table(signed_in, email):
    client, sick = signed_in(email), _reason("Sick")
    assert client.get("/staff/reasons").status_code == 403
    assert client.get(f"/staff/reasons/{sick.id}").status_code == 403
    assert client.post("/staff/reasons", data=good()).status_code == 403
    assert client.post(f"/staff/reasons/{sick.id}", data=good(name="Ill")).status_code == 403
    assert AbsenceReason.get_by_id(sick.id).name == "Sick" and AbsenceReason.select().count() == 5


def test_an_unknown_reason_is_404_and_get_changes_nothing(signed_in):
    client = signed_in("staff@example.com")
    assert client.get("/staff/reasons/999999").status_code == 404
    assert client.post("/staff/reasons/999999", data=good()).status_code == 404
    client.get("/staff/reasons?name=Late+bus&sort_order=1")
    assert client.post("/staff/reasons", data=good(), csrf=False).status_code == 303  # expired-page redirect
    assert AbsenceReason.select().count() == 5
