"""Staff create a household with its primary guardian (invited by email to set a password), edit its name and
division, and add and edit its students; each create is all or nothing."""
import datetime
import re
from html import unescape

import pytest

from access_helpers import last_mail_to, link_in
from conftest import at_once, page_text
from webapp.models import Account, ContactPhone, Division, Guardian, Student, StudentLink, User
from webapp.models.access import AccessLink

HX = {"HX-Request": "true"}
SAM, ALEX = "staff@example.com", "frontdesk@example.com"
GARCIA = {"name": "Garcia household", "division": "0", "first_name": "Rosa", "last_name": "Garcia",
          "email": "Rosa.Garcia@Example.com", "phone": "212 555 0199"}


def smith():
    return Account.get(Account.name == "Smith household")


def amy():
    return Student.get(Student.first_name == "Amy")


def nothing_stored():
    assert not Account.select().where(Account.name == "Garcia household").exists()
    assert not User.select().where(User.email == "rosa.garcia@example.com").exists()
    assert not AccessLink.select().join(User).where(User.email == "rosa.garcia@example.com").exists()


def test_new_household_makes_the_guardian_and_invites_them_to_an_empty_home(app, signed_in, outbox):
    sam = signed_in(SAM)
    response = sam.post("/staff/households/new", data={**GARCIA})
    assert response.status_code == 303
    page = page_text(sam.get(response.headers["Location"]))
    assert "Created Garcia household. The invitation is on its way to rosa.garcia@example.com." in page
    assert "Rosa Garcia · rosa.garcia@example.com Primary guardian · Invited" in page and "No student yet." in page
    assert "Garcia household Rosa Garcia (primary)" in page_text(sam.get("/staff/households/?q=garcia"))
    guardian = Guardian.select(Guardian, User).join(User).where(User.email == "rosa.garcia@example.com").get()
    assert guardian.is_primary and guardian.user.role == User.PATRON and not guardian.user.has_password
    assert guardian.can_make_payments and guardian.can_view_balance and guardian.can_view_transactions
    assert ContactPhone.get(ContactPhone.guardian == guardian).number == "(212) 555-0199"

    message = last_mail_to(outbox, "rosa.garcia@example.com")
    assert "Sam Ortiz invites you to log in to Garcia household" in message.body
    path = link_in(message, "/invitation/")
    rosa = app.test_client()
    assert "Garcia household" in page_text(rosa.get(path))
    password = "rosa's own long passphrase"
    accepted = rosa.post(path, data={"name": "Rosa Garcia", "new_password": password, "confirm_password": password})
    assert accepted.status_code == 303
    home = page_text(rosa.get("/home"))
    assert "Welcome, Rosa. You can log in to Garcia household now." in home
    assert "Garcia household: $0.00" in home and "No classes in the next two weeks" in home
    assert "Amy" not in home and "Ballet" not in home  # nothing of anyone else's
    assert "Primary guardian · Invited" not in page_text(sam.get(response.headers["Location"]))
    again = app.test_client()
    signed = again.post("/sign-in", data={"email": "rosa.garcia@example.com", "password": password})
    assert signed.status_code == 303 and again.get("/home").status_code == 200


def test_a_division_is_kept_and_shown(signed_in):
    acme = Division.get(Division.name == "Acme Corp")
    sam = signed_in(SAM)
    response = sam.post("/staff/households/new", data={**GARCIA, "division": str(acme.id), "phone": ""})
    assert response.status_code == 303
    account = Account.get(Account.name == "Garcia household")
    assert account.division_id == acme.id and not ContactPhone.select().where(ContactPhone.account == account).exists()
    assert "Division: Acme Corp" in page_text(sam.get(response.headers["Location"]))


@pytest.mark.parametrize("change, field, message", [
    ({"name": "  "}, "name", "Enter the household's name."),
    ({"first_name": ""}, "first_name", "Enter the guardian's first name."),
    ({"email": "rosa at example"}, "email", "Enter an email address like name@example.com."),
    ({"email": "PARENT@example.com"}, "email", "That email already belongs to a Cubby login"),
    ({"phone": "call me"}, "phone", "Enter a phone number with digits only"),
    ({"division": "999999"}, "division", "Not a valid choice."),
])
def test_bad_input_is_answered_next_to_the_field_and_nothing_is_stored(signed_in, outbox, change, field, message):
    response = signed_in(SAM).post("/staff/households/new", data={**GARCIA, **change})
    assert response.status_code == 422
    html = unescape(response.get_data(as_text=True))
    assert message in html.split(f'id="{field}-error"', 1)[1].split("</p>", 1)[0]
    assert re.search(f'<(input|select)[^>]*aria-describedby="[^"]*{field}-error"[^>]*name="{field}"', html)
    nothing_stored()
    assert not [m for m in outbox if "rosa.garcia@example.com" in m.to]


def test_an_email_taken_between_the_form_and_the_save_is_refused_too(signed_in, monkeypatch):
    from webapp.staff.household_forms import NewHouseholdForm

    monkeypatch.setattr(NewHouseholdForm, "validate_email", lambda self, field: None)
    response = signed_in(SAM).post("/staff/households/new", data={**GARCIA, "email": "parent@example.com"})
    assert response.status_code == 422 and "That email already belongs to a Cubby login" in page_text(response)
    assert not Account.select().where(Account.name == "Garcia household").exists()


def test_two_new_households_with_one_email_at_once_make_one_login(signed_in, outbox):
    sam, other = signed_in(SAM), signed_in(SAM)
    answers = at_once([lambda: sam.post("/staff/households/new", data={**GARCIA}).status_code,
                       lambda: other.post("/staff/households/new", data={**GARCIA, "name": "Garcia family"}).status_code])
    assert sorted(answers) == [303, 422]
    assert User.select().where(User.email == "rosa.garcia@example.com").count() == 1
    assert Account.select().where(Account.name.in_(["Garcia household", "Garcia family"])).count() == 1
    assert len([m for m in outbox if "rosa.garcia@example.com" in m.to]) == 1


def test_a_failure_in_the_middle_leaves_nothing(signed_in, outbox, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(Guardian, "create", broken)
    accounts = Account.select().count()
    sam = signed_in(SAM)
    try:
        response = sam.post("/staff/households/new", data={**GARCIA})
    except RuntimeError:
        pass  # the test app lets the error through
    else:
        assert response.status_code == 500
    monkeypatch.undo()
    assert Account.select().count() == accounts
    nothing_stored()
    assert not [m for m in outbox if "rosa.garcia@example.com" in m.to]


def test_the_forms_are_fragments_for_htmx_and_whole_pages_otherwise(signed_in):
    sam = signed_in(SAM)
    for url in ("/staff/households/new", f"/staff/households/{smith().id}/edit",
                f"/staff/households/{smith().id}/students/new", f"/staff/households/{smith().id}/students/{amy().id}/edit"):
        whole, fragment = sam.get(url), sam.get(url, headers=HX)
        assert whole.status_code == fragment.status_code == 200
        assert "<html" in whole.get_data(as_text=True) and "<html" not in fragment.get_data(as_text=True)
        assert "<form" in fragment.get_data(as_text=True) and "HX-Request" in fragment.headers["Vary"]
    refused = sam.post("/staff/households/new", data={**GARCIA, "name": ""}, headers=HX)
    assert refused.status_code == 422 and "<html" not in refused.get_data(as_text=True)
    assert "Enter the household's name." in unescape(refused.get_data(as_text=True))


def test_staff_rename_a_household_and_change_its_division(signed_in):
    acme = Division.get(Division.name == "Acme Corp")
    sam, account = signed_in(SAM), smith()
    assert 'value="Smith household"' in sam.get(f"/staff/households/{account.id}/edit").get_data(as_text=True)
    response = sam.post(f"/staff/households/{account.id}/edit", data={"name": "Smith family", "division": str(acme.id)})
    assert response.status_code == 303
    page = page_text(sam.get(response.headers["Location"]))
    assert "Saved Smith family." in page and "Division: Acme Corp" in page
    refused = sam.post(f"/staff/households/{account.id}/edit", data={"name": "", "division": "0"})
    assert refused.status_code == 422 and "Enter the household's name." in page_text(refused)
    assert Account.get_by_id(account.id).name == "Smith family"


def test_staff_add_and_edit_a_student_billed_to_the_household(signed_in):
    sam, account = signed_in(SAM), smith()
    response = sam.post(f"/staff/households/{account.id}/students/new",
                        data={"first_name": "Cleo", "last_name": "Smith", "birth_date": "2019-05-01"})
    assert response.status_code == 303
    assert "Added Cleo Smith to Smith household." in page_text(sam.get(response.headers["Location"]))
    cleo = Student.get(Student.first_name == "Cleo")
    assert cleo.billing_account_id == account.id and cleo.birth_date == datetime.date(2019, 5, 1)
    edited = sam.post(f"/staff/households/{account.id}/students/{cleo.id}/edit",
                      data={"first_name": "Cleo", "last_name": "Smith-Park", "birth_date": ""})
    assert edited.status_code == 303
    assert "Saved Cleo Smith-Park." in page_text(sam.get(edited.headers["Location"]))
    assert Student.get_by_id(cleo.id).birth_date is None
    assert "Cleo Smith-Park" in page_text(signed_in("parent@example.com").get("/account/students"))


@pytest.mark.parametrize("data, message", [
    ({"first_name": "", "last_name": "Smith"}, "Enter the first name."),
    ({"first_name": "Cleo", "last_name": "Smith", "birth_date": "2999-01-01"}, "Enter a date of birth in the past"),
    ({"first_name": "Cleo", "last_name": "Smith", "birth_date": "1899-12-31"}, "Enter a date of birth in the past"),
    ({"first_name": "Cleo", "last_name": "Smith", "birth_date": "yesterday"}, "Not a valid date value."),
])
def test_a_bad_student_is_answered_next_to_the_field_and_nothing_is_stored(signed_in, data, message):
    students = Student.select().count()
    response = signed_in(SAM).post(f"/staff/households/{smith().id}/students/new", data=data)
    assert response.status_code == 422 and message in page_text(response)
    assert 'class="error" id="' in response.get_data(as_text=True)
    assert Student.select().count() == students


def test_a_bad_edit_leaves_the_student_as_they_were(signed_in):
    response = signed_in(SAM).post(f"/staff/households/{smith().id}/students/{amy().id}/edit",
                                   data={"first_name": "Amy", "last_name": "Smith", "birth_date": "2999-01-01"})
    assert response.status_code == 422 and amy().birth_date.year != 2999


def test_a_linked_student_is_edited_from_the_household_billed_for_them(signed_in):
    forest = Account.get(Account.name == "Forest household")
    sam = signed_in(SAM)
    assert sam.get(f"/staff/households/{forest.id}/students/{amy().id}/edit").status_code == 404
    assert sam.post(f"/staff/households/{forest.id}/students/{amy().id}/edit",
                    data={"first_name": "Amelia", "last_name": "Smith"}).status_code == 404
    assert amy().first_name == "Amy"


def test_unknown_households_and_students_are_404(signed_in):
    sam, account = signed_in(SAM), smith()
    for url in ("/staff/households/999999/edit", "/staff/households/999999/students/new",
                f"/staff/households/{account.id}/students/999999/edit", "/staff/households/99999999999/edit"):
        assert sam.get(url).status_code == 404
        assert sam.post(url, data={"name": "x", "first_name": "x", "last_name": "x"}).status_code == 404


@pytest.mark.parametrize("email", ["parent@example.com", "instructor@example.com"])
def test_families_and_instructors_get_403(signed_in, email):
    user, account = signed_in(email), smith()
    for url in ("/staff/households/new", f"/staff/households/{account.id}/edit",
                f"/staff/households/{account.id}/students/new",
                f"/staff/households/{account.id}/students/{amy().id}/edit"):
        assert user.get(url).status_code == 403
        assert user.post(url, data={**GARCIA, "birth_date": ""}).status_code == 403
    nothing_stored()
    assert smith().name == "Smith household"


def test_the_front_desk_creates_households_too(signed_in):
    """Creating a household moves no money: staff without "Access Billing Tab" may do it."""
    response = signed_in(ALEX).post("/staff/households/new", data={**GARCIA})
    assert response.status_code == 303 and Account.select().where(Account.name == "Garcia household").exists()


def test_the_search_page_and_household_page_link_the_new_forms(signed_in):
    sam = signed_in(SAM)
    assert 'href="/staff/households/new"' in sam.get("/staff/households/").get_data(as_text=True)
    html = sam.get(f"/staff/households/{smith().id}").get_data(as_text=True)
    assert f'href="/staff/households/{smith().id}/edit"' in html
    assert f'href="/staff/households/{smith().id}/students/new"' in html
    assert f'href="/staff/households/{smith().id}/students/{amy().id}/edit"' in html


def rosa_invited(sam, outbox):
    assert sam.post("/staff/households/new", data={**GARCIA}).status_code == 303
    rosa = Guardian.select().join(User).where(User.email == "rosa.garcia@example.com").get()
    return rosa, link_in(last_mail_to(outbox, "rosa.garcia@example.com"), "/invitation/")


def test_staff_send_the_invitation_again_and_the_old_link_stops_working(app, signed_in, outbox):
    sam = signed_in(SAM)
    rosa, old = rosa_invited(sam, outbox)
    response = sam.post(f"/staff/households/{rosa.account_id}/guardians/{rosa.id}/invite")
    assert response.status_code == 303
    assert ("A new invitation is on its way to rosa.garcia@example.com; the earlier link no longer works."
            in page_text(sam.get(response.headers["Location"])))
    new = link_in(last_mail_to(outbox, "rosa.garcia@example.com"), "/invitation/")
    visitor = app.test_client()
    assert new != old and visitor.get(old).status_code == 410 and visitor.get(new).status_code == 200


def test_an_expired_staff_invitation_asks_staff_for_a_new_one(app, signed_in, outbox):
    sam = signed_in(SAM)
    rosa, path = rosa_invited(sam, outbox)
    AccessLink.update(expires_at=datetime.datetime(2000, 1, 1)).where(AccessLink.guardian == rosa.id).execute()
    assert app.test_client().post(path + "/ask-again").status_code == 303
    asked = last_mail_to(outbox, SAM)
    assert "Rosa Garcia asks for a new invitation" in asked.subject and "staff console" in asked.body
    assert link_in(asked, f"/staff/households/{rosa.account_id}")


def test_nothing_is_sent_again_once_the_guardian_accepted(signed_in, outbox):
    dana = Guardian.select().join(User).where(User.email == "parent@example.com").get()
    sam = signed_in(SAM)
    before = len(outbox)
    response = sam.post(f"/staff/households/{dana.account_id}/guardians/{dana.id}/invite")
    assert response.status_code == 303 and len(outbox) == before
    assert "Dana Smith has no invitation waiting: nothing was sent." in page_text(sam.get(response.headers["Location"]))


def test_sending_again_is_staff_only_and_within_the_household(signed_in, outbox):
    morgan = Guardian.select().join(User).where(User.email == "morgan@example.com").get()
    forest = Account.get(Account.name == "Forest household")
    for email in ("parent@example.com", "instructor@example.com"):
        assert signed_in(email).post(f"/staff/households/{morgan.account_id}/guardians/{morgan.id}/invite").status_code == 403
    sam = signed_in(SAM)
    assert sam.post(f"/staff/households/{forest.id}/guardians/{morgan.id}/invite").status_code == 404
    assert sam.post(f"/staff/households/{morgan.account_id}/guardians/999999/invite").status_code == 404
    assert not [m for m in outbox if "morgan@example.com" in m.to]


def test_staff_link_a_student_billed_elsewhere_and_the_family_sees_them(app, signed_in, outbox):
    sam = signed_in(SAM)
    rosa, path = rosa_invited(sam, outbox)
    garcia = rosa.account_id
    found = page_text(sam.get(f"/staff/households/{garcia}/students/link?q=ben"))
    assert "Ben Smith billed to Smith household Link with Garcia household" in found and "Amy" not in found
    response = sam.post(f"/staff/households/{garcia}/students/{Student.get(Student.first_name == 'Ben').id}/link")
    assert response.status_code == 303
    page = page_text(sam.get(response.headers["Location"]))
    assert "Linked Ben Smith with Garcia household; Ben Smith's bills stay where they are." in page
    assert "Ben Smith (linked; billed to another household) Unlink" in page
    assert "Garcia household Rosa Garcia (primary) · Students: Ben Smith" in page_text(sam.get("/staff/households/?q=garcia"))
    assert "No student billed to another household matches “ben”." in page_text(
        sam.get(f"/staff/households/{garcia}/students/link?q=ben"))  # linked already
    password = "rosa's own long passphrase"
    rosa_client = app.test_client()
    rosa_client.post(path, data={"name": "Rosa Garcia", "new_password": password, "confirm_password": password})
    assert "Ben Smith" in page_text(rosa_client.get("/account/students"))


def test_linking_again_or_linking_a_student_billed_here_is_refused(signed_in):
    sam, forest = signed_in(SAM), Account.get(Account.name == "Forest household")
    again = sam.post(f"/staff/households/{forest.id}/students/{amy().id}/link")
    assert "Amy Smith is linked with Forest household already." in page_text(sam.get(again.headers["Location"]))
    here = sam.post(f"/staff/households/{smith().id}/students/{amy().id}/link")
    assert "Amy Smith is billed to Smith household already." in page_text(sam.get(here.headers["Location"]))
    assert StudentLink.select().where(StudentLink.student == amy().id).count() == 1


def test_unlinking_ends_what_the_household_sees(signed_in):
    sam, forest = signed_in(SAM), Account.get(Account.name == "Forest household")
    response = sam.post(f"/staff/households/{forest.id}/students/{amy().id}/unlink")
    assert "Amy Smith is no longer linked with Forest household." in page_text(sam.get(response.headers["Location"]))
    assert "Amy" not in page_text(signed_in("grandparents@example.com").get("/account/students"))
    assert sam.post(f"/staff/households/{forest.id}/students/{amy().id}/unlink").status_code == 404
    assert Student.get_by_id(amy().id).billing_account_id == smith().id  # the bill never moves


def test_the_link_search_is_a_fragment_for_htmx_and_runs_the_same_queries_at_any_size(signed_in, query_count):
    sam, forest = signed_in(SAM), Account.get(Account.name == "Forest household")
    url = f"/staff/households/{forest.id}/students/link?q=smith"
    fragment = sam.get(url, headers=HX)
    assert "<html" not in fragment.get_data(as_text=True) and 'id="results"' in fragment.get_data(as_text=True)
    assert "Ben Smith" in fragment.get_data(as_text=True) and "HX-Request" in fragment.headers["Vary"]
    _, few = query_count(sam.get, url)
    Student.insert_many([{"first_name": f"Kit{n}", "last_name": "Smith", "billing_account": smith().id}
                         for n in range(40)]).execute()
    many, after = query_count(sam.get, url)
    assert few == after and "The first 25 by name" in page_text(many)


def test_linking_is_staff_only_and_ids_must_exist(signed_in):
    forest = Account.get(Account.name == "Forest household")
    ben = Student.get(Student.first_name == "Ben")
    for email in ("parent@example.com", "instructor@example.com"):
        user = signed_in(email)
        assert user.get(f"/staff/households/{forest.id}/students/link?q=ben").status_code == 403
        assert user.post(f"/staff/households/{forest.id}/students/{ben.id}/link").status_code == 403
        assert user.post(f"/staff/households/{forest.id}/students/{amy().id}/unlink").status_code == 403
    sam = signed_in(SAM)
    assert sam.get("/staff/households/999999/students/link").status_code == 404
    assert sam.post(f"/staff/households/999999/students/{ben.id}/link").status_code == 404
    assert sam.post(f"/staff/households/{forest.id}/students/999999/link").status_code == 404
    assert sam.post(f"/staff/households/{forest.id}/students/999999/unlink").status_code == 404
    assert StudentLink.select().where(StudentLink.student == ben.id).count() == 0
