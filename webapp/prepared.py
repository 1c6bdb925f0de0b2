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
import inspect

from peewee import FieldAccessor, ForeignKeyAccessor, Model, ModelCursorWrapper, ObjectIdAccessor

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
            columns["graph"] = _Graph(wrapper) if type(wrapper) is ModelCursorWrapper else None
        vars(wrapper).update(columns, initialized=True)
        if columns["graph"]:
            wrapper.process_row = functools.partial(columns["graph"].checked if VERIFY else columns["graph"].row, wrapper)
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


class _Graph:
    """The objects of a model-graph query's row, made as peewee's ModelCursorWrapper.process_row makes them, without
    its per-column setattr through field descriptors and Model.__init__ (a third of building a schedule row).

    Columns that land on a field are written into the instance's __data__ as the field's accessor would; any other
    column (an alias, a property) is set with setattr as peewee does. `checked` (VERIFY) compares with peewee's."""

    def __init__(self, wrapper):
        self.keys = [key for key, _, _ in wrapper._constructor_list]
        self.classes = [constructor for _, constructor, _ in wrapper._constructor_list]
        self.plain = all(is_model for _, _, is_model in wrapper._constructor_list)
        root = self.keys.index(wrapper.model)
        self.columns = []  # (row index, key, instance index, __data__ name or None, attribute, converter)
        for idx, key, column, converter in wrapper._row_spec:
            at = self.keys.index(key) if key in self.keys else root
            accessor = inspect.getattr_static(self.classes[at], column, None)
            if type(accessor) in (FieldAccessor, ForeignKeyAccessor):
                name = accessor.name
            elif type(accessor) is ObjectIdAccessor:
                name = accessor.field.name
            else:
                name = None
            self.columns.append((idx, key, at, name, column, converter))

    def row(self, wrapper, row):
        """What wrapper.process_row(row) gives."""
        if not self.plain:
            return ModelCursorWrapper.process_row(wrapper, row)
        made = []
        for cls in self.classes:
            instance = cls.__new__(cls)
            instance.__data__, instance._dirty, instance.__rel__ = {}, set(), {}
            made.append(instance)
        objects = dict(zip(self.keys, made))
        set_keys = set()
        for idx, key, at, name, column, converter in self.columns:
            value = row[idx]
            if value is not None:
                set_keys.add(key)
            if converter is not None:
                value = converter(value)
            if name is None:
                setattr(made[at], column, value)
            else:
                made[at].__data__[name] = value
        _join(wrapper, objects, set_keys)
        for instance in made:
            instance._dirty.clear()
        return objects[wrapper.model]

    def checked(self, wrapper, row):
        """row(), failing loudly where it differs from peewee's own."""
        mine, peewees = self.row(wrapper, row), ModelCursorWrapper.process_row(wrapper, row)
        if _state(mine) != _state(peewees):
            raise PreparedQueryError(f"a row of {wrapper.model.__name__} differs from peewee's:\n"
                                     f"{_state(mine)}\n{_state(peewees)}")
        return mine


def _join(wrapper, objects, set_keys):
    """Attach the joined instances to each other: peewee's ModelCursorWrapper.process_row, its second half."""
    for src, attr, dest, _is_dict, is_outer, is_fk in wrapper.src_to_dest:  # model rows only, never dicts
        instance, joined = objects.get(src), objects.get(dest)
        if joined is None and dest not in objects:
            continue
        assign = dest not in set_keys and dest in wrapper._dest_reachable and bool(
            wrapper._dest_reachable[dest] & set_keys)
        if dest not in set_keys and not assign:
            if not is_outer:
                continue
            joined = None
        if src not in set_keys and dest not in set_keys and is_outer:
            continue
        if is_fk and joined is None:
            instance.__rel__[attr] = None  # a row known to be missing, its id kept
        else:
            setattr(instance, attr, joined)


def _state(value, depth=0):
    """A model instance as comparable data: its class, fields, related and other attributes, nested."""
    if not isinstance(value, Model) or depth > 8:
        return value
    rest = {k: _state(v, depth + 1) for k, v in vars(value).items() if k not in ("__data__", "_dirty", "__rel__")}
    related = {k: _state(v, depth + 1) for k, v in value.__rel__.items()}
    return type(value), value.__data__, sorted(value._dirty), related, rest
