"""What the signed-in user may see: every query about families starts here."""
from dataclasses import dataclass
from functools import cached_property, wraps

from flask import abort, g, has_request_context
from flask_login import current_user, login_required

from peewee import fn

from .models import Account, CartItem, Guardian, Order, Permission, RegistrationItem, Student, StudentLink, User
from .prepared import prepared


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


@dataclass
class Family:
    """The households a user belongs to (with their grants), the cart's count, and the students they may see
    (read when a page first asks for them: a cart or a payment page never does)."""

    memberships: list
    cart_count: int = 0

    @cached_property
    def students(self):
        return _students_of(self.account_ids) if self.memberships else []

    @property
    def account_ids(self):
        return [m.account_id for m in self.memberships]

    @property
    def student_ids(self):
        return [s.id for s in self.students]

    @property
    def may_pay(self):
        return any(m.can_make_payments for m in self.memberships)

    @property
    def may_save_methods(self):
        """Any guardian with portal access keeps payment methods; paying with them takes the payment grant (seed 004)."""
        return bool(self.memberships)

    def may_pay_for(self, account_id):
        """True when the user holds the payment grant in that household."""
        return any(m.can_make_payments for m in self.memberships if m.account_id == account_id)

    @property
    def balance_accounts(self):
        """Households whose balance the user may see."""
        return [m.account for m in self.memberships if m.can_view_balance]


def in_cart(user_id):
    """How many order balances and registrations wait in the user's cart, of households the user may pay for now."""
    paying = Guardian.alias()

    def pays(account):
        return ((paying.account == account) & (paying.user == user_id) & (paying.status == Guardian.ACCEPTED)
                & paying.can_make_payments)

    registrations = (RegistrationItem.select(fn.COUNT(RegistrationItem.id)).join(Student)
                     .join(paying, on=pays(Student.billing_account)).where(RegistrationItem.user == user_id))
    return (CartItem.select(fn.COUNT(CartItem.id) + registrations).join(Order).join(paying, on=pays(Order.account))
            .where(CartItem.user == user_id))


@prepared
def _memberships(user_id):
    return (Guardian.select(Guardian, Account, in_cart(user_id).alias("cart_count")).join(Account)
            .where((Guardian.user == user_id) & (Guardian.status == Guardian.ACCEPTED))
            .order_by(Guardian.is_primary.desc(), Account.name))


def family_student_ids(account_ids):
    """The ids of these households' students, as a subquery: billed to one of them, or linked to one."""
    # One id list of the two ways a student is the family's: PostgreSQL uses both indexes only without an OR.
    billed = Student.select(Student.id).where(Student.billing_account.in_(account_ids))
    linked = StudentLink.select(StudentLink.student).where(StudentLink.account.in_(account_ids))
    return billed | linked


@prepared
def _students_of(account_ids):
    family_students = Student.id.in_(family_student_ids(account_ids))
    return Student.select().where(family_students).order_by(Student.first_name, Student.id)


def _load_family(user_id):
    memberships = _memberships(user_id)
    return Family(memberships, memberships[0].cart_count if memberships else 0)


def family(user=None):
    """The user's Family (the signed-in user's by default), read once per request."""
    user = user or current_user
    if not has_request_context():
        return _load_family(user.id)
    cache = g.setdefault("families", {})
    if user.id not in cache:
        cache[user.id] = _load_family(user.id)
    return cache[user.id]


def remember_family(user, memberships, cart_count):
    """The family as the session check read it, kept for this request."""
    if has_request_context():
        g.setdefault("families", {})[user.id] = Family(memberships, cart_count or 0)


def cart_changed(by=None):
    """The cart changed in this request by `by` items, its count kept in step; else the page drawn next reads the
    family (and its cart count) again."""
    if by is None:
        g.pop("families", None)
    else:
        family().cart_count += by


def student_or_404(user, student_id):
    """One of the user's students; someone else's answers 404."""
    student = next((s for s in family(user).students if s.id == student_id), None)
    if student is None:
        abort(404)
    return student


def permission_codes(user):
    """The user's permission codes, read once per request."""
    if not has_request_context():
        return {p.code for p in user.permissions}
    cache = g.setdefault("permission_codes", {})
    if user.id not in cache:
        cache[user.id] = {p.code for p in user.permissions}
    return cache[user.id]


def may_bill(user):
    """Staff holding "Access Billing Tab"."""
    return user.role == User.STAFF and Permission.ACCESS_BILLING_TAB in permission_codes(user)


def billing_required(view):
    """Staff with "Access Billing Tab"; anyone else 403."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not may_bill(current_user):
            abort(403)
        return view(*args, **kwargs)

    wrapped.needs_billing = True  # the front-desk tests find every billing route by this mark
    return wrapped
