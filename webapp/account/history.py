"""Transaction History (with the transaction-history grant) and its reports: the statement and the ledger of a
location, and the statement of amounts paid; each report a page for the phone and a PDF from the same template."""
import re
from pathlib import Path

from flask import abort, make_response, render_template, request
from flask_login import login_required

from ..access import family
from ..models import Location
from ..templating import current_company, render
from .history_forms import HistoryForm, PaidForm, ReportForm
from .ledger_reports import TABS, allowed_period, amounts_paid, company_today, history_page, location_ledger, statement
from .routes import bp

PRINT_CSS = Path(__file__).with_name("print.css")


def _households():
    """The memberships whose transactions the user may see; none is 403."""
    households = [m for m in family().memberships if m.can_view_transactions]
    if not households:
        abort(403)
    return households


def _choose(form_class, **choices):
    """The GET form read from the query, its choices set; a household or location not offered is 404."""
    households = _households()
    form = form_class(request.args)
    form.account.choices = [(m.account_id, m.account.name) for m in households]
    for name, values in choices.items():
        getattr(form, name).choices = values
    for name in ("account", *choices):
        field = getattr(form, name)
        if name in request.args and field.data not in [value for value, _ in field.choices]:
            abort(404)
        if name not in request.args:
            field.data = field.choices[0][0] if field.choices else None
    valid = form.validate()
    return form, valid, next(m for m in households if m.account_id == form.account.data)


def _locations():
    return [(location.id, location.name) for location in Location.select().order_by(Location.name)]


def _period(form, valid):
    """The days asked for (when allowed and valid), else the last 30; the form's date fields show them."""
    period = allowed_period(current_company(), *((form.start.data, form.end.data) if valid else (None, None)))
    if valid:
        form.start.data, form.end.data = period.first, period.last
    return period


@bp.route("/history")
@login_required
def history():
    """Transaction History: All, Charges, Payments or Refunds of one household, newest first, paged."""
    form, valid, household = _choose(HistoryForm, location=_locations())
    tab = form.tab.data if form.tab.data in TABS else "all"
    period = _period(form, valid)
    page = history_page(household.account_id, period, tab, max(form.page.data or 1, 1) if valid else 1)
    return render("account/history.html", "content", status=200 if valid else 422, form=form, tab=tab, tabs=TABS,
                  page=page, period=period, household=household)


def _document(template, filename, as_pdf, **context):
    """The report as a page (an htmx fragment when asked), or the same template printed to PDF by WeasyPrint."""
    if not as_pdf:
        return render(template, "content", pdf=False, **context)
    from weasyprint import CSS, HTML  # loaded on the first PDF only: it takes a while to import

    html = render_template(template, pdf=True, **context)
    pdf = HTML(string=html, url_fetcher=_fetch_nothing).write_pdf(stylesheets=[CSS(filename=PRINT_CSS)])
    response = make_response(pdf)
    response.headers["Content-Type"] = "application/pdf"
    # A header holds ASCII safely: a location named "Île Nord" downloads as statement-le-nord.pdf.
    filename = re.sub(r"[^a-z0-9]+", "-", filename.lower()).strip("-")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}.pdf"'
    return response


def _fetch_nothing(url, *args, **kwargs):
    """The print template is self-contained: a PDF never makes the server fetch an address."""
    raise ValueError(f"the PDF of a report fetches nothing ({url})")


def _location_report(enabled):
    if not enabled(current_company()):
        abort(404)
    form, valid, household = _choose(ReportForm, location=_locations())
    location = Location.get_or_none(Location.id == form.location.data)
    if location is None:  # a school without locations has no statements per location
        abort(404)
    return form, valid, household, location


@bp.route("/history/statement", defaults={"as_pdf": False})
@bp.route("/history/statement.pdf", defaults={"as_pdf": True})
@login_required
def location_statement(as_pdf):
    """Generate Statement for This Location: the open charges as of today and the total due."""
    form, valid, household, location = _location_report(lambda c: c.statement_for_location)
    charges = statement(household.account_id, location.id)
    return _document("account/statement.html", f"statement-{location.name}", as_pdf, form=form,
                     household=household, location=location, charges=charges, today=company_today(current_company()),
                     total_cents=sum(c.balance_cents for c in charges))


@bp.route("/history/ledger", defaults={"as_pdf": False})
@bp.route("/history/ledger.pdf", defaults={"as_pdf": True})
@login_required
def location_ledger_report(as_pdf):
    """Generate Ledger for This Location: every entry there over the allowed days, opening and closing balance."""
    form, valid, household, location = _location_report(lambda c: c.ledger_for_location)
    period = _period(form, valid)
    ledger = location_ledger(household.account_id, location.id, period)
    return _document("account/ledger.html", f"ledger-{location.name}", as_pdf, form=form, household=household,
                     location=location, period=period, ledger=ledger)


@bp.route("/history/paid", defaults={"as_pdf": False})
@bp.route("/history/paid.pdf", defaults={"as_pdf": True})
@login_required
def amounts_paid_statement(as_pdf):
    """A statement of what the household paid per student in a year (childcare, FSA, tax receipts)."""
    company = current_company()
    this_year = company_today(company).year
    form, valid, household = _choose(PaidForm, year=[(y, str(y)) for y in range(this_year, this_year - 7, -1)])
    students = amounts_paid([household.account_id], form.year.data, company.timezone)
    return _document("account/paid.html", f"amounts-paid-{form.year.data}", as_pdf, form=form, household=household,
                     year=form.year.data, students=students, total_cents=sum(s.total_cents for s in students))
