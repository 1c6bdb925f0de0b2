"""The preferences that hold a value (balance mode, limits, fees, days, the time zone, the ledger's window): Sam
changes one on the preferences form and the family's next page shows the difference, one way and back."""
import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
import pytest

from conftest import page_text, school_today
from test_pending_payment import _session_meeting, lee, pending_order  # noqa: F401 (fixtures)
from test_preferences import _set
from webapp.attendance.services import submit_roster
from webapp.models import AbsenceReason, Company, Course, Meeting, Student, User, UserSession


def _dana_and_sam(signed_in):
    return signed_in("parent@example.com"), signed_in("staff@example.com")


@pytest.mark.parametrize("mode, shown, hidden", [
    (Company.BY_CUSTOMER, "Smith household: $555.00", "Amy Smith: $175.00"),
    (Company.BY_STUDENT, "Amy Smith: $175.00", "Smith household: $555.00"),
], ids=["by customer", "by student"])
def test_the_balance_mode_shows_one_household_balance_or_each_students(signed_in, mode, shown, hidden):
    dana, sam = _dana_and_sam(signed_in)
    Company.update(balance_mode=Company.BY_STUDENT if mode == Company.BY_CUSTOMER else Company.BY_CUSTOMER).execute()
    assert hidden in page_text(dana.get("/home"))
    _set(sam, balance_mode=mode)
    text = page_text(dana.get("/home"))
    assert shown in text and hidden not in text


def test_max_unpaid_balance_refuses_danas_send_bill_while_set_and_lets_it_through_once_cleared(signed_in):
    dana, sam = _dana_and_sam(signed_in)
    dana.post(f"/register/courses/{Course.get(Course.name == 'Ballet I').id}/add",
              data={"student": Student.get(Student.first_name == "Ben").id})
    _set(sam, max_unpaid_balance_cents="600.00")  # the Smiths owe $555.00; Ballet I adds $240.00
    refused = dana.post("/register/send-bill", data={"po_number": "PO-1"})
    assert refused.status_code == 422 and "past the school's limit" in page_text(refused)
    _set(sam, max_unpaid_balance_cents="")
    billed = dana.post("/register/send-bill", data={"po_number": "PO-1"})
    assert billed.status_code == 303 and "billed to PO PO-1" in page_text(dana.get(billed.headers["Location"]))


@pytest.mark.parametrize("penalty, shown, before", [("12.50", "Withdraw penalty $12.50", 0),
                                                    ("0", "Withdraw penalty None", 2500)], ids=["on", "off"])
def test_the_withdraw_penalty_shows_on_the_drop_confirmation(signed_in, penalty, shown, before):
    dana, sam = _dana_and_sam(signed_in)
    ben = Student.get(Student.first_name == "Ben")
    pottery = ben.enrollments.where(Course.name == "Pottery for Kids").join(Course).get()
    url = f"/account/students/{ben.id}/enrollments/{pottery.id}/drop"
    Company.update(withdraw_penalty_cents=before).execute()
    assert shown not in page_text(dana.get(url))
    _set(sam, withdraw_penalty_cents=penalty)
    assert shown in page_text(dana.get(url))


@pytest.mark.parametrize("fee, charged", [("75.00", True), ("0", False)], ids=["on", "off"])
def test_the_no_show_fee_reaches_lees_transaction_history_when_the_roster_is_submitted(
        signed_in, lee, pending_order, fee, charged):  # noqa: F811 (fixtures)
    Company.update(no_show_fee_cents=0 if charged else 7500).execute()
    _set(signed_in("staff@example.com"), no_show_fee_cents=fee)
    meeting = _session_meeting()
    submit_roster(User.get(User.email == "instructor@example.com"), meeting, meeting.starts_at + datetime.timedelta(hours=1))
    text = page_text(lee.get("/account/history"))
    assert ("No-show fee: Safety Workshop" in text and "$75.00" in text) == charged


@pytest.mark.parametrize("days", [14, 200])
def test_the_days_a_makeup_token_lasts_show_as_the_new_tokens_expiry(signed_in, days):
    dana, sam = _dana_and_sam(signed_in)
    amy = Student.get(Student.first_name == "Amy")
    latest = Meeting.select().join(Course).where(Course.name == "Ballet I").order_by(Meeting.starts_at.desc()).get()
    expires = school_today() + datetime.timedelta(days=days)
    shown = f"Expires {expires.day} {expires:%b %Y}"
    makeups = f"/account/students/{amy.id}/makeups"
    assert shown not in page_text(dana.get(makeups))
    _set(sam, makeup_token_days=str(days))
    dana.post(f"/schedule/absence/{latest.id}/{amy.id}", data={"reason": AbsenceReason.get(name="Sick").id})
    assert shown in page_text(dana.get(makeups))


@pytest.mark.parametrize("zone, clock", [("Asia/Tokyo", "2:00 AM"), ("UTC", "5:00 PM")])
def test_the_time_zone_sets_the_clock_of_the_times_dana_is_shown(signed_in, zone, clock):
    dana, sam = _dana_and_sam(signed_in)
    # Seen at 17:00 UTC tomorrow: ahead of now, so signing in again does not move it meanwhile.
    seen = datetime.datetime.combine(datetime.datetime.utcnow().date() + datetime.timedelta(days=1), datetime.time(17))
    dana_id = User.get(User.email == "parent@example.com").id
    UserSession.update(last_seen_at=seen).where(UserSession.user == dana_id).execute()

    def shown():
        text = page_text(dana.get("/account/security/")).replace("\u202f", " ")  # babel's narrow space before PM
        assert "Last seen" in text
        return text

    assert clock not in shown()  # the demo's New York: 12:00 PM or 1:00 PM
    _set(sam, timezone=zone)
    assert clock in shown()


@pytest.mark.parametrize("full", [True, False], ids=["on", "off"])
def test_full_ledger_history_lets_dana_see_past_the_last_30_days(signed_in, full):
    dana, sam = _dana_and_sam(signed_in)
    since = (school_today() - datetime.timedelta(days=60)).isoformat()
    history = f"/account/history?start={since}&end={school_today().isoformat()}"
    Company.update(full_ledger_history=not full).execute()
    assert ("Art supplies" in page_text(dana.get(history))) == (not full)  # #1004, charged 45 days ago
    _set(sam, full_ledger_history=full)
    assert ("Art supplies" in page_text(dana.get(history))) == full


@pytest.mark.parametrize("tax_id, shown", [("98-7654321", True), ("", False)], ids=["on", "off"])
def test_the_tax_id_heads_danas_statement_of_amounts_paid(signed_in, tax_id, shown):
    dana, sam = _dana_and_sam(signed_in)
    Company.update(tax_id="" if tax_id else "12-3456789").execute()
    statement = f"/account/history/paid?year={school_today().year}"
    assert ("Tax id:" in page_text(dana.get(statement))) == (not shown)
    _set(sam, tax_id=tax_id)
    assert ("Tax id: 98-7654321" in page_text(dana.get(statement))) == shown
    assert ("Tax id:" in page_text(dana.get(statement))) == shown


@pytest.mark.parametrize("hours", [5, 100])
def test_the_hours_a_waitlist_seat_is_held_show_as_danas_held_until(signed_in, hours):
    from test_waitlist_offers import _bens_offer, _free_a_jazz_seat, _offer

    dana, sam = _dana_and_sam(signed_in)
    _set(sam, waitlist_hold_hours=str(hours))
    _free_a_jazz_seat()
    _offer(sam)
    offer = _bens_offer()
    assert abs(offer.expires_at - offer.offered_at - datetime.timedelta(hours=hours)) < datetime.timedelta(minutes=1)
    until = offer.expires_at.replace(tzinfo=datetime.timezone.utc).astimezone(ZoneInfo("America/New_York"))
    shown = f"held until {format_date(until, 'EEE d MMM', locale='en_US')} {format_time(until, 'h:mm a', locale='en_US')}"
    assert shown.replace("\u202f", " ") in page_text(dana.get("/register/mine")).replace("\u202f", " ")
