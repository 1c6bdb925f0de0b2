"""Account Information: the household's guardians, their access, invitations and grants (seed 004)."""
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from ..access import family, role_required
from ..extensions import htmx
from ..models import User
from ..templating import render
from . import guardian_services as services
from .guardian_forms import AddGuardianForm, GrantsForm, GuardianDetailsForm

bp = Blueprint("guardians", __name__, url_prefix="/account")
patron_only = role_required(User.PATRON)


def _list(status=200, block="content"):
    """The guardians page (for htmx, its list only)."""
    me = family()
    return render("account/guardians.html", block, status=status, memberships=me.memberships,
                  guardians=services.guardians_of(me.account_ids), indicators=services.ACCESS_INDICATORS,
                  grants_form=GrantsForm(), may_edit=lambda g: services.may_edit_details(current_user, g))


def _done(message):
    """After an action: the list again under htmx, else back to the page (a plain form post)."""
    flash(message, "success")
    return _list(block="guardians") if htmx else redirect(url_for("guardians.index"), 303)


def _refused(error):
    """A refused action: under htmx the message takes the page's message region, else it is flashed."""
    if htmx:
        body = render_template("partials/_flash_messages.html", flash_messages=[("error", str(error))])
        return body, 409, {"HX-Retarget": "#flash", "HX-Reswap": "innerHTML", "Vary": "HX-Request"}
    flash(str(error), "error")
    return redirect(url_for("guardians.index"), 303)


def _primary_action(guardian_id):
    """The guardian acted on and the signed-in primary guardian's membership of that household (404, 403)."""
    guardian = services.guardian_or_404(family(), guardian_id)
    return guardian, services.require_primary(family(), guardian.account_id)


@bp.route("/guardians/")
@patron_only
def index():
    """Guardians: every guardian of the user's households with their access indicator."""
    return _list()


@bp.route("/households/<int:account_id>/guardians/new", methods=["GET", "POST"])
@patron_only
def add(account_id):
    """Add Guardian (name, email, relation), invited at once unless unticked; primary guardian only."""
    primary = services.require_primary(family(), account_id)
    form = AddGuardianForm()
    if form.validate_on_submit():
        try:
            guardian = services.add_guardian(primary, form.name.data, form.email.data, form.relation.data,
                                             form.invite.data)
        except services.GuardianError as error:
            form.email.errors.append(str(error))
        else:
            flash(f"{guardian.user.name} is added" + (": the invitation is on its way." if form.invite.data else "."),
                  "success")
            return redirect(url_for("guardians.index"), 303)
    return render("account/guardian_form.html", "content", status=422 if form.errors else 200, form=form,
                  household=primary.account, guardian=None)


@bp.route("/guardians/<int:guardian_id>/edit", methods=["GET", "POST"])
@patron_only
def edit(guardian_id):
    """Edit a guardian's name and email: the primary guardian until that guardian accepts, then only they."""
    guardian = services.guardian_or_404(family(), guardian_id)
    if not services.may_edit_details(current_user, guardian):
        abort(403)  # they accepted: only they change their details now
    form = GuardianDetailsForm(data={"name": guardian.user.name, "email": guardian.user.email})
    if form.validate_on_submit():
        try:
            services.edit_details(current_user, guardian, form.name.data, form.email.data)
        except services.GuardianError as error:
            form.email.errors.append(str(error))
        else:
            flash(f"{form.name.data}'s details are saved.", "success")
            return redirect(url_for("guardians.index"), 303)
    return render("account/guardian_form.html", "content", status=422 if form.errors else 200, form=form,
                  household=guardian.account, guardian=guardian)


def _primary_does(guardian_id, act, said):
    """One of the primary guardian's actions on a guardian: done and said, or refused with the reason."""
    guardian, primary = _primary_action(guardian_id)
    try:
        act(primary, guardian)
    except services.GuardianError as error:
        return _refused(error)
    return _done(said(guardian))


@bp.route("/guardians/<int:guardian_id>/invite", methods=["POST"])
@patron_only
def invite(guardian_id):
    """Send Invite Email or Re-Send Invite Email."""
    return _primary_does(guardian_id, services.send_invitation,
                         lambda g: f"The invitation to {g.user.name} is on its way to {g.user.email}.")


@bp.route("/guardians/<int:guardian_id>/revoke", methods=["POST"])
@patron_only
def revoke(guardian_id):
    """Revoke: the guardian is signed out and their invitation stops working."""
    return _primary_does(guardian_id, lambda primary, guardian: services.revoke(guardian),
                         lambda g: f"{g.user.name} can no longer log in to {g.account.name}.")


@bp.route("/guardians/<int:guardian_id>/reset-password", methods=["POST"])
@patron_only
def reset_password(guardian_id):
    """Reset Password: emails the guardian a link to set their own password."""
    return _primary_does(guardian_id, services.send_password_reset,
                         lambda g: f"We emailed {g.user.name} a link to set a new password.")


@bp.route("/guardians/<int:guardian_id>/grants", methods=["POST"])
@patron_only
def grants(guardian_id):
    """The grants of a secondary guardian: make payments, view balance, view transaction history."""
    guardian, _ = _primary_action(guardian_id)
    form = GrantsForm()
    if not form.validate_on_submit():
        return _refused(services.GuardianError("The form was not sent whole; please try again."))
    try:
        services.set_grants(guardian, form.data)
    except services.GuardianError as error:
        return _refused(error)
    return _done(f"{guardian.user.name}'s permissions are saved.")
