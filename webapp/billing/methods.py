"""Saved payment methods: at most three per guardian, exactly one default while any are saved."""
from flask import abort

from ..database import write_transaction
from ..models import Guardian, PaymentMethod, User
from ..prepared import prepared


@prepared
def saved_methods(user):
    """The guardian's saved cards, oldest first."""
    return PaymentMethod.select().where(PaymentMethod.user == user).order_by(PaymentMethod.id)


@prepared
def family_methods(user_id, account_ids):
    """Every method on file for the family (seed 004): the user's own first, then each other guardian's of these
    households, each with .user (only its own guardian may change, delete or pay with a method)."""
    guardians = Guardian.select(Guardian.user).where(Guardian.account.in_(account_ids)
                                                      & (Guardian.status == Guardian.ACCEPTED))
    return (PaymentMethod.select(PaymentMethod, User).join(User)
            .where((PaymentMethod.user == user_id) | PaymentMethod.user.in_(guardians))
            .order_by((PaymentMethod.user != user_id), User.name, PaymentMethod.id))


def method_or_404(user, method_id):
    """One of the user's own saved cards; anyone else's answers 404."""
    method = PaymentMethod.get_or_none((PaymentMethod.id == method_id) & (PaymentMethod.user == user))
    if method is None:
        abort(404)
    return method


def make_default(method):
    """This card becomes the one checkout offers first."""
    update_method(method, True, method.recurring)


def delete_method(method):
    """Forget the card; if it was the default, the oldest remaining card takes its place."""
    with write_transaction():
        PaymentMethod.delete().where(PaymentMethod.id == method.id).execute()
        if method.is_default:
            oldest = PaymentMethod.select().where(PaymentMethod.user == method.user_id).order_by(PaymentMethod.id).first()
            if oldest:
                PaymentMethod.update(is_default=True).where(PaymentMethod.id == oldest.id).execute()


def update_method(method, set_default, recurring):
    """Edit's answer: the default moves here if asked; the recurring authorization as given (kept on when the company
    requires it)."""
    from ..models import Company

    with write_transaction():
        if set_default:
            PaymentMethod.update(is_default=(PaymentMethod.id == method.id)).where(
                PaymentMethod.user == method.user_id).execute()
        PaymentMethod.update(recurring=recurring or Company.current().require_recurring_authorization).where(
            PaymentMethod.id == method.id).execute()
