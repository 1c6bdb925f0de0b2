"""The staff queue of orders in Pending Payment, and each order's status history."""
from peewee import JOIN

from ..billing.cart import with_lines
from ..billing.ledger import order_balances
from ..models import Account, Division, Order, OrderLine, OrderStatusChange, PurchaseOrder, User


def pending_orders(division_id=0, course_id=0, since=None, until=None):
    """Orders in Pending Payment, oldest first, with household, division, lines, PO number and balance."""
    query = (Order.select(Order, Account, Division).join(Account).join(Division, JOIN.LEFT_OUTER)
             .where(Order.state == Order.PENDING_PAYMENT).order_by(Order.created_at, Order.number))
    if division_id:
        query = query.where(Account.division == division_id)
    if course_id:
        query = query.where(Order.id.in_(OrderLine.select(OrderLine.order).where(OrderLine.course == course_id)))
    if since:
        query = query.where(Order.created_at >= since)
    if until:
        query = query.where(Order.created_at < until.fromordinal(until.toordinal() + 1))
    orders = with_lines(list(query))
    ids = [o.id for o in orders]
    balances = order_balances(ids)
    po_numbers = dict(PurchaseOrder.select(PurchaseOrder.order, PurchaseOrder.number)
                      .where(PurchaseOrder.order.in_(ids or [0])).tuples())
    for order in orders:
        order.balance, order.po_number = balances[order.id], po_numbers.get(order.id, "")
    return orders


def status_history(order):
    """Who changed the order's status, when, from which status to which, oldest first."""
    return list(OrderStatusChange.select(OrderStatusChange, User).join(User, JOIN.LEFT_OUTER)
                .where(OrderStatusChange.order == order).order_by(OrderStatusChange.changed_at, OrderStatusChange.id))
