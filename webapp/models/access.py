"""Getting in: the devices a user is signed in on, and the emailed links that set a password."""
import hashlib
import secrets

import peewee as pw

from .base import BaseModel, utcnow
from .people import Guardian, User


def new_secret():
    """A random secret for a cookie or a link; only its hash is stored."""
    return secrets.token_urlsafe(32)


def secret_hash(secret):
    """SHA-256 of a random secret: enough for 256 random bits, and a stolen table opens no session or link."""
    return hashlib.sha256(secret.encode()).hexdigest()


class UserSession(BaseModel):
    """One device a user is signed in on; the cookie holds the secret whose hash names the row."""

    user = pw.ForeignKeyField(User, backref="sessions", on_delete="CASCADE")
    secret_hash = pw.CharField(max_length=64, unique=True)
    user_agent = pw.CharField(max_length=300, default="")
    created_at = pw.DateTimeField(default=utcnow)
    last_seen_at = pw.DateTimeField(default=utcnow)


class AccessLink(BaseModel):
    """An emailed single-use link: a password reset (also how a family that never signed in starts) or an
    invitation of a guardian to a household."""

    RESET = "reset"
    INVITATION = "invitation"

    purpose = pw.CharField(max_length=16)
    user = pw.ForeignKeyField(User, backref="access_links", on_delete="CASCADE")
    guardian = pw.ForeignKeyField(Guardian, null=True, backref="invitations", on_delete="CASCADE")
    sent_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    secret_hash = pw.CharField(max_length=64, unique=True)
    created_at = pw.DateTimeField(default=utcnow)
    expires_at = pw.DateTimeField()
    used_at = pw.DateTimeField(null=True)
    ended_at = pw.DateTimeField(null=True)  # a newer link replaced it, or the invitation was revoked
    asked_again_at = pw.DateTimeField(null=True)  # the invited guardian asked for a new invitation
