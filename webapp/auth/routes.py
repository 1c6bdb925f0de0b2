"""Sign in and sign out."""
from urllib.parse import urlsplit

from flask import Blueprint, flash, g, has_request_context, redirect, request, session, url_for
from flask_login import current_user, login_required, logout_user

from ..attempts import TooManyAttempts
from ..extensions import htmx, login_manager
from ..redirects import safe_next
from ..templating import render
from . import services
from .forms import SignInForm
from .sessions import end_session, start_session, this_device, user_for_device

bp = Blueprint("auth", __name__)

login_manager.login_view = "auth.sign_in"
login_manager.login_message = "Please sign in to see that page."
login_manager.session_protection = "basic"


@login_manager.user_loader
def load_user(device_secret):
    """The user signed in on this device (the cookie names its session), read with the company in one query."""
    user = user_for_device(device_secret)
    if user is not None and has_request_context():
        g.company = user.company  # current_company() needs no query of its own
    return user


@login_manager.unauthorized_handler
def signed_out():
    """Not signed in, or signed out elsewhere: sign in, then back to the page. An htmx request moves the whole page
    there, instead of swapping a sign-in form into a table cell."""
    if htmx:
        page = urlsplit(request.headers.get("HX-Current-URL", ""))
        back = safe_next(page.path + (f"?{page.query}" if page.query else "")) if page.path else None
        return "", 401, {"HX-Redirect": url_for("auth.sign_in", next=back), "Vary": "HX-Request"}
    flash(login_manager.login_message, "info")
    return redirect(url_for("auth.sign_in", next=safe_next(request.full_path.rstrip("?"))))


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    """Sign in with email and password; each role lands on its own home."""
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = SignInForm()
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data, request.remote_addr)
        except TooManyAttempts as refused:
            form.password.errors.append(str(refused))
            response = render("auth/sign_in.html", "content", status=429, form=form)
            response.headers["Retry-After"] = str(refused.retry_after)
            return response
        if user:
            target = safe_next(request.args.get("next"))
            start_session(user, remember=form.remember.data)
            return redirect(target or url_for("home.index"), 303)
        form.password.errors.append("That email and password do not match an account.")
    status = 422 if form.errors else 200
    return render("auth/sign_in.html", "content", status=status, form=form)


@bp.route("/sign-out", methods=["POST"])
@login_required
def sign_out():
    """Sign out on this device (Login/Security signs out everywhere)."""
    end_session(current_user, this_device(current_user))
    logout_user()
    session.clear()
    flash("You are signed out.", "success")
    return redirect(url_for("auth.sign_in"), 303)
