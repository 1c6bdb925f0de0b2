"""Email Management (13.9): each kind of email's switch, the school's own subject and body with placeholders (a
sandbox that sees only plain values), recipients for the billing emails, preview, reset, and the outbox using it all."""
import datetime

import pytest

from conftest import page_text, school_today
from webapp.emails.catalogue import KINDS
from webapp.models import Account, Course, EmailTemplate, Meeting, OutboxMessage, ReminderSetting

HX = {"HX-Request": "true"}
ADJUSTED = "/staff/emails/status_adjusted"


@pytest.fixture
def sam(signed_in):
    return signed_in("staff@example.com")


def complete_1007(client):
    """Sam marks the demo's pending order #1007 Complete, with the PO payment received (test_outbox's trigger)."""
    return client.post("/staff/pending/orders/1007/complete", data={"method": "po", "reference": "ACME-7731",
                                                                   "amount": "400.00"})


def text(subject="Order {{ order_number }}: now {{ to_status }}", body="Hello from {{ company_name }}.\n\n"
         "Order #{{ order_number }} went from {{ from_status }} to {{ to_status }}.\n\nSee {{ link }}", **more):
    """The edit form as posted: Cubby's recipients (the user, the purchaser, the adjuster) unless told."""
    return {"subject": subject, "body": body, "to_user": "y", "to_purchaser": "y", "to_adjuster": "y", **more}


def switches():
    """Every stored switch as it stands (the demo stores the reminders')."""
    return sorted(ReminderSetting.select(ReminderSetting.kind, ReminderSetting.enabled, ReminderSetting.recipients,
                                         ReminderSetting.fixed_address).tuples())


def adjusted(outbox):
    return [m for m in outbox if "1007" in m.subject and "receipt" not in m.subject]


def test_only_staff_manage_email_texts(signed_in):
    before = switches()
    for email in ("parent@example.com", "instructor@example.com"):
        client = signed_in(email)
        assert client.get(f"{ADJUSTED}/edit").status_code == 403
        assert client.post(f"{ADJUSTED}/edit", data=text()).status_code == 403
        assert client.post(f"{ADJUSTED}/preview", data=text()).status_code == 403
        assert client.post(f"{ADJUSTED}/reset").status_code == 403
        assert client.post(ADJUSTED, data={}).status_code == 403
    assert not EmailTemplate.select().exists() and switches() == before


def test_an_unknown_kind_is_a_404(sam):
    for call in (sam.get, sam.post):
        for path in ("/staff/emails/no_such_email/edit", "/staff/emails/no_such_email/preview",
                     "/staff/emails/no_such_email/reset"):
            assert call(path).status_code in (404, 405)
    assert sam.get("/staff/emails/no_such_email/edit").status_code == 404
    assert sam.post("/staff/emails/no_such_email/edit", data=text()).status_code == 404
    assert sam.post("/staff/emails/no_such_email/reset").status_code == 404


def test_the_list_shows_every_kind_by_category_with_security_mail_always_on(sam):
    before = switches()
    page = page_text(sam.get("/staff/emails"))
    for kind in KINDS.values():
        assert kind.label in page
    assert "Billing Pending Payment Notification" in page and "Order Status Adjusted" in page
    assert "Password reset" in page and "Always on." in page and "nobody could sign in" in page
    assert 'action="/staff/emails/password_reset"' not in sam.get("/staff/emails").get_data(as_text=True)
    assert sam.post("/staff/emails/password_reset", data={}).status_code == 409
    assert sam.post("/staff/emails/invitation", data={}).status_code == 409
    assert switches() == before


def test_the_edit_page_starts_from_cubbys_text_with_a_demo_preview(sam):
    page = sam.get(f"{ADJUSTED}/edit")
    html, shown = page.get_data(as_text=True), page_text(page)
    assert page.status_code == 200 and "<html" in html
    assert "Order Status Adjusted: order #{{ order_number }}" in html  # the subject field, with its placeholder
    assert "Subject: Order Status Adjusted: order #1001" in shown
    assert "changed from Pending Payment to Complete" in shown and "Cubby's text" in shown
    assert "Order Status Adjuster" in shown and "Purchaser" in shown
    assert "Reset to Cubby's text" not in shown  # nothing to reset yet


@pytest.mark.parametrize("subject, message", [
    ("Order {{ order_id }}", "Unknown placeholder: {{ order_id }}"),
    ("Order {{ order_number ", "Line 1: unexpected end of template"),
    ('{{ "".__class__ }}', "Use the placeholders by their names alone"),
    ("{{ order_number.upper() }}", "Use the placeholders by their names alone"),
    ("{{ company_name['__class__'] }}", "Use the placeholders by their names alone"),
    ('{{ "x" * 100000000 }}', "Use the placeholders by their names alone"),
    ('{{ "x"|center(1000000000) }}', "Line 1: No filter named"),
    ("{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}",
     "Unknown placeholder: {{ range }}"),
])
def test_a_bad_subject_is_refused_next_to_it_and_nothing_is_stored(sam, subject, message):
    for headers in ({}, HX):
        response = sam.post(f"{ADJUSTED}/edit", data=text(subject=subject), headers=headers)
        html = response.get_data(as_text=True)
        assert response.status_code == 422 and message in html, subject
        assert html.index('id="subject"') < html.index(message) < html.index('id="body"')
    assert not EmailTemplate.select().exists()


def test_the_plain_filters_still_work(sam):
    response = sam.post(f"{ADJUSTED}/preview", data=text(subject="{{ to_status|upper }} {{ note|default('-') }}"))
    assert response.status_code == 200 and "Subject: COMPLETE Check CHK 552: $320.00 received" in page_text(response)


def test_a_bad_body_is_refused_next_to_it(sam):
    response = sam.post(f"{ADJUSTED}/edit", data=text(body="{% if note %}unclosed"))
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "Unexpected end of template" in html
    assert html.index('id="body"') < html.index("Unexpected end of template")
    response = sam.post(f"{ADJUSTED}/edit", data=text(body="{{ order.account.name }}"))
    assert response.status_code == 422 and "Unknown placeholder: {{ order }}" in page_text(response)
    assert not EmailTemplate.select().exists()


def test_a_billing_email_needs_a_recipient_and_a_real_address(sam):
    before = switches()
    response = sam.post(f"{ADJUSTED}/edit", data={"subject": "S", "body": "B"})
    assert response.status_code == 422 and "Choose at least one recipient, or give an address." in page_text(response)
    response = sam.post(f"{ADJUSTED}/edit", data=text(fixed_address="not an address"))
    assert response.status_code == 422 and "Enter an email address like name@example.com." in page_text(response)
    assert not EmailTemplate.select().exists() and switches() == before


def test_the_new_subject_is_sent_by_the_outbox_at_queue_time(sam, outbox):
    assert sam.post(f"{ADJUSTED}/edit", data=text()).status_code == 303
    page = page_text(sam.get(f"{ADJUSTED}/edit"))
    assert "The school's text" in page and "Subject: Order 1001: now Complete" in page
    assert complete_1007(sam).status_code == 303
    (email,) = adjusted(outbox)
    assert email.subject == "Order 1007: now Complete" and email.to == ["staff@example.com"]
    assert "Order #1007 went from Pending Payment to Complete." in email.body
    ((html, _),) = email.alternatives
    assert "<p" in html and "Order #1007 went from Pending Payment to Complete." in html
    assert 'href="http://localhost/"' in html and "Riverside Arts Academy" in html  # the layout, the link a link


def test_the_html_part_escapes_what_staff_typed_and_the_values(sam, outbox):
    body = "<b>Bold?</b> {{ note }}"
    assert sam.post(f"{ADJUSTED}/edit", data=text(body=body)).status_code == 303
    complete_1007(sam)
    ((html, _),) = adjusted(outbox)[0].alternatives
    assert "&lt;b&gt;Bold?&lt;/b&gt;" in html and "<b>" not in html
    assert adjusted(outbox)[0].body.startswith("<b>Bold?</b> Purchase order ACME-7731")


def test_a_kind_turned_off_sends_nothing(sam, outbox):
    assert sam.post(ADJUSTED, data={}).status_code == 303  # the box unticked
    assert "“Order Status Adjusted” is off." in page_text(sam.get("/staff/emails"))
    assert complete_1007(sam).status_code == 303
    assert adjusted(outbox) == []
    assert not OutboxMessage.select().where(OutboxMessage.subject.contains("Adjusted")).exists()
    assert sam.post(ADJUSTED, data={"status_adjusted-enabled": "y"}).status_code == 303
    assert ReminderSetting.get(ReminderSetting.kind == "status_adjusted").enabled


def test_security_mail_goes_even_if_a_switch_row_says_off(app, client, outbox):
    ReminderSetting.create(kind="password_reset", enabled=False)  # no route writes this; the outbox ignores it
    client.post("/forgot-password", data={"email": "parent@example.com"})
    assert [m.to for m in outbox] == [["parent@example.com"]]


def test_reset_restores_cubbys_text(sam, outbox):
    sam.post(f"{ADJUSTED}/edit", data=text())
    response = sam.post(f"{ADJUSTED}/reset")
    assert response.status_code == 303 and not EmailTemplate.select().exists()
    page = page_text(sam.get(f"{ADJUSTED}/edit", follow_redirects=True))
    assert "“Order Status Adjusted” is sent with Cubby's text again." in page
    assert "Subject: Order Status Adjusted: order #1001" in page
    complete_1007(sam)
    (email,) = adjusted(outbox)
    assert email.subject == "Order Status Adjusted: order #1007"
    assert "changed from Pending Payment to Complete" in email.body


def test_a_fixed_address_receives_it_and_unticked_recipients_do_not(sam, outbox):
    data = text(fixed_address="Office@Example.com")
    del data["to_adjuster"], data["to_purchaser"]  # Sam is both on the demo's order #1007
    assert sam.post(f"{ADJUSTED}/edit", data=data).status_code == 303
    switch = ReminderSetting.get(ReminderSetting.kind == "status_adjusted")
    assert (switch.recipients, switch.fixed_address, switch.enabled) == ("user", "office@example.com", True)
    complete_1007(sam)
    assert [m.to for m in adjusted(outbox)] == [["office@example.com"]]  # Riley, the user, has no login


def test_preview_fills_in_what_is_typed_and_stores_nothing(sam):
    response = sam.post(f"{ADJUSTED}/preview", data=text(subject="Hi {{ to_status }}"), headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html and html.lstrip().startswith('<div id="email-editor"')
    assert "Subject: Hi Complete" in page_text(response) and "Hello from Riverside Arts Academy." in html
    response = sam.post(f"{ADJUSTED}/preview", data=text(subject="Hi {{ nope }}"))
    assert response.status_code == 422 and "<html" in response.get_data(as_text=True)
    assert "Unknown placeholder: {{ nope }}" in page_text(response) and "Correct the text above" in page_text(response)
    assert not EmailTemplate.select().exists()


def test_htmx_save_answers_with_the_editor_alone(sam):
    response = sam.post(f"{ADJUSTED}/edit", data=text(), headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html and 'id="email-editor"' in html
    assert "Reset to Cubby's text" in html and "HX-Request" in response.headers["Vary"]
    assert "The next “Order Status Adjusted” email is sent with this text." in html  # the flash, out of band
    assert EmailTemplate.get().subject == "Order {{ order_number }}: now {{ to_status }}"
    page = sam.get(f"{ADJUSTED}/edit")
    assert "<html" in page.get_data(as_text=True)


def test_every_kinds_starting_text_fills_in_with_its_demo_values(sam):
    for key in KINDS:
        page = sam.get(f"/staff/emails/{key}/edit")
        assert page.status_code == 200 and "Correct the text above" not in page_text(page), key


def test_the_list_reads_the_same_queries_however_many_kinds_are_changed(sam, query_count):
    _, before = query_count(sam.get, "/staff/emails")
    for key in KINDS:
        EmailTemplate.create(kind=key, subject="S", body="B")
        if not KINDS[key].always_on:
            ReminderSetting.insert(kind=key, enabled=False).on_conflict(
                conflict_target=[ReminderSetting.kind], update={ReminderSetting.enabled: False}).execute()
    response, after = query_count(sam.get, "/staff/emails")
    assert after == before and page_text(response).count("The school's own text.") == len(KINDS)


def test_each_kind_documents_exactly_the_values_its_preview_and_builder_give():
    for kind in KINDS.values():
        assert set(kind.preview) == set(kind.placeholders), kind.key
        assert not set(kind.placeholders) & {"company_name", "link"}, kind.key


def every_placeholder(key):
    """A body naming each of the kind's placeholders, so a builder missing one fails the email."""
    return " | ".join(f"{name}={{{{ {name} }}}}" for name in KINDS[key].all_placeholders)


def own_text(client, key, subject):
    extra = {"to_user": "y", "to_purchaser": "y", "to_adjuster": "y"} if KINDS[key].recipients else {}
    response = client.post(f"/staff/emails/{key}/edit", data={"subject": subject, "body": every_placeholder(key),
                                                              **extra})
    assert response.status_code == 303, page_text(response)


def test_a_staff_void_is_sent_with_the_schools_text_filled_in_from_the_order(sam, outbox):
    own_text(sam, "void", "Order {{ order_number }}: {{ amount }} off")
    smith = Account.get(Account.name == "Smith household")
    sam.post(f"/staff/households/{smith.id}/orders/1002/void", data={"amount": "30.00", "reason": "Sibling discount"})
    (notice,) = [m for m in outbox if m.subject == "Order 1002: $30.00 off"]
    assert notice.to == ["parent@example.com"]
    assert ("order_number=1002 | amount=$30.00 | still_owes=$150.00 | reason=Sibling discount | "
            "company_name=Riverside Arts Academy | link=http://localhost/") in notice.body


def test_a_reminder_with_the_schools_text_keeps_its_unsubscribe_line(sam, outbox):
    own_text(sam, "meeting_changed", "{{ course_name }}: new time")
    tomorrow = datetime.datetime.combine(school_today() + datetime.timedelta(days=1), datetime.time())
    meeting = (Meeting.select().join(Course).where((Course.name == "Ballet I") & (Meeting.starts_at > tomorrow))
               .order_by(Meeting.starts_at).first())
    new_day = meeting.starts_at.date() + datetime.timedelta(days=1)
    sam.post(f"/staff/meetings/{meeting.id}/move", data={"day": new_day.isoformat(), "starts": "17:30", "ends": "18:30"})
    sent = {m.to[0]: m for m in outbox if m.subject == "Ballet I: new time"}
    body = sent["parent@example.com"].body
    assert "to 6:30 PM" in body and "location_name=Downtown" in body and "cancelled=False" in body
    assert "Stop reminders: http://localhost/" in body and "List-Unsubscribe" in sent["parent@example.com"].extra_headers
    ((html, _),) = sent["parent@example.com"].alternatives
    assert "Unsubscribe from reminders" in html


def test_security_mail_can_be_reworded_but_not_turned_off(sam, client, outbox):
    own_text(sam, "password_reset", "Your {{ company_name }} password link")
    client.post("/forgot-password", data={"email": "parent@example.com"})
    (email,) = [m for m in outbox if m.subject == "Your Riverside Arts Academy password link"]
    assert "email=parent@example.com | has_password=True | minutes=60" in email.body
    assert "link=http://localhost/" in email.body and "/reset" in email.body.split("link=")[1]


def test_cubbys_text_written_with_placeholders_says_what_the_built_in_email_says(app):
    """The edit form's starting text, stored as it is, sends the same words as the built-in template pair."""
    from webapp import outbox as outbox_module
    from webapp.database import write_transaction
    from webapp.models import Company, Guardian, Order, User

    def both(key, **context):
        template = KINDS[key].template_name
        with app.app_context(), write_transaction():
            built_in = OutboxMessage.get_by_id(outbox_module.queue_mail(["a@example.com"], "S", template, **context)[0])
            EmailTemplate.create(kind=key, subject=KINDS[key].subject, body=KINDS[key].body)
            own = OutboxMessage.get_by_id(outbox_module.queue_mail(["a@example.com"], "S", template, **context)[0])
        return [" ".join(m.body.split()) for m in (built_in, own)]

    with app.app_context():
        order, dana = Order.get(Order.number == 1001), User.get(User.email == "parent@example.com")
        chris = Guardian.select().join(User).where(User.email == "partner@example.com").get()
        company, sam = Company.current(), User.get(User.email == "staff@example.com")
        cases = {
            "status_adjusted": dict(order=order, from_label="Pending Payment", to_label="Complete", note="Paid"),
            "void": dict(order=order, cents=3000, owed=15000, reason="Sibling discount", company=company),
            "password_reset": dict(user=dana, asked_by=sam, link="http://localhost/r", minutes=60),
            "invitation": dict(guardian=chris, sent_by=dana, household=chris.account, days=7, link="http://x/i",
                           company=company),
        }
    for key, context in cases.items():
        built_in, own = both(key, **context)
        assert built_in == own, key
