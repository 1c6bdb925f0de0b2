"""gunicorn's settings for production: `gunicorn -c deploy/gunicorn.conf.py wsgi:app`.

Sync workers, as many as the usual 2 × CPUs + 1 (WEB_CONCURRENCY overrides it); requests that take longer than
30 s are cut (the card network answers well within that); an access log on stdout for journald, which leaves the
health checks out (the proxy asks every few seconds).
"""
import multiprocessing
import os

from gunicorn.glogging import Logger

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count() * 2 + 1)
worker_class = "sync"
timeout = 30
graceful_timeout = 30
keepalive = 5  # behind a proxy that keeps connections open
max_requests, max_requests_jitter = 5000, 500  # a worker is renewed now and then, never all at once
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
# The client's address as the one trusted proxy saw it (Flask's ProxyFix reads the same header, one hop).
access_log_format = '%({x-forwarded-for}i)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'


class AccessLogWithoutHealthChecks(Logger):
    """gunicorn's logger, but /healthz and /readyz are not written to the access log."""

    def access(self, resp, req, environ, request_time):
        if environ.get("PATH_INFO") in ("/healthz", "/readyz"):
            return
        super().access(resp, req, environ, request_time)


logger_class = AccessLogWithoutHealthChecks
# systemd (or the Procfile's runner) manages the processes; gunicorn's control socket would be one path per user,
# shared by every gunicorn that user runs.
control_socket_disable = True
