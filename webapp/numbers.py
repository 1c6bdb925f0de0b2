"""Numbers from outside (ids in URLs, whole numbers and money typed by people): one gate each.

Each gate takes ASCII digits only and refuses what the database cannot hold, so odd input is a clear 4xx and
never an overflow deep in a query: `int()` alone would take "١٢", " 12", "1_000" and ids past the id columns.
"""
import re

from werkzeug.routing import IntegerConverter, ValidationError
from wtforms import IntegerField

# The id columns are 4-byte integers on PostgreSQL; SQLite would take more, but one bound keeps both alike.
MAX_ID = 2**31 - 1
# Amounts are 4-byte integer cents too, and a payment sums several orders' balances, so a typed amount stays far
# below $21,474,836.47: at most six digits of dollars ("999999" or "999,999") and two of cents.
_MONEY = re.compile(r"(-?)\$?([0-9]{1,6}|[0-9]{1,3},[0-9]{3})(?:\.([0-9]{0,2}))?")


def _digits_up_to(limit):
    """A regex for the numbers 0 to `limit` in ASCII digits, so that the URL matcher itself refuses larger ones."""
    text = str(limit)
    options = [f"[0-9]{{1,{len(text) - 1}}}"] if len(text) > 1 else []
    for i, digit in enumerate(text):
        if digit != "0":  # `limit`'s first i digits, a smaller digit, then any digits
            options.append(f"{text[:i]}[0-{int(digit) - 1}][0-9]{{{len(text) - i - 1}}}")
    return f"0*(?:{'|'.join(options + [text])})"


_ID = _digits_up_to(MAX_ID)


def stripped(value):
    """A form filter: typed text without the spaces around it (None and non-text pass through)."""
    return value.strip() if isinstance(value, str) else value


def requested_page():
    """The `page` of the request's query string: 1 unless it is a whole number above 0."""
    from flask import request

    return max(request.args.get("page", 1, type=whole_number), 1)


def whole_number(text):
    """ASCII digits for 0 to MAX_ID as an int; ValueError otherwise (so it serves as `type=` of `request.args.get`)."""
    if not isinstance(text, str) or not re.fullmatch(_ID, text):
        raise ValueError("not a whole number the database holds")
    return int(text)


def to_cents(text):
    """'$1,240.50', '1240.5' or '-5' as integer cents; None for anything else, such as '1e3', 'NaN', '١٠',
    '12.345' or more than six digits of dollars."""
    match = _MONEY.fullmatch(text.strip()) if isinstance(text, str) else None
    if match is None:
        return None
    sign, dollars, cents = match.groups()
    value = int(dollars.replace(",", "")) * 100 + int((cents or "").ljust(2, "0"))
    return -value if sign else value


class IdConverter(IntegerConverter):
    """The app's `<int:...>`: ASCII digits up to MAX_ID, so a too-large id is a 404 like any unknown one."""

    # In the pattern, not only in to_python: werkzeug answers 405, not 404, when a converter refuses a path that
    # another rule would take with another method (GET and POST /schedule/absence/<id>/<id>).
    regex = _ID

    def to_python(self, value):
        try:
            return whole_number(value)
        except ValueError:
            raise ValidationError() from None


class WholeNumberField(IntegerField):
    """An IntegerField that takes ASCII digits only, with an optional minus, up to MAX_ID either way (its validators
    set the real range, and say so for "-1")."""

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        text = valuelist[0].strip()
        try:
            self.data = -whole_number(text[1:]) if text.startswith("-") else whole_number(text)
        except ValueError:
            self.data = None
            raise ValueError(self.invalid_value_message or self.gettext("Not a valid integer value.")) from None


def init_app(app):
    app.url_map.converters["int"] = IdConverter  # before the blueprints: their rules look it up when added
