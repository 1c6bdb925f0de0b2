"""Emailed single-use links that set a password: Forgot password (also how a family that never signed in
starts) and a guardian's invitation. The link holds a random secret; only its hash is stored."""
import datetime

from peewee import JOIN

from ..attempts import Limit, count_attempt
from ..database import write_transaction
from ..emails.links import site_url
from ..models import Account, Guardian, OutboxMessage, User, utcnow
from ..models.access import AccessLink, new_secret, secret_hash
from ..outbox import deliver, queue_mail
from ..templating import current_company
from .sessions import end_all_sessions

RESET_LIFETIME = datetime.timedelta(hours=1)
INVITATION_LIFETIME = datetime.timedelta(days=7)


class LinkError(Exception):
    """The link cannot be used; `state` says why (unknown, used, expired, ended) and the message says so."""

    MESSAGES = {
        "unknown": "This link is not one Cubby sent, or it was copied only in part.",
        "used": "This link has already been used.",
        "expired": "This link has expired.",
        "ended": "This link was replaced by a newer one or withdrawn.",
    }

    def __init__(self, state, link=None):
        self.state, self.link = state, link
        super().__init__(self.MESSAGES[state])


def issue_link(user, purpose, lifetime, guardian=None, sent_by=None):
    """Inside a transaction: a new link for the user, ending the earlier open ones of that purpose; its secret."""
    now = utcnow()
    AccessLink.update(ended_at=now).where(
        (AccessLink.user == user.id) & (AccessLink.purpose == purpose) & AccessLink.used_at.is_null()
        & AccessLink.ended_at.is_null()).execute()
    secret = new_secret()
    AccessLink.create(purpose=purpose, user=user, guardian=guardian, sent_by=sent_by, secret_hash=secret_hash(secret),
                      created_at=now, expires_at=now + lifetime)
    return secret


def open_link(secret, purpose):
    """The link with this secret, its user (and for an invitation its household and inviter); LinkError otherwise."""
    sender = User.alias()
    link = (AccessLink.select(AccessLink, User, Guardian, Account, sender)
            .join(User, on=(AccessLink.user == User.id))
            .join_from(AccessLink, Guardian, JOIN.LEFT_OUTER, on=(AccessLink.guardian == Guardian.id))
            .join(Account, JOIN.LEFT_OUTER, on=(Guardian.account == Account.id))
            .join_from(AccessLink, sender, JOIN.LEFT_OUTER, on=(AccessLink.sent_by == sender.id), attr="sender")
            .where((AccessLink.secret_hash == secret_hash(secret or "")) & (AccessLink.purpose == purpose))
            .first())
    if link is None:
        raise LinkError("unknown")
    if link.used_at is not None:
        raise LinkError("used", link)
    if (link.ended_at is not None or link.user.deactivated_at is not None
            or (link.guardian_id and link.guardian.status == Guardian.REVOKED)):
        raise LinkError("ended", link)
    if link.expires_at <= utcnow():
        raise LinkError("expired", link)
    return link


def use_link(link):
    """Inside a transaction: mark the link used, once; LinkError when another request used or ended it first."""
    changed = AccessLink.update(used_at=utcnow()).where(
        (AccessLink.id == link.id) & AccessLink.used_at.is_null() & AccessLink.ended_at.is_null()
        & (AccessLink.expires_at > utcnow())).execute()
    if changed != 1:
        raise LinkError("used", link)


def queue_reset_mail(user, asked_by=None):
    """Inside a transaction: a reset link for the user and the email that carries it (security mail: always sent)."""
    secret = issue_link(user, AccessLink.RESET, RESET_LIFETIME, sent_by=asked_by)
    subject = (f"Set your {current_company().name} password" if user.has_password
               else f"Start using {current_company().name}'s family portal")
    return queue_mail([user.email], subject, "emails/password_reset", category=OutboxMessage.SECURITY, user=user,
                      asked_by=asked_by, link=site_url("access.reset_password", secret=secret),
                      minutes=int(RESET_LIFETIME.total_seconds() // 60))


def request_reset(email, client_address):
    """Forgot password: email a reset link when an account uses the address; the same answer when none does.

    Counted per address and per network before anything is looked up (TooManyAttempts when used up), so the link
    cannot be used to flood someone's inbox.
    """
    email = email.strip().lower()
    count_attempt(
        Limit("RESET_LIMIT_PER_ACCOUNT", f"reset:{email}", "Too many password emails asked for this address."),
        Limit("RESET_LIMIT_PER_IP", f"reset-ip:{client_address}", "Too many password emails asked from your network."),
    )
    with write_transaction():
        user = User.get_or_none((User.email == email) & User.deactivated_at.is_null())
        ids = queue_reset_mail(user) if user is not None else []
    deliver(ids)


def reset_password(secret, new_password):
    """Set a new password through a reset link, once; every session of the user ends. The user, or LinkError."""
    from .services import hash_password

    password_hash = hash_password(new_password)  # scrypt outside the write lock
    with write_transaction():
        link = open_link(secret, AccessLink.RESET)
        use_link(link)
        user = link.user
        user.password_hash = password_hash
        User.update(password_hash=password_hash).where(User.id == user.id).execute()
        end_all_sessions(user)
    return user
