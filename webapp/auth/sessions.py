"""Sessions, one per device: the cookie holds a random secret, the database its hash, the device and when it was
last seen."""
import datetime

from flask import request, session
from flask_login import login_user

from peewee import JOIN

from ..access import in_cart, remember_family
from ..models import Account, Company, Guardian, User, utcnow
from ..models.access import UserSession, new_secret, secret_hash
from ..prepared import prepared

SEEN_EVERY = datetime.timedelta(minutes=1)  # last seen is written at most this often, so reads rarely write


@prepared
def _user_by_secret(hashed):
    """A row per household the user belongs to (one with no membership when none): the company, the device and the
    family with its cart count come in the query that checks the session, so a family page needs none of its own."""
    first = Company.select(Company.id).order_by(Company.id).limit(1)
    accepted = (Guardian.user == User.id) & (Guardian.status == Guardian.ACCEPTED)
    return (User.select(User, Company, UserSession, Guardian, Account, in_cart(User.id).alias("cart_count"))
            .join(UserSession, on=(UserSession.user == User.id), attr="device")
            .join_from(User, Company, on=(Company.id == first), attr="company")
            .join_from(User, Guardian, JOIN.LEFT_OUTER, on=accepted, attr="membership")
            .join_from(Guardian, Account, JOIN.LEFT_OUTER)
            .where((UserSession.secret_hash == hashed) & User.deactivated_at.is_null())
            .order_by(Guardian.is_primary.desc(), Account.name))


def user_for_device(secret):
    """The user signed in on the device whose cookie holds this secret, or None; notes when it was last seen."""
    if not isinstance(secret, str) or not secret:
        return None
    rows = _user_by_secret(secret_hash(secret))
    if not rows:
        return None
    user = rows[0]
    remember_family(user, [row.membership for row in rows if row.membership is not None], user.cart_count)
    user.device_secret = secret
    now = utcnow()
    if user.device.last_seen_at < now - SEEN_EVERY:
        UserSession.update(last_seen_at=now).where(
            (UserSession.id == user.device.id) & (UserSession.last_seen_at < now - SEEN_EVERY)).execute()
        user.device.last_seen_at = now
    return user


def start_session(user, remember=False):
    """Sign the user in on this device: a fresh session (nothing from before carries over) and a new row."""
    secret = new_secret()
    UserSession.create(user=user, secret_hash=secret_hash(secret),
                       user_agent=(request.headers.get("User-Agent") or "")[:300])
    user.device_secret = secret
    session.clear()
    login_user(user, remember=remember)


def this_device(user):
    """The id of the session row of the device this request comes from, or None."""
    device = getattr(user, "device", None)
    return device.id if device is not None else None


def end_session(user, session_id):
    """Sign one of the user's devices out; False when it is not one of theirs (or already gone)."""
    return UserSession.delete().where((UserSession.id == session_id) & (UserSession.user == user.id)).execute() == 1


def end_all_sessions(user, keep=None):
    """Sign the user out on every device (but `keep`, a session id): their next request is signed out."""
    query = UserSession.delete().where(UserSession.user == user.id)
    if keep is not None:
        query = query.where(UserSession.id != keep)
    return query.execute()


def active_sessions(user):
    """The user's devices, the one seen most recently first."""
    return list(UserSession.select().where(UserSession.user == user.id)
                .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc()))


def device_name(user_agent):
    """A short name for a browser from its User-Agent: "Safari on iPhone", "Chrome on Windows"."""
    ua = user_agent or ""
    system = next((name for key, name in (("iPhone", "iPhone"), ("iPad", "iPad"), ("Android", "Android"),
                                          ("Windows", "Windows"), ("Macintosh", "Mac"), ("CrOS", "Chromebook"),
                                          ("Linux", "Linux")) if key in ua), None)
    browser = next((name for key, name in (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"),
                                           ("Chrome/", "Chrome"), ("Chromium/", "Chromium"), ("Safari/", "Safari"))
                    if key in ua), None)
    if browser and system:
        return f"{browser} on {system}"
    return browser or system or "Unknown device"


