"""Account Information's guardians (seed 004): access indicators, the primary guardian's actions, grants that hold
from the next request, the editing rule, and the invitation link."""
import datetime

import pytest

from access_helpers import guardian_named, last_mail_to, link_in
from conftest import page_text, sign_in
from webapp.models import Guardian, OutboxMessage, User
from webapp.models.access import AccessLink, UserSession, secret_hash

HX = {"HX-Request": "true"}


def add_taylor(dana, **extra):
    data = {"name": "Taylor Smith", "email": "taylor@example.com", "relation": "Aunt", "invite": "y", **extra}
    return dana.post("/account/households/1/guardians/new", data=data)


def accept(client, path, name="Taylor Smith", password="taylor's own passphrase"):
    return client.post(path, data={"name": name, "new_password": password, "confirm_password": password})


def smith_id(app):
    with app.app_context():
        return guardian_named("Dana Smith").account_id


def test_every_guardian_is_listed_with_their_access_indicator(signed_in):
    text = page_text(signed_in("parent@example.com").get("/account/guardians/"))
    assert "Dana Smith" in text and "Primary guardian" in text
    for name, indicator in (("Chris Smith", "Can Log In"), ("Jo Rivera", "Can Log In"), ("Morgan Smith", "Invite Sent")):
        assert f"{name} · Guardian · {indicator}" in text
    assert "Re-Send Invite Email : Morgan Smith" in text and "Reset Password : Chris Smith" in text
    assert "Revoke : Jo Rivera" in text and "Add Guardian" in text


def test_a_secondary_guardian_sees_the_list_without_the_actions(signed_in):
    text = page_text(signed_in("nanny@example.com").get("/account/guardians/"))
    assert "Morgan Smith · Guardian · Invite Sent" in text
    for action in ("Revoke", "Reset Password", "Re-Send Invite Email", "Add Guardian", "Save permissions"):
        assert action not in text


def test_the_page_is_a_fragment_for_htmx_and_whole_on_a_visit(signed_in):
    dana = signed_in("parent@example.com")
    whole, fragment = dana.get("/account/guardians/"), dana.get("/account/guardians/", headers=HX)
    assert "<html" in whole.get_data(as_text=True) and "<html" not in fragment.get_data(as_text=True)
    assert "Morgan Smith" in fragment.get_data(as_text=True) and "HX-Request" in fragment.headers["Vary"]


def test_staff_and_instructors_get_403(signed_in):
    for email in ("staff@example.com", "instructor@example.com"):
        client = signed_in(email)
        assert client.get("/account/guardians/").status_code == 403
        assert client.post("/account/guardians/2/revoke").status_code == 403


def test_add_guardian_invites_and_the_link_signs_the_new_guardian_in(app, signed_in, outbox):
    dana = signed_in("parent@example.com")
    response = add_taylor(dana)
    assert response.status_code == 303
    assert "Taylor Smith · Aunt · Guardian · Invite Sent" in page_text(dana.get("/account/guardians/"))
    message = last_mail_to(outbox, "taylor@example.com")
    assert "Dana Smith" in message.body and "Smith household" in message.body
    path = link_in(message, "/invitation/")
    taylor = app.test_client()
    page = page_text(taylor.get(path))
    assert "Dana Smith invited you to log in to Smith household" in page
    assert accept(taylor, path).status_code == 303
    assert "Upcoming Courses" in page_text(taylor.get("/home"))
    assert "Taylor Smith · Aunt · Guardian · Can Log In" in page_text(dana.get("/account/guardians/"))
    with app.app_context():
        link = AccessLink.get(AccessLink.user == User.get(User.email == "taylor@example.com"))
        assert link.secret_hash == secret_hash(path.rsplit("/", 1)[1]) and link.used_at is not None
        assert link.expires_at - link.created_at == datetime.timedelta(days=7)


def test_an_invitation_link_works_once(app, signed_in, outbox):
    add_taylor(signed_in("parent@example.com"))
    path = link_in(last_mail_to(outbox, "taylor@example.com"), "/invitation/")
    assert accept(app.test_client(), path).status_code == 303
    again = accept(app.test_client(), path, password="someone else's passphrase")
    assert again.status_code == 410 and "already been used" in page_text(again)
    assert sign_in(app.test_client(), "taylor@example.com", "someone else's passphrase").status_code == 422


def test_an_expired_invitation_says_so_and_asks_the_inviter_for_a_new_one(app, signed_in, outbox):
    add_taylor(signed_in("parent@example.com"))
    path = link_in(last_mail_to(outbox, "taylor@example.com"), "/invitation/")
    with app.app_context():
        AccessLink.update(expires_at=datetime.datetime(2000, 1, 1)).execute()
    page = app.test_client().get(path)
    assert page.status_code == 410 and "This link has expired." in page_text(page)
    assert "Ask Dana for a new invitation" in page_text(page)
    taylor = app.test_client()
    assert taylor.post(path + "/ask-again").status_code == 303
    asked = last_mail_to(outbox, "parent@example.com")
    assert "Taylor Smith asks for a new invitation" == asked.subject
    taylor.post(path + "/ask-again")
    assert len([m for m in outbox if "parent@example.com" in m.to]) == 1  # once per link
    assert accept(app.test_client(), path).status_code == 410


def test_re_send_gives_a_new_link_and_ends_the_old_one(app, signed_in, outbox):
    dana = signed_in("parent@example.com")
    add_taylor(dana)
    old = link_in(last_mail_to(outbox, "taylor@example.com"), "/invitation/")
    taylor_id = guardian_named("Taylor Smith").id if False else None  # noqa: F841 (read below in the app context)
    with app.app_context():
        taylor_id = guardian_named("Taylor Smith").id
    assert dana.post(f"/account/guardians/{taylor_id}/invite").status_code == 303
    new = link_in(last_mail_to(outbox, "taylor@example.com"), "/invitation/")
    assert new != old
    assert "replaced by a newer one" in page_text(app.test_client().get(old))
    assert accept(app.test_client(), new).status_code == 303


def test_revoking_signs_the_guardian_out_on_their_next_request(app, signed_in, outbox):
    dana, jo = signed_in("parent@example.com"), signed_in("nanny@example.com")
    with app.app_context():
        jo_id = guardian_named("Jo Rivera").id
    assert jo.get("/home").status_code == 200
    response = dana.post(f"/account/guardians/{jo_id}/revoke", headers=HX)
    assert response.status_code == 200 and "Jo Rivera · Guardian · Invite Revoked" in page_text(response)
    assert jo.get("/home").headers["Location"].startswith("/sign-in")
    assert sign_in(app.test_client(), "nanny@example.com").status_code == 303  # her login stays, without the Smiths
    assert "Send Invite Email : Jo Rivera" in page_text(dana.get("/account/guardians/"))


def test_revoking_an_invitation_ends_its_link(app, signed_in, outbox):
    dana = signed_in("parent@example.com")
    add_taylor(dana)
    path = link_in(last_mail_to(outbox, "taylor@example.com"), "/invitation/")
    with app.app_context():
        taylor_id = guardian_named("Taylor Smith").id
    assert dana.post(f"/account/guardians/{taylor_id}/revoke").status_code == 303
    page = app.test_client().get(path)
    assert page.status_code == 410 and "withdrawn" in page_text(page)
    assert accept(app.test_client(), path).status_code == 410


def test_reset_password_emails_the_guardian_and_sets_nothing(app, signed_in, outbox):
    dana = signed_in("parent@example.com")
    with app.app_context():
        chris = guardian_named("Chris Smith")
        before = chris.user.password_hash
    response = dana.post(f"/account/guardians/{chris.id}/reset-password")
    assert response.status_code == 303
    message = last_mail_to(outbox, "partner@example.com")
    assert "Dana Smith asked for this email" in message.body
    assert "/reset-password/" in message.body
    assert "/reset-password/" not in dana.get("/account/guardians/").get_data(as_text=True)  # no link shown to Dana
    with app.app_context():
        assert User.get(User.email == "partner@example.com").password_hash == before
        assert OutboxMessage.get(OutboxMessage.to == "partner@example.com").category == OutboxMessage.SECURITY


def test_grants_hold_from_the_guardians_next_request(app, signed_in):
    dana, jo = signed_in("parent@example.com"), signed_in("nanny@example.com")
    with app.app_context():
        jo_id = guardian_named("Jo Rivera").id
    assert "Pay an Order Balance" not in page_text(jo.get("/home"))
    response = dana.post(f"/account/guardians/{jo_id}/grants", data={"can_make_payments": "y", "can_view_balance": "y"})
    assert response.status_code == 303
    assert jo.get("/billing/pay-balance").status_code == 200
    with app.app_context():
        jo_row = Guardian.get_by_id(jo_id)
        assert (jo_row.can_make_payments, jo_row.can_view_balance, jo_row.can_view_transactions) == (True, True, False)
    dana.post(f"/account/guardians/{jo_id}/grants", data={}, headers=HX)
    assert jo.get("/billing/pay-balance").status_code == 403


def test_a_secondary_guardian_who_tries_the_primary_actions_gets_403(app, signed_in, outbox):
    chris = signed_in("partner@example.com")
    with app.app_context():
        jo_id, morgan_id = guardian_named("Jo Rivera").id, guardian_named("Morgan Smith").id
        jo_before = Guardian.get_by_id(jo_id)
    assert chris.post(f"/account/guardians/{jo_id}/grants", data={"can_make_payments": "y"}).status_code == 403
    assert chris.post(f"/account/guardians/{morgan_id}/invite").status_code == 403
    assert chris.post(f"/account/guardians/{jo_id}/revoke").status_code == 403
    assert chris.post(f"/account/guardians/{jo_id}/reset-password").status_code == 403
    assert chris.get(f"/account/households/{jo_before.account_id}/guardians/new").status_code == 403
    assert add_taylor(chris).status_code == 403
    with app.app_context():
        assert Guardian.get_by_id(jo_id).can_make_payments is False and Guardian.get_by_id(jo_id).status == "accepted"
        assert not User.select().where(User.email == "taylor@example.com").exists()
    assert outbox == []


def test_another_households_guardian_is_a_404(app, signed_in):
    karie = signed_in("grandparents@example.com")  # primary guardian of the Forest household
    with app.app_context():
        jo_id, smith = guardian_named("Jo Rivera").id, guardian_named("Jo Rivera").account_id
    for action in ("grants", "invite", "revoke", "reset-password"):
        assert karie.post(f"/account/guardians/{jo_id}/{action}").status_code == 404
    assert karie.get(f"/account/guardians/{jo_id}/edit").status_code == 404
    assert karie.post(f"/account/households/{smith}/guardians/new", data={"name": "X", "email": "x@example.com"}
                      ).status_code == 404
    assert karie.post("/account/guardians/2147483647/revoke").status_code == 404
    with app.app_context():
        assert Guardian.get_by_id(jo_id).status == Guardian.ACCEPTED


def test_the_primary_edits_a_guardian_until_they_accept_then_only_they_can(app, signed_in, outbox):
    dana = signed_in("parent@example.com")
    with app.app_context():
        morgan_id, chris_id = guardian_named("Morgan Smith").id, guardian_named("Chris Smith").id
    page = dana.get(f"/account/guardians/{morgan_id}/edit")
    assert page.status_code == 200 and 'value="morgan@example.com"' in page.get_data(as_text=True)
    response = dana.post(f"/account/guardians/{morgan_id}/edit", data={"name": "Morgan Smith-Lee", "email": "morgan.lee@example.com"})
    assert response.status_code == 303
    assert dana.get(f"/account/guardians/{chris_id}/edit").status_code == 403
    assert dana.post(f"/account/guardians/{chris_id}/edit", data={"name": "X", "email": "x@example.com"}).status_code == 403
    chris = signed_in("partner@example.com")
    assert chris.post(f"/account/guardians/{chris_id}/edit", data={"name": "Christopher Smith", "email": "partner@example.com"}
                      ).status_code == 303
    with app.app_context():
        assert User.get(User.email == "morgan.lee@example.com").name == "Morgan Smith-Lee"
        assert User.get(User.email == "partner@example.com").name == "Christopher Smith"
    # once Morgan accepts, Dana can no longer edit her
    dana.post(f"/account/guardians/{morgan_id}/invite")
    accept(app.test_client(), link_in(last_mail_to(outbox, "morgan.lee@example.com"), "/invitation/"), "Morgan Smith-Lee")
    assert dana.get(f"/account/guardians/{morgan_id}/edit").status_code == 403
    assert "Edit Morgan" not in page_text(dana.get("/account/guardians/"))


def test_a_changed_email_ends_the_link_sent_to_the_old_one(app, signed_in, outbox):
    dana = signed_in("parent@example.com")
    add_taylor(dana)
    old = link_in(last_mail_to(outbox, "taylor@example.com"), "/invitation/")
    with app.app_context():
        taylor_id = guardian_named("Taylor Smith").id
    dana.post(f"/account/guardians/{taylor_id}/edit", data={"name": "Taylor Smith", "email": "taylor.s@example.com"})
    assert app.test_client().get(old).status_code == 410


@pytest.mark.parametrize("data, field, message", [
    ({"name": "Taylor", "email": "not an email"}, "email", "Enter an email address like name@example.com."),
    ({"name": "T" * 10_000, "email": "t@example.com"}, "name", "Field cannot be longer than 120 characters."),
    ({"name": "", "email": "t@example.com"}, "name", "Enter a name."),
    ({"name": "Taylor", "email": "partner@example.com"}, "email", "already belongs to a Cubby login"),
    ({"name": "Taylor", "email": "t@example.com", "relation": "R" * 10_000}, "relation", "longer than 40"),
])
def test_bad_guardian_input_gets_a_message_by_the_field_and_stores_nothing(app, signed_in, outbox, data, field, message):
    dana = signed_in("parent@example.com")
    for headers in ({}, HX):
        response = dana.post("/account/households/1/guardians/new", data=data, headers=headers)
        assert response.status_code == 422
        html = response.get_data(as_text=True)
        assert f'id="{field}-error"' in html and message in html
    with app.app_context():
        assert User.select().count() == 9 and Guardian.select().count() == 6
    assert outbox == []


def test_bad_input_on_the_accept_page_stores_nothing(app, signed_in, outbox):
    add_taylor(signed_in("parent@example.com"))
    path = link_in(last_mail_to(outbox, "taylor@example.com"), "/invitation/")
    client = app.test_client()
    for headers in ({}, HX):
        response = client.post(path, headers=headers, data={"name": "T" * 10_000, "new_password": "password1",
                                                            "confirm_password": "password1"})
        assert response.status_code == 422
        assert "Field cannot be longer than 120 characters." in response.get_data(as_text=True)
        assert "commonly used passwords" in response.get_data(as_text=True)
    with app.app_context():
        assert Guardian.get(Guardian.user == User.get(User.email == "taylor@example.com")).status == Guardian.INVITED
    assert accept(client, path).status_code == 303


def test_nothing_changes_on_get_or_without_csrf(app, signed_in, outbox):
    dana = signed_in("parent@example.com")
    with app.app_context():
        jo_id = guardian_named("Jo Rivera").id
    for action in ("grants", "invite", "revoke", "reset-password"):
        assert dana.get(f"/account/guardians/{jo_id}/{action}").status_code == 405
        dana.post(f"/account/guardians/{jo_id}/{action}", csrf=False, data={"can_make_payments": "y"})
    with app.app_context():
        jo = Guardian.get_by_id(jo_id)
        assert jo.status == Guardian.ACCEPTED and not jo.can_make_payments
    assert outbox == []


def test_the_guardians_page_reads_the_same_number_of_queries_with_more_guardians(app, signed_in, query_count):
    dana = signed_in("parent@example.com")
    dana.get("/account/guardians/")
    _, before = query_count(dana.get, "/account/guardians/")
    for n in range(5):
        add_taylor(dana, name=f"Guardian {n}", email=f"g{n}@example.com")
    _, after = query_count(dana.get, "/account/guardians/")
    assert after == before


@pytest.mark.parametrize("action, name, message", [
    ("invite", "Morgan Smith", "The invitation to Morgan Smith is on its way to morgan@example.com."),
    ("reset-password", "Chris Smith", "We emailed Chris Smith a link to set a new password."),
])
def test_each_action_answers_htmx_with_the_list_and_a_plain_post_with_the_page(app, signed_in, outbox, action, name,
                                                                               message):
    dana = signed_in("parent@example.com")
    with app.app_context():
        guardian_id = guardian_named(name).id
    fragment = dana.post(f"/account/guardians/{guardian_id}/{action}", headers=HX)
    html = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and html.lstrip().startswith('<div id="guardians">') and "<html" not in html
    assert message in html  # the flash region, swapped out of band
    plain = dana.post(f"/account/guardians/{guardian_id}/{action}")
    assert plain.status_code == 303 and plain.headers["Location"] == "/account/guardians/"
    assert message in page_text(dana.get("/account/guardians/"))
    assert len(outbox) == 2


def test_an_action_that_does_not_fit_the_state_is_refused_with_a_message(app, signed_in, outbox):
    dana = signed_in("parent@example.com")
    with app.app_context():
        chris_id, morgan_id = guardian_named("Chris Smith").id, guardian_named("Morgan Smith").id
    refused = dana.post(f"/account/guardians/{chris_id}/invite", headers=HX)
    assert refused.status_code == 409 and "can log in already" in refused.get_data(as_text=True)
    assert dana.post(f"/account/guardians/{morgan_id}/reset-password", headers=HX).status_code == 409
    assert outbox == []


def test_the_edit_page_is_whole_on_a_visit_and_its_form_for_htmx(app, signed_in):
    dana = signed_in("parent@example.com")
    with app.app_context():
        morgan_id = guardian_named("Morgan Smith").id
    assert "<html" in dana.get(f"/account/guardians/{morgan_id}/edit").get_data(as_text=True)
    fragment = dana.get(f"/account/guardians/{morgan_id}/edit", headers=HX).get_data(as_text=True)
    assert "<html" not in fragment and 'id="guardian-form"' in fragment
    bad = dana.post(f"/account/guardians/{morgan_id}/edit", data={"name": "M" * 10_000, "email": "m@example.com"},
                    headers=HX)
    assert bad.status_code == 422 and 'id="name-error"' in bad.get_data(as_text=True)
    with app.app_context():
        assert User.get(User.email == "morgan@example.com").name == "Morgan Smith"
