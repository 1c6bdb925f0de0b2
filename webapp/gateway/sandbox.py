"""The built-in sandbox gateway: a hosted card page under /sandbox-gateway and the usual test cards.

It plays a real provider's part: it keeps its own records (tokens, charges, events), charges the card on its own
page, and tells Cubby through a signed notification to Cubby's webhook (sandbox_events.py), so a payment settles
whether or not the payer's browser comes back. The card number is checked and dropped here; only brand, last 4
digits and expiry are kept. A bank account (eChecks) is entered on the same page: routing and account number are
checked and dropped here too, and Cubby learns only the bank's name and the account's last 4 digits.
"""
import datetime
import logging
import secrets
import time

import peewee as pw
from flask import Blueprint, abort, current_app, redirect, render_template, request
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length, Regexp, ValidationError

from ..database import write_transaction
from ..extensions import csrf
from ..models.base import BaseModel, utcnow
from . import Card, Charge, Declined, GatewayTimeout, Provider

log = logging.getLogger(__name__)

SUCCEEDS, DECLINED, INSUFFICIENT_FUNDS, TIMES_OUT = "succeeds", "declined", "insufficient_funds", "times_out"
BANK = "bank"  # a token's or a visit's kind: a bank account rather than a card
TEST_CARDS = {
    "4242424242424242": ("Visa", SUCCEEDS),
    "5555555555554444": ("Mastercard", SUCCEEDS),
    "4000000000000002": ("Visa", DECLINED),
    "4000000000009995": ("Visa", INSUFFICIENT_FUNDS),
    "4000000000000119": ("Visa", TIMES_OUT),
}
TEST_BANKS = {  # routing number: the bank's name; any other valid routing number is a bank the sandbox does not name
    "110000000": "Sandbox Test Bank",
    "021000021": "JPMorgan Chase",
    "026009593": "Bank of America",
}
OUTCOME_MESSAGES = {
    DECLINED: "Your card was declined. Try another card or contact your bank.",
    INSUFFICIENT_FUNDS: "Your card has insufficient funds. Try another card.",
}


class SandboxSession(BaseModel):
    """A hosted-page visit for one payment, or (payment_key None) for a guardian's new card, paying nothing."""

    id = pw.CharField(max_length=64, primary_key=True)
    payment_key = pw.CharField(max_length=64, null=True)
    user_id = pw.IntegerField(null=True)  # Add a card: whose card it is
    amount_cents = pw.IntegerField()
    description = pw.CharField(max_length=200)
    return_url = pw.CharField(max_length=500)
    created_at = pw.DateTimeField(default=utcnow)
    token = pw.CharField(max_length=64, null=True)  # the card entered on this page: one card, one charge per page
    kind = pw.CharField(max_length=16, default="card")  # "bank": Add a bank account


class SandboxToken(BaseModel):
    token = pw.CharField(max_length=64, unique=True)
    kind = pw.CharField(max_length=16, default="card")
    brand = pw.CharField(max_length=32)  # or the bank's name
    last4 = pw.CharField(max_length=4)
    exp_month = pw.IntegerField(null=True)
    exp_year = pw.IntegerField(null=True)
    outcome = pw.CharField(max_length=32)


class SandboxCharge(BaseModel):
    reference = pw.CharField(max_length=64, unique=True)
    idempotency_key = pw.CharField(max_length=64, unique=True)
    token = pw.CharField(max_length=64)
    amount_cents = pw.IntegerField()
    refunded_cents = pw.IntegerField(default=0)
    created_at = pw.DateTimeField(default=utcnow)


class SandboxRefund(BaseModel):
    key = pw.CharField(max_length=80, unique=True)
    reference = pw.CharField(max_length=64)
    charge = pw.CharField(max_length=64)
    amount_cents = pw.IntegerField()
    created_at = pw.DateTimeField(default=utcnow)


class SandboxEvent(BaseModel):
    """A notification the sandbox owes Cubby: kept until Cubby's webhook accepts it, as a provider retries."""

    CHARGE_SUCCEEDED, CHARGE_FAILED, SETUP_SUCCEEDED = "charge.succeeded", "charge.failed", "setup.succeeded"

    id = pw.CharField(max_length=40, primary_key=True)
    type = pw.CharField(max_length=32)
    payment_key = pw.CharField(max_length=64, null=True)
    setup_session = pw.CharField(max_length=64, null=True)  # Add a card: the visit that saved it
    message = pw.CharField(max_length=200, default="")
    created_at = pw.DateTimeField(default=utcnow)
    due_at = pw.DateTimeField(default=utcnow, index=True)
    delivered_at = pw.DateTimeField(null=True)
    attempts = pw.IntegerField(default=0)


MODELS = [SandboxSession, SandboxToken, SandboxCharge, SandboxRefund, SandboxEvent]
LATE_NOTICE = datetime.timedelta(minutes=2)  # the timeout card: the charge is made, its notification comes late


def _event(kind, payment_key, message="", late=False, setup_session=None):
    """Owe Cubby a notification (inside the transaction that made the charge, the refusal or the saved card)."""
    SandboxEvent.create(id="evt_" + secrets.token_hex(12), type=kind, payment_key=payment_key, message=message,
                        setup_session=setup_session, due_at=utcnow() + LATE_NOTICE if late else utcnow())


class SandboxProvider(Provider):
    name = "sandbox"

    def prepare(self, key, amount_cents, description, return_url):
        session = SandboxSession.create(
            id=secrets.token_urlsafe(24), payment_key=key, amount_cents=amount_cents, description=description,
            return_url=return_url,
        )
        return f"/sandbox-gateway/pay/{session.id}"

    def prepare_card(self, user_id, return_url):
        """The URL of the card page that saves a card for this guardian, charging nothing."""
        session = SandboxSession.create(id=secrets.token_urlsafe(24), user_id=user_id, amount_cents=0,
                                        description="Add a card", return_url=return_url)
        return f"/sandbox-gateway/pay/{session.id}"

    def prepare_bank_account(self, user_id, return_url):
        """The URL of the page that saves a bank account for this guardian (eChecks), charging nothing."""
        session = SandboxSession.create(id=secrets.token_urlsafe(24), user_id=user_id, amount_cents=0, kind=BANK,
                                        description="Add a bank account", return_url=return_url)
        return f"/sandbox-gateway/pay/{session.id}"

    def card_saved_on(self, session_id):
        """(guardian's user id, Card) of an Add a card visit that saved one, else None."""
        session = SandboxSession.get_or_none((SandboxSession.id == session_id) & SandboxSession.payment_key.is_null()
                                             & SandboxSession.token.is_null(False))
        return session and (session.user_id, self._card(session.token))

    def _card(self, token):
        known = SandboxToken.get_or_none(SandboxToken.token == token)
        return known and Card(known.token, known.brand, known.last4, known.exp_month, known.exp_year, known.kind)

    def charge_for(self, key):
        existing = SandboxCharge.get_or_none(SandboxCharge.idempotency_key == key)
        return existing and Charge(existing.reference, existing.amount_cents, self._card(existing.token))

    def confirm(self, key, token, amount_cents):
        card = SandboxToken.get_or_none(SandboxToken.token == token)
        if card is None:
            raise Declined("The card details have expired. Please enter the card again.")
        existing = SandboxCharge.get_or_none(SandboxCharge.idempotency_key == key)
        if existing is None:
            if card.outcome in OUTCOME_MESSAGES:
                raise Declined(OUTCOME_MESSAGES[card.outcome])
            self._network_delay()  # the way there
            existing = self._charge_once(key, token, amount_cents)
            self._network_delay()  # and back: the card is charged, the answer not yet in
            notify()  # the notification leaves with the answer; if this worker dies first, redelivery posts it
            if card.outcome == TIMES_OUT:
                raise GatewayTimeout("The card network did not answer in time.")  # after charging, as networks do
        return Charge(existing.reference, existing.amount_cents, self._card(token))

    @staticmethod
    def _network_delay():
        """Half of SANDBOX_LATENCY_MS: a real network's time, so fault tests can stop a worker mid-charge."""
        milliseconds = current_app.config.get("SANDBOX_LATENCY_MS", 0)
        if milliseconds:
            time.sleep(milliseconds / 2000)

    @staticmethod
    def _charge_once(key, token, amount_cents, late_notice=False):
        """The charge for this key, made once, with the notification Cubby is owed for it."""
        try:
            with write_transaction():
                charge = SandboxCharge.create(
                    reference="ch_" + secrets.token_hex(12), idempotency_key=key, token=token,
                    amount_cents=amount_cents,
                )
                _event(SandboxEvent.CHARGE_SUCCEEDED, key, late=late_notice)
                return charge
        except pw.IntegrityError:  # the same key arrived twice at once: one charge, both get it
            return SandboxCharge.get(SandboxCharge.idempotency_key == key)

    def refund(self, reference, amount_cents, key):
        with write_transaction():
            done = SandboxRefund.get_or_none(SandboxRefund.key == key)
            if done:
                return done.reference
            updated = SandboxCharge.update(refunded_cents=SandboxCharge.refunded_cents + amount_cents).where(
                (SandboxCharge.reference == reference)
                & (SandboxCharge.refunded_cents + amount_cents <= SandboxCharge.amount_cents)
            ).execute()
            if not updated:
                raise Declined("That refund is larger than what is left of the charge.")
            return SandboxRefund.create(key=key, reference="re_" + secrets.token_hex(12), charge=reference,
                                        amount_cents=amount_cents).reference


def luhn_valid(number):
    digits = [int(d) for d in reversed(number)]
    total = sum(digits[0::2]) + sum(sum(divmod(2 * d, 10)) for d in digits[1::2])
    return total % 10 == 0


class CardForm(FlaskForm):
    """The hosted card form; the number never leaves this module."""

    number = StringField("Card number", validators=[DataRequired("Enter the card number.")])
    expiry = StringField("Expiry (MM/YY)", validators=[
        DataRequired("Enter the expiry date."), Regexp(r"^\s*(0[1-9]|1[0-2])\s*/\s*\d{2}\s*$", message="Use MM/YY.")])
    cvc = StringField("Security code", validators=[
        DataRequired("Enter the security code."), Regexp(r"^\d{3,4}$", message="Use the 3 or 4 digits on the back.")])
    name = StringField("Name on card", validators=[DataRequired("Enter the name on the card."), Length(max=100)])

    def digits(self):
        return "".join(ch for ch in (self.number.data or "") if ch.isascii() and ch.isdecimal())  # not "²" or "١"

    def validate_number(self, field):
        digits = self.digits()
        if not 12 <= len(digits) <= 19 or not luhn_valid(digits):
            raise ValidationError("That card number is not valid.")

    def expiry_month_year(self):
        month, year = (part.strip() for part in self.expiry.data.split("/"))
        return int(month), 2000 + int(year)

    def validate_expiry(self, field):
        if self.expiry.errors:
            return
        month, year = self.expiry_month_year()
        today = datetime.date.today()
        if (year, month) < (today.year, today.month):
            raise ValidationError("This card has expired.")


def routing_number_valid(number):
    """The ABA checksum: 3, 7 and 1 times the digits in turn add up to a multiple of ten."""
    return sum(int(d) * w for d, w in zip(number, [3, 7, 1] * 3)) % 10 == 0


class BankAccountForm(FlaskForm):
    """The hosted bank account form (eChecks); the numbers never leave this module."""

    routing = StringField("Routing number", validators=[
        DataRequired("Enter the routing number."), Regexp(r"^[0-9]{9}\Z", message="Use the 9 digits of the routing number.")])
    account = StringField("Account number", validators=[
        DataRequired("Enter the account number."), Regexp(r"^[0-9]{4,17}\Z", message="Use 4 to 17 digits.")])
    name = StringField("Name on the account", validators=[
        DataRequired("Enter the name on the account."), Length(max=100)])

    def validate_routing(self, field):
        if not field.errors and not routing_number_valid(field.data):
            raise ValidationError("That routing number is not valid.")


def save_bank_account_on_page(session, form):
    """The payer's Save: the bank account is kept by the sandbox once per page, and Cubby is owed the news."""
    token = "ba_" + secrets.token_hex(12)
    with write_transaction():
        if not SandboxSession.update(token=token).where(
                (SandboxSession.id == session.id) & SandboxSession.token.is_null()).execute():
            return  # the page sent twice: the first one saved it
        SandboxToken.create(token=token, kind=BANK, brand=TEST_BANKS.get(form.routing.data, "Bank"),
                            last4=form.account.data[-4:], outcome=SUCCEEDS)
        _event(SandboxEvent.SETUP_SUCCEEDED, None, setup_session=session.id)
    notify()


bp = Blueprint("sandbox_gateway", __name__, url_prefix="/sandbox-gateway")


def pay_on_page(session, form):
    """The payer's one tap: the card is charged (or refused) here, or saved for Add a card, once per page, and
    Cubby is owed the news. False when the page must show the form again (a card it will not save)."""
    brand, outcome = TEST_CARDS.get(form.digits(), ("Card", SUCCEEDS))
    month, year = form.expiry_month_year()
    token = "tok_" + secrets.token_hex(12)
    if session.payment_key is None and outcome in OUTCOME_MESSAGES:
        form.number.errors.append(OUTCOME_MESSAGES[outcome])  # checked as a provider checks a card it saves
        return False
    with write_transaction():
        entered = SandboxSession.update(token=token).where(
            (SandboxSession.id == session.id) & SandboxSession.token.is_null()).execute()
        if not entered:  # a second tap, or the page sent twice: the first one paid
            return True
        SandboxToken.create(token=token, brand=brand, last4=form.digits()[-4:], exp_month=month, exp_year=year,
                            outcome=outcome)
        if session.payment_key is None:
            _event(SandboxEvent.SETUP_SUCCEEDED, None, setup_session=session.id)
        elif outcome in OUTCOME_MESSAGES:
            _event(SandboxEvent.CHARGE_FAILED, session.payment_key, OUTCOME_MESSAGES[outcome])
        else:
            SandboxProvider._charge_once(session.payment_key, token, session.amount_cents,
                                         late_notice=outcome == TIMES_OUT)
    notify()
    return True


def notify():
    """Post what Cubby is owed now (at once where no job consumer runs, else by the consumer)."""
    from .. import jobs

    try:
        jobs.deliver_sandbox_events()
    except Exception:  # noqa: BLE001 (the queue is down: the minute's redelivery posts it; the charge stands)
        log.warning("the sandbox's notification could not be queued; it is posted by the next redelivery", exc_info=True)


@bp.route("/pay/<session_id>", methods=["GET", "POST"])
def hosted_page(session_id):
    """The provider's own card page: its Pay charges the card, then the payer goes back to Cubby to see how it went."""
    session = SandboxSession.get_or_none(SandboxSession.id == session_id)
    if session is None:
        abort(404)
    if session.kind == BANK:
        form = BankAccountForm()
        if form.validate_on_submit():
            save_bank_account_on_page(session, form)
            return redirect(session.return_url, 303)
    else:
        form = CardForm()
        if form.validate_on_submit() and pay_on_page(session, form):
            return redirect(session.return_url, 303)
    status = 422 if form.errors else 200
    return render_template("gateway/sandbox_pay.html", form=form, session=session, test_cards=TEST_CARDS,
                           test_banks=TEST_BANKS), status


@bp.route("/webhook", methods=["POST"])
@csrf.exempt  # the sandbox signs the request instead; the signature is checked first
def webhook():
    """The sandbox's notifications, verified by signature and applied once."""
    from .sandbox_events import SIGNATURE_HEADER, apply_event, verified

    event = verified(request.get_data(), request.headers.get(SIGNATURE_HEADER, ""))
    if event is None:
        return "bad signature\n", 400, {"Content-Type": "text/plain"}
    return f"{apply_event(event)}\n", 200, {"Content-Type": "text/plain"}
