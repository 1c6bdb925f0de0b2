"""The installable app: service worker at the site root and the offline page it falls back to."""
import hashlib

from flask import Blueprint, current_app, render_template, url_for

from ..assets import asset

bp = Blueprint("pwa", __name__)
MANIFEST_ICONS = ["icons/icon-192.png", "icons/icon-512.png", "icons/maskable-512.png"]


def precache():
    """The shell the worker keeps: the offline page, what pages link to, the app manifest and its icons."""
    linked = [asset(name) for name in ("css/cubby.css", "vendor/htmx.min.js", "js/cubby.js", "icons/icon-192.png")]
    plain = [url_for("static", filename=name) for name in ["manifest.webmanifest", *MANIFEST_ICONS]]
    return [url_for("pwa.offline"), *linked, *plain]


@bp.route("/sw.js")
def service_worker():
    """The service worker, served from the root so that its scope is the whole portal."""
    paths = precache()
    version = hashlib.sha256("\n".join(paths).encode()).hexdigest()[:8]
    response = current_app.make_response(render_template("pwa/sw.js", precache=paths, version=version))
    response.mimetype = "text/javascript"
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/"
    return response


@bp.route("/offline")
def offline():
    """The page the service worker shows when the network is gone; it holds no family data."""
    response = current_app.make_response(render_template("pwa/offline.html"))
    response.headers["Cache-Control"] = "no-cache"
    return response
