"""Staff routes for staff and instructor logins: the Users list with its search, Invite a user, and a user's page
(edit, send the link again, deactivate, reactivate). Managing users takes "Access Billing Tab" (docs/staff-console.md)."""
from flask import Blueprint, flash, redirect, request, url_for
from flask_login import current_user

from ..access import billing_required
from ..numbers import whole_number
from ..templating import render
from ..audit import changes_to
from .user_forms import InviteUserForm, UserForm
from .users import (ROLES, UserRefused, deactivate, invite_user, reactivate, save_user, search, send_link_again,
                    staff_user_or_404)

bp = Blueprint("staff_users", __name__, url_prefix="/staff/users")


def _saved(form, save):
    """Save a valid form; a refusal becomes an error next to its field. What `save` returned, or None."""
    if not form.validate_on_submit():
        return None
    try:
        return save() or True
    except UserRefused as refused:
        getattr(form, refused.field).errors.append(str(refused))
        return None


def _user_page(user, form, refusal=None):
    status = 422 if form.errors or refusal else 200
    return render("staff/user.html", "content", status=status, user=user, form=form, roles=ROLES, refusal=refusal,
                  changes=changes_to(user))


# A user manager could grant themselves "Access Billing Tab", so managing users takes that right already.
@bp.route("/")
@billing_required
def index():
    """Staff and instructors by name, narrowed by a name or an email typed."""
    text = request.args.get("q", "")[:100].strip()
    page = max(request.args.get("page", 1, type=whole_number), 1)
    users, total, pages = search(text, page)
    return render("staff/users.html", "results", q=text, users=users, total=total, page=min(page, pages),
                  pages=pages, roles=ROLES)


@bp.route("/new", methods=["GET", "POST"])
@billing_required
def invite():
    """Invite a user: a staff or instructor login without a password, and an email with the link to set one."""
    form = InviteUserForm()
    user = _saved(form, lambda: invite_user(current_user, form.name.data, form.email.data, form.role.data,
                                            form.codes()))
    if user:
        flash(f"Invited {user.name}. The link to set a password is on its way to {user.email}.", "success")
        return redirect(url_for(".edit", user_id=user.id), 303)
    return render("staff/user_invite.html", "content", status=422 if form.errors else 200, form=form)


@bp.route("/<int:user_id>", methods=["GET", "POST"])
@billing_required
def edit(user_id):
    """A staff or instructor login: change its name, role and permissions."""
    user = staff_user_or_404(user_id)
    form = UserForm(user)
    if _saved(form, lambda: save_user(current_user, user, form.name.data, form.role.data, form.codes())):
        flash(f"Saved {form.name.data}. What changed holds from their next page.", "success")
        return redirect(url_for(".edit", user_id=user.id), 303)
    return _user_page(user, form)


@bp.route("/<int:user_id>/send-link", methods=["POST"])
@billing_required
def send_link(user_id):
    """Send the set-password link again to an invited user who has not set a password yet."""
    user = staff_user_or_404(user_id)
    if send_link_again(current_user, user):
        flash(f"A new link is on its way to {user.email}; the earlier one no longer works.", "success")
    else:
        flash(f"{user.name} has set a password already (or is deactivated): nothing was sent.", "error")
    return redirect(url_for(".edit", user_id=user.id), 303)


@bp.route("/<int:user_id>/deactivate", methods=["POST"])
@billing_required
def deactivate_user(user_id):
    """Deactivate a login: it is signed out everywhere and cannot sign in any more."""
    user = staff_user_or_404(user_id)
    try:
        done = deactivate(current_user, user)
    except UserRefused as refused:
        return _user_page(user, UserForm(user), refusal=str(refused))
    flash(f"Deactivated {user.name}: signed out everywhere, and can no longer sign in." if done
          else f"{user.name} was deactivated already.", "success")
    return redirect(url_for(".edit", user_id=user.id), 303)


@bp.route("/<int:user_id>/reactivate", methods=["POST"])
@billing_required
def reactivate_user(user_id):
    """Reactivate a login: it signs in again with its own password (an invited one can be sent the link again)."""
    user = staff_user_or_404(user_id)
    if reactivate(user):
        flash(f"Reactivated {user.name}: they can sign in again." if user.has_password
              else f"Reactivated {user.name}: send the link again so they can set a password.", "success")
    else:
        flash(f"{user.name} was not deactivated: nothing changed.", "success")
    return redirect(url_for(".edit", user_id=user.id), 303)
