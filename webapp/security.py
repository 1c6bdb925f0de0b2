"""Browser security headers on every response; requests whose framing headers do not parse are refused."""
import re

from flask import abort, request

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "manifest-src 'self'",
    "worker-src 'self'",
    "form-action 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
])

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(self), usb=()",
    "Cross-Origin-Opener-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def _secure_headers(response):
    headers = response.headers
    present = {name for name, _ in headers}  # one pass: werkzeug's Headers looks names up one by one
    headers.extend((name, value) for name, value in HEADERS.items() if name not in present)
    if request.is_secure and "Strict-Transport-Security" not in present:
        headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    # Signed-in pages carry family data: never keep them in a shared or back-forward cache.
    if "Cache-Control" not in present and response.mimetype == "text/html":
        headers["Cache-Control"] = "no-store"
    return response


def _refuse_malformed_request():
    """A 400 for a Content-Length that is not a number, a Host that is not a host, or a NUL character anywhere.

    Werkzeug reads the first as an empty body and the second as no host at all, so the request would go on: a
    form dropped unread (htmx sends the CSRF token in a header), or a payment's return address built as "http:///".
    No field of Cubby's holds a NUL, and PostgreSQL refuses one in any text it is sent, even in a WHERE clause.
    """
    length = request.environ.get("CONTENT_LENGTH")
    if length is not None and length != "" and not re.fullmatch(r"[0-9]+", length):
        abort(400)
    if request.environ.get("HTTP_HOST") is not None and not request.host:
        abort(400)
    pairs = [*request.args.items(multi=True), *request.form.items(multi=True)]
    if "\x00" in request.path or any("\x00" in name or "\x00" in value for name, value in pairs):
        abort(400)


def init_app(app):
    # First of all before-request hooks: the CSRF check would otherwise read the dropped body as a form without a token.
    app.before_request_funcs.setdefault(None, []).insert(0, _refuse_malformed_request)
    app.after_request(_secure_headers)
