"""The receipt: each order paid, the amount applied and its new balance; shown and emailed."""
import logging

from flask import render_template
from flask_mailman import EmailMessage

from ..models import Allocation, Order
from .ledger import order_balances

log = logging.getLogger(__name__)


def receipt_lines(payment):
    """[(order, amount applied, balance now)] for a payment, in two queries."""
    allocations = list(Allocation.select(Allocation, Order).join(Order).where(Allocation.payment == payment)
                       .order_by(Order.created_at, Order.number))
    balances = order_balances([a.order_id for a in allocations])
    return [(a.order, a.amount_cents, balances[a.order_id]) for a in allocations]


def send_receipt(payment, company):
    """Email the receipt to the payer; a mail failure is logged, never undoes the payment."""
    if payment.user is None:
        return
    body = render_template("billing/receipt_email.txt", payment=payment, lines=receipt_lines(payment), company=company)
    try:
        EmailMessage(subject=f"Your receipt from {company.name}", body=body, to=[payment.user.email]).send()
    except Exception:  # noqa: BLE001 (the payment stands whatever the mail server does)
        log.exception("receipt email for payment %s was not sent", payment.key)
