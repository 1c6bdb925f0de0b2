"""Staff create and edit a course: every field saved as typed, price in dollars held as cents, and each refusal
next to its field with nothing stored."""
import pytest

from conftest import page_text
from webapp.models import Course, Enrollment, Location, User

HX = {"HX-Request": "true"}


def course_form(**changes):
    """Hip Hop I at Northside, Thursdays 5:00 PM for an hour, as a browser posts it (unticked boxes left out)."""
    values = {"name": "Hip Hop I", "division": "0", "location": str(Location.get(Location.name == "Northside").id),
              "instructor": str(User.get(User.email == "instructor@example.com").id), "level": "Beginner",
              "capacity": "10", "price_cents": "$160", "first_day": "2027-01-07", "last_day": "2027-02-25",
              "weekdays": ["3"], "start_time": "17:00", "duration_minutes": "60", "open_for_registration": "y",
              "description": "Street dance for 8 to 12."}
    for name, value in changes.items():
        if value is None:
            values.pop(name, None)
        else:
            values[name] = value
    return values


def test_staff_create_a_course_with_its_weekly_pattern(signed_in):
    sam = signed_in("staff@example.com")
    response = sam.post("/staff/courses/new", data=course_form(weekdays=["3", "0"]))
    assert response.status_code == 303, page_text(response)
    course = Course.get(Course.name == "Hip Hop I")
    assert response.headers["Location"].endswith(f"/staff/courses/{course.id}")
    assert (course.price_cents, course.capacity, course.level, course.weekdays) == (16000, 10, "Beginner", "0,3")
    assert course.location.name == "Northside" and course.instructor.email == "instructor@example.com"
    assert str(course.start_time)[:5] == "17:00" and course.duration_minutes == 60
    assert course.open_for_registration and not course.payable_online and course.division is None
    assert "Hip Hop I" in page_text(sam.get("/staff/courses"))


@pytest.mark.parametrize("changes, message", [
    ({"price_cents": "160 dollars"}, "Enter an amount in dollars, such as 45.00."),
    ({"price_cents": "12.345"}, "Enter an amount in dollars, such as 45.00."),
    ({"price_cents": "-5"}, "Enter an amount from $0.00 to $100,000.00."),
    ({"name": "  "}, "Enter the course's name."),
    ({"location": "0"}, "Pick a location."),
    ({"location": "999999"}, "Not a valid choice"),
    ({"capacity": "0"}, "Enter a whole number from 1 to 999."),
    ({"weekdays": None}, "Tick at least one day of the week."),
    ({"last_day": "2027-01-01"}, "The last day must not be before the first day."),
    ({"start_time": ""}, "Pick the start time."),
    ({"name": "ballet i", "first_day": "2020-01-01"}, "There is already a course called “ballet i” in these dates."),
])
def test_bad_input_is_refused_next_to_the_field_and_nothing_is_stored(signed_in, changes, message):
    sam = signed_in("staff@example.com")
    before = Course.select().count()
    response = sam.post("/staff/courses/new", data=course_form(**changes))
    assert response.status_code == 422
    assert message in page_text(response)
    assert Course.select().count() == before


def test_editing_saves_the_changes_and_refuses_fewer_seats_than_are_taken(signed_in):
    sam = signed_in("staff@example.com")
    jazz = Course.get(Course.name == "Jazz II")  # full: both seats taken
    assert "Jazz II" in page_text(sam.get(f"/staff/courses/{jazz.id}/edit"))
    refused = sam.post(f"/staff/courses/{jazz.id}/edit", data=course_form(name="Jazz II", capacity="1"))
    assert refused.status_code == 422
    assert "2 students already hold a seat: the capacity cannot be lower." in page_text(refused)
    assert Course.get_by_id(jazz.id).capacity == 2
    saved = sam.post(f"/staff/courses/{jazz.id}/edit", data=course_form(name="Jazz II", capacity="2",
                                                                        price_cents="250.50", payable_online="y"))
    assert saved.status_code == 303, page_text(saved)
    jazz = Course.get_by_id(jazz.id)
    assert jazz.price_cents == 25050 and jazz.payable_online and jazz.location.name == "Northside"


def test_the_edit_page_shows_the_course_as_saved(signed_in):
    sam = signed_in("staff@example.com")
    sam.post("/staff/courses/new", data=course_form(weekdays=["3"]))
    course = Course.get(Course.name == "Hip Hop I")
    body = sam.get(f"/staff/courses/{course.id}/edit").get_data(as_text=True)
    assert 'value="160.00"' in body and 'value="2027-01-07"' in body and 'value="17:00"' in body
    assert 'checked id="weekdays-3"' in body and '<input id="weekdays-0"' in body


@pytest.mark.parametrize("email", ["parent@example.com", "instructor@example.com"])
def test_only_staff_create_or_edit_courses(signed_in, email):
    client = signed_in(email)
    ballet = Course.get(Course.name == "Ballet I")
    for path in ("/staff/courses/new", f"/staff/courses/{ballet.id}/edit"):
        assert client.get(path).status_code == 403
        assert client.post(path, data=course_form()).status_code == 403
    assert not Course.select().where(Course.name == "Hip Hop I").exists()


def test_an_unknown_course_is_404(signed_in):
    sam = signed_in("staff@example.com")
    assert sam.get("/staff/courses/999999/edit").status_code == 404
    assert sam.post("/staff/courses/999999/edit", data=course_form()).status_code == 404


def test_htmx_gets_the_form_alone(signed_in):
    sam = signed_in("staff@example.com")
    page, fragment = sam.get("/staff/courses/new"), sam.get("/staff/courses/new", headers=HX)
    assert "<html" in page.get_data(as_text=True) and "HX-Request" in page.headers["Vary"]
    body = fragment.get_data(as_text=True)
    assert "<html" not in body and 'name="price_cents"' in body
