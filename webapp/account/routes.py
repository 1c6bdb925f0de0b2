"""My Account: its sections in the seed's order, and Change password (Login/Security)."""
from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user, login_required, login_user

from ..access import family, role_required
from ..attempts import TooManyAttempts
from ..auth.forms import ChangePasswordForm
from ..billing.methods import saved_methods
from ..gateway import provider_for
from ..auth.services import PasswordError, change_password
from ..models import User
from ..templating import current_company, render

bp = Blueprint("account", __name__, url_prefix="/account")


@bp.route("/")
@login_required
def index():
    """My Account."""
    return render("account/index.html", "content", form=ChangePasswordForm(), households=family().memberships,
                  students=family().students)


@bp.route("/payments")
@role_required(User.PATRON)
def payments():
    """Payments: the stored payment methods (for a guardian with the payment grant; anyone else 403)."""
    if not family().may_pay:
        abort(403)
    return render("account/payments.html", "content", methods=saved_methods(current_user),
                  gateway=provider_for(current_company()))


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
            login_user(user)  # this device keeps going under the new session token
            flash("Your password is changed. Other devices have been signed out.", "success")
            return redirect(url_for("account.index"), 303)
    response = render(
        "account/index.html", "security", status=status, form=form, households=family().memberships,
        students=family().students,
    )
    response.headers.update(headers)
    return response


from . import contact_routes, student_routes  # noqa: E402,F401 (their routes join this blueprint)
