"""My Account: Login / Security first; later releases add the other sections."""
from flask import Blueprint
from flask_login import current_user, login_required

from ..access import family
from ..billing.methods import saved_methods
from ..gateway import provider_for
from ..templating import current_company, render

bp = Blueprint("account", __name__, url_prefix="/account")


@bp.route("/")
@login_required
def index():
    """My Account."""
    return render(
        "account/index.html", "content", households=family().memberships,
        students=family().students, methods=saved_methods(current_user),
        gateway=provider_for(current_company()),
    )
