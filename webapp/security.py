"""Browser security headers on every response."""
from flask import request

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


def init_app(app):
    app.after_request(_secure_headers)
