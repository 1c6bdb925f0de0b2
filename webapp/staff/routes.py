"""The staff home and the absence-reason code table."""
from flask import Blueprint, abort, flash, redirect, url_for

from ..access import role_required
from ..extensions import htmx
from ..models import AbsenceReason, User
from ..templating import render
from .forms import ReasonForm
from .services import ReasonNameTaken, absence_reasons, orders_with_balance, save_reason

bp = Blueprint("staff", __name__, url_prefix="/staff")


@bp.route("/")
@role_required(User.STAFF)
def index():
    """Orders that still have a balance, across households."""
    return render("staff/index.html", "content", orders=orders_with_balance())


def _save(form, reason_id=None):
    """Save a valid form; a name taken meanwhile becomes an error next to the field. Returns the reason or None."""
    if not form.validate_on_submit():
        return None
    try:
        return save_reason(reason_id, **form.values())
    except ReasonNameTaken:
        form.name.errors.append(f"There is already a reason called “{form.name.data}”.")
        return None


@bp.route("/reasons")
@role_required(User.STAFF)
def reasons():
    """The absence-reason code table, with a form to add one."""
    return render("staff/reasons.html", "content", reasons=absence_reasons(), form=ReasonForm(formdata=None))


@bp.route("/reasons", methods=["POST"])
@role_required(User.STAFF)
def add_reason():
    """Add an absence reason; htmx gets back the table and a fresh form."""
    form = ReasonForm()
    reason = _save(form)
    if reason is None:
        return render("staff/reasons.html", "reasons", status=422, reasons=absence_reasons(), form=form)
    flash(f"Added “{reason.name}”.", "success")
    if htmx:
        return render("staff/reasons.html", "reasons", reasons=absence_reasons(), form=ReasonForm(formdata=None))
    return redirect(url_for(".reasons"), 303)


@bp.route("/reasons/<int:reason_id>", methods=["GET", "POST"])
@role_required(User.STAFF)
def edit_reason(reason_id):
    """Rename an absence reason, change who may use it, retire it, or move it in the order."""
    reason = AbsenceReason.get_or_none(AbsenceReason.id == reason_id) or abort(404)
    form = ReasonForm(reason_id=reason.id, obj=reason)
    saved = _save(form, reason.id)
    if saved:
        flash(f"Saved “{saved.name}”.", "success")
        return redirect(url_for(".reasons"), 303)
    status = 422 if form.errors else 200
    return render("staff/reason.html", "content", status=status, reason=reason, form=form)
