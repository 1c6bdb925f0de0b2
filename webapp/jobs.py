"""Background jobs on Huey: the outbox, the sandbox gateway's notifications, reconciliation, abandoned checkouts,
expiring makeup tokens and waitlist offers, and reminders.

JOBS_URL picks the queue: a SQLite file (the embedded default, `instance/jobs.sqlite3`), Redis (`redis://...`, for
production), or `memory://`, where each job runs at once in the process that queues it (the tests, and a process
with no consumer). `huey_consumer webapp.worker.huey` runs the queued and the periodic jobs. Every job is safe to
run twice or at the same time as itself: each change it makes is a conditional update or a unique row.
"""
import functools
import logging
import os

from flask import has_app_context
from huey import MemoryHuey, RedisHuey, SqliteHuey, crontab

from .config import ROOT

log = logging.getLogger(__name__)
DEFAULT_URL = f"sqlite:///{ROOT / 'instance' / 'jobs.sqlite3'}"


def make_huey(url, name="cubby"):
    """The Huey for a JOBS_URL."""
    if url.startswith("memory://"):
        return MemoryHuey(name, immediate=True)
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey(name, url=url)
    if url.startswith("sqlite:///"):
        path = url[len("sqlite:///"):]
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        return SqliteHuey(name, filename=path)
    raise ValueError(f"JOBS_URL must be memory://, redis://... or sqlite:///path, not {url!r}")


# Built at import, as tasks register on it; the environment names the queue (config.py reads the same variables).
huey = make_huey(os.environ.get("JOBS_URL", DEFAULT_URL), os.environ.get("JOBS_NAME", "cubby"))
_app = None


def init_app(app):
    """The app whose configuration and database the jobs use when they run outside a request (the consumer)."""
    global _app
    _app = app


def in_app(job):
    """Run the job inside an app context with a database connection, reusing the caller's if it has one."""

    @functools.wraps(job)
    def run(*args, **kwargs):
        if has_app_context():  # queued in immediate mode from a request or a test
            return job(*args, **kwargs)
        from .extensions import db

        with _app.app_context(), db.connection_context():
            return job(*args, **kwargs)

    return run


def queue_reachable():
    """True when the queue's storage answers (for /readyz)."""
    try:
        huey.pending_count()
    except Exception:  # noqa: BLE001 (any failure of the storage means not ready)
        log.warning("the job queue is not reachable", exc_info=True)
        return False
    return True


@huey.task(name="send_outbox")
@in_app
def send_outbox(ids=None):
    """Send these outbox messages (or every one that is due); a failure schedules a retry after its backoff."""
    from .outbox import next_retry_in, send_unsent

    sent = send_unsent(ids)
    delay = next_retry_in()
    if delay is not None and not huey.immediate:
        send_outbox.schedule(delay=delay)
    return sent


@huey.periodic_task(crontab(minute="*"), name="sweep_outbox")
@in_app
def sweep_outbox():
    """Every minute: whatever is due in the outbox (a queued send lost with a restarted queue), and stuck sends."""
    from .outbox import give_up_stuck_sends, send_unsent

    give_up_stuck_sends()
    return send_unsent()


@huey.task(name="deliver_sandbox_events")
@in_app
def deliver_sandbox_events():
    """The sandbox gateway's notifications that are due, posted to Cubby's webhook."""
    from .gateway.sandbox_events import deliver_due

    return deliver_due()


@huey.periodic_task(crontab(minute="*"), name="redeliver_sandbox_events")
@in_app
def redeliver_sandbox_events():
    """Every minute: sandbox notifications not yet accepted (a late one, or Cubby was down), as a provider retries."""
    from .gateway.sandbox_events import deliver_due

    return deliver_due()


@huey.periodic_task(crontab(minute="*/5"), name="reconcile_payments")
@huey.lock_task("reconcile_payments")
@in_app
def reconcile_payments():
    """Every five minutes: payments left in Processing are settled, failed or refunded; card refunds finished."""
    from .billing.reconcile import finish_stuck_payments
    from .billing.refunds import finish_requested_refunds

    return {**finish_stuck_payments(), "refunds finished": finish_requested_refunds()}


@huey.periodic_task(crontab(minute="*/5"), name="cancel_abandoned_checkouts")
@in_app
def cancel_abandoned_checkouts():
    """Every five minutes: checkouts left on the card page for too long are cancelled and their orders freed."""
    from .billing.reconcile import cancel_abandoned_checkouts as cancel

    return cancel()


@huey.periodic_task(crontab(minute="7"), name="expire_makeup_tokens")
@in_app
def expire_makeup_tokens():
    """Every hour: available makeup tokens past their date become Expired."""
    from .schedule.makeups import expire_makeup_tokens as expire

    return expire()


@huey.periodic_task(crontab(minute="*/5"), name="expire_waitlist_offers")
@in_app
def expire_waitlist_offers():
    """Every five minutes: seats held from the waitlist past their time expire and go to the next student waiting."""
    from .registration.waitlist import expire_offers

    return expire_offers()


@huey.periodic_task(crontab(minute="*/15"), name="send_reminders")
@in_app
def send_reminders():
    """Every quarter of an hour: the reminders that are due, each written once, then sent."""
    from .reminders import send_due_reminders

    return send_due_reminders()


def enqueue_outbox(ids):
    """After the commit that wrote them: have these messages sent now (in immediate mode, in this process)."""
    ids = list(ids or [])
    if ids:
        send_outbox(ids)
