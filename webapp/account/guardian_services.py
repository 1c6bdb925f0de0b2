"""Guardians of a household: who may log in, invitations, revoking, grants, and who may edit whose details."""
from flask import abort
from peewee import IntegrityError, fn

from ..auth.links import (INVITATION_LIFETIME, LinkError, issue_link, open_link, queue_reset_mail, use_link)
from ..auth.sessions import end_all_sessions
from ..database import write_transaction
from ..emails.links import site_url
from ..models import Account, Guardian, OutboxMessage, User, utcnow
from ..models.access import AccessLink
from ..outbox import deliver, queue_mail
from ..templating import current_company

ACCESS_INDICATORS = {Guardian.ACCEPTED: "Can Log In", Guardian.INVITED: "Invite Sent", Guardian.REVOKED: "Invite Revoked"}
GRANTS = ("can_make_payments", "can_view_balance", "can_view_transactions")


class GuardianError(Exception):
    """The change was refused; the message says why."""


def guardians_of(account_ids):
    """Every guardian of these households with their user, primary guardians first, then by name."""
    if not account_ids:
        return []
    return list(Guardian.select(Guardian, User, Account).join(User).join_from(Guardian, Account)
                .where(Guardian.account.in_(account_ids))
                .order_by(Account.name, Guardian.is_primary.desc(), fn.LOWER(User.name), Guardian.id))


def guardian_or_404(family, guardian_id):
    """A guardian of one of the user's households (with user and household); anyone else's answers 404."""
    guardian = (Guardian.select(Guardian, User, Account).join(User).join_from(Guardian, Account)
                .where((Guardian.id == guardian_id) & Guardian.account.in_(family.account_ids or [0])).first())
    if guardian is None:
        abort(404)
    return guardian


def require_primary(family, account_id):
    """The user's membership of the household when it is the primary guardian's; otherwise 403."""
    membership = next((m for m in family.memberships if m.account_id == account_id), None)
    if membership is None:
        abort(404)
    if not membership.is_primary:
        abort(403)
    return membership


def may_edit_details(user, guardian):
    """Seed 004: the primary guardian edits a secondary's details until that guardian accepts; then only they do."""
    if guardian.user_id == user.id:
        return True
    return not guardian.user.has_password and not guardian.is_primary


def queue_invitation(guardian, sent_by):
    """Inside a transaction: a 7-day invitation link for the guardian and the email that carries it; the mail ids."""
    secret = issue_link(guardian.user, AccessLink.INVITATION, INVITATION_LIFETIME, guardian=guardian, sent_by=sent_by)
    company = current_company()
    return queue_mail([guardian.user.email], f"{sent_by.name} invites you to {company.name}'s family portal",
                      "emails/invitation", category=OutboxMessage.SECURITY, guardian=guardian, sent_by=sent_by,
                      household=guardian.account, company=company, days=INVITATION_LIFETIME.days,
                      link=site_url("access.invitation", secret=secret))


FAMILY_EMAIL_TAKEN = "That email already belongs to a Cubby login. Ask the office to add it to your household."


def post_guardian(account, sent_by, name, email, relation, invite, taken=FAMILY_EMAIL_TAKEN):
    """Inside a write transaction: a secondary guardian's login (no password) in the household, and their invitation
    when asked; (the Guardian, the mail ids). An email any login holds is refused with `taken`."""
    if User.select().where(User.email == email).exists():
        raise GuardianError(taken)
    try:
        user = User.create(email=email, name=name, role=User.PATRON, password_hash=User.NO_PASSWORD)
    except IntegrityError as held:  # PostgreSQL: another request's login, not committed when we looked
        raise GuardianError(taken) from held
    guardian = Guardian.create(user=user, account=account.id, relation=relation,
                               status=Guardian.INVITED if invite else Guardian.ADDED)
    guardian.user, guardian.account = user, account
    return guardian, queue_invitation(guardian, sent_by) if invite else []


def add_guardian(primary, name, email, relation, invite):
    """Add a guardian to the primary guardian's household, invited to log in at once when asked; the Guardian."""
    with write_transaction():
        guardian, ids = post_guardian(primary.account, primary.user, name, email, relation, invite)
    deliver(ids)
    return guardian


def send_invitation(primary, guardian):
    """Send Invite Email / Re-Send Invite Email: a new 7-day link (the earlier one stops working)."""
    with write_transaction():
        changed = Guardian.update(status=Guardian.INVITED).where(
            (Guardian.id == guardian.id) & ~Guardian.is_primary
            & Guardian.status.in_([Guardian.ADDED, Guardian.INVITED, Guardian.REVOKED])).execute()
        if changed != 1:
            raise GuardianError(f"{guardian.user.name} can log in already: use Reset Password to send them a link.")
        ids = queue_invitation(guardian, primary.user)
    deliver(ids)


def revoke(guardian):
    """Revoke a secondary guardian's access: their invitation link stops working and every session of theirs ends."""
    with write_transaction():
        changed = Guardian.update(status=Guardian.REVOKED).where(
            (Guardian.id == guardian.id) & ~Guardian.is_primary
            & Guardian.status.in_([Guardian.INVITED, Guardian.ACCEPTED])).execute()
        if changed != 1:
            raise GuardianError(f"{guardian.user.name} has no access to revoke.")
        AccessLink.update(ended_at=utcnow()).where(
            (AccessLink.guardian == guardian.id) & AccessLink.used_at.is_null() & AccessLink.ended_at.is_null()
        ).execute()
        end_all_sessions(guardian.user)


def send_password_reset(primary, guardian):
    """Reset Password: email the guardian a link to set a new password; nobody else sees or sets it."""
    if guardian.is_primary or guardian.status != Guardian.ACCEPTED or not guardian.user.has_password:
        raise GuardianError(f"{guardian.user.name} cannot log in yet: send an invitation instead.")
    with write_transaction():
        ids = queue_reset_mail(guardian.user, asked_by=primary.user)
    deliver(ids)


def set_grants(guardian, grants):
    """The primary guardian's grants to a secondary guardian; they hold from that guardian's next request."""
    if guardian.is_primary:
        raise GuardianError("The primary guardian holds every grant.")
    with write_transaction():
        Guardian.update(**{name: bool(grants.get(name)) for name in GRANTS}).where(
            (Guardian.id == guardian.id) & ~Guardian.is_primary).execute()


def edit_details(editor, guardian, name, email):
    """Change a guardian's name and email, when the editor may (may_edit_details); a new email ends old links."""
    if not may_edit_details(editor, guardian):
        abort(403)
    with write_transaction():
        if email != guardian.user.email and User.select().where(User.email == email).exists():
            raise GuardianError("That email already belongs to a Cubby login.")
        User.update(name=name, email=email).where(User.id == guardian.user_id).execute()
        if email != guardian.user.email:  # a link mailed to the old address must not open the account
            AccessLink.update(ended_at=utcnow()).where(
                (AccessLink.user == guardian.user_id) & AccessLink.used_at.is_null() & AccessLink.ended_at.is_null()
            ).execute()


def accept_invitation(secret, name, password_hash):
    """Set the invited guardian's name and password through their link, once; the user, or LinkError."""
    with write_transaction():
        link = open_link(secret, AccessLink.INVITATION)
        use_link(link)
        changed = Guardian.update(status=Guardian.ACCEPTED).where(
            (Guardian.id == link.guardian_id) & (Guardian.status == Guardian.INVITED)).execute()
        if changed != 1:
            raise LinkError("ended", link)
        user = link.user
        user.name, user.password_hash = name, password_hash
        User.update(name=name, password_hash=password_hash).where(User.id == user.id).execute()
    return user


def ask_for_new_invitation(link):
    """The invited guardian asks the one who invited them for a new link (once per link); True when asked now."""
    if link.guardian_id is None or link.sent_by_id is None:
        return False
    with write_transaction():
        changed = AccessLink.update(asked_again_at=utcnow()).where(
            (AccessLink.id == link.id) & AccessLink.asked_again_at.is_null()).execute()
        by_staff = link.sender.role == User.STAFF  # staff invited a new household's primary guardian
        where = (site_url("staff_households.household", account_id=link.guardian.account_id) if by_staff
                 else site_url("guardians.index"))
        ids = queue_mail([link.sender.email], f"{link.user.name} asks for a new invitation",
                         "emails/invitation_asked_again", guardian=link.guardian, invitee=link.user, link=where,
                         by_staff=by_staff) if changed == 1 else []
    deliver(ids)
    return changed == 1
