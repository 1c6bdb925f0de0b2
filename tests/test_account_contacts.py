"""Account Information (seed 004): contacts per guardian and Unassigned, opt-outs the mailer honours, who may change
what, and bad input refused next to its field."""
import re

import pytest

from conftest import page_text
from test_mail import queue
from webapp.models import Account, ContactEmail, ContactPhone, EmailOptOut, Guardian, MailingAddress, OutboxMessage, User

HX = {"HX-Request": "true"}


def smith():
    return Account.get(Account.name == "Smith household")


def info_url():
    return f"/account/households/{smith().id}/information"


def elm():
    return MailingAddress.get(MailingAddress.street == "12 Elm Street")


def guardian_of(email):
    return Guardian.get(Guardian.user == User.get(User.email == email).id)


def column(html, heading):
    """The HTML of one column of Account Information, from its heading to the next section."""
    match = re.search(rf"<h2 id=\"[^\"]+\">{heading}</h2>(.*?)</section>", html, re.S)
    assert match, f"no column {heading}"
    return match.group(1)


def test_account_information_shows_the_demo_contacts_per_guardian_and_unassigned(signed_in):
    html = signed_in("parent@example.com").get(info_url()).get_data(as_text=True)
    dana, chris, unassigned = column(html, "Dana Smith"), column(html, "Chris Smith"), column(html, "Unassigned")
    assert "parent@example.com</a> <span class=\"badge\">Login</span>" in dana
    assert re.search(r"dana\.smith@work\.example</a>\s*<em class=\"unsubscribed\">Unsubscribed</em>", dana)
    assert "parent@example.com</a> <span class=\"badge\">Login</span> <em" not in dana  # opted in: no mark
    assert "555-0101" in dana and "Unsubscribed" not in dana.split("555-0101")[1].split("</li>")[0]
    assert re.search(r"555-0102\s*<em class=\"unsubscribed\">Unsubscribed</em>", chris)
    assert "12 Elm Street, Riverside" in unassigned and "Reassign" in unassigned
    assert "12 Elm Street" not in dana
    # Chris accepted his invitation: Dana sees his values but has no link to edit them (seed 004).
    assert "/account/contacts/phone/" not in chris


def test_account_information_with_htmx_is_the_content_only(signed_in):
    response = signed_in("parent@example.com").get(info_url(), headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html and "Unassigned" in html
    assert "HX-Request" in response.headers["Vary"]


def test_unsubscribed_is_drawn_red_and_italic():
    css = open("static/css/cubby.css", encoding="utf-8").read()
    assert re.search(r"\.unsubscribed \{ color: var\(--bad\); font-style: italic; \}", css)


@pytest.mark.parametrize("headers", [{}, HX])
def test_dana_reassigns_the_unassigned_address_to_herself(signed_in, headers):
    dana = signed_in("parent@example.com")
    response = dana.post(f"/account/contacts/address/{elm().id}/reassign",
                         data={"guardian": str(guardian_of("parent@example.com").id)}, headers=headers)
    assert elm().guardian_id == guardian_of("parent@example.com").id
    if headers:
        assert response.status_code == 200 and "<html" not in response.get_data(as_text=True)
        html = response.get_data(as_text=True)
    else:
        assert response.status_code == 303 and response.headers["Location"] == info_url()
        html = dana.get(info_url()).get_data(as_text=True)
    assert "12 Elm Street" in column(html, "Dana Smith") and "12 Elm Street" not in column(html, "Unassigned")


def test_reassigning_to_an_accepted_guardian_other_than_yourself_is_refused(signed_in):
    response = signed_in("parent@example.com").post(
        f"/account/contacts/address/{elm().id}/reassign", data={"guardian": str(guardian_of("partner@example.com").id)})
    assert response.status_code == 422 and elm().guardian_id is None


def test_another_household_gets_404_for_every_contact_route(signed_in):
    karie = signed_in("grandparents@example.com")
    phone = ContactPhone.get(ContactPhone.number == "555-0101")
    for url in (info_url(), f"/account/households/{smith().id}/phone/new", f"/account/contacts/phone/{phone.id}",
                f"/account/households/{smith().id}/login-email/{guardian_of('parent@example.com').id}"):
        assert karie.get(url).status_code == 404, url
    for url in (f"/account/contacts/address/{elm().id}/reassign", f"/account/contacts/phone/{phone.id}/delete",
                f"/account/contacts/phone/{phone.id}", f"/account/households/{smith().id}/phone/new"):
        assert karie.post(url, data={"guardian": "", "number": "212 555 0199", "confirm": "yes"}).status_code == 404
    assert elm().guardian_id is None and ContactPhone.get_by_id(phone.id).number == "555-0101"
    assert not ContactPhone.select().where(ContactPhone.number == "(212) 555-0199").exists()


def test_staff_and_instructors_get_403(signed_in):
    for email in ("staff@example.com", "instructor@example.com"):
        client = signed_in(email)
        assert client.get(info_url()).status_code == 403
        assert client.post(f"/account/contacts/address/{elm().id}/reassign", data={"guardian": ""}).status_code == 403


def test_a_secondary_guardian_cannot_change_another_guardians_values(signed_in):
    jo = signed_in("nanny@example.com")
    chris_phone = ContactPhone.get(ContactPhone.number == "555-0102")
    assert jo.get(f"/account/contacts/phone/{chris_phone.id}").status_code == 403
    assert jo.post(f"/account/contacts/phone/{chris_phone.id}",
                   data={"number": "212 555 0100", "guardian": "", "sms": "y"}).status_code == 403
    assert jo.post(f"/account/contacts/phone/{chris_phone.id}/delete", data={"confirm": "yes"}).status_code == 403
    assert jo.get(f"/account/households/{smith().id}/login-email/{guardian_of('parent@example.com').id}"
                  ).status_code == 403
    assert ContactPhone.get_by_id(chris_phone.id).number == "555-0102"
    # An Unassigned value is anyone's in the household to claim.
    assert jo.post(f"/account/contacts/address/{elm().id}/reassign",
                   data={"guardian": str(guardian_of("nanny@example.com").id)}).status_code == 303


@pytest.mark.parametrize("headers", [{}, HX])
def test_add_phone_normalises_the_number(signed_in, headers):
    response = signed_in("parent@example.com").post(
        f"/account/households/{smith().id}/phone/new",
        data={"number": "212.555.0199", "guardian": str(guardian_of("parent@example.com").id), "sms": "y"},
        headers=headers)
    assert response.status_code == (200 if headers else 303)
    added = ContactPhone.get(ContactPhone.number == "(212) 555-0199")
    assert added.guardian_id == guardian_of("parent@example.com").id and not added.sms_opted_out


@pytest.mark.parametrize("headers", [{}, HX])
@pytest.mark.parametrize("kind, data, message", [
    ("phone", {"number": "555-CALL-NOW"}, "Enter a phone number with digits only"),
    ("phone", {"number": "12"}, "Enter a phone number with digits only"),
    ("email", {"address": "not-an-email"}, "Enter an email address like name@example.com."),
    ("email", {"address": "parent@example.com"}, "That is a guardian's login email"),
    ("address", {"street": "x" * 10_000}, "Use at most 200 characters."),
    ("address", {"street": "12 Elm Street", "city": "y" * 10_000}, "Use at most 100 characters."),
])
def test_bad_input_gets_a_message_next_to_the_field_and_stores_nothing(signed_in, headers, kind, data, message):
    before = [m.select().count() for m in (ContactEmail, ContactPhone, MailingAddress)]
    response = signed_in("parent@example.com").post(f"/account/households/{smith().id}/{kind}/new",
                                                    data={"guardian": "", **data}, headers=headers)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert re.search(r'<p class="error" id="[a-z_0-9]+-error">[^<]*' + re.escape(message.replace("'", "&#39;")), html)
    assert ("<html" in html) is not bool(headers)
    assert [m.select().count() for m in (ContactEmail, ContactPhone, MailingAddress)] == before


def test_email_blasts_switch_is_the_opt_out_the_mailer_honours(app, signed_in):
    dana = signed_in("parent@example.com")
    login = f"/account/households/{smith().id}/login-email/{guardian_of('parent@example.com').id}"
    response = dana.post(login, data={})  # the box left unticked: Email Blasts off
    assert response.status_code == 303
    assert EmailOptOut.select().where(EmailOptOut.address == "parent@example.com").exists()
    assert re.search(r"parent@example\.com</a> <span class=\"badge\">Login</span>\s*<em class=\"unsubscribed\">",
                     dana.get(info_url()).get_data(as_text=True))
    assert queue(app, category=OutboxMessage.REMINDER) is None  # no reminder
    assert queue(app, category=OutboxMessage.RECEIPT) is not None  # receipts still go
    dana.post(login, data={"email_blasts": "y"})
    assert queue(app, category=OutboxMessage.REMINDER) is not None


def test_a_contact_email_opted_back_in_gets_reminders_again(app, signed_in):
    work = ContactEmail.get(ContactEmail.address == "dana.smith@work.example")
    assert queue(app, to=work.address, category=OutboxMessage.REMINDER) is None
    dana = signed_in("parent@example.com")
    page = dana.get(f"/account/contacts/email/{work.id}").get_data(as_text=True)
    assert 'name="email_blasts"' in page and "checked" not in page.split('name="email_blasts"')[1].split(">")[0]
    response = dana.post(f"/account/contacts/email/{work.id}", data={
        "address": "Dana.Smith@WORK.example", "guardian": str(work.guardian_id), "email_blasts": "y"})
    assert response.status_code == 303 and ContactEmail.get_by_id(work.id).address == "dana.smith@work.example"
    assert queue(app, to=work.address, category=OutboxMessage.REMINDER) is not None


def test_delete_asks_first_and_the_login_email_has_no_delete(signed_in):
    dana = signed_in("parent@example.com")
    phone = ContactPhone.get(ContactPhone.number == "555-0101")
    asked = dana.post(f"/account/contacts/phone/{phone.id}/delete")
    assert asked.status_code == 200 and "Delete 555-0101?" in page_text(asked)
    assert ContactPhone.get_or_none(ContactPhone.id == phone.id)
    done = dana.post(f"/account/contacts/phone/{phone.id}/delete", data={"confirm": "yes"}, headers=HX)
    assert done.status_code == 200 and ContactPhone.get_or_none(ContactPhone.id == phone.id) is None
    login_page = dana.get(f"/account/households/{smith().id}/login-email/{guardian_of('parent@example.com').id}")
    assert "Delete" not in page_text(login_page) and "cannot be deleted here" in page_text(login_page)


def test_nothing_changes_on_get(signed_in):
    dana = signed_in("parent@example.com")
    for url in (f"/account/contacts/address/{elm().id}/reassign", f"/account/contacts/address/{elm().id}/delete"):
        assert dana.get(url).status_code == 405
    assert MailingAddress.get_or_none(MailingAddress.id == elm().id)


def test_account_information_query_count_does_not_grow_with_contacts(signed_in, query_count):
    dana = signed_in("parent@example.com")
    _, small = query_count(dana.get, info_url())
    for n in range(15):
        ContactPhone.create(account=smith(), number=f"555-01{n + 10}")
        ContactEmail.create(account=smith(), address=f"kid{n}@example.com")
        MailingAddress.create(account=smith(), street=f"{n} Oak Road")
    response, large = query_count(dana.get, info_url())
    assert response.status_code == 200 and "14 Oak Road" in page_text(response)
    assert large == small


def test_edit_pages_are_fragments_for_htmx_and_pages_otherwise(signed_in):
    dana = signed_in("parent@example.com")
    work = ContactEmail.get(ContactEmail.address == "dana.smith@work.example")
    for url in (f"/account/contacts/email/{work.id}", f"/account/households/{smith().id}/address/new",
                f"/account/households/{smith().id}/login-email/{guardian_of('parent@example.com').id}"):
        page, fragment = dana.get(url), dana.get(url, headers=HX)
        assert page.status_code == fragment.status_code == 200
        assert "<html" in page.get_data(as_text=True) and "<html" not in fragment.get_data(as_text=True)
        assert 'name="csrf_token"' in fragment.get_data(as_text=True)


def test_editing_a_phone_with_htmx_moves_it_and_turns_sms_off(signed_in):
    dana_phone = ContactPhone.get(ContactPhone.number == "555-0101")
    response = signed_in("parent@example.com").post(
        f"/account/contacts/phone/{dana_phone.id}", data={"number": "555 0109", "guardian": ""}, headers=HX)
    assert response.status_code == 200 and response.headers["HX-Push-Url"] == info_url()
    saved = ContactPhone.get_by_id(dana_phone.id)
    assert (saved.number, saved.guardian_id, saved.sms_opted_out) == ("555-0109", None, True)
    assert re.search(r"555-0109</a>\s*<em class=\"unsubscribed\">", column(response.get_data(as_text=True),
                                                                          "Unassigned"))


def test_login_email_switch_with_htmx(signed_in):
    dana = signed_in("parent@example.com")
    response = dana.post(f"/account/households/{smith().id}/login-email/{guardian_of('parent@example.com').id}",
                         data={}, headers=HX)
    assert response.status_code == 200 and "Unsubscribed" in column(response.get_data(as_text=True), "Dana Smith")
    assert EmailOptOut.select().where(EmailOptOut.address == "parent@example.com").exists()


def test_the_same_phone_added_twice_at_once_is_stored_once(signed_in):
    from conftest import at_once

    dana, chris = signed_in("parent@example.com"), signed_in("partner@example.com")
    url = f"/account/households/{smith().id}/phone/new"
    answers = at_once([lambda c=c: c.post(url, data={"number": "212 555 0177", "guardian": ""}) for c in (dana, chris)])
    assert sorted(a.status_code for a in answers) == [303, 422]
    assert ContactPhone.select().where(ContactPhone.number == "(212) 555-0177").count() == 1
    refused = next(a for a in answers if a.status_code == 422)
    assert "That is on your account already." in refused.get_data(as_text=True)


def test_saving_a_value_deleted_meanwhile_says_so_and_writes_nothing(signed_in, app):
    from webapp.account.contact_book import ContactError, save_contact

    dana_guardian = guardian_of("parent@example.com")
    phone = ContactPhone.get(ContactPhone.number == "555-0101")
    ContactPhone.delete().where(ContactPhone.id == phone.id).execute()
    with app.test_request_context(), pytest.raises(ContactError, match="deleted meanwhile"):
        save_contact(dana_guardian, "phone", phone, None, number="555-0109", sms=True)
    assert not ContactPhone.select().where(ContactPhone.number == "555-0109").exists()


def test_payments_is_its_own_page_for_those_with_the_payment_grant(signed_in):
    dana = signed_in("parent@example.com")
    page, fragment = dana.get("/account/payments"), dana.get("/account/payments", headers=HX)
    assert page.status_code == fragment.status_code == 200 and "Stored payment information" in page_text(page)
    assert "<html" not in fragment.get_data(as_text=True)
    assert 'href="/account/payments"' in dana.get("/account/").get_data(as_text=True)
    assert signed_in("staff@example.com").get("/account/payments").status_code == 403


def test_payments_shows_what_is_outstanding_the_credit_and_the_last_payment_with_the_balance_grant(signed_in):
    from billing_helpers import SUCCESS_CARD, enter_card
    from webapp.billing.ledger import account_balances
    from webapp.models import Account, LedgerEntry

    smith = Account.get(Account.name == "Smith household")
    LedgerEntry.create(account=smith, kind=LedgerEntry.CREDIT, amount_cents=-2500, memo="Goodwill credit")
    dana = signed_in("parent@example.com")
    dana.post("/billing/cart/orders/1001")
    dana.post("/billing/cart/orders/1002")
    enter_card(dana, SUCCESS_CARD)  # one payment across two orders
    text = page_text(dana.get("/account/payments"))
    owed = account_balances([smith.id])[smith.id]
    assert f"Smith household: {money_text(owed)}" in text  # the ledger's own sum, credit included
    assert "Make Payment" in text and "Credit: $25.00 · Apply Credit" in text
    assert "Last payment: $320.00 on" in text  # one payment, however many orders it paid
    chris = page_text(signed_in("partner@example.com").get("/account/payments"))
    assert "Smith household:" in chris and "Stored payment information" in chris


def test_payments_without_the_balance_grant_shows_no_money(signed_in):
    from webapp.models import Guardian, User

    Guardian.update(can_view_balance=False).where(
        Guardian.user == User.get(User.email == "partner@example.com")).execute()
    text = page_text(signed_in("partner@example.com").get("/account/payments"))
    assert "Outstanding" not in text and "Last payment" not in text and "Stored payment information" in text


def money_text(cents):
    return f"${cents / 100:,.2f}"
