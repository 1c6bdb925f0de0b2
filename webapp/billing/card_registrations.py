"""Registrations paid by card: placed on orders before the gateway is called, settled or given back after.

While the payment is open each registration's cart row points at its new order and holds the seat (the seat
count sees it); the enrollment is created, Registered, only when the money is in. A declined, cancelled or
abandoned payment cancels the new orders (their charges voided by correcting entries) and frees the rows.
"""
from ..models import Allocation, LedgerEntry, LineCategory, Order, OrderLine, RegistrationItem
from ..pending.services import record_change
from ..registration.services import hold_seat, register_held
from .charges import next_order_number
from .ledger import order_balances


def place_registrations(user, items):
    """Inside the checkout's write transaction: one order per household, seats held. Returns the orders (with .balance)."""
    by_account = {}
    for item in sorted(items, key=lambda i: (i.course_id, i.id)):  # courses locked in one order: no deadlock
        by_account.setdefault(item.student.billing_account_id, []).append(item)
    orders, tuition = [], LineCategory.default_id(LineCategory.TUITION)
    for account_id, account_items in by_account.items():
        order = Order.create(number=next_order_number(), account=account_id, channel=Order.ONLINE, created_by=user,
                             state=Order.OPEN)
        for item in account_items:
            hold_seat(item, order)
            OrderLine.create(order=order, description=item.course.name, amount_cents=item.course.price_cents,
                             student=item.student, course=item.course, category=tuition)
            LedgerEntry.create(account=account_id, kind=LedgerEntry.CHARGE, amount_cents=item.course.price_cents,
                               order=order, student=item.student, location=item.course.location_id,
                               memo=item.course.name, created_by=user)
        record_change(order, "", Order.OPEN, user, "Card checkout", notify=False)
        order.balance = sum(item.course.price_cents for item in account_items)
        orders.append(order)
    return orders


def _held_by(payment):
    paid_orders = Allocation.select(Allocation.order).where(Allocation.payment == payment)
    return list(RegistrationItem.select().where(RegistrationItem.order.in_(paid_orders)))


def register_paid(payment, user):
    """Inside the settling transaction: the payment's registrations become Registered and their orders Complete."""
    _register(_held_by(payment), user, "Paid by card")


def register_free(orders, user):
    """Inside the checkout's transaction: registrations that cost nothing are Registered at once, with no payment."""
    free = [order.id for order in orders if order.balance == 0]
    _register(list(RegistrationItem.select().where(RegistrationItem.order.in_(free))) if free else [], user,
              "Free registration")


def _register(items, user, note):
    for item in items:
        register_held(item)
    for order_id in {item.order_id for item in items}:
        _move(order_id, Order.COMPLETE, user, note)


def give_back(payment, user, why):
    """Inside the releasing transaction: cancel the payment's new orders, free their seats, keep the registrations."""
    items = _held_by(payment)
    order_ids = {item.order_id for item in items}
    if not order_ids:
        return
    RegistrationItem.update(order=None).where(RegistrationItem.id.in_([i.id for i in items])).execute()
    balances = order_balances(list(order_ids))
    charges = LedgerEntry.select().where(LedgerEntry.order.in_(list(order_ids)) & (LedgerEntry.kind == LedgerEntry.CHARGE))
    voiding = {order_id: balances[order_id] for order_id in order_ids}
    for charge in charges.order_by(LedgerEntry.id):
        amount = min(charge.amount_cents, max(voiding[charge.order_id], 0))  # never void below what is owed
        if amount:
            LedgerEntry.create(account=charge.account_id, kind=LedgerEntry.VOID, amount_cents=-amount,
                               order=charge.order_id, student=charge.student_id, location=charge.location_id,
                               memo=f"{charge.memo}: {why}", created_by=user)
            voiding[charge.order_id] -= amount
    for order_id in order_ids:
        _move(order_id, Order.CANCELLED, user, why)


def _move(order_id, to_state, user, note):
    """A checkout order leaves Open once: the change and its audit row, or nothing when it moved already."""
    if Order.update(state=to_state).where((Order.id == order_id) & (Order.state == Order.OPEN)).execute():
        record_change(Order.get_by_id(order_id), Order.OPEN, to_state, user, note, notify=False)
