"""Staff and instructor logins: find them, invite one (a set-password link by email), change their role and
permissions, deactivate and reactivate them. Each change is one write transaction; the email leaves after it."""
from flask import abort
from peewee import IntegrityError, fn

from ..auth.links import INVITATION_LIFETIME, issue_link
from ..auth.sessions import end_all_sessions
from ..database import write_transaction
from ..emails.links import site_url
from ..models import OutboxMessage, Permission, User, utcnow
from ..models.access import AccessLink
from ..outbox import deliver, queue_mail
from ..templating import current_company
from ..audit import record

PER_PAGE = 25
ROLES = {User.STAFF: "Staff", User.INSTRUCTOR: "Instructor"}
PERMISSIONS = (Permission.ACCESS_BILLING_TAB, Permission.VIEW_ALL_STUDENT_ENROLLMENTS)
EMAIL_TAKEN = "That email already belongs to a Cubby login."


class UserRefused(Exception):
    """The change cannot be saved as asked; the message says why and the field it belongs to."""

    def __init__(self, field, message):
        super().__init__(message)
        self.field = field


def _staff_and_instructors():
    return User.select().where(User.role.in_(list(ROLES)))


def search(text, page):
    """(staff and instructors of one page by name, each with .codes; how many match; how many pages)."""
    query = _staff_and_instructors()
    for word in (text or "").split()[:5]:  # as the household search: more words only make the query longer
        query = query.where(User.name.contains(word) | User.email.contains(word))
    total = query.count()
    pages = max(1, -(-total // PER_PAGE))
    users = list(query.order_by(fn.LOWER(User.name), User.id).paginate(min(page, pages), PER_PAGE))
    codes = _codes_of([u.id for u in users])
    for user in users:
        user.codes = codes.get(user.id, set())
    return users, total, pages


def _codes_of(user_ids):
    codes = {}
    for permission in Permission.select().where(Permission.user.in_(user_ids or [0])):
        codes.setdefault(permission.user_id, set()).add(permission.code)
    return codes


def staff_user_or_404(user_id):
    """A staff or instructor login, with .codes; a family's login or an unknown id answers 404."""
    user = _staff_and_instructors().where(User.id == user_id).first() or abort(404)
    user.codes = _codes_of([user.id]).get(user.id, set())
    return user


def _refuse_billing_for_instructors(role, codes):
    # may_bill reads the grant only for staff: an instructor holding it would look like billing and open nothing.
    if role != User.STAFF and Permission.ACCESS_BILLING_TAB in codes:
        raise UserRefused("access_billing_tab", "Only staff open the billing tab: make them Staff, or untick it.")


def _set_permissions(user_id, codes):
    Permission.delete().where((Permission.user == user_id) & Permission.code.in_(PERMISSIONS)
                              & Permission.code.not_in(list(codes) or [""])).execute()
    held = {p.code for p in Permission.select().where(Permission.user == user_id)}
    for code in PERMISSIONS:
        if code in codes and code not in held:
            Permission.create(user=user_id, code=code)


def _queue_set_password_mail(user, sent_by):
    """Inside a transaction: a 7-day set-password link for the invited user and the email that carries it."""
    # A Forgot-password link (purpose reset) with an invitation's lifetime: the guardian invitation needs a household.
    secret = issue_link(user, AccessLink.RESET, INVITATION_LIFETIME, sent_by=sent_by)
    company = current_company()
    subject = f"{sent_by.name} invites you to sign in to {company.name}"
    return queue_mail([user.email], subject, "emails/staff_invitation", category=OutboxMessage.SECURITY, user=user,
                      sent_by=sent_by, company=company, role=user.role, days=INVITATION_LIFETIME.days,
                      link=site_url("access.reset_password", secret=secret))


def _as_shown(name, role, codes):
    """A login's audited fields, as the Users page shows them."""
    return {"name": name, "role": ROLES.get(role, role), "permissions": ", ".join(c for c in PERMISSIONS if c in codes)}


def invite_user(staff, name, email, role, codes):
    """A staff or instructor login without a password, its permissions and the emailed link to set one: all or
    nothing. The new User."""
    _refuse_billing_for_instructors(role, codes)
    with write_transaction():
        if User.select().where(User.email == email).exists():  # taken since the form was checked
            raise UserRefused("email", EMAIL_TAKEN)
        try:
            user = User.create(email=email, name=name, role=role, password_hash=User.NO_PASSWORD)
        except IntegrityError as taken:  # PostgreSQL: another invite's row, not committed when we looked
            raise UserRefused("email", EMAIL_TAKEN) from taken
        _set_permissions(user.id, codes)
        record("user", user.id, {k: [None, v] for k, v in {"email": email, **_as_shown(name, role, codes)}.items()},
               "added")
        ids = _queue_set_password_mail(user, staff)
    deliver(ids)
    return user


def send_link_again(staff, user):
    """A new set-password link for an invited user who has not set a password (the earlier link stops working)."""
    with write_transaction():
        waiting = (User.select().where((User.id == user.id) & User.deactivated_at.is_null()
                                       & User.password_hash.startswith(User.NO_PASSWORD)).exists())
        ids = _queue_set_password_mail(user, staff) if waiting else []
    deliver(ids)
    return waiting


def _refuse_changing_oneself(editor, user, role, codes):
    """The signed-in staff user keeps their staff role and the right to manage users: nobody else may give it back."""
    if user.id != editor.id:
        return
    if role != User.STAFF:
        raise UserRefused("role", "You cannot take away your own staff role: ask another staff user.")
    if Permission.ACCESS_BILLING_TAB not in codes:
        raise UserRefused("access_billing_tab", "You cannot take away your own Access Billing Tab: without it you "
                                                "could not manage users any more.")


def save_user(editor, user, name, role, codes):
    """Change a staff or instructor login's name, role and permissions; they hold from that user's next request."""
    _refuse_changing_oneself(editor, user, role, codes)
    _refuse_billing_for_instructors(role, codes)
    with write_transaction():
        was = _as_shown(user.name, user.role, {p.code for p in Permission.select().where(Permission.user == user.id)})
        changed = User.update(name=name, role=role).where(
            (User.id == user.id) & User.role.in_(list(ROLES))).execute()
        if changed != 1:
            abort(404)  # no longer a staff or instructor login
        _set_permissions(user.id, codes)
        now = _as_shown(name, role, codes)
        record("user", user.id, {k: [was[k], v] for k, v in now.items() if was[k] != v})


def deactivate(editor, user):
    """Turn a staff or instructor login off: every session ends and no open link works; False when it was already."""
    if user.id == editor.id:
        raise UserRefused("deactivate", "You cannot deactivate yourself: ask another staff user.")
    with write_transaction():
        changed = User.update(deactivated_at=utcnow()).where(
            (User.id == user.id) & User.role.in_(list(ROLES)) & User.deactivated_at.is_null()).execute()
        if changed == 1:
            record("user", user.id, {"deactivated": [False, True]})
            end_all_sessions(user)
            AccessLink.update(ended_at=utcnow()).where(
                (AccessLink.user == user.id) & AccessLink.used_at.is_null() & AccessLink.ended_at.is_null()).execute()
    return changed == 1


def reactivate(user):
    """Turn a deactivated login back on: it signs in with the password it had; False when it was not deactivated."""
    with write_transaction():
        changed = User.update(deactivated_at=None).where(
            (User.id == user.id) & User.role.in_(list(ROLES)) & User.deactivated_at.is_null(False)).execute()
        if changed == 1:
            record("user", user.id, {"deactivated": [True, False]})
    return changed == 1
