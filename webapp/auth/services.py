"""Passwords and sessions."""
from werkzeug.security import check_password_hash, generate_password_hash

from ..attempts import Limit, count_attempt
from ..database import write_transaction
from ..models import User
from .sessions import end_all_sessions, this_device

# Checked against when the email is unknown, so a wrong email costs as long as a wrong password.
_UNKNOWN_USER_HASH = generate_password_hash("no such user")


class PasswordError(Exception):
    """The password change was refused; the message says why."""


def hash_password(password):
    """A salted scrypt hash (werkzeug's default KDF)."""
    return generate_password_hash(password)


def _password_attempt(email, client_address, what):
    """Count a guess at this account's password; sign-in and Change password share one budget per account and IP."""
    return count_attempt(
        Limit("SIGNIN_LIMIT_PER_ACCOUNT", f"password:{email}", f"Too many {what} attempts for this account."),
        Limit("SIGNIN_LIMIT_PER_IP", f"password-ip:{client_address}", f"Too many {what} attempts from your network."),
    )


def authenticate(email, password, client_address):
    """The user with this email and password, or None; TooManyAttempts before any check once a limit is used up."""
    email = email.strip().lower()
    attempt = _password_attempt(email, client_address, "sign-in")
    user = User.get_or_none(User.email == email)
    if user is None or not user.has_password or user.deactivated_at is not None:  # as slow as a wrong password
        check_password_hash(_UNKNOWN_USER_HASH, password)
        return None
    if not check_password_hash(user.password_hash, password):
        return None
    attempt.give_back()
    return user


def change_password(user, current, new, client_address):
    """Set a new password after checking the current one (a counted attempt); signs out every other device."""
    attempt = _password_attempt(user.email, client_address, "password")
    if not check_password_hash(user.password_hash, current):
        raise PasswordError("That is not your current password.")
    attempt.give_back()
    password_hash = hash_password(new)
    with write_transaction():
        user.password_hash = password_hash
        User.update(password_hash=password_hash).where(User.id == user.id).execute()
        end_all_sessions(user, keep=this_device(user))
