"""The installable app: service worker at the site root and the offline page it falls back to."""
from flask import Blueprint, current_app, render_template, send_from_directory

bp = Blueprint("pwa", __name__)


@bp.route("/sw.js")
def service_worker():
    """The service worker, served from the root so that its scope is the whole portal."""
    response = send_from_directory(current_app.static_folder, "sw.js", max_age=0)
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/"
    return response


@bp.route("/offline")
def offline():
    """The page the service worker shows when the network is gone; it holds no family data."""
    response = current_app.make_response(render_template("pwa/offline.html"))
    response.headers["Cache-Control"] = "no-cache"
    return response
