"""Send Bill (Purchase Order): the cart's registrations become an order on account, billed to a PO number.

The order balances in the same cart stay there, to be paid by card at the same checkout.

When the household or its division is subject to Pending Payment, the order and its enrollments go to
Pending Payment (the seat stays reserved) and the "Pending Payment Notification" is emailed after the commit.
"""
from peewee import IntegrityError

from ..database import write_transaction
from ..models import Enrollment, LedgerEntry, LineCategory, Order, OrderLine, PurchaseOrder, RegistrationItem
from ..outbox import deliver, queue_mail
from ..pending.services import (
    PENDING_NOTIFICATION, billing_email_recipients, has_pending_payment, record_change, subject_to_pending_payment,
)
from ..registration.services import RegistrationRefused, enroll, registrations_in_cart
from .charges import ChargeRefused, check_max_unpaid_balance, next_order_number
from .checkout import cancel_abandoned
from .ledger import lock_households


class SendBillRefused(Exception):
    """Send Bill cannot go ahead; the message says why and nothing was stored."""


def send_bill(company, user, family, po_number):
    """Check out the cart's registrations with Send Bill: one order per household. Returns the orders."""
    if not company.send_bill:
        raise SendBillRefused("This business does not take purchase orders.")
    if has_pending_payment(family.account_ids):
        raise SendBillRefused("You have an order in Pending Payment, so Send Bill is not available until it is paid.")
    for attempt in (1, 2):
        try:
            orders, message_ids = _place_orders(company, user, po_number)
            break
        except IntegrityError:  # another checkout took the same order number meanwhile
            if attempt == 2:
                raise SendBillRefused("Many orders are being placed right now; nothing was stored. Please try again.") from None
    deliver(message_ids)
    return orders


def _place_orders(company, user, po_number):
    """One write transaction: an order per household for the cart's registrations. Returns (orders, message ids)."""
    message_ids, orders = [], []
    try:
        with write_transaction():
            cancel_abandoned(user)  # a card checkout the user left unfinished gives its registrations back
            items = registrations_in_cart(user)
            if not items:
                raise SendBillRefused("Your cart has no registrations to bill.")
            if any(item.order_id for item in items):
                raise SendBillRefused("Your registrations are being paid by card right now; nothing was stored.")
            lock_households({item.student.billing_account_id for item in items})  # Max Unpaid Balance reads them
            by_account = {}
            for item in items:
                by_account.setdefault(item.student.billing_account_id, []).append(item)
            for account_items in by_account.values():
                order, ids = _place_order(company, user, account_items, po_number)
                orders.append(order)
                message_ids += ids
            RegistrationItem.delete().where(RegistrationItem.id.in_([i.id for i in items])).execute()
    except (RegistrationRefused, ChargeRefused) as refused:
        raise SendBillRefused(str(refused)) from None
    return orders, message_ids


def _place_order(company, user, items, po_number):
    """Inside the write transaction: the order, its lines and charges, the enrollments, the PO and the emails."""
    account = items[0].student.billing_account
    pending = subject_to_pending_payment(account)
    check_max_unpaid_balance(company, account.id, [(i.student_id, i.course.price_cents) for i in items])
    state = Order.PENDING_PAYMENT if pending else Order.ON_ACCOUNT
    # The seats first: each course stays locked until the commit, always taken in course order so that two
    # checkouts of the same courses never wait on each other crosswise.
    for item in sorted(items, key=lambda i: i.course_id):
        enroll(item.course, item.student, Enrollment.PENDING_PAYMENT if pending else Enrollment.REGISTERED)
    order = Order.create(number=next_order_number(), account=account, channel=Order.ONLINE, created_by=user,
                         state=state, on_account=True)
    tuition = LineCategory.default_id(LineCategory.TUITION)
    for item in items:
        description = item.course.name
        OrderLine.create(order=order, description=description, amount_cents=item.course.price_cents,
                         student=item.student, course=item.course, category=tuition)
        LedgerEntry.create(account=account, kind=LedgerEntry.CHARGE, amount_cents=item.course.price_cents, order=order,
                           student=item.student, location=item.course.location_id, memo=description, created_by=user)
    PurchaseOrder.create(order=order, number=po_number, purchaser=user)
    ids = record_change(order, "", state, user, f"Send Bill, PO {po_number}", notify=False)
    if pending:
        ids += queue_mail(billing_email_recipients("pending_payment", order), f"{PENDING_NOTIFICATION}: order #{order.number}",
                          "emails/pending_payment", order=order, items=items, po_number=po_number)
    return order, ids
