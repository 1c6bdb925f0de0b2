"""Staff add another guardian to a household (13.5): the family's Add Guardian from the household page, the login
invited by email to set a password, audited on the household's Changes; bad input is refused next to the field."""
import re
from html import unescape

import pytest

from access_helpers import last_mail_to, link_in
from conftest import at_once, page_text
from webapp.models import Account, Guardian, StaffChange, User
from webapp.models.access import AccessLink

HX = {"HX-Request": "true"}
SAM, ALEX, PAT, DANA = "staff@example.com", "frontdesk@example.com", "instructor@example.com", "parent@example.com"
JAMIE = {"guardian-name": "Jamie  Smith", "guardian-email": "Jamie.Smith@Example.com", "guardian-relation": "Aunt"}


def smith():
    return Account.get(Account.name == "Smith household")


def add_path(account=None):
    return f"/staff/households/{(account or smith()).id}/guardians"


def nothing_stored(outbox):
    assert not User.select().where(User.email == "jamie.smith@example.com").exists()
    assert not AccessLink.select().join(User).where(User.email == "jamie.smith@example.com").exists()
    assert not [m for m in outbox if "jamie.smith@example.com" in m.to]
    assert not StaffChange.select().where(StaffChange.changes.contains("jamie")).exists()


def test_staff_add_a_guardian_who_accepts_the_invitation_and_sees_the_household(app, signed_in, outbox):
    sam = signed_in(SAM)
    response = sam.post(add_path(), data={**JAMIE})
    assert response.status_code == 303 and response.headers["Location"] == f"/staff/households/{smith().id}"
    page = page_text(sam.get(response.headers["Location"]))
    assert "Added Jamie Smith to Smith household. The invitation is on its way to jamie.smith@example.com." in page
    assert ("Jamie Smith · jamie.smith@example.com · Aunt Guardian · Invited · may not pay, does not see balances, "
            "does not see Transaction History") in page
    assert "Sam Ortiz changed Guardian added: — → Jamie Smith (jamie.smith@example.com), Aunt" in page
    jamie = Guardian.select(Guardian, User).join(User).where(User.email == "jamie.smith@example.com").get()
    assert jamie.account_id == smith().id and not jamie.is_primary and jamie.status == Guardian.INVITED
    assert jamie.user.role == User.PATRON and not jamie.user.has_password

    message = last_mail_to(outbox, "jamie.smith@example.com")
    assert message.subject.startswith("Sam Ortiz invites you to")
    assert "Smith household" in message.body
    browser = app.test_client()
    path = link_in(message, "/invitation/")
    assert "Smith household" in page_text(browser.get(path))
    password = "jamie's own long passphrase"
    accepted = browser.post(path, data={"name": "Jamie Smith", "new_password": password, "confirm_password": password})
    assert accepted.status_code == 303
    home = page_text(browser.get("/home"))
    assert "You can log in to Smith household now." in home and "Ballet I" in home
    assert "Smith household: $" not in home  # no grants: the primary guardian gives them
    assert "Jamie Smith · jamie.smith@example.com · Aunt Guardian · may not pay" in page_text(
        sam.get(f"/staff/households/{smith().id}"))
    guardians = page_text(signed_in(DANA).get("/account/guardians/"))
    assert "Jamie Smith" in guardians and "Can Log In" in guardians


def test_the_add_guardian_form_stands_on_the_household_page_with_its_labels(signed_in):
    html = signed_in(SAM).get(f"/staff/households/{smith().id}").get_data(as_text=True)
    form = html.split(f'action="{add_path()}"', 1)[1].split("</form>", 1)[0]
    assert 'method="post"' in html.split(f'action="{add_path()}"', 1)[0][-120:]
    for name, label in (("name", "Name"), ("email", "Email"), ("relation", "Relation")):
        assert f'<label for="guardian-{name}">{label}</label>' in form
        assert f'name="guardian-{name}"' in form
    assert 'name="guardian-csrf_token"' in form and "Add Guardian" in form and "invite" not in form


@pytest.mark.parametrize("change, field, message", [
    ({"guardian-name": "  "}, "name", "Enter a name."),
    ({"guardian-email": ""}, "email", "Enter an email address."),
    ({"guardian-email": "jamie at example"}, "email", "Enter an email address like name@example.com."),
    ({"guardian-email": "PARTNER@example.com"}, "email", "That email already belongs to a Cubby login"),
    ({"guardian-email": "frontdesk@example.com"}, "email", "That email already belongs to a Cubby login"),
    ({"guardian-relation": "x" * 41}, "relation", "Field cannot be longer than 40 characters."),
])
def test_bad_input_is_refused_next_to_the_field_and_nothing_is_stored(signed_in, outbox, change, field, message):
    guardians = Guardian.select().count()
    response = signed_in(SAM).post(add_path(), data={**JAMIE, **change})
    assert response.status_code == 422
    html = unescape(response.get_data(as_text=True))
    assert message in html.split(f'id="guardian-{field}-error"', 1)[1].split("</p>", 1)[0]
    assert re.search(f'<input[^>]*aria-describedby="[^"]*guardian-{field}-error"[^>]*name="guardian-{field}"', html)
    assert "Smith household" in page_text(response) and "Dana Smith" in page_text(response)  # the whole page again
    nothing_stored(outbox)
    assert Guardian.select().count() == guardians


def test_a_refusal_answers_htmx_with_the_page_content_only(signed_in, outbox):
    response = signed_in(SAM).post(add_path(), data={**JAMIE, "guardian-email": "nope"}, headers=HX)
    html = unescape(response.get_data(as_text=True))
    assert response.status_code == 422 and "<html" not in html and "HX-Request" in response.headers["Vary"]
    assert "Enter an email address like name@example.com." in html and "Add Guardian" in html
    nothing_stored(outbox)


def test_an_email_taken_between_the_form_and_the_save_is_refused_too(signed_in, outbox, monkeypatch):
    from webapp.staff.household_forms import StaffGuardianForm

    monkeypatch.setattr(StaffGuardianForm, "validate_email", lambda self, field: None)
    response = signed_in(SAM).post(add_path(), data={**JAMIE, "guardian-email": "nanny@example.com"})
    assert response.status_code == 422
    assert "That email already belongs to a Cubby login" in unescape(response.get_data(as_text=True)).split(
        'id="guardian-email-error"', 1)[1]
    assert Guardian.select().join(User).where(User.email == "nanny@example.com").count() == 1


def test_two_adds_of_one_email_at_once_make_one_login(signed_in, outbox):
    sam, other = signed_in(SAM), signed_in(SAM)
    answers = at_once([lambda: sam.post(add_path(), data={**JAMIE}).status_code,
                       lambda: other.post(add_path(), data={**JAMIE, "guardian-name": "J. Smith"}).status_code])
    assert sorted(answers) == [303, 422]
    assert User.select().where(User.email == "jamie.smith@example.com").count() == 1
    assert len([m for m in outbox if "jamie.smith@example.com" in m.to]) == 1
    assert StaffChange.select().where(StaffChange.changes.contains("jamie.smith@example.com")).count() == 1


def test_the_front_desk_adds_guardians_too(signed_in, outbox):
    """Adding a guardian moves no money: staff without "Access Billing Tab" may do it, as they create households."""
    alex = signed_in(ALEX)
    assert "Add Guardian" in page_text(alex.get(f"/staff/households/{smith().id}"))
    response = alex.post(add_path(), data={**JAMIE})
    assert response.status_code == 303
    assert "Alex Kim changed Guardian added" in page_text(alex.get(response.headers["Location"]))
    assert last_mail_to(outbox, "jamie.smith@example.com").subject.startswith("Alex Kim invites you to")


@pytest.mark.parametrize("email", [DANA, PAT])
def test_families_and_instructors_get_403_and_nothing_is_stored(signed_in, outbox, email):
    response = signed_in(email).post(add_path(), data={**JAMIE})
    assert response.status_code == 403 and "Added Jamie" not in page_text(response)
    nothing_stored(outbox)


def test_an_unknown_household_is_404_and_nothing_is_stored(signed_in, outbox):
    sam = signed_in(SAM)
    for path in ("/staff/households/999999/guardians", "/staff/households/99999999999/guardians"):
        assert sam.post(path, data={**JAMIE}).status_code == 404
    assert sam.get(add_path()).status_code == 405  # a change is a POST
    nothing_stored(outbox)


def test_staff_send_the_added_guardian_the_invitation_again(app, signed_in, outbox):
    sam = signed_in(SAM)
    sam.post(add_path(), data={**JAMIE})
    first = link_in(last_mail_to(outbox, "jamie.smith@example.com"), "/invitation/")
    jamie = Guardian.select().join(User).where(User.email == "jamie.smith@example.com").get()
    again = sam.post(f"/staff/households/{smith().id}/guardians/{jamie.id}/invite")
    assert "A new invitation is on its way to jamie.smith@example.com" in page_text(sam.get(again.headers["Location"]))
    second = link_in(last_mail_to(outbox, "jamie.smith@example.com"), "/invitation/")
    assert second != first and app.test_client().get(first).status_code == 410
