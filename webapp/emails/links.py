"""Absolute links for mail, which a job may write outside any request."""
from urllib.parse import urlsplit

from flask import current_app, has_request_context, url_for


def site_url(endpoint, **values):
    """The absolute URL of an endpoint: under SITE_URL when it is set (the public address), else this request's."""
    base = current_app.config.get("SITE_URL")
    if has_request_context() and not base:
        return url_for(endpoint, _external=True, **values)
    # No request context is pushed for it: that would run the teardown that returns the database connection.
    parts = urlsplit(base or "http://127.0.0.1:5000")
    adapter = current_app.url_map.bind(parts.netloc, url_scheme=parts.scheme, script_name=parts.path or "/")
    return adapter.build(endpoint, values, force_external=True)
