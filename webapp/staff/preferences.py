"""Company preferences, grouped as the vendor pages group them; each takes effect on the family's next page."""
import zoneinfo

from babel import Locale, UnknownLocaleError
from flask import current_app
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, ValidationError

from ..database import write_transaction
from ..models import Company
from ..numbers import WholeNumberField, stripped
from ..packages.forms import money_field
from ..audit import audit, before_change

GATEWAYS = [("", "None: families pay at the front desk"), ("sandbox", "Sandbox (test cards, for trying Cubby out)"),
            ("stripe", "Stripe")]
# (heading, field names), in the order of the vendor pages
GROUPS = [
    ("Company", ["name", "currency", "locale", "timezone"]),
    ("Web Options → Carts & Checkout", ["pay_balances_online", "send_bill", "partial_payment", "min_partial_payment_cents",
                                        "payment_gateway",
                                        "require_recurring_authorization", "echecks"]),
    ("Customer Portal → Financial", ["balance_mode", "max_unpaid_balance_cents", "full_ledger_history",
                                     "statement_for_location", "ledger_for_location", "tax_id"]),
    ("Class Registration", ["future_absences", "no_show_fee_cents", "waitlist_hold_hours", "cancel_waitlist",
                            "allow_drop", "withdraw_penalty_cents", "allow_transfer"]),
    ("Customer Portal → Your Student(s)", ["show_attendance", "show_passes", "student_qr_codes"]),
    ("Makeups", ["makeup_tokens", "makeup_token_days", "makeup_requests"]),
    ("Punch Passes", ["guardian_punch_redeem"]),
]


class PreferencesForm(FlaskForm):
    """Every company preference the portal acts on today."""

    name = StringField("Company name", filters=[stripped], validators=[
        DataRequired("Enter the name of the company."), Length(max=120, message="Use at most 120 characters.")])
    currency = StringField("Currency", filters=[stripped, lambda v: v.upper() if isinstance(v, str) else v],
                           validators=[DataRequired("Enter a currency code, such as USD.")])
    locale = StringField("Locale", filters=[stripped], validators=[DataRequired("Enter a locale, such as en_US.")])
    timezone = StringField("Time zone", filters=[stripped],
                           validators=[DataRequired("Enter a time zone, such as America/New_York.")])
    pay_balances_online = BooleanField("Pay order balances online")
    send_bill = BooleanField("Send Bill (a purchase order instead of paying when registering)")
    partial_payment = BooleanField("Allow partial payments")
    min_partial_payment_cents = money_field("Minimum partial payment (optional)", required=False, minimum=100)
    payment_gateway = SelectField("Payment gateway", choices=GATEWAYS)
    require_recurring_authorization = BooleanField("Require Saved Payment Method Authorized For Recurring Billing")
    echecks = BooleanField("Accept eChecks (families may save a bank account)")
    balance_mode = SelectField("Balances", choices=[(Company.BY_CUSTOMER, "By customer (one balance per household)"),
                                                    (Company.BY_STUDENT, "By student")])
    max_unpaid_balance_cents = money_field("Max Unpaid Balance (optional)", required=False, minimum=0)
    full_ledger_history = BooleanField("Show Full Ledger History, Not Just The Last 30 Day History")
    statement_for_location = BooleanField("Generate Statement for This Location")
    ledger_for_location = BooleanField("Generate Ledger for This Location")
    tax_id = StringField("Tax id on statements of amounts paid (optional)", filters=[stripped],
                         validators=[Length(max=40, message="Use at most 40 characters.")])
    future_absences = BooleanField("Families may report future absences")
    no_show_fee_cents = money_field("No-show fee (0 for none)", minimum=0)
    waitlist_hold_hours = WholeNumberField("Hours a seat offered from the waitlist is held",
                                           invalid_value_message="Enter a number of hours from 1 to 336.", validators=[
        InputRequired("Enter a number of hours from 1 to 336."), NumberRange(1, 336, "Use 1 to 336 hours (two weeks).")])
    cancel_waitlist = BooleanField("Families may cancel a waitlist enrollment")
    allow_drop = BooleanField("Families may drop an enrollment")
    withdraw_penalty_cents = money_field("Withdraw penalty charged when a family drops (0 for none)", minimum=0)
    allow_transfer = BooleanField("Families may transfer an enrollment to another course of the same division")
    show_attendance = BooleanField("Families see each student's attendance")
    show_passes = BooleanField("Families see each student's punch passes under Your Student(s)")
    student_qr_codes = BooleanField("QR codes for check-in (each student's code, the staff check-in page)")
    makeup_tokens = BooleanField("Makeup tokens (an absence reported ahead earns a makeup class)")
    makeup_token_days = WholeNumberField("Days a makeup token lasts",
                                         invalid_value_message="Enter a number of days from 1 to 730.", validators=[
        InputRequired("Enter a number of days from 1 to 730."), NumberRange(1, 730, "Use 1 to 730 days (two years).")])
    makeup_requests = BooleanField("Allow visitors to request a makeup enrollment (while makeup tokens are off)")
    guardian_punch_redeem = BooleanField("Guardians may redeem punches")

    def validate_currency(self, field):
        if field.data and field.data not in Locale.parse("en").currencies:
            raise ValidationError("Enter a three-letter currency code, such as USD or EUR.")

    def validate_locale(self, field):
        try:
            Locale.parse(field.data)
        except (ValueError, TypeError, UnknownLocaleError):
            raise ValidationError("Enter a locale such as en_US or fr_CA.") from None

    def validate_timezone(self, field):
        if field.data not in zoneinfo.available_timezones():
            raise ValidationError("Enter a time zone such as America/New_York.")

    def validate_payment_gateway(self, field):
        if field.data == "stripe" and not current_app.config.get("STRIPE_SECRET_KEY"):
            raise ValidationError("Stripe is not set up on this server yet (STRIPE_SECRET_KEY; see docs/deploy.md).")

    def values(self):
        """{column: value} of every preference on the form."""
        return {name: getattr(self, name).data for _, names in GROUPS for name in names}


def save_preferences(values):
    """Store the preferences; the next request of every family reads them."""
    with write_transaction():
        company = Company.current()
        before = before_change(company, values)
        Company.update(**values).where(Company.id == company.id).execute()
        audit(company, before, values)
