"""Sign in and sign out."""
from urllib.parse import urlsplit

from flask import Blueprint, flash, g, has_request_context, redirect, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from ..attempts import TooManyAttempts
from ..extensions import htmx, login_manager
from ..models import Company, User
from ..prepared import prepared
from ..redirects import safe_next
from ..templating import render
from . import services
from .forms import SignInForm

bp = Blueprint("auth", __name__)

login_manager.login_view = "auth.sign_in"
login_manager.login_message = "Please sign in to see that page."
login_manager.session_protection = "basic"


@login_manager.user_loader
def load_user(session_token):
    """The user whose current session token the cookie names, read with the company in one query."""
    user = _user_by_token.first(session_token)
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


@prepared
def _user_by_token(session_token):
    first = Company.select(Company.id).order_by(Company.id).limit(1)
    return (User.select(User, Company).join(Company, on=(Company.id == first), attr="company")
            .where(User.session_token == session_token).limit(1))


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
            session.clear()  # a fresh session: nothing from before sign-in carries over
            login_user(user, remember=form.remember.data)
            return redirect(target or url_for("home.index"), 303)
        form.password.errors.append("That email and password do not match an account.")
    status = 422 if form.errors else 200
    return render("auth/sign_in.html", "content", status=status, form=form)


@bp.route("/sign-out", methods=["POST"])
@login_required
def sign_out():
    """Sign out here and everywhere else this user is signed in."""
    services.end_other_sessions(current_user._get_current_object())
    logout_user()
    session.clear()
    flash("You are signed out.", "success")
    return redirect(url_for("auth.sign_in"), 303)
