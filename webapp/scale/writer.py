"""Bulk inserts with ids chosen up front, so rows can point at each other before any is written."""
import datetime

from ..database import is_sqlite
from ..extensions import db
from ..models import ALL_MODELS

SQLITE_VARIABLES = 32000  # SQLite 3.32+ takes 32766 parameters per statement


class BulkWriter:
    """Buffers rows per model and writes them as multi-row INSERTs, parents before children.

    Peewee's insert_many builds a node per value, which is seven times slower at a million rows; this writes
    the same columns (the models' own column names) as multi-row INSERTs on SQLite and with COPY on
    PostgreSQL (a third faster than INSERTs there). Ids are taken from
    max(id) inside the caller's write transaction; on PostgreSQL the tables are locked against other writers
    for that transaction and each id sequence is moved past the new rows at the end.
    """

    def __init__(self, models):
        self.columns = {model: model._meta.sorted_fields for model in models}  # the id comes first
        self.rows = {model: [] for model in models}
        self.written = {model: 0 for model in models}
        self.next_ids = {}
        self.sqlite = is_sqlite()

    def start(self):
        """Lock the tables (PostgreSQL) and read where each id sequence stands."""
        for model in self.columns:
            table = model._meta.table_name
            if not self.sqlite:
                db.execute_sql(f'LOCK TABLE "{table}" IN EXCLUSIVE MODE')
            top = db.execute_sql(f'SELECT MAX(id) FROM "{table}"').fetchone()[0]
            self.next_ids[model] = (top or 0) + 1

    def take_id(self, model):
        """The id the next row of this model will have."""
        row_id = self.next_ids[model]
        self.next_ids[model] += 1
        return row_id

    def add(self, model, **values):
        """Queue one row; a field left out gets the model's default (a callable one is called), else NULL."""
        row = []
        for field in self.columns[model]:
            if field.name in values:
                row.append(values[field.name])
            else:
                row.append(field.default() if callable(field.default) else field.default)
        self.rows[model].append(row)
        return values.get("id")

    def flush(self):
        """Write every queued row, parents first (ALL_MODELS order), so foreign keys always find their row."""
        for model in sorted(self.rows, key=ALL_MODELS.index):
            rows = self.rows[model]
            if rows:
                self._insert(model, rows)
                self.written[model] += len(rows)
                self.rows[model] = []

    def finish(self):
        """Write what is left and move PostgreSQL's id sequences past the new rows."""
        self.flush()
        if not self.sqlite:
            for model, count in self.written.items():
                if count:
                    table = model._meta.table_name
                    db.execute_sql(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                                   f'(SELECT MAX(id) FROM "{table}"))')

    def _insert(self, model, rows):
        fields = self.columns[model]
        names = ", ".join(f'"{field.column_name}"' for field in fields)
        table = model._meta.table_name
        if not self.sqlite:
            with db.cursor().copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
                copy.write("".join("\t".join(map(_copy_value, row)) + "\n" for row in rows))
            return
        one = "(" + ", ".join(["?"] * len(fields)) + ")"
        size = SQLITE_VARIABLES // len(fields)
        for start in range(0, len(rows), size):
            batch = rows[start:start + size]
            sql = f'INSERT INTO "{table}" ({names}) VALUES ' + ", ".join([one] * len(batch))
            db.execute_sql(sql, [_sqlite_value(value) for row in batch for value in row])


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_value(value):
    """A value in COPY's text format: \\N for NULL, t/f for booleans, text with its tabs and newlines escaped."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    return str(value).translate(_COPY_ESCAPES) if isinstance(value, str) else str(value)


def _sqlite_value(value):
    """Dates and times as the text peewee stores on SQLite; everything else as it is."""
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat(" ") if isinstance(value, datetime.datetime) else value.isoformat()
    return value
