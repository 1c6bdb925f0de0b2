"""Email opt-outs: an address that opted out gets receipts and security mail only (SPEC: Contacts).

EmailOptOut is the one record of it: the List-Unsubscribe link and My Account's "Email Blasts" switch (contacts) both
write it through these functions, and queue_mail reads it, so what a family sees is what the mailer honours.
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


def opt_in_to_email(address):
    """Take the opt-out back (an address that never opted out is left as it is)."""
    EmailOptOut.delete().where(EmailOptOut.address == address.strip().lower()).execute()


def opted_out_among(addresses):
    """The addresses of these that opted out, in one query."""
    wanted = {a.strip().lower() for a in addresses}
    if not wanted:
        return set()
    return {o.address for o in EmailOptOut.select(EmailOptOut.address).where(EmailOptOut.address.in_(list(wanted)))}


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
