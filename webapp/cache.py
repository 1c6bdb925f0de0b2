"""Answers kept in memory until the data changes: signed-in pages and the lookups behind every request.

The data version changes whenever a write commits: on SQLite a trigger on every table bumps a counter
(`data_version`); on PostgreSQL the transaction snapshot moves. A request reads the version before any
other query, so everything it reads afterwards is at least that new; a copy kept under a version is
therefore never older than the version says. Copies made inside a transaction are never kept: they
could hold writes that roll back.
"""
import pickle
import threading
import time
from collections import OrderedDict
from functools import wraps

from flask import current_app, g, has_request_context, make_response, request, session

from .database import is_sqlite
from .extensions import db, htmx

# Request headers (as WSGI names) that change what a view renders besides the URL: htmx asks for fragments with them.
RENDERING_HEADERS = ("HTTP_HX_REQUEST", "HTTP_HX_TARGET", "HTTP_HX_BOOSTED", "HTTP_HX_HISTORY_RESTORE_REQUEST")
MAX_BYTES = 32 * 1024 * 1024  # per worker process, well inside the 150 MB a worker may use


class Store:
    """A least-recently-used map bounded by the total size of its values (pickled bytes or page bodies)."""

    def __init__(self, max_bytes=MAX_BYTES):
        self.max_bytes, self.size = max_bytes, 0
        self.items = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            value = self.items.get(key)
            if value is not None:
                self.items.move_to_end(key)
            return value

    def clear(self):
        with self.lock:
            self.items.clear()
            self.size = 0

    def put(self, key, value, size):
        with self.lock:
            if key in self.items:
                return
            self.items[key] = (value, size)
            self.size += size
            while self.size > self.max_bytes and self.items:
                _, (_, dropped) = self.items.popitem(last=False)
                self.size -= dropped


def _store():
    """This app's store, or None when caching is off (each test app has its own database and store)."""
    return current_app.extensions.get("cubby_cache")


def read_data_version():
    """A value that differs after every committed write: read before anything else the request reads."""
    if is_sqlite():
        return db.execute_sql("SELECT n FROM data_version").fetchone()[0]
    return db.execute_sql("SELECT pg_current_snapshot()::text").fetchone()[0]


def data_version():
    """The data version this request started at, or None when nothing may be kept."""
    if not has_request_context() or _store() is None or db.in_transaction():
        return None
    return g.get("data_version")


def _start_request():
    if _store() is not None and request.endpoint not in (None, "static"):
        g.data_version = read_data_version()


def versioned(lookup):
    """Keep lookup's answer per arguments and data version; every caller gets its own copy."""

    @wraps(lookup)
    def wrapped(*args):
        version = data_version()
        if version is None:
            return lookup(*args)
        key = (lookup, args, version)
        kept = _store().get(key)
        if kept is not None:
            return pickle.loads(kept[0])
        answer = lookup(*args)
        if data_version() is not None:  # the lookup itself may have opened a transaction
            pickled = pickle.dumps(answer, pickle.HIGHEST_PROTOCOL)
            _store().put(key, pickled, len(pickled))
        return answer

    return wrapped


def _page_key(user_id, extra):
    seed = session.get("csrf_token")
    if seed is None or ("_flashes" in session and not htmx):
        return None  # no CSRF seed yet (the page makes one); a full page would show and consume the flashes
    version = data_version()
    if version is None:
        return None
    environ = request.environ
    address = (environ["wsgi.url_scheme"], environ.get("HTTP_HOST"), environ["PATH_INFO"], environ["QUERY_STRING"])
    headers = tuple(environ.get(name) for name in RENDERING_HEADERS)
    minute = int(time.time() // 60)  # pages show what has started and what is still ahead
    # The CSRF seed ties a kept page (its forms carry the token) to the session that asked for it.
    return request.endpoint, address, headers, user_id, seed, minute, version, extra


def remembered(user_id, produce, extra=None):
    """produce()'s response for this user, session, URL and data version, made once and then kept.

    Only a plain 200 HTML answer is kept, and a full page only when it consumed no flash message.
    """
    key = _page_key(user_id, extra)
    if key is None:
        return produce()
    kept = _store().get(key)
    if kept is not None:
        (body, headers), _ = kept
        return current_app.response_class(body, 200, headers)
    response = make_response(produce())
    if (response.status_code == 200 and response.mimetype == "text/html" and not response.direct_passthrough
            and (htmx or not session.modified) and session.get("csrf_token") == key[4] and data_version() is not None):
        body = response.get_data()
        headers = [(name, value) for name, value in response.headers.items() if name != "Content-Length"]
        _store().put(key, (body, headers), len(body))
    return response


def cached_page(view):
    """A GET view whose page is kept for the signed-in user until the data changes (see remembered)."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        from flask_login import current_user

        return remembered(current_user.id, lambda: view(*args, **kwargs))

    return wrapped


def init_app(app):
    if app.config.get("CACHE", True):
        app.extensions["cubby_cache"] = Store()
        app.before_request(_start_request)
