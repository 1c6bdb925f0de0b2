"""Helpers for the odd-input and fuzz tests: a fingerprint of the whole database and URLs built from any values."""
import hashlib
import re
from urllib.parse import quote

import peewee as pw

from webapp.extensions import db

ARGUMENT = re.compile(r"<(?:[^<>:]*:)?(\w+)>")  # <name>, <int:name>, <any(a, b):name>


def database_fingerprint():
    """{table: hash of its rows}: equal before and after a request means the request stored nothing."""
    database = db.obj
    # Signing in adds a device's session row and a visit may note when it was last seen: bookkeeping of who is
    # signed in, not something a request stores (tests/test_sessions.py checks those rows directly).
    tables = [table for table in database.get_tables() if table != "user_session"]
    if isinstance(database, pw.PostgresqlDatabase):  # one round trip, not one per table: the fuzz test runs it often
        sql = " UNION ALL ".join(f"""SELECT '{table}', md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), ''))
                                      FROM "{table}" t""" for table in tables)
        return dict(database.execute_sql(sql).fetchall())
    prints = {}
    for table in tables:
        # Sorted in Python: the order rows come back in is not part of what is stored.
        rows = sorted(map(repr, database.execute_sql(f'SELECT * FROM "{table}"').fetchall()))
        prints[table] = hashlib.sha256("\n".join(rows).encode()).hexdigest()
    return prints


def changed_tables(before, after):
    return sorted(table for table in before.keys() | after.keys() if before.get(table) != after.get(table))


def rule_url(rule, values):
    """The rule's path with each argument replaced by `values[name]`, percent-encoded but not converted (url_for
    would turn "١٢" into "12")."""
    return ARGUMENT.sub(lambda match: quote(str(values[match.group(1)]), safe=""), rule.rule)
