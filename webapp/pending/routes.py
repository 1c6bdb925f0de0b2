"""Staff: the pending payments queue (Mark Complete, Mark Denied, Cancel), the status history, the settings."""
from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user

from ..access import billing_required
from ..billing.ledger import order_balances
from ..confirm import ask_first, confirmed
from ..models import Account, Course, Division, Order
from ..templating import money, render
from .forms import CompleteForm, DenyForm, QueueFilterForm, SubjectForm
from .queue import pending_orders, status_history
from .services import StatusRefused, adjust_order_status, label, set_subject_to_pending_payment

bp = Blueprint("pending", __name__, url_prefix="/staff/pending")


def _order_or_404(number):
    order = Order.get_or_none(Order.number == number)
    if order is None:
        abort(404)
    return order


def _queue_page(status=200, deny_form=None, deny_number=None, complete_form=None, complete_number=None):
    filters = QueueFilterForm(request.args)
    filters.division.choices = [(0, "All divisions")] + [(d.id, d.name) for d in Division.select().order_by(Division.name)]
    filters.course.choices = [(0, "All courses")] + [(c.id, c.name) for c in Course.select().order_by(Course.name)]
    valid = filters.validate() if request.args else True
    orders = pending_orders(filters.division.data or 0, filters.course.data or 0, filters.since.data,
                            filters.until.data) if valid else []
    return render("pending/queue.html", "queue", status=status if valid else 422, orders=orders, filters=filters,
                  deny_form=deny_form or DenyForm(formdata=None), deny_number=deny_number,
                  complete_form=complete_form or CompleteForm(formdata=None), complete_number=complete_number)


@bp.route("/")
@billing_required
def queue():
    """Orders in Pending Payment, filtered by division, course and order date."""
    return _queue_page()


def _adjust(number, to_state, penalty_cents=0, received=None):
    order = _order_or_404(number)
    try:
        adjust_order_status(current_user, order, to_state, penalty_cents, received)
    except StatusRefused as refused:
        flash(str(refused), "error")
        return redirect(url_for(".queue"), 303)
    still_due = order_balances([order.id])[order.id]
    flash(f"Order #{order.number} is now {label(to_state)}."
          + (f" {money(still_due)} is still due on it." if still_due > 0 else ""), "success")
    return redirect(url_for(".queue"), 303)


@bp.route("/orders/<int:number>/complete", methods=["POST"])
@billing_required
def complete(number):
    """Mark Complete: the payment is received (recorded to the ledger) and the enrollments become Registered."""
    form = CompleteForm()
    if not form.validate_on_submit():
        _order_or_404(number)
        return _queue_page(422, complete_form=form, complete_number=number)
    return _adjust(number, Order.COMPLETE, received=(form.method.data, form.amount.cents, form.reference.data.strip()))


@bp.route("/orders/<int:number>/deny", methods=["POST"])
@billing_required
def deny(number):
    """Mark Denied: Payment Denied, an optional withdraw penalty, the seat released."""
    form = DenyForm()
    order = _order_or_404(number)
    if not form.validate_on_submit():
        return _queue_page(422, form, number)
    penalty = form.penalty.cents or 0
    if not confirmed():
        charge = f", and a withdraw penalty of {money(penalty)} is charged" if penalty else ""
        return ask_first(f"Mark order #{order.number} Denied?",
                         f"The seat is released and what the order still owes is voided{charge}. "
                         "The family is emailed and may re-purchase.", f"Yes, mark #{order.number} Denied",
                         url_for(".queue"), penalty=form.penalty.data or "")
    return _adjust(number, Order.DENIED, penalty)


@bp.route("/orders/<int:number>/cancel", methods=["POST"])
@billing_required
def cancel(number):
    """Cancel the order: the seat is released and nothing more is owed."""
    order = _order_or_404(number)
    if not confirmed():
        return ask_first(f"Cancel order #{order.number}?", "The seat is released and nothing more is owed on the "
                         "order. The family is emailed; this cannot be undone.", f"Yes, cancel order #{order.number}",
                         url_for(".queue"))
    return _adjust(number, Order.CANCELLED)


@bp.route("/orders/<int:number>")
@billing_required
def history(number):
    """An order's status history: who, when, from which status to which."""
    order = _order_or_404(number)
    return render("pending/history.html", "content", order=order, changes=status_history(order), label=label)


@bp.route("/settings")
@billing_required
def settings():
    """Per division and per household: subject to Pending Payment, on or off."""
    return render("pending/settings.html", "content", divisions=list(Division.select().order_by(Division.name)),
                  accounts=list(Account.select().order_by(Account.name)))


def _switch(model, object_id):
    """Set one division's or household's switch from the posted form."""
    form = SubjectForm()
    if not form.validate_on_submit():
        abort(400)
    if not set_subject_to_pending_payment(model, object_id, form.subject.data):
        abort(404)
    thing = model.get_by_id(object_id)
    flash(f"{thing.name} is {'now' if form.subject.data else 'no longer'} subject to Pending Payment.", "success")
    return redirect(url_for(".settings"), 303)


@bp.route("/settings/divisions/<int:division_id>", methods=["POST"])
@billing_required
def division_setting(division_id):
    """Turn Pending Payment on or off for a division."""
    return _switch(Division, division_id)


@bp.route("/settings/households/<int:account_id>", methods=["POST"])
@billing_required
def household_setting(account_id):
    """Turn Pending Payment on or off for a household."""
    return _switch(Account, account_id)
