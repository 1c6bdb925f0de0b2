"""Login/Security: change password, the devices signed in, sign out one of them or everywhere."""
from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user, login_required, logout_user

from ..attempts import TooManyAttempts
from ..extensions import htmx
from ..auth.forms import ChangePasswordForm
from ..auth.services import PasswordError, change_password
from ..auth.sessions import active_sessions, device_name, end_all_sessions, end_session, this_device
from ..templating import render

bp = Blueprint("security", __name__, url_prefix="/account/security")


def _page(block=None, status=200, form=None, headers=None):
    user = current_user._get_current_object()
    response = render("account/security.html", block, status=status, form=form or ChangePasswordForm(),
                      sessions=active_sessions(user), this_device=this_device(user), device_name=device_name)
    response.headers.update(headers or {})
    return response


@bp.route("/")
@login_required
def index():
    """Login/Security."""
    return _page("content")


@bp.route("/password", methods=["POST"])
@login_required
def password():
    """Change password: needs the current one; signs out every other device."""
    form = ChangePasswordForm()
    status, headers = 422, {}
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            change_password(user, form.current_password.data, form.new_password.data, request.remote_addr)
        except TooManyAttempts as refused:
            form.current_password.errors.append(str(refused))
            status, headers = 429, {"Retry-After": str(refused.retry_after)}
        except PasswordError as error:
            form.current_password.errors.append(str(error))
        else:
            flash("Your password is changed. Other devices have been signed out.", "success")
            return redirect(url_for("security.index"), 303)
    return _page("password", status, form, headers)


@bp.route("/sessions/<int:session_id>/sign-out", methods=["POST"])
@login_required
def sign_out_device(session_id):
    """Sign out one device of the user's (this one too, when asked)."""
    user = current_user._get_current_object()
    here = this_device(user)
    if not end_session(user, session_id):
        abort(404)  # another user's session, or one already signed out
    if session_id == here:
        logout_user()
        flash("You are signed out.", "success")
        return redirect(url_for("auth.sign_in"), 303)
    flash("That device is signed out.", "success")
    return _page("sessions") if htmx else redirect(url_for("security.index"), 303)


@bp.route("/sign-out-everywhere", methods=["POST"])
@login_required
def sign_out_everywhere():
    """Sign out on every device, this one included."""
    end_all_sessions(current_user)
    logout_user()
    flash("You are signed out on every device.", "success")
    return redirect(url_for("auth.sign_in"), 303)
