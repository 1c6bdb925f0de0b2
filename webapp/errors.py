"""Error pages in the layout; for htmx, a readable message in the page's message region."""
import json
from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, url_for
from flask_wtf.csrf import CSRFError, generate_csrf
from playhouse.pool import MaxConnectionsExceeded
from werkzeug.exceptions import SecurityError

from .extensions import htmx
from .redirects import safe_next

MESSAGES = {
    400: ("Something in that request was not right", "Please go back and try again."),
    403: ("Not allowed", "Your sign-in does not allow this. Ask the primary guardian or the office if you need it."),
    404: ("Not found", "That page does not exist, or it belongs to another family."),
    405: ("Not allowed", "That address does not take this kind of request."),
    429: ("Too many attempts", "Please wait a few minutes and try again."),
    500: ("Something went wrong on our side", "Nothing was changed. Please try again in a moment."),
    503: ("Cubby is busy", "Cubby is busy right now, so nothing was changed. Please try again in a moment."),
}


def error_response(status, message=None):
    """The error page, or for htmx the message swapped into the flash region."""
    title, detail = MESSAGES.get(status, MESSAGES[500])
    detail = message or detail
    if htmx:
        body = render_template("partials/_flash_messages.html", flash_messages=[("error", f"{title}. {detail}")])
        return body, status, {"HX-Retarget": "#flash", "HX-Reswap": "innerHTML", "Vary": "HX-Request"}
    return render_template("errors/error.html", status=status, title=title, detail=detail), status, {"Vary": "HX-Request"}


def _busy(error):
    """No database connection came free in time (or no attempt counter answered): come back in a moment."""
    # Made without the database (not in the layout, which reads the company and the user from it).
    title, detail = MESSAGES[503]
    headers = {"Retry-After": "5", "Vary": "HX-Request"}
    if htmx:
        body = render_template("partials/_flash_messages.html", flash_messages=[("error", f"{title}. {detail}")])
        return body, 503, {**headers, "HX-Retarget": "#flash", "HX-Reswap": "innerHTML"}
    return render_template("errors/busy.html", title=title, detail=detail), 503, headers


def _untrusted_host(error):
    """A Host not in TRUSTED_HOSTS: plain text, since no URL can be built for it (the layout builds many)."""
    return "This site is not served under that name.\n", 400, {"Content-Type": "text/plain; charset=utf-8"}


def _same_origin_referrer():
    """The page the expired form was on, if it is one of ours."""
    parts = urlsplit(request.referrer or "")
    if parts.scheme not in ("http", "https") or parts.netloc != request.host:
        return None
    return safe_next(parts.path + (f"?{parts.query}" if parts.query else ""))


def _csrf_expired(error):
    """A page left open too long: give it a fresh token and ask the user to try again."""
    message = "This page was open for a long time, so we refreshed it. Please try that again."
    if htmx:
        body = render_template("partials/_flash_messages.html", flash_messages=[("warning", message)])
        trigger = json.dumps({"cubby:csrf": {"token": generate_csrf()}})
        return body, 400, {"HX-Retarget": "#flash", "HX-Reswap": "innerHTML", "HX-Trigger": trigger}
    flash(message, "warning")
    return redirect(_same_origin_referrer() or url_for("home.index"), 303)


def init_app(app):
    for status in (400, 403, 404, 405, 429, 500):
        app.register_error_handler(status, lambda e, s=status: error_response(s, getattr(e, "description_for_user", None)))
    app.register_error_handler(CSRFError, _csrf_expired)
    app.register_error_handler(503, _busy)
    app.register_error_handler(SecurityError, _untrusted_host)
    app.register_error_handler(MaxConnectionsExceeded, _busy)
