"""Email opt-outs: an address that opted out gets receipts and security mail only (SPEC: Contacts).

My Account's contacts (another branch) will hold each email's blast opt-in; until then the opt-outs made by the
List-Unsubscribe link live in EmailOptOut. These two functions are the one place that reads and writes them, so
that branch changes only their bodies.
"""
from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from peewee import IntegrityError

from ..database import write_transaction
from ..models import EmailOptOut
from .links import site_url


def email_opted_out(address):
    """True when this address asked for no more mail but receipts and security mail."""
    return EmailOptOut.select().where(EmailOptOut.address == address.strip().lower()).exists()


def opt_out_of_email(address):
    """Record the opt-out (doing it twice changes nothing)."""
    try:
        with write_transaction():
            EmailOptOut.create(address=address.strip().lower())
    except IntegrityError:
        pass


def _serializer():
    return URLSafeSerializer(current_app.secret_key, salt="email-unsubscribe")


def unsubscribe_url(address):
    """The link in a reminder that opts its address out; signed, so it names only the address it was sent to."""
    return site_url("emails.unsubscribe", token=_serializer().dumps(address))


def address_of(token):
    """The address an unsubscribe token was made for, or None when it is not one of ours."""
    try:
        address = _serializer().loads(token)
    except BadSignature:
        return None
    return address if isinstance(address, str) else None
