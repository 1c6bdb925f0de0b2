"""The unsubscribe link of reminders: a page with one button, and the one-click POST of RFC 8058."""
from flask import Blueprint, abort, render_template, request

from ..extensions import csrf
from .opt_outs import address_of, email_opted_out, opt_out_of_email

bp = Blueprint("emails", __name__, url_prefix="/email")


def _address_or_404(token):
    address = address_of(token)
    if address is None:
        abort(404)
    return address


@bp.route("/unsubscribe/<token>")
def unsubscribe(token):
    """Ask before opting out (a mail scanner following the link must not unsubscribe anyone)."""
    address = _address_or_404(token)
    return render_template("emails/unsubscribe.html", address=address, done=email_opted_out(address), token=token)


@bp.route("/unsubscribe/<token>", methods=["POST"])
@csrf.exempt  # mail clients post List-Unsubscribe=One-Click without a form token; the signed token is the check
def confirm_unsubscribe(token):
    """Opt the address out of everything but receipts and security mail."""
    address = _address_or_404(token)
    opt_out_of_email(address)
    if request.form.get("List-Unsubscribe") == "One-Click":
        return "", 204
    return render_template("emails/unsubscribe.html", address=address, done=True, token=token)
