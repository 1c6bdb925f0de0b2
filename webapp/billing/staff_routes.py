"""Staff billing: orders put on account, offline payments for any household, refunds of card payments."""
from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user

from ..access import billing_required
from ..models import Account, LineCategory, Order, Payment, Student
from ..templating import current_company, money, render
from .cart import with_lines
from .charges import ChargeRefused, create_order, record_offline_payment
from .forms import CardRefundForm, OfflinePaymentForm, OrderForm
from .ledger import order_balances
from .refunds import RefundRefused, RefundUnsettled, request_refund, with_refunds

bp = Blueprint("staff_billing", __name__, url_prefix="/staff/billing")


def _households():
    return list(Account.select().order_by(Account.name))


@bp.route("/orders/new", methods=["GET", "POST"])
@billing_required
def new_order():
    """Create an order for a household, a line per student (each under a line category), and put it on account."""
    form = OrderForm()
    students = list(Student.select(Student, Account).join(Account).order_by(Student.first_name))
    form.set_choices(_households(), students,
                     list(LineCategory.select().where(LineCategory.active).order_by(LineCategory.name)))
    if form.validate_on_submit():
        account = Account.get_by_id(form.account.data)
        by_id = {s.id: s for s in students}
        lines, problems = [], False
        for line in form.filled_lines():
            student = by_id.get(line.student.data)
            if student and student.billing_account_id != account.id:
                line.student.errors.append(f"{student.name} is not billed to {account.name}.")
                problems = True
            lines.append((line.description.data.strip(), line.amount.cents, student, line.category.data or None))
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


def _order_looked_up(form):
    """The order the number names, with its household, lines and balance; None while there is none."""
    number = form.number() if form.order_number.data else None
    order = Order.select(Order, Account).join(Account).where(Order.number == number).first() if number else None
    if order is not None:
        with_lines([order])
        order.balance = order_balances([order.id])[order.id]
    return order


def _suggest_payer(form, order):
    """Offer the order's billing household as the payer; staff still confirm it (or choose another) by posting."""
    if order is not None and not form.payer.data:
        form.payer.data = order.account_id


@bp.route("/payments/new", methods=["GET", "POST"])
@billing_required
def new_payment():
    """Record cash or a check toward an order, from any household; the order is looked up as its number is typed."""
    form = OfflinePaymentForm(request.args) if request.method == "GET" else OfflinePaymentForm()
    form.payer.choices = [(0, "Choose the household that paid")] + [(a.id, a.name) for a in _households()]
    looked_up = _order_looked_up(form)
    if request.method == "GET":
        _suggest_payer(form, looked_up)
    elif form.validate():
        if looked_up is None:
            form.order_number.errors.append("There is no order with that number.")
        else:
            payer = Account.get_by_id(form.payer.data)
            try:
                record_offline_payment(current_user, looked_up, payer, form.amount.cents, form.method.data,
                                       (form.note.data or "").strip())
            except ChargeRefused as refused:
                form.amount.errors.append(str(refused))
            else:
                flash(f"{money(form.amount.cents)} from {payer.name} is recorded on order #{looked_up.number}.",
                      "success")
                return redirect(url_for("staff.index"), 303)
    else:
        _suggest_payer(form, looked_up)
    status = 422 if form.errors else 200
    return render("staff/new_payment.html", "lookup" if request.method == "GET" else "content", status=status,
                  form=form, order=looked_up)


def _card_payments():
    """The latest settled card payments, with what is left to refund of each."""
    payments = list(Payment.select(Payment, Account).join(Account, on=(Payment.payer_account == Account.id))
                    .where((Payment.method == Payment.CARD) & (Payment.state == Payment.SUCCEEDED))
                    .order_by(Payment.settled_at.desc()).limit(50))
    return with_refunds(payments)


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
