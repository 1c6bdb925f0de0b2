"""Company preferences: staff change them on one page, grouped as the vendor pages group them, and each switch
shows on the family's next page, off and on again; bad values are refused next to the field and nothing is stored."""
import datetime

import pytest

from conftest import page_text, school_today
from webapp.models import (
    AbsenceReason, Attendance, Company, Course, MakeupToken, Meeting, Payment, PaymentMethod, Student, User,
)
from webapp.staff.preferences import GROUPS

HX = {"HX-Request": "true"}
PREFERENCES = [name for _, names in GROUPS for name in names]


def _form():
    """Every preference on the page as it is saved now, ready to post back (unticked boxes left out, as a browser
    does): a test then changes only what it names."""
    company = Company.get()
    values = {}
    for name in PREFERENCES:
        saved = getattr(company, name)
        if isinstance(saved, bool):
            if saved:
                values[name] = "y"
        elif name.endswith("_cents"):
            values[name] = "" if saved is None else f"{saved / 100:.2f}"
        else:
            values[name] = str(saved)
    return values


def _set(sam, **changes):
    """Sam posts the preferences form with only `changes` differing (True ticks a box, False unticks it)."""
    values = _form()
    for name, value in changes.items():
        assert name in PREFERENCES, f"{name} is not on the preferences form"
        if value is False:
            values.pop(name, None)
        else:
            values[name] = "y" if value is True else value
    response = sam.post("/staff/preferences", data=values)
    assert response.status_code == 303, page_text(response)
    return response


@pytest.mark.parametrize("flipped", [False, True], ids=["as in the demo", "every switch the other way"])
def test_the_form_posted_back_changes_only_the_switch_a_test_names(signed_in, flipped):
    if flipped:
        company = Company.get()
        Company.update(**{name: not getattr(company, name) for name in PREFERENCES
                          if isinstance(getattr(company, name), bool)}).execute()
    sam, before = signed_in("staff@example.com"), Company.get().__data__
    _set(sam)
    assert Company.get().__data__ == before
    _set(sam, allow_drop=not before["allow_drop"])
    assert Company.get().__data__ == {**before, "allow_drop": not before["allow_drop"]}


def test_the_page_groups_the_preferences_as_the_vendor_pages_do(signed_in):
    sam = signed_in("staff@example.com")
    text = page_text(sam.get("/staff/preferences"))
    for heading in ("Company", "Web Options → Carts & Checkout", "Customer Portal → Financial", "Class Registration",
                    "Makeups", "Punch Passes", "Pay order balances online", "Max Unpaid Balance"):
        assert heading in text
    fragment = sam.get("/staff/preferences", headers=HX).get_data(as_text=True)
    assert "<html" not in fragment and "Save preferences" in fragment
    saved = _set(sam, name="Riverside Arts")
    assert "Preferences saved." in page_text(sam.get(saved.headers["Location"]))
    assert "· Riverside Arts</title>" in signed_in("parent@example.com").get("/home").get_data(as_text=True)


def _register_ben_for_ballet(family):
    """A registration in the cart, for Send Bill to bill."""
    family.post(f"/register/courses/{Course.get(Course.name == 'Ballet I').id}/add",
                data={"student": Student.get(Student.first_name == "Ben").id})


def _save_a_card(family):
    """Dana has a card on file, for the Delete button to show on."""
    PaymentMethod.create(user=User.get(User.email == "parent@example.com"), gateway="sandbox", token="tok_saved",
                         brand="Visa", last4="4242", exp_month=12, exp_year=2030)


def _tokens_off(family):
    """Requesting a makeup is offered only while makeup tokens are off."""
    Company.update(makeup_tokens=False).execute()


# (switch, family page, text a user notices, shown while the switch is on, what the page needs first)
SWITCHES = [
    ("pay_balances_online", "/home", "Pay an Order Balance", True, None),
    ("send_bill", "/billing/cart", "Purchase order number", True, _register_ben_for_ballet),
    ("future_absences", "/schedule/", "Future absences", True, None),
    ("allow_drop", "/account/students/{ben}/enrollments", "Drop Enrollment", True, None),
    ("allow_transfer", "/account/students/{ben}/enrollments", "Transfer Enrollment", True, None),
    ("cancel_waitlist", "/account/students/{ben}/enrollments?waitlist=1", "Cancel Waitlist", True, None),
    ("full_ledger_history", "/account/history", "Show these days", True, None),
    ("statement_for_location", "/account/history", "Generate Statement for This Location", True, None),
    ("ledger_for_location", "/account/history", "Generate Ledger for This Location", True, None),
    ("echecks", "/account/payments", "Bank Account", True, None),
    ("require_recurring_authorization", "/account/payments", "Delete", False, _save_a_card),
    ("guardian_punch_redeem", "/packages/students/{amy}", "Redeem a punch", True, None),
    ("makeup_tokens", "/account/students/{amy}/makeups", "Current Location Tokens", True, None),
    ("makeup_requests", "/account/students/{amy}/makeups", "Request a Makeup", True, _tokens_off),
    ("show_attendance", "/account/students/{amy}", "Attendance", True, None),
    ("show_passes", "/account/students/{amy}", "Passes", True, None),
    ("student_qr_codes", "/account/students/{amy}", "QR Codes", True, None),
]


@pytest.mark.parametrize("turn_on", [True, False], ids=["on", "off"])
@pytest.mark.parametrize("switch, url, text, shown_when_on, given", SWITCHES, ids=[s[0] for s in SWITCHES])
def test_each_switch_shows_on_the_familys_next_page(signed_in, switch, url, text, shown_when_on, given, turn_on):
    """Sam ticks or unticks the box on the preferences form; Dana's next page gains or loses what it offers."""
    sam, dana = signed_in("staff@example.com"), signed_in("parent@example.com")
    if given:
        given(dana)
    url = url.format(ben=Student.get(Student.first_name == "Ben").id, amy=Student.get(Student.first_name == "Amy").id)
    Company.update(**{switch: not turn_on}).execute()  # start from the other side, whatever the demo has
    assert (text in page_text(dana.get(url))) == (shown_when_on != turn_on)
    _set(sam, **{switch: turn_on})
    assert getattr(Company.get(), switch) is turn_on
    assert (text in page_text(dana.get(url))) == (shown_when_on == turn_on)


def test_partial_payments_let_the_family_choose_the_amount_only_when_on(signed_in):
    sam, dana = signed_in("staff@example.com"), signed_in("parent@example.com")
    dana.post("/billing/cart/orders/1001")
    html = dana.get("/billing/cart").get_data(as_text=True)
    assert 'name="amount"' not in html
    _set(sam, partial_payment=True)
    assert 'name="amount"' in dana.get("/billing/cart").get_data(as_text=True)
    _set(sam, partial_payment=False)
    assert 'name="amount"' not in dana.get("/billing/cart").get_data(as_text=True)


NOT_CONFIGURED = "This account is not configured to accept online payments."


def test_with_no_gateway_the_family_is_told_to_pay_at_the_front_desk(signed_in):
    sam, dana = signed_in("staff@example.com"), signed_in("parent@example.com")
    dana.post("/billing/cart/orders/1001")
    _set(sam, payment_gateway="")
    refused = dana.post("/billing/checkout")
    assert refused.status_code in (409, 422, 503) and "front desk" in page_text(refused)
    assert NOT_CONFIGURED in page_text(dana.get("/account/payments"))
    _set(sam, payment_gateway="sandbox")
    assert NOT_CONFIGURED not in page_text(dana.get("/account/payments"))
    assert dana.post("/billing/checkout").status_code == 303


def test_makeup_tokens_are_earned_only_while_the_switch_is_on(signed_in):
    sam, dana = signed_in("staff@example.com"), signed_in("parent@example.com")
    amy = Student.get(Student.first_name == "Amy")
    sick = AbsenceReason.get(AbsenceReason.name == "Sick")
    upcoming = (Meeting.select().join(Course).where(Course.name == "Ballet I").order_by(Meeting.starts_at.desc())
                .limit(2))
    late, later = list(upcoming)
    _set(sam, makeup_tokens=False)
    dana.post(f"/schedule/absence/{late.id}/{amy.id}", data={"reason": sick.id})
    assert Attendance.get((Attendance.meeting == late) & (Attendance.student == amy)).reason == sick
    assert not MakeupToken.select().where(MakeupToken.earned_for == late).exists()
    _set(sam, makeup_tokens=True)
    dana.post(f"/schedule/absence/{later.id}/{amy.id}", data={"reason": sick.id})
    assert MakeupToken.select().where(MakeupToken.earned_for == later).exists()


MONEY_SHOWN = [("EUR", "fr_FR", "140,00 €"), ("USD", "en_US", "$140.00")]


@pytest.mark.parametrize("currency, locale, shown", MONEY_SHOWN, ids=["euros in French", "dollars in English"])
def test_the_currency_and_the_locale_change_how_money_shows(signed_in, currency, locale, shown):
    sam, dana = signed_in("staff@example.com"), signed_in("parent@example.com")
    other = next(m for m in MONEY_SHOWN if m[0] != currency)
    Company.update(currency=other[0], locale=other[1]).execute()

    def pay_balance():
        return page_text(dana.get("/billing/pay-balance")).replace("\xa0", " ").replace("\u202f", " ")

    assert other[2] in pay_balance()
    _set(sam, currency=currency.lower(), locale=locale)
    assert Company.get().currency == currency
    assert shown in pay_balance() and other[2] not in pay_balance()


@pytest.mark.parametrize("headers", [{}, HX])
@pytest.mark.parametrize("field, value, message", [
    ("name", "", "Enter the name of the company."),
    ("name", "x" * 10_000, "Use at most 120 characters."),
    ("currency", "XYZ", "Enter a three-letter currency code"),
    ("locale", "zz_ZZ_nonsense", "Enter a locale such as en_US"),
    ("timezone", "Mars/Olympus", "Enter a time zone such as America/New_York."),
    ("payment_gateway", "paypal", "Not a valid choice"),
    ("payment_gateway", "stripe", "Stripe is not set up on this server yet"),
    ("max_unpaid_balance_cents", "1e30", "Enter an amount in dollars"),
    ("no_show_fee_cents", "-5", "Enter an amount"),
    ("waitlist_hold_hours", "0", "Use 1 to 336 hours"),
    ("waitlist_hold_hours", "²", "Enter a number of hours"),
    ("makeup_token_days", "0", "Use 1 to 730 days"),
    ("makeup_token_days", "731", "Use 1 to 730 days"),
    ("makeup_token_days", "", "Enter a number of days from 1 to 730."),
    ("min_partial_payment_cents", "0.50", "Enter an amount from $1.00"),
    ("min_partial_payment_cents", "lots", "Enter an amount in dollars"),
])
def test_a_bad_value_is_refused_next_to_its_field_and_nothing_is_stored(signed_in, headers, field, value, message):
    sam = signed_in("staff@example.com")
    before = Company.get().__data__
    values = {**_form(), field: value}
    values.pop("pay_balances_online")  # unticked: were anything saved, the switch would turn off and show it
    response = sam.post("/staff/preferences", data=values, headers=headers)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and message in html
    assert html.index(message) > html.index(f'id="{field}"') and ("<html" in html) == (not headers)
    assert Company.get().__data__ == before


@pytest.mark.parametrize("email", ["parent@example.com", "instructor@example.com"])
def test_only_staff_see_or_change_the_preferences(signed_in, email):
    client = signed_in(email)
    assert client.get("/staff/preferences").status_code == 403
    assert client.post("/staff/preferences", data={"name": "Taken over"}).status_code == 403
    assert Company.get().name == "Riverside Arts Academy"


def test_max_unpaid_balance_and_balance_mode_decide_whether_a_new_charge_is_taken(signed_in):
    from test_staff_billing import new_order_form

    sam = signed_in("staff@example.com")
    _set(sam, max_unpaid_balance_cents="400.00")  # Smith owes $555.00
    refused = sam.post("/staff/billing/orders/new", data=new_order_form())
    assert refused.status_code == 422 and "household's unpaid balance past the school's limit" in page_text(refused)
    _set(sam, balance_mode="student", max_unpaid_balance_cents="200.00")  # Amy owes $175
    refused = sam.post("/staff/billing/orders/new", data=new_order_form(**{"lines-1-description": ""}))
    assert refused.status_code == 422 and "student's unpaid balance" in page_text(refused)
    _set(sam, max_unpaid_balance_cents="")
    assert Company.get().max_unpaid_balance_cents is None
    assert sam.post("/staff/billing/orders/new", data=new_order_form()).status_code == 303


def test_the_days_a_makeup_token_lasts_set_the_next_tokens_expiry_and_leave_earned_ones_alone(signed_in):
    sam, dana = signed_in("staff@example.com"), signed_in("parent@example.com")
    amy = Student.get(Student.first_name == "Amy")
    sick = AbsenceReason.get(AbsenceReason.name == "Sick")
    late, later = list(Meeting.select().join(Course).where(Course.name == "Ballet I")
                       .order_by(Meeting.starts_at.desc()).limit(2))
    text = page_text(sam.get("/staff/preferences"))
    assert "Days a makeup token lasts" in text[text.index("Makeups"):]
    assert Company.get().makeup_token_days == 90  # what every token lasted before the preference
    dana.post(f"/schedule/absence/{late.id}/{amy.id}", data={"reason": sick.id})
    earned = MakeupToken.get(MakeupToken.earned_for == late)
    assert earned.expires_on == school_today() + datetime.timedelta(days=90)
    _set(sam, makeup_token_days="14")
    dana.post(f"/schedule/absence/{later.id}/{amy.id}", data={"reason": sick.id})
    assert MakeupToken.get(MakeupToken.earned_for == later).expires_on == school_today() + datetime.timedelta(days=14)
    assert MakeupToken.get_by_id(earned.id).expires_on == earned.expires_on


def _pay_part(dana, amount):
    return dana.post("/billing/checkout", data={"amount": amount})


def test_a_partial_payment_below_the_minimum_is_refused_next_to_the_amount_only_while_a_minimum_is_set(signed_in):
    sam, dana = signed_in("staff@example.com"), signed_in("parent@example.com")
    dana.post("/billing/cart/orders/1001")
    _set(sam, partial_payment=True, min_partial_payment_cents="50.00")
    assert Company.get().min_partial_payment_cents == 5000
    assert "or pay at least $50.00" in page_text(dana.get("/billing/cart"))
    refused = _pay_part(dana, "20.00")
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "Pay at least $50.00." in html
    assert html.index("Pay at least $50.00.") > html.index('id="amount"')
    assert not Payment.select().exists()
    _set(sam, min_partial_payment_cents="")
    assert Company.get().min_partial_payment_cents is None
    started = _pay_part(dana, "20.00")
    assert started.status_code == 303
    assert Payment.get().amount_cents == 2000
