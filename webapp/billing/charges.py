"""Staff-side money: orders put on account, offline payments, and the Max Unpaid Balance check."""
import uuid

from ..audit import record_billing, with_notes
from ..database import is_sqlite, write_transaction
from ..extensions import db
from ..models import Allocation, Company, Guardian, LedgerEntry, LineCategory, Order, OrderLine, Payment, User, utcnow
from ..outbox import deliver, queue_mail
from .ledger import account_balances, lock_households, order_balances, order_tags, student_balances
from .receipts import queue_receipt


class ChargeRefused(Exception):
    """The charge or payment was refused; the message says why and nothing was stored."""


def check_max_unpaid_balance(company, account_id, charges):
    """Refuse new charges [(student id or None, cents)] that push a balance past Max Unpaid Balance.

    By customer the household's balance counts; by student each student's own.
    """
    limit = company.max_unpaid_balance_cents
    if limit is None:
        return
    if company.balance_mode == Company.BY_STUDENT:
        adding = {}
        for student_id, cents in charges:
            adding[student_id] = adding.get(student_id, 0) + cents
        current = student_balances([s for s in adding if s])
        for student_id, cents in adding.items():
            if current.get(student_id, 0) + cents > limit:
                raise ChargeRefused("This would take the student's unpaid balance past the school's limit.")
    elif account_balances([account_id])[account_id] + sum(c for _, c in charges) > limit:
        raise ChargeRefused("This would take the household's unpaid balance past the school's limit.")


def reserve_order_numbers(count):
    """`count` order numbers nobody else gets: a counter row on SQLite (the caller's write lock serialises it),
    a sequence on PostgreSQL (whose numbers a rolled-back order leaves unused)."""
    if is_sqlite():
        last = db.execute_sql("UPDATE order_number_counter SET last = last + ? RETURNING last", (count,)).fetchall()[0][0]
        return list(range(last - count + 1, last + 1))
    return [n for (n,) in db.execute_sql("SELECT nextval('order_number_seq') FROM generate_series(1, %s)", (count,))]


def next_order_number():
    """The number of the next order (#1008, ...)."""
    return reserve_order_numbers(1)[0]


def order_numbers_used_up_to(last):
    """After a bulk load that numbered its own orders from next_order_number(): nobody gets those numbers again."""
    if is_sqlite():
        db.execute_sql("UPDATE order_number_counter SET last = MAX(last, ?)", (last,))
    else:
        db.execute_sql("SELECT setval('order_number_seq', GREATEST((SELECT last_value FROM order_number_seq), %s))",
                       (last,))


def create_order(company, staff, account, lines, on_account=True, payable_online=False, external_note="",
                 category=None):
    """A box-office order with its charges; lines are [(description, cents, student or None[, category id])]."""
    with write_transaction():
        order = post_order(company, staff, account, lines, on_account, payable_online, external_note,
                           category=category)
        bought = "; ".join(description for description, *_ in lines)
        record_billing([account.id], {**order_made(order, sum(cents for _, cents, *_ in lines)), "for": [None, bought]},
                       "created", by=staff)
        return order


def order_made(order, cents):
    """An order staff made, as the household's Changes list keeps it: the amount in cents (the page formats it)
    under the order's terms ("Order #1008, on account, may pay online: $160.00")."""
    terms = ("on account" + (", may pay online" if order.payable_online else "")) if order.on_account else \
        "to pay at the front desk"
    return {f"order #{order.number}, {terms}_cents": [None, cents]}


def post_order(company, staff, account, lines, on_account=True, payable_online=False, external_note="", course=None,
               channel=Order.BOX_OFFICE, category=None):
    """Inside a write transaction: an order (box office unless `channel` says) and a charge per line, under the
    household lock and Max Unpaid Balance; `course` names the class every line buys (its location tags the charges,
    drop and transfer find it, and its lines go under Tuition unless `category`, a LineCategory id, says otherwise);
    a line's own category id, a fourth item, comes before both."""
    if not lines or any(cents <= 0 for _, cents, *_ in lines):
        raise ChargeRefused("An order needs at least one line with an amount above zero.")
    lock_households([account.id])
    check_max_unpaid_balance(company, account.id, [(s.id if s else None, c) for _, c, s, *_ in lines])
    order = Order.create(
        number=next_order_number(), account=account, channel=channel, created_by=staff,
        state=Order.ON_ACCOUNT if on_account else Order.OPEN, on_account=on_account,
        payable_online=payable_online and on_account, external_note=external_note,
    )
    if category is None and course is not None:
        category = LineCategory.default_id(LineCategory.TUITION)
    for description, cents, student, *filed in lines:
        OrderLine.create(order=order, description=description, amount_cents=cents, student=student, course=course,
                         category=filed[0] if filed and filed[0] else category)
        LedgerEntry.create(account=account, kind=LedgerEntry.CHARGE, amount_cents=cents, order=order,
                           student=student, location=course.location_id if course else None, memo=description,
                           created_by=staff)
    return order


def record_offline_payment(staff, order, payer_account, amount, method, note=""):
    """Cash, a check, a transfer or a purchase order from any household (grandparents paying a trip), with a receipt."""
    with write_transaction():
        payment, ids = post_offline_payment(staff, order, payer_account, amount, method, note)
        owed = order_balances([order.id])[order.id]
        paid = f"{Payment.OFFLINE_LABELS[method].lower()} from {payer_account.name}_cents"
        record_billing([order.account_id, payer_account.id],
                       with_notes({f"order #{order.number} balance_cents": [owed + amount, owed],
                                   paid: [None, amount]}, note=note), "took a payment", by=staff)
    deliver(ids)
    return payment


def post_offline_payment(staff, order, payer_account, amount, method, note=""):
    """Inside a write transaction: the payment, its ledger entry and its receipt. Returns (payment, message ids)."""
    if method not in Payment.OFFLINE_LABELS:
        raise ChargeRefused("Choose how it was paid.")
    lock_households([order.account_id])
    balance = order_balances([order.id])[order.id]
    if amount <= 0:
        raise ChargeRefused("Enter an amount above zero.")
    if amount > balance:
        raise ChargeRefused(f"That is more than the balance of order #{order.number}.")
    payment = Payment.create(
        key=uuid.uuid4().hex, user=staff, payer_account=payer_account, method=method, amount_cents=amount,
        state=Payment.SUCCEEDED, settled_at=utcnow(), note=note,
    )
    Allocation.create(payment=payment, order=order, amount_cents=amount)
    first_line = order.lines.first()
    LedgerEntry.create(
        account=order.account_id, kind=LedgerEntry.PAYMENT, amount_cents=-amount, order=order, payment=payment,
        student=first_line.student_id if first_line else None, payer_account=payer_account,
        memo=f"{Payment.OFFLINE_LABELS[method]} payment" + (f" ({note})" if note else ""), created_by=staff,
    )
    return payment, queue_receipt(payment)


def void_balance(staff, order, cents, reason=""):
    """Write off `cents` of what the order still owes (a charge made in error, a class given free): a Void entry tagged
    like the order's charge, decided under the household lock; returns the entry."""
    with write_transaction():
        lock_households([order.account_id])
        balance = order_balances([order.id])[order.id]
        if cents <= 0:
            raise ChargeRefused("Enter an amount above zero.")
        if cents > balance:
            raise ChargeRefused(f"That is more than order #{order.number} still owes.")
        student_id, location_id = order_tags([order]).get(order.id, (None, None))
        entry = LedgerEntry.create(account=order.account_id, kind=LedgerEntry.VOID, amount_cents=-cents, order=order,
                                   student=student_id, location=location_id, created_by=staff,
                                   memo=f"Voided: {reason}" if reason else f"Order #{order.number}: voided")
        owed = {f"order #{order.number} balance_cents": [balance, balance - cents]}
        record_billing([order.account_id], with_notes(owed, reason=reason), "voided", by=staff)
        ids = _queue_void_notice(order, entry, balance - cents, reason)
    deliver(ids)
    return entry


def _queue_void_notice(order, entry, owed, reason):
    """Inside the transaction: tell the household's primary guardians what was taken off the order (a receipt)."""
    from ..templating import current_company

    company = current_company()
    guardians = User.select(User.email).join(Guardian).where(
        (Guardian.account == order.account_id) & Guardian.is_primary & (Guardian.status == Guardian.ACCEPTED))
    return queue_mail([u.email for u in guardians], f"Order #{order.number} adjusted by {company.name}", "emails/void",
                      category="receipt", order=order, cents=-entry.amount_cents, owed=owed, reason=reason,
                      company=company)
