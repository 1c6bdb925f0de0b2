"""Staff billing: orders put on account, offline payments for any household, refunds of card payments."""
from flask import Blueprint, abort, flash, redirect, url_for
from flask_login import current_user

from ..access import billing_required
from ..models import Account, Order, Payment, Student
from ..templating import current_company, money, render
from .charges import ChargeRefused, create_order, record_offline_payment
from .forms import CardRefundForm, OfflinePaymentForm, OrderForm
from .refunds import RefundRefused, RefundUnsettled, refundable_cents, refunded_cents, request_refund

bp = Blueprint("staff_billing", __name__, url_prefix="/staff/billing")


def _households():
    return list(Account.select().order_by(Account.name))


@bp.route("/orders/new", methods=["GET", "POST"])
@billing_required
def new_order():
    """Create an order for a household, a line per student, and put it on account."""
    form = OrderForm()
    students = list(Student.select(Student, Account).join(Account).order_by(Student.first_name))
    form.set_choices(_households(), students)
    if form.validate_on_submit():
        account = Account.get_by_id(form.account.data)
        by_id = {s.id: s for s in students}
        lines, problems = [], False
        for line in form.filled_lines():
            student = by_id.get(line.student.data)
            if student and student.billing_account_id != account.id:
                line.student.errors.append(f"{student.name} is not billed to {account.name}.")
                problems = True
            lines.append((line.description.data.strip(), line.amount.cents, student))
        if not problems:
            try:
                order = create_order(current_company(), current_user, account, lines, form.on_account.data,
                                     form.payable_online.data, (form.external_note.data or "").strip())
            except ChargeRefused as refused:
                form.account.errors.append(str(refused))
            else:
                flash(f"Order #{order.number} is created for {account.name}.", "success")
                return redirect(url_for("staff.index"), 303)
    return render("staff/new_order.html", "content", status=422 if form.is_submitted() else 200, form=form)


@bp.route("/payments/new", methods=["GET", "POST"])
@billing_required
def new_payment():
    """Record cash or a check toward an order, from any household."""
    form = OfflinePaymentForm()
    form.payer.choices = [(a.id, a.name) for a in _households()]
    if form.validate_on_submit():
        order = Order.get_or_none(Order.number == form.number())
        if order is None:
            form.order_number.errors.append("There is no order with that number.")
        else:
            try:
                record_offline_payment(current_user, order, Account.get_by_id(form.payer.data), form.amount.cents,
                                       form.method.data, (form.note.data or "").strip())
            except ChargeRefused as refused:
                form.amount.errors.append(str(refused))
            else:
                flash(f"{money(form.amount.cents)} is recorded on order #{order.number}.", "success")
                return redirect(url_for("staff.index"), 303)
    return render("staff/new_payment.html", "content", status=422 if form.is_submitted() else 200, form=form)


def _card_payments():
    """The latest settled card payments, with what is left to refund of each."""
    payments = list(Payment.select(Payment, Account).join(Account, on=(Payment.payer_account == Account.id))
                    .where((Payment.method == Payment.CARD) & (Payment.state == Payment.SUCCEEDED))
                    .order_by(Payment.settled_at.desc()).limit(50))
    return [(p, refunded_cents(p), refundable_cents(p)) for p in payments]


@bp.route("/card-payments")
@billing_required
def card_payments():
    """Card payments families made, each with a Refund form while money is left to give back."""
    return render("staff/card_payments.html", "content", payments=_card_payments(), form=CardRefundForm())


@bp.route("/card-payments/<key>/refund", methods=["POST"])
@billing_required
def refund_card_payment(key):
    """Refund part or all of a card payment to the card, with its ledger entries and an email."""
    payment = Payment.get_or_none((Payment.key == key) & (Payment.method == Payment.CARD))
    if payment is None:
        abort(404)
    form = CardRefundForm()
    if form.validate_on_submit():
        try:
            request_refund(current_user, payment, form.amount.cents, (form.reason.data or "").strip())
        except (RefundRefused, RefundUnsettled) as refused:
            form.amount.errors.append(str(refused))
        else:
            flash(f"{money(form.amount.cents)} is refunded to {payment.card_brand} ending {payment.card_last4}.",
                  "success")
            return redirect(url_for("staff_billing.card_payments"), 303)
    return render("staff/card_payments.html", "content", status=422, payments=_card_payments(), form=form,
                  failed_key=key)
