"""Answers kept in memory until the data changes: signed-in pages and the lookups behind every request.

The data version changes whenever a write commits: on SQLite a trigger on every table bumps a counter
(`data_version`); on PostgreSQL the transaction snapshot moves. A request reads the version before any
other query, so everything it reads afterwards is at least that new; a copy kept under a version is
therefore never older than the version says. Once a request has written (or while it is inside a
transaction) it neither keeps nor reuses anything: what it read before may be older than its own write.
"""
import pickle
import threading
import time
from collections import OrderedDict
from functools import wraps

from flask import current_app, g, has_request_context, make_response, request, session
from itsdangerous import BadSignature
from werkzeug.exceptions import HTTPException
from werkzeug.http import parse_cookie

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
    """The data version this request started at, or None when nothing may be kept or reused."""
    if not has_request_context() or g.get("wrote") or db.in_transaction():
        return None
    return g.get("data_version")


def _start_request():
    if request.endpoint not in (None, "static"):
        # PageCache has read it already when it looked for a kept page.
        g.data_version = request.environ.get("cubby.data_version") or read_data_version()


def _noting_writes(execute_sql):
    """Wrap the database's execute_sql so that a request notes any statement that is not a plain SELECT."""

    @wraps(execute_sql)
    def wrapped(sql, *args, **kwargs):
        if not sql.startswith("SELECT") and has_request_context():
            g.wrote = True
        return execute_sql(sql, *args, **kwargs)

    return wrapped


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
    return request.method, request.endpoint, address, headers, user_id, seed, minute, version, extra


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
            and (htmx or not session.modified) and session.get("csrf_token") == key[5] and data_version() is not None):
        body = response.get_data()
        headers = [(name, value) for name, value in response.headers.items() if name != "Content-Length"]
        _store().put(key, (body, headers), len(body))
    return response


def cached_page(view):
    """A GET view whose final page PageCache keeps for the signed-in session until the data changes."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        response = make_response(view(*args, **kwargs))
        if (response.status_code == 200 and response.mimetype == "text/html" and not response.direct_passthrough
                and "_flashes" not in session and data_version() is not None):
            request.environ["cubby.keep_page"] = True
        return response

    wrapped.cached_page = True
    return wrapped


class PageCache:
    """WSGI middleware: answers a GET of a cached_page view from memory, before Flask runs.

    The key holds what the page was made from: the URL and the htmx headers, the client (Flask-Login's
    session protection hashes it), the session's user token and CSRF seed (the page's forms carry the
    token), the minute and the data version. The access checks passed for that user at that data version,
    so they pass again. Sessions with flash messages waiting, and answers that set a cookie, go to Flask.
    """

    def __init__(self, app):
        self.app, self.flask_app = app.wsgi_app, app
        self.store = app.extensions["cubby_cache"]

    def __call__(self, environ, start_response):
        key = self._key(environ) if environ["REQUEST_METHOD"] == "GET" else None
        if key is None:
            return self.app(environ, start_response)
        kept = self.store.get(key)
        if kept is not None:
            db.close()  # the version check took a pooled connection; Flask's teardown is not coming
            (status, headers, body), _ = kept
            start_response(status, headers)
            return [body]
        answer = {}

        def keep_answer(status, headers, exc_info=None):
            answer.update(status=status, headers=headers)
            return start_response(status, headers, exc_info)

        body = self.app(environ, keep_answer)
        if not environ.get("cubby.keep_page") or any(name.lower() == "set-cookie" for name, _ in answer["headers"]):
            return body
        try:
            content = b"".join(body)
        finally:
            if hasattr(body, "close"):
                body.close()
        self.store.put(key, (answer["status"], answer["headers"], content), len(content))
        return [content]

    def _key(self, environ):
        try:
            endpoint, _ = self.flask_app.url_map.bind_to_environ(environ).match()
        except HTTPException:
            return None
        if not getattr(self.flask_app.view_functions.get(endpoint), "cached_page", False):
            return None
        session = self._session(environ)
        if not session or "_flashes" in session or "_user_id" not in session or "csrf_token" not in session:
            return None
        address = (environ["wsgi.url_scheme"], environ.get("HTTP_HOST"), environ["PATH_INFO"], environ["QUERY_STRING"])
        client = (environ.get("HTTP_X_FORWARDED_FOR"), environ.get("REMOTE_ADDR"), environ.get("HTTP_USER_AGENT"))
        minute = int(time.time() // 60)  # pages show what has started and what is still ahead
        version = environ["cubby.data_version"] = read_data_version()
        return (endpoint, address, tuple(environ.get(name) for name in RENDERING_HEADERS), client,
                session["_user_id"], session["csrf_token"], session.get("_id"), minute, version)

    def _session(self, environ):
        """The signed session cookie's contents, or None."""
        app = self.flask_app
        cookie = parse_cookie(environ).get(app.config["SESSION_COOKIE_NAME"])
        serializer = app.session_interface.get_signing_serializer(app)
        if not cookie or serializer is None:
            return None
        try:
            return serializer.loads(cookie, max_age=int(app.permanent_session_lifetime.total_seconds()))
        except BadSignature:
            return None


def init_app(app):
    if app.config.get("CACHE", True):
        app.extensions["cubby_cache"] = Store()
        app.before_request(_start_request)
        db.obj.execute_sql = _noting_writes(db.obj.execute_sql)
        app.wsgi_app = PageCache(app)
