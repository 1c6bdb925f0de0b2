"""Staff keep the evaluated-skills code table: the skills of each course level; add, rename, retire; bad input; who
may."""
import pytest

from conftest import page_text
from webapp.models import Course, Evaluation, Skill, Student

HX = {"HX-Request": "true"}


def good(**changes):
    """A valid skill form, with changes (a fresh dict: the test client adds its CSRF token to it)."""
    return {"level": "Ballet I", "name": "Arabesque", "active": "y", "sort_order": "5", **changes}


def _skill(name):
    return Skill.get(Skill.name == name)


def test_staff_home_links_the_table_which_lists_each_levels_skills_in_order(signed_in):
    client = signed_in("staff@example.com")
    assert 'href="/staff/skills"' in client.get("/staff/").get_data(as_text=True)
    text = page_text(client.get("/staff/skills"))
    assert "Ballet I Skill Status Order Change Plié Active 0 Edit Plié of Ballet I Tendu Active 1" in text
    assert "Pirouette Active 2" in text and "Add a skill" in text


def test_the_table_and_the_edit_form_are_pages_and_htmx_fragments(signed_in):
    client, plie = signed_in("staff@example.com"), _skill("Plié")
    for url, heading in (("/staff/skills", "<h1>Evaluated skills</h1>"), (f"/staff/skills/{plie.id}", "Edit “Plié”")):
        page, fragment = client.get(url), client.get(url, headers=HX)
        assert "<html" in page.get_data(as_text=True) and heading in page.get_data(as_text=True)
        html = fragment.get_data(as_text=True)
        assert "<html" not in html and heading in html and "HX-Request" in fragment.headers["Vary"]


def test_the_level_is_chosen_from_the_levels_the_courses_name(signed_in):
    Course.update(level="Jazz II").where(Course.name == "Jazz II").execute()
    html = signed_in("staff@example.com").get("/staff/skills").get_data(as_text=True)
    assert '<option value="Ballet I">Ballet I</option>' in html and '<option value="Jazz II">Jazz II</option>' in html
    assert "Pottery" not in html  # a course without a level


def test_adding_a_skill_without_javascript(signed_in):
    client = signed_in("staff@example.com")
    response = client.post("/staff/skills", data=good())
    arabesque = _skill("Arabesque")
    assert response.status_code == 303 and response.headers["Location"] == f"/staff/skills#skill-{arabesque.id}"
    text = page_text(client.get("/staff/skills"))
    assert "Added “Arabesque” to Ballet I." in text and "Pirouette Active 2 Edit Pirouette of Ballet I Arabesque Active 5" in text
    assert (arabesque.level, arabesque.active, arabesque.sort_order) == ("Ballet I", True, 5)


def test_adding_a_skill_with_htmx_answers_the_table_and_a_fresh_form_for_the_same_level(signed_in):
    response = signed_in("staff@example.com").post("/staff/skills", data=good(active=""), headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and html.lstrip().startswith('<div id="skills"') and "<html" not in html
    assert "Arabesque Inactive 5" in page_text_of(html) and 'value="Arabesque"' not in html
    assert '<option selected value="Ballet I">' in html and "Added “Arabesque” to Ballet I." in html
    assert not _skill("Arabesque").active


def page_text_of(html):
    import re

    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_renaming_a_skill_shows_on_the_familys_evaluations(signed_in):
    plie = _skill("Plié")
    response = signed_in("staff@example.com").post(f"/staff/skills/{plie.id}", data=good(name="Demi-plié", sort_order="0"))
    assert response.status_code == 303
    amy = Student.get(Student.first_name == "Amy")
    text = page_text(signed_in("parent@example.com").get(f"/account/students/{amy.id}/evaluations"))
    assert "Demi-plié Mastered" in text


def test_a_retired_skill_is_no_longer_evaluated_or_shown_but_its_evaluations_stay(signed_in):
    tendu = _skill("Tendu")
    signed_in("staff@example.com").post(f"/staff/skills/{tendu.id}", data=good(name="Tendu", active="", sort_order="1"))
    amy = Student.get(Student.first_name == "Amy")
    assert "Tendu" not in page_text(signed_in("parent@example.com").get(f"/account/students/{amy.id}/evaluations"))
    assert Evaluation.select().where(Evaluation.skill == tendu).count() == 1


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"name": ""}, "name", "Enter the skill&#39;s name."),
        ({"name": "x" * 61}, "name", "Use at most 60 characters."),
        ({"name": " plié "}, "name", "Ballet I already has a skill called “plié”."),
        ({"level": ""}, "level", "Choose the course level."),
        ({"level": "Tap III"}, "level", "Choose one of the levels the courses name."),
        ({"sort_order": "1000"}, "sort_order", "Use a number from 0 to 999."),
        ({"sort_order": "soon"}, "sort_order", "Not a valid integer value."),
    ],
)
def test_bad_input_gets_a_message_next_to_the_field_and_nothing_is_stored(signed_in, data, field, message):
    client = signed_in("staff@example.com")
    before = [(k.level, k.name, k.active, k.sort_order) for k in Skill.select().order_by(Skill.id)]
    page = client.post("/staff/skills", data=good(**data))
    assert page.status_code == 422 and "<html" in page.get_data(as_text=True)
    assert f'id="{field}-error">{message}' in page.get_data(as_text=True)
    fragment = client.post("/staff/skills", data=good(**data), headers=HX)
    assert fragment.status_code == 422 and fragment.get_data(as_text=True).lstrip().startswith('<div id="skills"')
    assert message in fragment.get_data(as_text=True)
    edit = client.post(f"/staff/skills/{_skill('Tendu').id}", data=good(**data))
    assert edit.status_code == 422 and f'id="{field}-error">{message}' in edit.get_data(as_text=True)
    assert [(k.level, k.name, k.active, k.sort_order) for k in Skill.select().order_by(Skill.id)] == before


def test_the_same_name_in_another_level_is_fine_and_a_skill_may_keep_its_own_name(signed_in):
    Course.update(level="Ballet II").where(Course.name == "Jazz II").execute()
    client = signed_in("staff@example.com")
    assert client.post("/staff/skills", data=good(level="Ballet II", name="Plié")).status_code == 303
    plie = Skill.get((Skill.name == "Plié") & (Skill.level == "Ballet I"))
    assert client.post(f"/staff/skills/{plie.id}", data=good(name="PLIÉ")).status_code == 303
    assert Skill.get_by_id(plie.id).name == "PLIÉ"


def test_a_skill_whose_level_no_course_names_any_more_can_still_be_edited(signed_in):
    Course.update(level="Ballet 1").where(Course.name == "Ballet I").execute()
    plie = _skill("Plié")
    client = signed_in("staff@example.com")
    assert '<option selected value="Ballet I">' in client.get(f"/staff/skills/{plie.id}").get_data(as_text=True)
    assert client.post(f"/staff/skills/{plie.id}", data=good(level="Ballet 1", name="Plié")).status_code == 303
    assert Skill.get_by_id(plie.id).level == "Ballet 1"


@pytest.mark.parametrize("email", ["instructor@example.com", "parent@example.com"])
def test_only_staff_may_keep_the_skills(signed_in, email):
    client, plie = signed_in(email), _skill("Plié")
    assert client.get("/staff/skills").status_code == 403
    assert client.get(f"/staff/skills/{plie.id}").status_code == 403
    assert client.post("/staff/skills", data=good()).status_code == 403
    assert client.post(f"/staff/skills/{plie.id}", data=good(name="Bend")).status_code == 403
    assert Skill.get_by_id(plie.id).name == "Plié" and Skill.select().count() == 3


def test_an_unknown_skill_is_404_and_get_changes_nothing(signed_in):
    client = signed_in("staff@example.com")
    assert client.get("/staff/skills/999999").status_code == 404
    assert client.post("/staff/skills/999999", data=good()).status_code == 404
    client.get("/staff/skills?name=Arabesque&level=Ballet+I&sort_order=1")
    assert client.post("/staff/skills", data=good(), csrf=False).status_code == 303  # expired-page redirect
    assert Skill.select().count() == 3


def test_the_table_runs_the_same_queries_whatever_its_size(signed_in, query_count):
    client = signed_in("staff@example.com")
    _, small = query_count(client.get, "/staff/skills")
    for n in range(40):
        Skill.create(level="Ballet I", name=f"Step {n}", sort_order=10)
    response, large = query_count(client.get, "/staff/skills")
    assert "Step 39" in page_text(response) and large == small
