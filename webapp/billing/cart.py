"""The cart: order balances and registrations a guardian means to pay, one payment for all of them."""
from dataclasses import dataclass, field

from flask import abort, g
from flask_login import current_user
from peewee import JOIN, Case, fn

from ..database import write_transaction
from ..prepared import prepared
from ..models import CartItem, Order, OrderLine, RegistrationItem, Student
from ..registration.services import registrations_in_cart
from .ledger import balance_column, payable_online_clause


class CartRefused(Exception):
    """The cart cannot take or give up this order; the message says why."""


@dataclass
class CartLine:
    order: Order
    balance: int  # now, from the ledger
    balance_when_added: int

    @property
    def changed(self):
        return self.balance != self.balance_when_added


@dataclass
class Cart:
    lines: list = field(default_factory=list)  # orders with a balance, oldest first
    paid_off: list = field(default_factory=list)  # orders paid meanwhile: left out, with a message
    registrations: list = field(default_factory=list)  # RegistrationItems: no order until checkout
    placed: list = field(default_factory=list)  # the orders checkout placed the registrations on

    @property
    def registrations_total(self):
        return sum(item.course.price_cents for item in self.registrations)

    @property
    def total(self):
        return sum(line.balance for line in self.lines) + self.registrations_total

    @property
    def changed(self):
        return [line for line in self.lines if line.changed]


def payable_order_or_404(family, number):
    """An order of the user's households, by number; another household's answers 404, a missing grant 403."""
    order = Order.get_or_none((Order.number == number) & Order.account.in_(family.account_ids))
    if order is None:
        abort(404)
    if not family.may_pay_for(order.account_id):
        abort(403)
    return order


@prepared
def _cart_facts(order_id, user_id):
    in_cart = fn.EXISTS(CartItem.select(CartItem.id).where((CartItem.order == Order.id) & (CartItem.user == user_id)))
    payable = Case(None, [(payable_online_clause(), 1)], 0)
    return Order.select(in_cart, payable, balance_column()).where(Order.id == order_id).tuples()


def add_to_cart(user, order):
    """Put the order's balance in the user's cart (once); refuse orders not payable online or paid off. How many
    items it added (0 or 1)."""
    in_cart, payable, balance = _cart_facts(order.id, user.id)[0]
    if in_cart:
        return 0  # already there: the cart shows its current balance, or that it was paid meanwhile
    if not payable:
        raise CartRefused(f"Order #{order.number} cannot be paid online. Please contact the office.")
    if balance <= 0:
        raise CartRefused(f"Order #{order.number} is already paid.")
    with write_transaction():
        return CartItem.insert(user=user, order=order, balance_when_added=int(balance)).on_conflict_ignore(
            ).as_rowcount().execute()


def remove_from_cart(user, order):
    """Take the order out of the user's cart."""
    with write_transaction():
        removed = CartItem.delete().where((CartItem.user == user) & (CartItem.order == order)).execute()
    if not removed:
        raise CartRefused(f"Order #{order.number} is no longer in your cart.")
    return removed


def paying_households(user):
    """Households in which the user holds the payment grant now: a cart row of any other household is left out."""
    from ..access import family

    return [m.account_id for m in family(user).memberships if m.can_make_payments]


@prepared
def _cart_items(user_id, households):
    return (CartItem.select(CartItem, Order, balance_column().alias("balance")).join(Order)
            .where((CartItem.user == user_id) & Order.account.in_(households)).order_by(Order.created_at, Order.number))


def cart_of(user):
    """The user's cart with current balances and its registrations, in three queries whatever its size.

    Only what the user may pay today: a grant revoked or a household left since takes its rows out.
    """
    items = _cart_items(user, paying_households(user))
    with_lines([item.order for item in items])
    cart = Cart(registrations=registrations_in_cart(user))
    for item in items:
        balance = int(item.balance)
        if balance > 0:
            cart.lines.append(CartLine(item.order, balance, item.balance_when_added))
        else:
            cart.paid_off.append(item.order)
    return cart


def cart_count():
    """How many order balances and registrations wait in the signed-in user's cart (the header's count)."""
    from ..access import family
    from ..templating import current_company

    if not current_company().pay_balances_online:  # the cart shows its registrations only: count what it shows
        return len(registrations_in_cart(current_user))
    return family().cart_count


@prepared
def _cart_orders(user_id):
    return CartItem.select(CartItem.order).where(CartItem.user == user_id).tuples()


def cart_order_ids(user):
    """Ids of the orders in the user's cart (for In Cart buttons), in one query."""
    return {order_id for (order_id,) in _cart_orders(user)}


@prepared
def _lines_of(order_ids):
    return (OrderLine.select(OrderLine, Student).join(Student, JOIN.LEFT_OUTER)
            .where(OrderLine.order.in_(order_ids)).order_by(OrderLine.id))


def with_lines(orders):
    """Attach each order's lines (with their students) as `order.items`, in one query."""
    items = {order.id: [] for order in orders}
    if items:
        for line in _lines_of(list(items)):
            items[line.order_id].append(line)
    return summed_up(orders, items)


def summed_up(orders, items):
    """Give each order its lines ({order id: [line]}) as `order.items`, and their one-line summary."""
    for order in orders:
        order.items = items[order.id]
        order.summary = ", ".join(
            line.description + (f" for {line.student.first_name}" if line.student else "") for line in order.items
        )
    return orders
