"""What the signed-in user may see: every query about families starts here."""
from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from .models import Account, Guardian, Student, StudentLink, User


def role_required(*roles):
    """Signed in, and one of these roles; otherwise 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def memberships(user):
    """The user's accepted guardian memberships, with their households."""
    return (
        Guardian.select(Guardian, Account)
        .join(Account)
        .where((Guardian.user == user) & (Guardian.status == Guardian.ACCEPTED))
        .order_by(Guardian.is_primary.desc(), Account.name)
    )


def member_account_ids(user):
    """A subquery of the households the user belongs to."""
    return Guardian.select(Guardian.account).where((Guardian.user == user) & (Guardian.status == Guardian.ACCEPTED))


def visible_students(user):
    """Students of the user's households, billing or linked."""
    accounts = member_account_ids(user)
    linked = StudentLink.select(StudentLink.student).where(StudentLink.account.in_(accounts))
    return (
        Student.select()
        .where(Student.billing_account.in_(accounts) | Student.id.in_(linked))
        .order_by(Student.first_name, Student.id)
    )


def student_or_404(user, student_id):
    """One of the user's students; someone else's answers 404."""
    student = visible_students(user).where(Student.id == student_id).first()
    if student is None:
        abort(404)
    return student


def is_staff(user):
    return user.is_authenticated and user.role == User.STAFF
