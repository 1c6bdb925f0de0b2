"""A household's contacts: who each email, phone and mailing address belongs to, and the changes families make.

A guardian may change a value linked to themselves or to no one (Unassigned); a primary guardian also those of a
guardian who has not accepted an invitation yet (seed 004: once accepted, only that guardian edits their own).
"""
from dataclasses import dataclass, field

from flask import abort
from peewee import IntegrityError

from ..database import write_transaction
from ..emails.opt_outs import opt_in_to_email, opt_out_of_email, opted_out_among
from ..models import ContactEmail, ContactPhone, Guardian, MailingAddress, User

KINDS = {"email": ContactEmail, "phone": ContactPhone, "address": MailingAddress}
LABELS = {"email": "Email", "phone": "Phone", "address": "Mailing Address"}


class ContactError(Exception):
    """A change refused, with the message for the field it is about."""

    def __init__(self, field_name, message):
        super().__init__(message)
        self.field_name = field_name


@dataclass
class Column:
    """One guardian's contacts (guardian None: the Unassigned column)."""

    guardian: Guardian = None
    login_email: str = ""
    emails: list = field(default_factory=list)
    phones: list = field(default_factory=list)
    addresses: list = field(default_factory=list)


def membership_or_404(user, account_id):
    """The user's accepted membership of that household; any other household answers 404."""
    from ..access import family

    membership = next((m for m in family(user).memberships if m.account_id == account_id), None)
    if membership is None:
        abort(404)
    return membership


def household_guardians(account_id):
    """The household's guardians with their users, primary first."""
    return list(Guardian.select(Guardian, User).join(User).where(Guardian.account == account_id)
                .order_by(Guardian.is_primary.desc(), User.name))


def may_edit_for(membership, guardian):
    """True when this member may change values linked to that guardian (None: Unassigned)."""
    if guardian is None or guardian.user_id == membership.user_id:
        return True
    return membership.is_primary and guardian.status != Guardian.ACCEPTED


def assignable(membership, guardians):
    """The guardians this member may link a value to."""
    return [g for g in guardians if may_edit_for(membership, g)]


def account_information(account_id):
    """The household's columns, one per guardian then Unassigned, and the opted-out addresses: five queries."""
    guardians = household_guardians(account_id)
    columns = {g.id: Column(g, g.user.email) for g in guardians}
    unassigned = Column()
    for kind, model in KINDS.items():
        for value in model.select().where(model.account == account_id).order_by(model.id):
            getattr(columns.get(value.guardian_id, unassigned), kind + ("es" if kind == "address" else "s")).append(value)
    addresses = [c.login_email for c in columns.values()] + [e.address for c in [*columns.values(), unassigned]
                                                             for e in c.emails]
    return list(columns.values()), unassigned, opted_out_among(addresses)


def contact_or_404(user, kind, contact_id):
    """One contact of a household the user belongs to, with that membership; someone else's answers 404."""
    from ..access import family

    model = KINDS[kind]
    account_ids = family(user).account_ids
    value = model.get_or_none((model.id == contact_id) & model.account.in_(account_ids or [0])) or abort(404)
    return value, membership_or_404(user, value.account_id)


def editable_or_403(membership, value):
    """The guardian the value is linked to, when the member may change it; 403 otherwise."""
    guardian = Guardian.get_or_none(Guardian.id == value.guardian_id) if value.guardian_id else None
    if not may_edit_for(membership, guardian):
        abort(403)
    return guardian


def _guardian_for(membership, guardian_id):
    """The guardian to link to (None: Unassigned), checked against what the member may assign."""
    if not guardian_id:
        return None
    guardian = Guardian.get_or_none((Guardian.id == guardian_id) & (Guardian.account == membership.account_id))
    if guardian is None or not may_edit_for(membership, guardian):
        raise ContactError("guardian", "Choose one of the guardians listed.")
    return guardian


def _login_emails(account_id):
    return {u.email for u in User.select(User.email).join(Guardian).where(Guardian.account == account_id)}


def save_contact(membership, kind, value, guardian_id, email_blasts=True, sms=True, **fields):
    """Add (value None) or change one contact of the member's household; returns it."""
    model = KINDS[kind]
    with write_transaction():
        guardian = _guardian_for(membership, guardian_id)
        if kind == "email" and fields["address"] in _login_emails(membership.account_id):
            raise ContactError("address", "That is a guardian's login email; it is listed already.")
        if kind == "phone":
            fields["sms_opted_out"] = not sms
        if value is None:
            value = model(account=membership.account_id, **fields)
        else:
            for name, new in fields.items():
                setattr(value, name, new)
        value.guardian = guardian
        key = {"email": "address", "phone": "number"}.get(kind, "street")
        try:
            with write_transaction():
                saved = value.save()
        except IntegrityError as taken:
            raise ContactError(key, "That is on your account already.") from taken
        if saved != 1:  # deleted on another device meanwhile: nothing was written
            raise ContactError(key, "This was deleted meanwhile; add it again if it is still wanted.")
        if kind == "email":
            set_email_blasts(value.address, email_blasts)
    return value


def set_email_blasts(address, wanted):
    """Email Blasts on or off for an address: the mailer's own opt-out record (EmailOptOut)."""
    with write_transaction():
        (opt_in_to_email if wanted else opt_out_of_email)(address)


def delete_contact(kind, value):
    """Delete one contact (an email's opt-out stays: only its owner's switch takes it back)."""
    with write_transaction():
        KINDS[kind].delete().where(KINDS[kind].id == value.id).execute()


def reassign_contact(membership, kind, value, guardian_id):
    """Link a value to another guardian of the household, or to no one."""
    with write_transaction():
        guardian = _guardian_for(membership, guardian_id)
        model = KINDS[kind]
        changed = model.update(guardian=guardian).where(
            (model.id == value.id) & (model.account == membership.account_id)).execute()
        if changed != 1:
            raise ContactError("guardian", "That value was deleted meanwhile.")
    return guardian
