"""Rendering: one template gives a full page or, for htmx, one of its blocks."""
import datetime
from decimal import Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from babel.numbers import format_currency
from flask import g, get_flashed_messages, make_response, render_template, request, url_for
from jinja2_fragments.flask import render_block

from .extensions import htmx
from .models import Company


def current_company():
    """The company, read once per request."""
    try:  # one look through the `g` proxy: a schedule page asks for the company once per date it prints
        return g.company
    except AttributeError:
        g.company = Company.current()
        return g.company


def render(template, block=None, status=200, **context):
    """The whole page on a direct visit; only `block` of the same template for htmx."""
    if block and htmx:
        body = render_block(template, block, **context)
    else:
        body = render_template(template, **context)
    response = make_response(body, status)
    response.vary.add("HX-Request")
    return response


def money(cents):
    """Integer cents as the company's currency, e.g. $1,240.00."""
    company = current_company()
    return _format_money(cents, company.currency, company.locale)


@lru_cache(maxsize=4096)
def _format_money(cents, currency, locale):
    return format_currency(Decimal(cents) / 100, currency, locale=locale)


# Babel is exact but slow; a schedule shows the same few dates and times on every request.
@lru_cache(maxsize=4096)
def _format_date(value, fmt, locale):
    return format_date(value, fmt, locale=locale)


@lru_cache(maxsize=1024)
def _format_time(value, locale):
    return format_time(value, "h:mm a", locale=locale)


def day(value, fmt="EEE d MMM"):
    """A date (or the date of a datetime) in the company's locale, e.g. Tue 2 Dec."""
    return _format_date(value.date() if isinstance(value, datetime.datetime) else value, fmt, current_company().locale)


def clock(value):
    """A time of day in the company's locale, e.g. 4:00 PM."""
    return _format_time(value.time() if isinstance(value, datetime.datetime) else value, current_company().locale)


def local_time(utc_naive):
    """A stored UTC timestamp as the company's wall-clock time."""
    zone = ZoneInfo(current_company().timezone)
    return utc_naive.replace(tzinfo=datetime.timezone.utc).astimezone(zone).replace(tzinfo=None)


def page_url_for(endpoint, **values):
    """url_for for templates, remembered per address: a page's links are the same few on every request."""
    if values.get("_external") or endpoint.startswith("."):
        return url_for(endpoint, **values)
    try:
        return _remembered_url(request.script_root, endpoint, tuple(sorted(values.items())))
    except TypeError:  # a value that cannot be a key
        return url_for(endpoint, **values)


@lru_cache(maxsize=8192)
def _remembered_url(script_root, endpoint, values):
    return url_for(endpoint, **dict(values))


def _append_flashes(response):
    """htmx answers carry pending flash messages as an out-of-band swap of the flash region."""
    if htmx and response.status_code < 300 and response.mimetype == "text/html" and not response.direct_passthrough:
        messages = get_flashed_messages(with_categories=True)
        if messages:
            response.set_data(response.get_data() + _flash_region(tuple(messages)))
    return response


@lru_cache(maxsize=256)
def _flash_region(messages):
    """The flash region as an out-of-band swap (the same few messages recur: kept rendered)."""
    return render_template("partials/_flash.html", flash_messages=messages, oob=True).encode()


def init_app(app):
    app.jinja_env.filters.update(money=money, day=day, clock=clock, local_time=local_time)
    from .access import family, may_bill
    from .billing.cart import cart_count
    from .gateway import NOT_CONFIGURED

    app.jinja_env.globals.update(url_for=page_url_for, current_company=current_company, family=family,
                                 cart_count=cart_count, may_bill=may_bill,
                                 may_pay=lambda account_id: family().may_pay_for(account_id),
                                 not_configured=NOT_CONFIGURED)
    # The field macro is a global so that blocks rendered alone (htmx fragments) can use it too.
    with app.app_context():
        app.jinja_env.globals["field"] = app.jinja_env.get_template("partials/_field.html").module.field
    app.after_request(_append_flashes)
