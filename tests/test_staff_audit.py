"""The staff console's audit (issue 13.10): each change made there records who, when and what changed, before →
after, and the object's page shows it; a refused or empty save records nothing."""
from conftest import page_text
from test_preferences import _form as preferences_form
from test_staff_course_setup import course_form
import datetime

from test_email_management import text as email_text
from test_staff_users import TAYLOR, form_of
from webapp.models import Account, Course, Location, Meeting, StaffChange, Student, User

SAM = "staff@example.com"


def audit_cannot_be_written(monkeypatch):
    """From now on writing a change fails, as a full disk or a lost connection would, inside the action's transaction."""
    from webapp import audit

    def broken(**row):
        raise RuntimeError("the audit could not be written")

    monkeypatch.setattr(audit.StaffChange, "create", broken)


def changes_section(response):
    """The Changes list of a staff page, as staff read it."""
    text = page_text(response)
    return text[text.index("Changes"):]


def test_a_course_change_shows_who_changed_what_before_and_after_on_the_course_page(signed_in):
    sam = signed_in(SAM)
    assert sam.post("/staff/courses/new", data=course_form()).status_code == 303
    course = Course.get(Course.name == "Hip Hop I")
    saved = sam.post(f"/staff/courses/{course.id}/edit", data=course_form(capacity="14", price_cents="$175.50"))
    assert saved.status_code == 303
    changes = changes_section(sam.get(f"/staff/courses/{course.id}"))
    assert "Sam Ortiz changed Capacity: 10 → 14 Price: $160.00 → $175.50" in changes
    assert "Sam Ortiz added it Name: Hip Hop I" in changes and "Location: Northside" in changes
    assert changes.index("changed Capacity") < changes.index("added it")  # newest first
    latest = StaffChange.select().order_by(StaffChange.id.desc()).first()
    assert latest.changed_by.email == SAM and (latest.kind, latest.object_key) == ("course", str(course.id))


def test_a_save_that_changes_nothing_or_is_refused_records_nothing(signed_in):
    sam = signed_in(SAM)
    northside = Location.get(Location.name == "Northside")
    assert sam.post(f"/staff/locations/{northside.id}", data={"name": "Northside", "address": northside.address}
                    ).status_code == 303
    assert sam.post(f"/staff/locations/{northside.id}", data={"name": "Downtown", "address": ""}).status_code == 422
    assert StaffChange.select().count() == 0
    assert "No changes made here yet." in page_text(sam.get(f"/staff/locations/{northside.id}"))
    sam.post(f"/staff/locations/{northside.id}", data={"name": "Northside", "address": "9 North Street"})
    assert "Address: 40 North Road, Riverside → 9 North Street" in changes_section(
        sam.get(f"/staff/locations/{northside.id}"))


def test_a_line_category_renamed_shows_on_its_page(signed_in):
    from webapp.models import LineCategory

    sam, tuition = signed_in(SAM), LineCategory.get(LineCategory.name == "Tuition")
    assert sam.post(f"/staff/line-categories/{tuition.id}", data={"name": "Class fees", "active": "y"}).status_code == 303
    assert "Sam Ortiz changed Name: Tuition → Class fees" in changes_section(sam.get(f"/staff/line-categories/{tuition.id}"))


def test_a_preference_switched_off_shows_on_the_preferences_page(signed_in):
    sam = signed_in(SAM)
    form = preferences_form()
    form.pop("allow_drop")
    assert sam.post("/staff/preferences", data=form).status_code == 303
    assert "Allow drop: Yes → No" in changes_section(sam.get("/staff/preferences"))


def test_household_and_student_changes_show_on_their_pages(signed_in):
    sam, smith = signed_in(SAM), Account.get(Account.name == "Smith household")
    sam.post(f"/staff/households/{smith.id}/edit", data={"name": "Smith family", "division": "0"})
    assert "Name: Smith household → Smith family" in changes_section(sam.get(f"/staff/households/{smith.id}"))
    ben = Student.get(Student.first_name == "Ben")
    sam.post(f"/staff/households/{smith.id}/students/{ben.id}/edit",
             data={"first_name": "Benjamin", "last_name": "Smith", "birth_date": ben.birth_date.isoformat()})
    page = changes_section(sam.get(f"/staff/households/{smith.id}/students/{ben.id}/edit"))
    assert "Sam Ortiz changed First name: Ben → Benjamin" in page and "Birth date" not in page


def test_the_changes_are_staff_only(signed_in):
    smith = Account.get(Account.name == "Smith household")
    signed_in(SAM).post(f"/staff/households/{smith.id}/edit", data={"name": "Smith family", "division": "0"})
    for email in ("parent@example.com", "instructor@example.com"):
        response = signed_in(email).get(f"/staff/households/{smith.id}")
        assert response.status_code == 403 and "Not allowed" in page_text(response)
        assert "Smith household → Smith family" not in page_text(response)


def test_a_user_invited_changed_and_deactivated_shows_each_step_on_their_page(signed_in):
    sam = signed_in(SAM)
    assert sam.post("/staff/users/new", data=dict(TAYLOR)).status_code == 303  # the client adds its token to what it is given
    taylor = User.get(User.email == "taylor.reed@example.com")
    assert sam.post(f"/staff/users/{taylor.id}", data=form_of(taylor.email, role="staff")).status_code == 303
    assert sam.post(f"/staff/users/{taylor.id}/deactivate").status_code == 303
    changes = changes_section(sam.get(f"/staff/users/{taylor.id}"))
    assert "Sam Ortiz changed Deactivated: No → Yes" in changes
    assert "changed Role: Instructor → Staff" in changes
    assert "added it Email: taylor.reed@example.com Name: Taylor Reed Role: Instructor" in changes


def test_an_email_text_switch_and_reset_show_on_the_emails_page(signed_in):
    sam = signed_in(SAM)
    assert sam.post("/staff/emails/status_adjusted/edit", data=email_text(subject="Order {{ order_number }} moved")
                    ).status_code == 303
    assert sam.post("/staff/emails/status_adjusted", data={}).status_code == 303  # turned off
    assert sam.post("/staff/emails/status_adjusted/reset").status_code == 303
    changes = changes_section(sam.get("/staff/emails/status_adjusted/edit"))
    assert "changed Text: the school's own → Cubby's" in changes and "changed Sent: Yes → No" in changes
    assert "Subject: — → Order {{ order_number }} moved" in changes


def test_a_class_moved_or_cancelled_shows_on_its_course_page(signed_in):
    sam = signed_in(SAM)
    ballet = Course.get(Course.name == "Ballet I")
    first, second = (Meeting.select().where((Meeting.course == ballet) & (Meeting.starts_at > datetime.datetime.now()
                                                                          + datetime.timedelta(days=2)))
                     .order_by(Meeting.starts_at).limit(2))
    day = first.starts_at.date() + datetime.timedelta(days=1)
    assert sam.post(f"/staff/meetings/{first.id}/move", data={"day": day.isoformat(), "starts": "17:30",
                                                               "ends": "18:30"}).status_code == 303
    assert sam.post(f"/staff/meetings/{second.id}/cancel", data={"confirm": "yes"}).status_code == 303
    changes = changes_section(sam.get(f"/staff/courses/{ballet.id}"))
    assert "5:30 PM" in changes and "→ cancelled" in changes and changes.count("Sam Ortiz changed") == 2
