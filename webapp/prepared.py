"""Hot queries compiled once: the SQL text is written the first time and reused with each call's values.

Peewee spends most of a small query's time writing its SQL (measured here: about 300 µs to compile a
two-table select, 10 µs to run it on SQLite). `@prepared` calls the build function once per shape with
marker values, keeps the SQL text and where each value goes, and afterwards only fills in the values and
runs it; the rows come back exactly as the peewee query would give them (model instances with their joins).

A build function uses its arguments as values only: no arithmetic on them and no branches on them, except
on None, True/False and the length of a list or set, which are part of the shape. `VERIFY` (on in the tests)
compiles every call the plain way too and fails loudly if the two differ.
"""
import datetime
import functools

from peewee import Model

from .extensions import db

VERIFY = False
_INT = -7_340_000_000_000  # far from any id, amount or limit a query could hold as a constant
_DATETIME = datetime.datetime(1001, 1, 1)
_DATE = datetime.date(1001, 1, 1)
_PER_CURSOR = {"cursor", "count", "index", "initialized", "populated", "row_cache"}  # peewee's CursorWrapper state


class PreparedQueryError(Exception):
    """A build function used a value in a way the compiled text cannot follow (arithmetic, a branch)."""


def _value(arg):
    """A model instance stands for its id, as in a peewee comparison."""
    return arg.id if isinstance(arg, Model) else arg


def _collection(arg):
    return isinstance(arg, (list, tuple, set, frozenset))


def _marker(example, n):
    """A value of the same kind as `example` that no real value equals, numbered n."""
    if isinstance(example, bool) or example is None:
        return example
    if isinstance(example, int):
        return _INT - n
    if isinstance(example, str):
        return f"\u2063marker-{n}\u2063"
    if isinstance(example, datetime.datetime):
        return _DATETIME + datetime.timedelta(microseconds=n)
    if isinstance(example, datetime.date):
        return _DATE + datetime.timedelta(days=n)
    raise PreparedQueryError(f"a {type(example).__name__} cannot be a prepared query's value")


class prepared:  # noqa: N801 (used as a decorator, like functools' lowercase classes)
    """Decorate a function that builds a peewee query; calling it runs the query and returns its rows."""

    def __init__(self, build):
        functools.update_wrapper(self, build)
        self.build, self.compiled = build, {}

    def __call__(self, *args):
        """Every row, as list(query) would give them."""
        return list(self._cursor(args))

    def first(self, *args):
        """The first row or None (the build function should limit the query to one row)."""
        return next(iter(self._cursor(args)), None)

    def scalar(self, *args):
        """The first column of the first row, or None."""
        row = self._cursor(args).cursor.fetchone()
        return row[0] if row else None

    def _cursor(self, args):
        args = [list(map(_value, a)) if _collection(a) else _value(a) for a in args]
        key = (type(db.obj), tuple(
            ("list", len(a), type(a[0]) if a else None) if _collection(a) else a if a is None or isinstance(a, bool)
            else type(a) for a in args))
        entry = self.compiled.get(key) or self._compile(key, args)
        query, sql, plan, columns = entry
        params = [value if i is None else args[i] if j is None else args[i][j] for i, j, value in plan]
        if VERIFY:
            self._verify(args, sql, params)
        wrapper = query._get_cursor_wrapper(db.execute_sql(sql, params))
        if not columns:  # how the columns map to models and converters depends only on the SQL text: work it out once
            wrapper.initialize()
            columns.update((k, v) for k, v in vars(wrapper).items() if k not in _PER_CURSOR)
        vars(wrapper).update(columns, initialized=True)
        return wrapper

    def _compile(self, key, args):
        markers, spots, n = [], {}, 0
        for i, arg in enumerate(args):
            if _collection(arg):
                markers.append([_marker(element, n + j) for j, element in enumerate(arg)])
                spots.update({m: (i, j) for j, m in enumerate(markers[-1])})
                n += len(arg)
            else:
                markers.append(_marker(arg, n))
                if arg is not None and not isinstance(arg, bool):
                    spots[markers[-1]] = (i, None)
                n += 1
        query = self.build(*markers)
        sql, params = query.sql()
        if set(spots) - set(params):  # a value was changed on the way (arithmetic): the text cannot follow it
            raise PreparedQueryError(f"{self.build.__qualname__}: every argument must reach the query as it is")
        plan = [(*spots[p], None) if p in spots else (None, None, p) for p in params]  # the rest are constants
        self.compiled[key] = (query, sql, plan, {})
        return self.compiled[key]

    def _verify(self, args, sql, params):
        plain = self.build(*args).sql()
        if plain != (sql, params):
            raise PreparedQueryError(f"{self.build.__qualname__} gave other SQL for {args!r}:\n{plain}\n{(sql, params)}")
