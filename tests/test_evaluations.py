"""Evaluations / Evaluated skills: the skills code table per course level (staff), one-tap evaluations from the
roster (instructors, their own rosters only), and the family's Evaluations page with the latest of each skill."""
import datetime
import re

import pytest

from conftest import page_text, school_today, sign_in
from webapp.auth.services import hash_password
from webapp.models import Course, Enrollment, Evaluation, Meeting, Skill, Student, User

HX = {"HX-Request": "true"}


def _student(first):
    return Student.get(Student.first_name == first)


def _skill(name):
    return Skill.get(Skill.name == name)


def _ballet_meeting():
    """Ballet I's next meeting after tomorrow."""
    return (Meeting.select().join(Course).where((Course.name == "Ballet I")
                                               & (Meeting.starts_at > datetime.datetime.now() + datetime.timedelta(days=1)))
            .order_by(Meeting.starts_at).first())


def _evaluate_url(meeting, student, skill):
    return f"/classes/meetings/{meeting.id}/students/{student.id}/skills/{skill.id}"


def _latest(student, skill):
    return (Evaluation.select().where((Evaluation.student == student) & (Evaluation.skill == skill))
            .order_by(Evaluation.id.desc()).first())


def _is_the_skill(html, meeting, student, skill):
    """The answer is just the inside of that skill's widget: its form, not the page or the roster."""
    return html.lstrip().startswith(f'<form method="post" action="{_evaluate_url(meeting, student, skill)}"')


def _pressed(html, student, skill, status):
    button = re.search(rf'<button[^>]*id="evaluate-{student.id}-{skill.id}-{status}"[^>]*>', html, re.S).group(0)
    return re.search(r'aria-pressed="(\w+)"', button).group(1)


# The family's Evaluations


@pytest.mark.parametrize("headers", [{}, HX])
def test_dana_sees_amys_ballet_skills_with_the_latest_evaluation_of_each(signed_in, headers):
    amy = _student("Amy")
    response = signed_in("parent@example.com").get(f"/account/students/{amy.id}/evaluations", headers=headers)
    assert response.status_code == 200 and ("<html" in response.get_data(as_text=True)) != bool(headers)
    text = page_text(response)
    two_weeks_ago = school_today() - datetime.timedelta(weeks=2)
    date = f"{two_weeks_ago.day} {two_weeks_ago.strftime('%b')} {two_weeks_ago.year}"
    assert "Evaluated Skills Ballet I" in text
    assert f"Plié Mastered {date} Pat Lee — Tendu In progress {date} Pat Lee — Pirouette Not started {date} Pat Lee" in text


def test_the_evaluations_page_is_linked_from_each_students_sections(signed_in):
    amy = _student("Amy")
    html = signed_in("parent@example.com").get(f"/account/students/{amy.id}/attendance").get_data(as_text=True)
    assert f'href="/account/students/{amy.id}/evaluations">Evaluations</a>' in html


def test_the_latest_evaluation_wins_and_an_unevaluated_skill_says_so(signed_in):
    amy, tendu = _student("Amy"), _skill("Tendu")
    Evaluation.create(student=amy, skill=tendu, status=Evaluation.MASTERED, evaluated_on=school_today(),
                      instructor=User.get(User.email == "instructor@example.com"), comment="Clean and turned out")
    Skill.create(level="Ballet I", name="Arabesque", sort_order=9)
    Skill.create(level="Ballet I", name="Retired step", sort_order=10, active=False)
    Skill.create(level="Jazz II", name="Jazz walk")
    text = page_text(signed_in("parent@example.com").get(f"/account/students/{amy.id}/evaluations"))
    assert "Tendu Mastered" in text and "Clean and turned out" in text and "Tendu In progress" not in text
    assert "Arabesque Not evaluated yet" in text
    assert "Retired step" not in text and "Jazz walk" not in text  # inactive, and a level Amy is not in


def test_a_student_without_a_level_with_skills_is_told_so(signed_in):
    ben = _student("Ben")
    text = page_text(signed_in("parent@example.com").get(f"/account/students/{ben.id}/evaluations"))
    assert "Ben's current courses have no evaluated skills." in text


def test_another_households_student_is_404_and_staff_get_403(signed_in):
    amy, lee = _student("Amy"), _student("Lee")
    assert signed_in("trainee@example.com").get(f"/account/students/{amy.id}/evaluations").status_code == 404
    assert signed_in("parent@example.com").get(f"/account/students/{lee.id}/evaluations").status_code == 404
    assert signed_in("instructor@example.com").get(f"/account/students/{amy.id}/evaluations").status_code == 403


def test_a_linked_household_sees_the_evaluations_too(signed_in):
    text = page_text(signed_in("grandparents@example.com").get(f"/account/students/{_student('Amy').id}/evaluations"))
    assert "Plié Mastered" in text


def test_the_evaluations_page_runs_the_same_queries_whatever_the_history(signed_in, query_count):
    amy, pat = _student("Amy"), User.get(User.email == "instructor@example.com")
    dana, url = signed_in("parent@example.com"), f"/account/students/{amy.id}/evaluations"
    _, small = query_count(dana.get, url)
    for n in range(30):
        skill = Skill.create(level="Ballet I", name=f"Step {n}", sort_order=20 + n)
        for status in Evaluation.LABELS:
            Evaluation.create(student=amy, skill=skill, status=status, evaluated_on=school_today(), instructor=pat)
    response, large = query_count(dana.get, url)
    assert "Step 29 Mastered" in page_text(response) and large == small


# Evaluating from the roster


def test_pat_sees_amys_skills_on_the_roster_with_the_latest_evaluation_pressed(signed_in):
    meeting, amy = _ballet_meeting(), _student("Amy")
    html = signed_in("instructor@example.com").get(f"/classes/meetings/{meeting.id}").get_data(as_text=True)
    assert _pressed(html, amy, _skill("Plié"), "mastered") == "true"
    assert _pressed(html, amy, _skill("Plié"), "in_progress") == "false"
    assert _pressed(html, amy, _skill("Tendu"), "in_progress") == "true"
    assert "Skills of Amy Smith" in page_text_of(html)


def page_text_of(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_one_tap_with_htmx_records_the_evaluation_and_answers_the_skill_with_focus_on_the_tapped_control(signed_in):
    meeting, amy, pirouette = _ballet_meeting(), _student("Amy"), _skill("Pirouette")
    response = signed_in("instructor@example.com").post(_evaluate_url(meeting, amy, pirouette),
                                                       data={"status": "in_progress", "comment": " Spotting well "},
                                                       headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and _is_the_skill(html, meeting, amy, pirouette)
    assert _pressed(html, amy, pirouette, "in_progress") == "true" and _pressed(html, amy, pirouette, "not_started") == "false"
    button = re.search(rf'<button[^>]*id="evaluate-{amy.id}-{pirouette.id}-in_progress"[^>]*>', html, re.S).group(0)
    assert "data-autofocus" in button
    assert "In progress" in page_text_of(html) and "Pat Lee" in html and "“Spotting well”" in html
    assert "Amy Smith: Pirouette in progress." in html  # the message, out of band
    latest = _latest(amy, pirouette)
    assert (latest.status, latest.comment, latest.evaluated_on) == ("in_progress", "Spotting well", school_today())
    assert latest.instructor.email == "instructor@example.com"
    assert Evaluation.select().where(Evaluation.skill == pirouette).count() == 2  # the earlier one stays as history


def test_one_tap_without_javascript_returns_to_the_roster_with_the_skills_open(signed_in):
    meeting, amy, tendu = _ballet_meeting(), _student("Amy"), _skill("Tendu")
    pat = signed_in("instructor@example.com")
    response = pat.post(_evaluate_url(meeting, amy, tendu), data={"status": "mastered"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/classes/meetings/{meeting.id}?skills={amy.id}#skill-{amy.id}-{tendu.id}")
    page = pat.get(response.headers["Location"])
    html = page.get_data(as_text=True)
    assert "Amy Smith: Tendu mastered." in page_text(page) and _pressed(html, amy, tendu, "mastered") == "true"
    assert re.search(r'<details class="skills" open>', html)
    assert _latest(amy, tendu).status == Evaluation.MASTERED


@pytest.mark.parametrize("data, message", [
    ({}, "Choose Not started, In progress or Mastered."),
    ({"status": "perfect"}, "Choose Not started, In progress or Mastered."),
    ({"status": "mastered", "comment": "x" * 501}, "Use at most 500 characters."),
])
def test_bad_input_gets_a_message_next_to_the_skill_and_nothing_is_stored(signed_in, data, message):
    meeting, amy, plie = _ballet_meeting(), _student("Amy"), _skill("Plié")
    pat, before = signed_in("instructor@example.com"), Evaluation.select().count()
    fragment = pat.post(_evaluate_url(meeting, amy, plie), data=data, headers=HX)
    html = fragment.get_data(as_text=True)
    assert fragment.status_code == 422 and _is_the_skill(html, meeting, amy, plie)
    assert f'id="skill-error-{amy.id}-{plie.id}" role="alert">{message}' in html
    page = pat.post(_evaluate_url(meeting, amy, plie), data=data)
    assert page.status_code == 422 and "<html" in page.get_data(as_text=True) and message in page.get_data(as_text=True)
    assert '<details class="skills" open>' in page.get_data(as_text=True)
    if "comment" in data:  # what was typed is kept, to shorten it
        assert f'value="{data["comment"]}"' in html and f'value="{data["comment"]}"' in page.get_data(as_text=True)
    assert Evaluation.select().count() == before


def test_another_instructors_roster_is_404(app):
    User.create(email="kim@example.com", name="Kim Cho", role=User.INSTRUCTOR, password_hash=hash_password("kim-secret-1"))
    client = app.test_client()
    assert sign_in(client, "kim@example.com", "kim-secret-1").status_code == 303
    meeting, amy, plie = _ballet_meeting(), _student("Amy"), _skill("Plié")
    before = Evaluation.select().count()
    assert client.post(_evaluate_url(meeting, amy, plie), data={"status": "not_started"}).status_code == 404
    assert Evaluation.select().count() == before


def test_a_student_not_on_the_roster_or_a_skill_of_another_level_is_404(signed_in):
    meeting, amy, ben, plie = _ballet_meeting(), _student("Amy"), _student("Ben"), _skill("Plié")
    jazz_walk = Skill.create(level="Jazz II", name="Jazz walk")
    retired = Skill.create(level="Ballet I", name="Retired step", active=False)
    pat, before = signed_in("instructor@example.com"), Evaluation.select().count()
    assert pat.post(_evaluate_url(meeting, ben, plie), data={"status": "mastered"}).status_code == 404
    assert pat.post(_evaluate_url(meeting, amy, jazz_walk), data={"status": "mastered"}).status_code == 404
    assert pat.post(_evaluate_url(meeting, amy, retired), data={"status": "mastered"}).status_code == 404
    assert pat.post(f"/classes/meetings/{meeting.id}/students/{amy.id}/skills/999999",
                    data={"status": "mastered"}).status_code == 404
    assert Evaluation.select().count() == before


def test_a_family_user_gets_403_on_the_evaluate_route(signed_in):
    meeting, amy, plie = _ballet_meeting(), _student("Amy"), _skill("Plié")
    before = Evaluation.select().count()
    response = signed_in("parent@example.com").post(_evaluate_url(meeting, amy, plie), data={"status": "not_started"})
    assert response.status_code == 403 and Evaluation.select().count() == before


def test_get_on_the_evaluate_url_changes_nothing(signed_in):
    meeting, amy, plie = _ballet_meeting(), _student("Amy"), _skill("Plié")
    before = Evaluation.select().count()
    pat = signed_in("instructor@example.com")
    assert pat.get(_evaluate_url(meeting, amy, plie) + "?status=not_started").status_code == 405
    assert pat.post(_evaluate_url(meeting, amy, plie), data={"status": "not_started"}, csrf=False).status_code == 303
    assert Evaluation.select().count() == before


def test_the_roster_runs_the_same_queries_whatever_the_class_size_and_history(signed_in, query_count):
    meeting, pat = _ballet_meeting(), signed_in("instructor@example.com")
    instructor = User.get(User.email == "instructor@example.com")
    _, small = query_count(pat.get, f"/classes/meetings/{meeting.id}")
    ballet = Course.get(Course.name == "Ballet I")
    for n in range(20):
        Skill.create(level="Ballet I", name=f"Step {n}", sort_order=20 + n)
    steps = list(Skill.select())
    for n in range(10):
        child = Student.create(first_name=f"Child{n}", last_name="Test", billing_account=_student("Amy").billing_account)
        Enrollment.create(student=child, course=ballet)
        for skill in steps[:5]:
            Evaluation.create(student=child, skill=skill, status=Evaluation.MASTERED, evaluated_on=school_today(),
                              instructor=instructor)
    response, large = query_count(pat.get, f"/classes/meetings/{meeting.id}")
    assert "Child9 Test" in page_text(response) and "Step 19" in page_text(response) and large == small


def test_a_submitted_roster_shows_the_skills_read_only_and_refuses_a_tap(signed_in):
    meeting, amy, plie = _ballet_meeting(), _student("Amy"), _skill("Plié")
    Meeting.update(roster_submitted_at=datetime.datetime.now()).where(Meeting.id == meeting.id).execute()
    pat, before = signed_in("instructor@example.com"), Evaluation.select().count()
    html = pat.get(f"/classes/meetings/{meeting.id}").get_data(as_text=True)
    assert "Plié" in html and "Mastered ·" in html and f'id="evaluate-{amy.id}' not in html
    response = pat.post(_evaluate_url(meeting, amy, plie), data={"status": "not_started"}, headers=HX)
    assert response.status_code == 403 and "only the office can change it now" in response.get_data(as_text=True)
    assert Evaluation.select().count() == before
    staff = signed_in("staff@example.com")  # the office still may
    assert staff.post(_evaluate_url(meeting, amy, plie), data={"status": "not_started"}).status_code == 303
    assert _latest(amy, plie).status == Evaluation.NOT_STARTED and _latest(amy, plie).instructor.name == "Sam Ortiz"


def test_marking_attendance_puts_the_focus_on_the_attendance_mark_only(signed_in):
    meeting, amy = _ballet_meeting(), _student("Amy")
    html = signed_in("instructor@example.com").post(f"/classes/meetings/{meeting.id}/students/{amy.id}",
                                                   data={"mark": "present"}, headers=HX).get_data(as_text=True)
    assert html.count("data-autofocus") == 1 and re.search(r'id="mark-\d+-present"[^>]*data-autofocus', html)
