"""The business running this deployment: company, preferences, locations, divisions."""
import peewee as pw

from ..prepared import prepared
from .base import BaseModel


class Company(BaseModel):
    """One row: the business and its preferences."""

    BY_CUSTOMER = "customer"
    BY_STUDENT = "student"

    name = pw.CharField(max_length=120)
    currency = pw.CharField(max_length=3, default="USD")
    locale = pw.CharField(max_length=16, default="en_US")
    timezone = pw.CharField(max_length=64, default="America/New_York")
    pay_balances_online = pw.BooleanField(default=True)
    balance_mode = pw.CharField(max_length=16, default=BY_CUSTOMER)
    send_bill = pw.BooleanField(default=False)
    makeup_tokens = pw.BooleanField(default=False)
    # Seed 004 "Allow Visitors to Request a Makeup Enrollment": with tokens off, families request makeups.
    makeup_requests = pw.BooleanField(default=False)
    makeup_token_days = pw.IntegerField(default=90)  # how long a token earned from now on lasts
    future_absences = pw.BooleanField(default=True)
    allow_drop = pw.BooleanField(default=False)
    allow_transfer = pw.BooleanField(default=False)
    withdraw_penalty_cents = pw.IntegerField(default=0)  # charged when a family drops an enrollment
    full_ledger_history = pw.BooleanField(default=False)
    partial_payment = pw.BooleanField(default=False)
    min_partial_payment_cents = pw.IntegerField(null=True)  # a partial payment below it is refused; None: $1.00
    max_unpaid_balance_cents = pw.IntegerField(null=True)
    no_show_fee_cents = pw.IntegerField(default=0)
    guardian_punch_redeem = pw.BooleanField(default=False)
    payment_gateway = pw.CharField(max_length=32, default="")  # "sandbox", "stripe", or "" for none
    brand_colour = pw.CharField(max_length=7, default="#0b5563")  # the header of pages and emails
    waitlist_hold_hours = pw.IntegerField(default=48)  # how long a seat offered from the waitlist is held
    statement_for_location = pw.BooleanField(default=False)  # Transaction History's "Generate Statement ..."
    ledger_for_location = pw.BooleanField(default=False)  # Transaction History's "Generate Ledger ..."
    # Seed 004: every saved method must be authorized for recurring billing; families then neither delete one nor
    # switch the authorization off.
    require_recurring_authorization = pw.BooleanField(default=False)
    echecks = pw.BooleanField(default=False)  # families may save a bank account (Add Payment Method)
    tax_id = pw.CharField(max_length=40, default="")  # shown on statements of amounts paid (tax receipts)
    cancel_waitlist = pw.BooleanField(default=False)  # families may take a student off a waitlist
    show_attendance = pw.BooleanField(default=False)  # Your Student(s) → Attendance
    show_passes = pw.BooleanField(default=False)  # Your Student(s) → Passes
    student_qr_codes = pw.BooleanField(default=False)  # Your Student(s) → QR Codes, and check-in by code

    @classmethod
    def current(cls):
        """The company of this deployment."""
        return _first_company.first()


@prepared
def _first_company():
    return Company.select().order_by(Company.id).limit(1)


class Location(BaseModel):
    name = pw.CharField(max_length=80, unique=True)
    address = pw.CharField(max_length=200, default="")


class Division(BaseModel):
    """A part of the business (a corporate client, a department) with its own billing rules."""

    name = pw.CharField(max_length=80, unique=True)
    subject_to_pending_payment = pw.BooleanField(default=False)
