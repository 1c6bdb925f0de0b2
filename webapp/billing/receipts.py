"""Receipts: what a payment did, read from the ledger entries it posted; shown, and emailed through the outbox."""
from ..emails.links import site_url
from ..models import Allocation, Guardian, LedgerEntry, Order, OutboxMessage, Payment, User
from ..outbox import queue_mail
from .ledger import order_balances


def planned_lines(payment):
    """[(order, amount to apply, balance now)] of a payment not yet settled, from its allocations."""
    allocations = list(Allocation.select(Allocation, Order).join(Order).where(Allocation.payment == payment)
                       .order_by(Order.created_at, Order.number))
    balances = order_balances([a.order_id for a in allocations])
    return [(a.order, a.amount_cents, balances[a.order_id]) for a in allocations]


def receipt_lines(payment):
    """([(order, amount applied, balance now)], cents kept as credit) from the ledger entries the payment posted."""
    entries = list(LedgerEntry.select(LedgerEntry, Order).join(Order, join_type="LEFT OUTER JOIN")
                   .where((LedgerEntry.payment == payment) & (LedgerEntry.kind != LedgerEntry.REFUND))
                   .order_by(LedgerEntry.id))  # what the payment paid; refunds of it are listed apart
    applied = {}
    for entry in entries:
        if entry.order_id:
            order, cents = applied.get(entry.order_id, (entry.order, 0))
            applied[entry.order_id] = (order, cents - entry.amount_cents)
    balances = order_balances(list(applied))
    kept = -sum(e.amount_cents for e in entries if e.order_id is None and e.amount_cents < 0)
    lines = sorted(applied.values(), key=lambda line: (line[0].created_at, line[0].number))
    return [(order, cents, balances[order.id]) for order, cents in lines], kept


def paid_with(payment):
    """How the money came, in the payer's words."""
    if payment.method == Payment.CREDIT:
        return "credit on your account"
    if payment.method == Payment.CARD:
        return f"{payment.card_brand} ending {payment.card_last4}"
    return Payment.OFFLINE_LABELS[payment.method] + (f" ({payment.note})" if payment.note else "")


def receipt_recipients(payment):
    """The patron who paid online, or the paying household's primary guardians for a payment taken by staff."""
    if payment.user_id and payment.user.role == User.PATRON:
        return [payment.user.email]
    return [u.email for u in User.select(User.email).join(Guardian).where(
        (Guardian.account == payment.payer_account_id) & Guardian.is_primary & (Guardian.status == Guardian.ACCEPTED))]


def queue_receipt(payment):
    """Inside the transaction that posted the payment: its receipt in the outbox; returns the message ids."""
    from ..templating import current_company

    company = current_company()
    lines, kept = receipt_lines(payment)
    # A patron who paid online can open the payment's own receipt; a household paid for by staff, its home page.
    online = payment.user_id and payment.user.role == User.PATRON
    link = site_url("billing.receipt", key=payment.key) if online else site_url("home.index")
    return queue_mail(receipt_recipients(payment), f"Your receipt from {company.name}", "emails/receipt",
                      category=OutboxMessage.RECEIPT, payment=payment, lines=lines, kept=kept,
                      paid_with=paid_with(payment), company=company, link=link)
