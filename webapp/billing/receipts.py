"""The receipt: each order paid, the amount applied and its new balance; shown and emailed."""
from ..database import write_transaction
from ..models import Allocation, Order
from ..outbox import queue_mail, send_unsent
from .ledger import order_balances


def receipt_lines(payment):
    """[(order, amount applied, balance now)] for a payment, in two queries."""
    allocations = list(Allocation.select(Allocation, Order).join(Order).where(Allocation.payment == payment)
                       .order_by(Order.created_at, Order.number))
    balances = order_balances([a.order_id for a in allocations])
    return [(a.order, a.amount_cents, balances[a.order_id]) for a in allocations]


def send_receipt(payment, company):
    """Keep the receipt in the outbox and send it; a mail failure leaves it unsent, never undoes the payment."""
    if payment.user is None:
        return
    with write_transaction():
        ids = queue_mail([payment.user.email], f"Your receipt from {company.name}", "billing/receipt_email.txt",
                         payment=payment, lines=receipt_lines(payment), company=company)
    send_unsent(ids)
