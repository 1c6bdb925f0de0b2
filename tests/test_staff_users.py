"""Staff manage staff and instructor logins (13.4): the Users list, Invite a user (a set-password link by email),
a user's role and permissions, deactivating; only staff holding "Access Billing Tab" may."""
import pytest

from access_helpers import last_mail_to, link_in
from conftest import DEMO_PASSWORD, at_once, page_text, sign_in
from test_front_desk import billing_rules
from webapp.models import Permission, User
from webapp.models.access import AccessLink, UserSession

HX = {"HX-Request": "true"}
SAM, ALEX, PAT, DANA = "staff@example.com", "frontdesk@example.com", "instructor@example.com", "parent@example.com"
TAYLOR = {"name": "Taylor Reed", "email": "Taylor.Reed@Example.com", "role": "instructor",
          "view_all_student_enrollments": "y"}
BILLING, ENROLLMENTS = Permission.ACCESS_BILLING_TAB, Permission.VIEW_ALL_STUDENT_ENROLLMENTS


def user(email):
    return User.get(User.email == email)


def codes(email):
    return {p.code for p in Permission.select().where(Permission.user == user(email))}


def form_of(email, **change):
    """The edit form of a demo user as it stands, with `change` applied (None unticks a box)."""
    held = codes(email)
    data = {"name": user(email).name, "role": user(email).role,
            "access_billing_tab": "y" if BILLING in held else None,
            "view_all_student_enrollments": "y" if ENROLLMENTS in held else None, **change}
    return {key: value for key, value in data.items() if value is not None}


def nothing_stored(outbox):
    assert not User.select().where(User.email == "taylor.reed@example.com").exists()
    assert not AccessLink.select().join(User).where(User.email == "taylor.reed@example.com").exists()
    assert not [m for m in outbox if "taylor.reed@example.com" in m.to]


def test_the_users_screen_takes_access_billing_tab_like_every_billing_route(app):
    paths = {rule.rule for rule, _ in billing_rules(app)}
    assert {"/staff/users/", "/staff/users/new", "/staff/users/<int:user_id>",
            "/staff/users/<int:user_id>/deactivate", "/staff/users/<int:user_id>/send-link",
            "/staff/users/<int:user_id>/reactivate"} <= paths


@pytest.mark.parametrize("email, status", [(DANA, 403), (PAT, 403), (ALEX, 403), (SAM, 200)])
def test_only_staff_with_access_billing_tab_open_users(signed_in, email, status):
    client = signed_in(email)
    for path in ("/staff/users/", "/staff/users/new", f"/staff/users/{user(PAT).id}"):
        assert client.get(path).status_code == status, path


@pytest.mark.parametrize("email", [DANA, PAT, ALEX])
def test_refused_users_change_nothing(signed_in, outbox, email):
    client = signed_in(email)
    assert client.post("/staff/users/new", data={**TAYLOR}).status_code == 403
    assert client.post(f"/staff/users/{user(PAT).id}", data=form_of(PAT, role="staff")).status_code == 403
    assert client.post(f"/staff/users/{user(PAT).id}/deactivate").status_code == 403
    nothing_stored(outbox)
    assert user(PAT).role == User.INSTRUCTOR and user(PAT).deactivated_at is None


def test_alex_gets_403_on_billing_pages_and_the_users_screen(signed_in):
    alex = signed_in(ALEX)
    for path in ("/staff/billing/orders/new", "/staff/billing/payments/new", "/staff/users/"):
        assert alex.get(path).status_code == 403, path
    assert "Staff and instructors" not in page_text(alex.get("/staff/"))
    assert "Staff and instructors" in page_text(signed_in(SAM).get("/staff/"))


@pytest.mark.parametrize("path, method", [
    ("/staff/users/{}", "get"), ("/staff/users/{}", "post"), ("/staff/users/{}/deactivate", "post"),
    ("/staff/users/{}/send-link", "post"), ("/staff/users/{}/reactivate", "post")])
def test_unknown_users_and_family_logins_answer_404(signed_in, path, method):
    sam = signed_in(SAM)
    for user_id in (2147483647, user(DANA).id):
        assert getattr(sam, method)(path.format(user_id)).status_code == 404
    assert user(DANA).role == User.PATRON and user(DANA).deactivated_at is None


def test_the_list_shows_staff_and_instructors_with_their_permissions(signed_in):
    text = page_text(signed_in(SAM).get("/staff/users/"))
    assert "Staff and instructors (3)" in text
    assert "Alex Kim frontdesk@example.com Staff View All Student Enrollments Can sign in" in text
    assert ("Sam Ortiz staff@example.com Staff Access Billing Tab, View All Student Enrollments Can sign in" in text)
    assert "Pat Lee instructor@example.com Instructor None Can sign in" in text
    assert "Dana Smith" not in text


@pytest.mark.parametrize("q, shown, hidden", [("pat", "Pat Lee", "Alex Kim"), ("FRONTDESK@", "Alex Kim", "Pat Lee"),
                                              ("sam ortiz", "Sam Ortiz", "Alex Kim"), ("smith", None, "Pat Lee")])
def test_the_search_matches_names_and_emails(signed_in, q, shown, hidden):
    text = page_text(signed_in(SAM).get(f"/staff/users/?q={q}"))
    assert (shown in text) if shown else f"No user matches “{q}”." in text
    assert hidden not in text


def test_the_search_answers_htmx_with_the_results_only(signed_in):
    sam = signed_in(SAM)
    fragment = sam.get("/staff/users/?q=pat", headers=HX)
    html = fragment.get_data(as_text=True)
    assert html.lstrip().startswith('<section id="results"') and "<html" not in html and "Pat Lee" in html
    assert "Alex Kim" not in html and "HX-Request" in fragment.headers["Vary"]
    assert "<html" in sam.get("/staff/users/?q=pat").get_data(as_text=True)


def test_the_list_runs_the_same_queries_at_any_size(signed_in, query_count):
    sam = signed_in(SAM)
    _, few = query_count(sam.get, "/staff/users/")
    for n in range(40):
        added = User.create(email=f"teacher{n}@example.com", name=f"Teacher {n:02}", role=User.INSTRUCTOR,
                            password_hash=User.NO_PASSWORD)
        Permission.create(user=added, code=ENROLLMENTS)
    first, many = query_count(sam.get, "/staff/users/")
    assert many == few == 5  # the session, its permissions, the count, the page, the page's permissions
    text = page_text(first)
    assert "Staff and instructors (43)" in text and "Page 1 of 2" in text and "Teacher 21" in text
    assert "Teacher 22" not in text  # 25 a page, by name: Alex, Pat, Sam and Teacher 00 to 21
    assert "Teacher 39" in page_text(sam.get("/staff/users/?page=2"))


def test_an_invited_instructor_sets_a_password_and_lands_on_their_classes(app, signed_in, outbox):
    sam = signed_in(SAM)
    response = sam.post("/staff/users/new", data={**TAYLOR})
    assert response.status_code == 303
    page = page_text(sam.get(response.headers["Location"]))
    assert "Invited Taylor Reed. The link to set a password is on its way to taylor.reed@example.com." in page
    assert "taylor.reed@example.com · Instructor · Invited" in page
    taylor = user("taylor.reed@example.com")
    assert taylor.role == User.INSTRUCTOR and not taylor.has_password and codes(taylor.email) == {ENROLLMENTS}
    assert "Taylor Reed taylor.reed@example.com Instructor View All Student Enrollments Invited" in page_text(
        sam.get("/staff/users/?q=taylor"))

    message = last_mail_to(outbox, "taylor.reed@example.com")
    assert message.subject.startswith("Sam Ortiz invites you to sign in to")
    assert "added you to" in message.body and "as an instructor" in message.body and "for 7 days" in message.body
    browser = app.test_client()
    path = link_in(message, "/reset-password/")
    assert "taylor.reed@example.com" in page_text(browser.get(path))
    password = "taylor's own long passphrase"
    done = browser.post(path, data={"new_password": password, "confirm_password": password})
    assert done.status_code == 303
    assert browser.get(done.headers["Location"]).headers["Location"] == "/classes/"
    assert "My classes" in page_text(browser.get("/classes/"))
    assert browser.get(path).status_code == 410  # once

    again = app.test_client()
    signed = sign_in(again, "taylor.reed@example.com", password)
    assert signed.status_code == 303
    assert again.get(signed.headers["Location"]).headers["Location"] == "/classes/"
    assert "Can sign in" in page_text(sam.get(f"/staff/users/{taylor.id}"))


def test_an_invited_staff_user_lands_on_the_staff_home(app, signed_in, outbox):
    sam = signed_in(SAM)
    assert sam.post("/staff/users/new", data={**TAYLOR, "role": "staff", "access_billing_tab": "y"}).status_code == 303
    assert codes("taylor.reed@example.com") == {BILLING, ENROLLMENTS}
    message = last_mail_to(outbox, "taylor.reed@example.com")
    assert "as staff" in message.body
    browser, path = app.test_client(), link_in(message, "/reset-password/")
    password = "taylor's own long passphrase"
    done = browser.post(path, data={"new_password": password, "confirm_password": password})
    assert browser.get(done.headers["Location"]).headers["Location"] == "/staff/"
    assert browser.get("/staff/users/").status_code == 200


@pytest.mark.parametrize("change, field, message", [
    ({"name": "  "}, "name", "Enter their name."),
    ({"email": ""}, "email", "Enter an email address."),
    ({"email": "taylor at example"}, "email", "Enter an email address like name@example.com."),
    ({"email": "FRONTDESK@example.com"}, "email", "That email already belongs to a Cubby login."),
    ({"email": "Parent@Example.com"}, "email", "That email already belongs to a Cubby login."),
    ({"role": "patron"}, "role", "Choose Staff or Instructor."),
    ({"role": "owner"}, "role", "Choose Staff or Instructor."),
    ({"access_billing_tab": "y"}, "access_billing_tab", "Only staff open the billing tab"),
])
def test_bad_input_is_refused_next_to_the_field_and_nothing_is_stored(signed_in, outbox, change, field, message):
    sam = signed_in(SAM)
    users_before = User.select().count()
    response = sam.post("/staff/users/new", data={**TAYLOR, **change})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'id="{field}-error"' in html and message in html.split(f'id="{field}-error"')[1][:200]
    nothing_stored(outbox)
    assert User.select().count() == users_before


def test_a_refused_invite_answers_htmx_with_the_form_only(signed_in, outbox):
    response = signed_in(SAM).post("/staff/users/new", data={**TAYLOR, "name": ""}, headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "<html" not in html and "Enter their name." in html
    nothing_stored(outbox)


def test_granting_access_billing_tab_opens_billing_to_alex_on_the_next_request(signed_in):
    sam, alex = signed_in(SAM), signed_in(ALEX)
    alex_id = user(ALEX).id
    assert alex.get("/staff/billing/orders/new").status_code == 403
    granted = sam.post(f"/staff/users/{alex_id}", data=form_of(ALEX, access_billing_tab="y"))
    assert granted.status_code == 303
    assert "Saved Alex Kim." in page_text(sam.get(granted.headers["Location"]))
    assert alex.get("/staff/billing/orders/new").status_code == 200
    assert alex.get("/staff/users/").status_code == 200
    revoked = sam.post(f"/staff/users/{alex_id}", data=form_of(ALEX, access_billing_tab=None))
    assert revoked.status_code == 303 and codes(ALEX) == {ENROLLMENTS}
    assert alex.get("/staff/billing/orders/new").status_code == 403
    assert alex.get("/staff/users/").status_code == 403


def test_a_role_and_name_change_holds_from_the_next_request(signed_in):
    sam, pat = signed_in(SAM), signed_in(PAT)
    assert pat.get("/staff/").status_code == 403 and pat.get("/").headers["Location"] == "/classes/"
    response = sam.post(f"/staff/users/{user(PAT).id}", data=form_of(PAT, name="Pat Lee-Wong", role="staff"))
    assert response.status_code == 303
    assert pat.get("/staff/").status_code == 200 and pat.get("/").headers["Location"] == "/staff/"
    assert user(PAT).name == "Pat Lee-Wong"


def test_bad_edits_are_refused_next_to_the_field(signed_in):
    sam = signed_in(SAM)
    response = sam.post(f"/staff/users/{user(PAT).id}", data=form_of(PAT, name="", role="owner"))
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "Enter their name." in html and "Choose Staff or Instructor." in html
    assert user(PAT).name == "Pat Lee" and user(PAT).role == User.INSTRUCTOR


def test_the_edit_page_answers_htmx_with_its_content_only(signed_in):
    html = signed_in(SAM).get(f"/staff/users/{user(PAT).id}", headers=HX).get_data(as_text=True)
    assert "<html" not in html and "Pat Lee" in html and 'name="role"' in html


@pytest.mark.parametrize("change, field, message", [
    ({"role": "instructor"}, "role", "You cannot take away your own staff role"),
    ({"access_billing_tab": None}, "access_billing_tab", "You cannot take away your own Access Billing Tab"),
])
def test_staff_cannot_take_away_their_own_staff_role_or_the_right_to_manage_users(signed_in, change, field, message):
    sam = signed_in(SAM)
    response = sam.post(f"/staff/users/{user(SAM).id}", data=form_of(SAM, **change))
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and message in html.split(f'id="{field}-error"')[1][:200]
    assert user(SAM).role == User.STAFF and codes(SAM) == {BILLING, ENROLLMENTS}


def test_staff_cannot_deactivate_themselves(signed_in):
    sam = signed_in(SAM)
    response = sam.post(f"/staff/users/{user(SAM).id}/deactivate")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "You cannot deactivate yourself" in html.split('id="deactivate-error"')[1][:200]
    assert user(SAM).deactivated_at is None and sam.get("/staff/users/").status_code == 200


def test_a_deactivated_users_open_session_is_signed_out_and_cannot_sign_in_again(app, signed_in, outbox):
    sam, pat = signed_in(SAM), signed_in(PAT)
    assert pat.get("/classes/").status_code == 200
    response = sam.post(f"/staff/users/{user(PAT).id}/deactivate")
    assert response.status_code == 303
    page = page_text(sam.get(response.headers["Location"]))
    assert "Deactivated Pat Lee: signed out everywhere, and can no longer sign in." in page
    assert "instructor@example.com · Instructor · Deactivated" in page
    assert pat.get("/classes/").status_code == 302
    assert not UserSession.select().where(UserSession.user == user(PAT)).exists()
    refused = sign_in(app.test_client(), PAT, DEMO_PASSWORD)
    assert refused.status_code == 422 and "That email and password do not match an account." in page_text(refused)
    app.test_client().post("/forgot-password", data={"email": PAT})
    assert not [m for m in outbox if PAT in m.to]
    assert sam.post(f"/staff/users/{user(PAT).id}/deactivate").status_code == 303  # twice: nothing more happens


def test_a_deactivated_invitees_link_stops_working(app, signed_in, outbox):
    sam = signed_in(SAM)
    sam.post("/staff/users/new", data={**TAYLOR})
    path = link_in(last_mail_to(outbox, "taylor.reed@example.com"), "/reset-password/")
    sam.post(f"/staff/users/{user('taylor.reed@example.com').id}/deactivate")
    assert app.test_client().get(path).status_code == 410


def test_send_the_link_again_replaces_the_first(app, signed_in, outbox):
    sam = signed_in(SAM)
    sam.post("/staff/users/new", data={**TAYLOR})
    first = link_in(last_mail_to(outbox, "taylor.reed@example.com"), "/reset-password/")
    response = sam.post(f"/staff/users/{user('taylor.reed@example.com').id}/send-link")
    assert "A new link is on its way to taylor.reed@example.com" in page_text(sam.get(response.headers["Location"]))
    second = link_in(last_mail_to(outbox, "taylor.reed@example.com"), "/reset-password/")
    assert second != first
    browser = app.test_client()
    assert browser.get(first).status_code == 410 and browser.get(second).status_code == 200
    sent = len(outbox)
    response = sam.post(f"/staff/users/{user(PAT).id}/send-link")  # Pat has a password: nothing is sent
    assert "nothing was sent" in page_text(sam.get(response.headers["Location"])) and len(outbox) == sent


def test_two_invites_of_one_email_at_once_make_one_login(signed_in, outbox):
    sam, other = signed_in(SAM), signed_in(SAM)
    answers = at_once([lambda: sam.post("/staff/users/new", data={**TAYLOR}).status_code,
                       lambda: other.post("/staff/users/new", data={**TAYLOR, "name": "Taylor R."}).status_code])
    assert sorted(answers) == [303, 422]
    assert User.select().where(User.email == "taylor.reed@example.com").count() == 1
    assert len([m for m in outbox if "taylor.reed@example.com" in m.to]) == 1



@pytest.mark.parametrize("email", [DANA, PAT, ALEX])
def test_reactivating_is_refused_without_access_billing_tab(signed_in, email):
    target = ALEX if email == PAT else PAT  # a login cannot reactivate itself: its sessions ended
    client, sam = signed_in(email), signed_in(SAM)
    assert sam.post(f"/staff/users/{user(target).id}/deactivate").status_code == 303
    response = client.post(f"/staff/users/{user(target).id}/reactivate")
    assert response.status_code == 403 and "Reactivated" not in page_text(response)
    assert user(target).deactivated_at is not None
    assert "Deactivated" in page_text(sam.get(f"/staff/users/{user(target).id}"))


def test_a_reactivated_user_signs_in_again_with_their_own_password(app, signed_in):
    sam = signed_in(SAM)
    pat_id = user(PAT).id
    sam.post(f"/staff/users/{pat_id}/deactivate")
    page = sam.get(f"/staff/users/{pat_id}")
    assert "Reactivate Pat Lee" in page_text(page) and 'name="role"' not in page.get_data(as_text=True)
    response = sam.post(f"/staff/users/{pat_id}/reactivate")
    assert response.status_code == 303
    page = page_text(sam.get(response.headers["Location"]))
    assert "Reactivated Pat Lee: they can sign in again." in page
    assert "instructor@example.com · Instructor · Can sign in" in page and "Reactivate Pat Lee" not in page
    assert "Sam Ortiz changed Deactivated: Yes → No" in page
    assert page.index("Deactivated: Yes → No") < page.index("Deactivated: No → Yes")  # newest first
    assert "Pat Lee instructor@example.com Instructor None Can sign in" in page_text(sam.get("/staff/users/"))

    pat = app.test_client()
    signed = sign_in(pat, PAT, DEMO_PASSWORD)
    assert signed.status_code == 303
    assert pat.get(signed.headers["Location"]).headers["Location"] == "/classes/"
    assert "My classes" in page_text(pat.get("/classes/"))


def test_reactivating_twice_changes_nothing_more(signed_in):
    sam = signed_in(SAM)
    pat_id = user(PAT).id
    again = sam.post(f"/staff/users/{pat_id}/reactivate")  # Pat was never deactivated
    assert "Pat Lee was not deactivated: nothing changed." in page_text(sam.get(again.headers["Location"]))
    assert "Deactivated: Yes → No" not in page_text(sam.get(f"/staff/users/{pat_id}"))


def test_a_reactivated_invitee_is_sent_a_new_link_that_works(app, signed_in, outbox):
    sam = signed_in(SAM)
    sam.post("/staff/users/new", data={**TAYLOR})
    taylor = user("taylor.reed@example.com")
    first = link_in(last_mail_to(outbox, taylor.email), "/reset-password/")
    sam.post(f"/staff/users/{taylor.id}/deactivate")
    response = sam.post(f"/staff/users/{taylor.id}/reactivate")
    page = page_text(sam.get(response.headers["Location"]))
    assert "Reactivated Taylor Reed: send the link again so they can set a password." in page
    assert "Send the link again" in page
    assert app.test_client().get(first).status_code == 410  # deactivating ended it for good
    sam.post(f"/staff/users/{taylor.id}/send-link")
    second = link_in(last_mail_to(outbox, taylor.email), "/reset-password/")
    assert second != first and app.test_client().get(second).status_code == 200


def test_a_deactivated_users_page_answers_htmx_with_the_reactivate_form_only(signed_in):
    sam = signed_in(SAM)
    sam.post(f"/staff/users/{user(PAT).id}/deactivate")
    html = sam.get(f"/staff/users/{user(PAT).id}", headers=HX).get_data(as_text=True)
    assert "<html" not in html and "Reactivate Pat Lee" in html and f"/staff/users/{user(PAT).id}/reactivate" in html


def test_staff_still_cannot_deactivate_themselves_after_reactivating_another(signed_in):
    sam = signed_in(SAM)
    sam.post(f"/staff/users/{user(PAT).id}/deactivate")
    sam.post(f"/staff/users/{user(PAT).id}/reactivate")
    response = sam.post(f"/staff/users/{user(SAM).id}/deactivate")
    assert response.status_code == 422 and "You cannot deactivate yourself" in page_text(response)
    assert "Reactivate" not in page_text(sam.get(f"/staff/users/{user(SAM).id}"))
    assert user(SAM).deactivated_at is None
