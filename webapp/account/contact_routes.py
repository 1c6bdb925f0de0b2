"""Account Information: the household's guardians with their emails, phones and mailing addresses, and Unassigned."""
from flask import abort, flash, redirect, request, url_for
from flask_login import current_user

from ..access import role_required
from ..confirm import ask_first, confirmed
from ..extensions import htmx
from ..models import Guardian, User
from ..templating import render
from .contact_book import (
    LABELS, ContactError, account_information, assignable, contact_or_404, delete_contact, editable_or_403,
    household_guardians, may_edit_for, membership_or_404, reassign_contact, save_contact, set_email_blasts,
)
from .forms import CONTACT_FORMS, LoginEmailForm, ReassignForm
from .routes import bp

KIND = "<any(email,phone,address):kind>"


def _information(membership, status=200, block="content"):
    columns, unassigned, opted_out = account_information(membership.account_id)
    guardians = [c.guardian for c in columns]
    return render("account/information.html", block, status=status, membership=membership, columns=columns,
                  unassigned=unassigned, opted_out=opted_out, may_edit_for=may_edit_for,
                  reassign=ReassignForm(guardians=assignable(membership, guardians), formdata=None))


def _done(membership, message):
    """After a change: the Account Information page (htmx gets its content and the address bar follows)."""
    flash(message, "success")
    if htmx:
        response = _information(membership)
        response.headers["HX-Push-Url"] = url_for("account.information", account_id=membership.account_id)
        return response
    return redirect(url_for("account.information", account_id=membership.account_id), 303)


@bp.route("/households/<int:account_id>/information")
@role_required(User.PATRON)
def information(account_id):
    """Account Information: a column per guardian with their contacts, and the Unassigned column."""
    return _information(membership_or_404(current_user, account_id))


def _contact_form(kind, membership, value=None):
    form = CONTACT_FORMS[kind](guardians=assignable(membership, household_guardians(membership.account_id)),
                               obj=value, formdata=request.form if request.method == "POST" else None)
    if value is not None and request.method == "GET":
        form.guardian.data = str(value.guardian_id or "")
        if kind == "phone":
            form.sms.data = not value.sms_opted_out
        if kind == "email":
            from ..emails.opt_outs import email_opted_out

            form.email_blasts.data = not email_opted_out(value.address)
    return form


def _save(kind, membership, form, value=None):
    """Save a valid form; a refusal becomes a message next to its field. Returns the value or None."""
    if not form.validate_on_submit():
        return None
    try:
        return save_contact(membership, kind, value, form.guardian_id(), **form.values())
    except ContactError as refused:
        getattr(form, refused.field_name).errors.append(str(refused))
        return None


@bp.route(f"/households/<int:account_id>/{KIND}/new", methods=["GET", "POST"])
@role_required(User.PATRON)
def add_contact(account_id, kind):
    """Add Email, Add Phone, Add Mailing Address."""
    membership = membership_or_404(current_user, account_id)
    form = _contact_form(kind, membership)
    if request.method == "POST" and _save(kind, membership, form):
        return _done(membership, f"{LABELS[kind]} added.")
    return render("account/contact.html", "content", status=422 if form.errors else 200, kind=kind, label=LABELS[kind],
                  form=form, value=None, membership=membership)


@bp.route(f"/contacts/{KIND}/<int:contact_id>", methods=["GET", "POST"])
@role_required(User.PATRON)
def edit_contact(kind, contact_id):
    """Edit one email, phone or mailing address: its value, its guardian and its opt-in."""
    value, membership = contact_or_404(current_user, kind, contact_id)
    editable_or_403(membership, value)
    form = _contact_form(kind, membership, value)
    if request.method == "POST" and _save(kind, membership, form, value):
        return _done(membership, f"{LABELS[kind]} saved.")
    return render("account/contact.html", "content", status=422 if form.errors else 200, kind=kind, label=LABELS[kind],
                  form=form, value=value, membership=membership)


@bp.route(f"/contacts/{KIND}/<int:contact_id>/delete", methods=["POST"])
@role_required(User.PATRON)
def delete(kind, contact_id):
    """Delete one email, phone or mailing address, after asking."""
    value, membership = contact_or_404(current_user, kind, contact_id)
    editable_or_403(membership, value)
    shown = {"email": getattr(value, "address", ""), "phone": getattr(value, "number", "")}.get(kind) or \
        getattr(value, "one_line", "")
    if not confirmed():
        return ask_first(f"Delete {shown}?", "It is taken off your account; the school will no longer use it.",
                         yes="Yes, delete it", back=url_for("account.edit_contact", kind=kind, contact_id=value.id))
    delete_contact(kind, value)
    return _done(membership, f"Deleted {shown}.")


@bp.route(f"/contacts/{KIND}/<int:contact_id>/reassign", methods=["POST"])
@role_required(User.PATRON)
def reassign(kind, contact_id):
    """Link a value to a guardian of the household (the Unassigned column's Reassign)."""
    value, membership = contact_or_404(current_user, kind, contact_id)
    editable_or_403(membership, value)
    form = ReassignForm(guardians=assignable(membership, household_guardians(membership.account_id)))
    if form.validate_on_submit():
        try:
            guardian = reassign_contact(membership, kind, value, form.guardian_id())
        except ContactError as refused:
            form.guardian.errors.append(str(refused))
        else:
            return _done(membership, f"{LABELS[kind]} linked to {guardian.user.name if guardian else 'Unassigned'}.")
    response = _information(membership, status=422)
    flash((form.errors.get("guardian") or ["Choose one of the guardians listed."])[0], "error")
    return response


@bp.route("/households/<int:account_id>/login-email/<int:guardian_id>", methods=["GET", "POST"])
@role_required(User.PATRON)
def login_email(account_id, guardian_id):
    """A guardian's login email: Email Blasts on or off (the address itself is the sign-in's, not deleted here)."""
    from ..emails.opt_outs import email_opted_out

    membership = membership_or_404(current_user, account_id)
    guardian = Guardian.get_or_none((Guardian.id == guardian_id) & (Guardian.account == account_id))
    if guardian is None:
        abort(404)
    if not may_edit_for(membership, guardian):
        abort(403)
    address = guardian.user.email
    form = LoginEmailForm(formdata=request.form if request.method == "POST" else None,
                          email_blasts=not email_opted_out(address))
    if request.method == "POST" and form.validate_on_submit():
        set_email_blasts(address, form.email_blasts.data)
        return _done(membership, f"Email Blasts on for {address}." if form.email_blasts.data
                     else f"Email Blasts off for {address}: it shows Unsubscribed.")
    return render("account/login_email.html", "content", status=422 if form.errors else 200, form=form,
                  address=address, guardian=guardian, membership=membership)
