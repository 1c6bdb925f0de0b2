"""Answers kept in memory until the data changes: signed-in pages and the lookups behind every request.

The data version changes whenever a write commits: on SQLite a trigger on every table bumps a counter
(`data_version`); on PostgreSQL the transaction snapshot moves. A request reads the version before any
other query, so everything it reads afterwards is at least that new; a copy kept under a version is
therefore never older than the version says. Once a request has written (or while it is inside a
transaction) it neither keeps nor reuses anything: what it read before may be older than its own write.
"""
import hmac
import io
import pickle
import threading
import time
from collections import OrderedDict
from functools import lru_cache, wraps
from urllib.parse import parse_qs

from flask import current_app, g, has_request_context, make_response, request, session
from flask_wtf.csrf import same_origin
from itsdangerous import BadData, URLSafeTimedSerializer
from peewee import DatabaseError
from werkzeug.exceptions import HTTPException
from werkzeug.http import parse_cookie

from .database import is_sqlite
from .extensions import db

# Request headers (as WSGI names) that change what a view renders besides the URL: htmx asks for fragments with them.
RENDERING_HEADERS = ("HTTP_HX_REQUEST", "HTTP_HX_TARGET", "HTTP_HX_BOOSTED", "HTTP_HX_HISTORY_RESTORE_REQUEST")
MAX_BYTES = 32 * 1024 * 1024  # per worker process, well inside the 150 MB a worker may use
MAX_KEPT_POST = 2048  # bytes of form: the posts worth keeping send a field or two


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


def cached_page(view):
    """A view whose final answer PageCache keeps for the signed-in session until the data changes.

    A GET is kept when it answers 200 with HTML; a form post only when it also wrote nothing (an order
    already in the cart, an absence already reported): posting it again would answer the same.
    """

    @wraps(view)
    def wrapped(*args, **kwargs):
        response = make_response(view(*args, **kwargs))
        if (response.status_code == 200 and response.mimetype == "text/html" and not response.direct_passthrough
                and data_version() is not None and (request.method == "POST" or "_flashes" not in session)):
            request.environ["cubby.keep_page"] = True
        return response

    wrapped.cached_page = True
    return wrapped


class PageCache:
    """WSGI middleware: answers a cached_page view from memory, before Flask runs.

    The key holds what the answer was made from: the method, URL, htmx headers and posted form, the
    client (Flask-Login's session protection hashes it), the session's user token and CSRF seed (the
    page's forms carry the token), the minute and the data version. The access checks passed for that
    user at that data version, so they pass again. A post must first pass Flask-WTF's own CSRF check.
    Sessions with flash messages waiting, and answers that set a cookie, go to Flask.
    """

    def __init__(self, app):
        self.app, self.flask_app = app.wsgi_app, app
        self.store = app.extensions["cubby_cache"]
        self._cached_endpoint = lru_cache(maxsize=4096)(self._endpoint)  # routing the same paths again is waste

    def __call__(self, environ, start_response):
        key = self._key(environ)
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
        method = environ["REQUEST_METHOD"]
        if method not in ("GET", "POST"):
            return None
        endpoint = self._cached_endpoint(method, environ.get("HTTP_HOST"), environ["PATH_INFO"])
        if endpoint is None:
            return None
        session, form = (self._session(environ), None) if method == "GET" else self._checked_post(environ)
        if not session or "_flashes" in session or "_user_id" not in session or "csrf_token" not in session:
            return None
        address = (environ["wsgi.url_scheme"], environ.get("HTTP_HOST"), environ["PATH_INFO"], environ["QUERY_STRING"])
        client = (environ.get("HTTP_X_FORWARDED_FOR"), environ.get("REMOTE_ADDR"), environ.get("HTTP_USER_AGENT"))
        minute = int(time.time() // 60)  # pages show what has started and what is still ahead
        try:
            version = environ["cubby.data_version"] = read_data_version()
        except DatabaseError:
            db.close()
            return None  # Flask answers, with its error page if the database is down
        return (method, endpoint, address, tuple(environ.get(name) for name in RENDERING_HEADERS), form, client,
                session["_user_id"], session["csrf_token"], session.get("_id"), minute, version)

    def _endpoint(self, method, host, path):
        """The endpoint a request routes to when its view is a cached_page, else None."""
        try:
            endpoint, _ = self.flask_app.url_map.bind(host or "", path_info=path).match(method=method)
        except HTTPException:
            return None
        return endpoint if getattr(self.flask_app.view_functions.get(endpoint), "cached_page", False) else None

    def _session(self, environ):
        """The signed session cookie's contents, or None."""
        app = self.flask_app
        cookie = parse_cookie(environ).get(app.config["SESSION_COOKIE_NAME"])
        serializer = app.session_interface.get_signing_serializer(app)
        if not cookie or serializer is None:
            return None
        try:
            return serializer.loads(cookie, max_age=int(app.permanent_session_lifetime.total_seconds()))
        except BadData:
            return None

    def _checked_post(self, environ):
        """(session, form body) of a small form post whose CSRF token Flask-WTF would accept, else (None, None).

        The checks of CSRFProtect.protect(): a token from the form or the headers, signed for this session's
        seed and not expired, and on HTTPS a same-origin referrer. In doubt the post goes to Flask, which checks.
        """
        length = int(environ.get("CONTENT_LENGTH") or 0)
        urlencoded = environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded")
        if length > MAX_KEPT_POST or (length and not urlencoded) or environ.get("HTTP_TRANSFER_ENCODING"):
            return None, None
        form = environ["wsgi.input"].read(length)
        environ["wsgi.input"] = io.BytesIO(form)  # for Flask to read
        session, config = self._session(environ), self.flask_app.config
        headers = ("HTTP_" + name.upper().replace("-", "_") for name in config["WTF_CSRF_HEADERS"])
        token = parse_qs(form.decode("utf-8", "replace")).get(config["WTF_CSRF_FIELD_NAME"], [None])[0] or next(
            (environ[key] for key in headers if environ.get(key)), None)
        if not (session and token and isinstance(session.get(config["WTF_CSRF_FIELD_NAME"]), str)):
            return None, None
        secret = config.get("WTF_CSRF_SECRET_KEY") or self.flask_app.secret_key
        try:
            seed = URLSafeTimedSerializer(secret, salt="wtf-csrf-token").loads(token, max_age=config["WTF_CSRF_TIME_LIMIT"])
        except BadData:
            return None, None
        if not (isinstance(seed, str) and hmac.compare_digest(session[config["WTF_CSRF_FIELD_NAME"]], seed)):
            return None, None
        if environ["wsgi.url_scheme"] == "https" and config["WTF_CSRF_SSL_STRICT"]:
            referrer = environ.get("HTTP_REFERER")
            if not (referrer and same_origin(referrer, f"https://{environ.get('HTTP_HOST')}/")):
                return None, None
        return session, form


def init_app(app):
    if app.config.get("CACHE", True):
        app.extensions["cubby_cache"] = Store()
        app.before_request(_start_request)
        db.obj.execute_sql = _noting_writes(db.obj.execute_sql)
        app.wsgi_app = PageCache(app)
