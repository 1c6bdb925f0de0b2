"""Getting in by email: Forgot password, the reset link, and accepting a guardian's invitation."""
from flask import Blueprint, flash, redirect, request, url_for
from flask_login import current_user, logout_user

from ..account.guardian_services import accept_invitation, ask_for_new_invitation
from ..attempts import TooManyAttempts
from ..models.access import AccessLink
from ..templating import render
from .forms import AcceptInvitationForm, ForgotPasswordForm, NewPasswordForm
from .links import LinkError, open_link, request_reset, reset_password as set_password_by_link
from .services import hash_password
from .sessions import start_session

bp = Blueprint("access", __name__)

SENT = "If an account uses that address, we sent a link to it. It works once, for one hour."


@bp.route("/forgot-password", methods=["GET", "POST"])
def forgot_password():
    """Forgot password: the same answer whether or not an account uses the address."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        try:
            request_reset(form.email.data, request.remote_addr)
        except TooManyAttempts as refused:
            form.email.errors.append(str(refused))
            response = render("auth/forgot_password.html", "content", status=429, form=form)
            response.headers["Retry-After"] = str(refused.retry_after)
            return response
        flash(SENT, "success")
        return redirect(url_for("access.forgot_password"), 303)
    return render("auth/forgot_password.html", "content", status=422 if form.errors else 200, form=form)


def _link_problem(error, template_kind):
    """The page for a link that cannot be used: says why and offers a new one."""
    return render("auth/link_problem.html", "content", status=410 if error.state != "unknown" else 404,
                  error=error, kind=template_kind)


@bp.route("/reset-password/<secret>", methods=["GET", "POST"])
def reset_password(secret):
    """Set a new password through an emailed link; signs in here and signs out every other device."""
    try:
        link = open_link(secret, AccessLink.RESET)
    except LinkError as error:
        return _link_problem(error, "reset")
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            user = set_password_by_link(secret, form.new_password.data)
        except LinkError as error:
            return _link_problem(error, "reset")
        if current_user.is_authenticated:
            logout_user()
        start_session(user)
        flash("Your password is set. Any other device is signed out.", "success")
        return redirect(url_for("home.index"), 303)
    return render("auth/reset_password.html", "content", status=422 if form.errors else 200, form=form, link=link)


@bp.route("/invitation/<secret>", methods=["GET", "POST"])
def invitation(secret):
    """Accept an invitation: names the household and who invited; asks name and password; signs the guardian in."""
    try:
        link = open_link(secret, AccessLink.INVITATION)
    except LinkError as error:
        return _link_problem(error, "invitation")
    form = AcceptInvitationForm(data=None if request.method == "POST" else {"name": link.user.name})
    if form.validate_on_submit():
        try:
            user = accept_invitation(secret, form.name.data, hash_password(form.new_password.data))
        except LinkError as error:
            return _link_problem(error, "invitation")
        if current_user.is_authenticated:
            logout_user()
        start_session(user)
        flash(f"Welcome, {user.first_name}. You can log in to {link.guardian.account.name} now.", "success")
        return redirect(url_for("home.index"), 303)
    return render("auth/invitation.html", "content", status=422 if form.errors else 200, form=form, link=link)


@bp.route("/invitation/<secret>/ask-again", methods=["POST"])
def ask_again(secret):
    """An invited guardian whose link expired or was replaced asks the inviting guardian for a new one."""
    try:
        open_link(secret, AccessLink.INVITATION)
    except LinkError as error:
        if error.link is None or error.state == "used":
            return _link_problem(error, "invitation")
        asked = ask_for_new_invitation(error.link)
        flash(f"We asked {error.link.sender.name} to send you a new invitation." if asked
              else "The guardian who invited you has been asked already.", "success")
        return redirect(url_for("auth.sign_in"), 303)
    return redirect(url_for("access.invitation", secret=secret), 303)  # the link still works: use it
