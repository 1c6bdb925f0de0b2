"""Health checks for the proxy and the process manager: /healthz (the process answers) and /readyz (its database
and job queue answer). Neither touches the session or the user, and neither is written to the access logs."""
import logging

from flask import Blueprint

from . import jobs
from .extensions import db

log = logging.getLogger(__name__)
bp = Blueprint("health", __name__)
PATHS = ("/healthz", "/readyz")
PLAIN = {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"}


@bp.route("/healthz")
def healthz():
    """The process is up and answering."""
    return "ok\n", 200, PLAIN


def _database_reachable():
    try:
        db.execute_sql("SELECT 1").fetchall()
    except Exception:  # noqa: BLE001 (any failure of the database means not ready)
        log.warning("the database is not reachable", exc_info=True)
        return False
    return True


@bp.route("/readyz")
def readyz():
    """Ready for traffic: the database and the job queue both answer (503 names the one that does not)."""
    down = [name for name, ok in (("database", _database_reachable()), ("queue", jobs.queue_reachable())) if not ok]
    if down:
        return "not ready: " + ", ".join(down) + " not reachable\n", 503, PLAIN
    return "ready\n", 200, PLAIN


def is_health_check(line):
    """True for an access-log line about a health check (the proxy asks every few seconds)."""
    return any(f" {path} " in line or f" {path}?" in line for path in PATHS)


class QuietHealthChecks(logging.Filter):
    """Leaves health checks out of werkzeug's request log (`make run`)."""

    def filter(self, record):
        return not is_health_check(record.getMessage())


def init_app(app):
    logging.getLogger("werkzeug").addFilter(QuietHealthChecks())
