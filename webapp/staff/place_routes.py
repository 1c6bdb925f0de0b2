"""Staff routes for locations and divisions: a paged list with an add form, and an edit page per row."""
from flask import Blueprint, abort, flash, redirect, request, url_for

from ..access import role_required
from ..extensions import htmx
from ..models import Division, Location, User
from ..numbers import whole_number
from ..templating import render
from ..audit import changes_to
from .places import DivisionForm, LocationForm, NameTaken, page_of, save_place

bp = Blueprint("staff_places", __name__, url_prefix="/staff")

KINDS = {
    "locations": (Location, LocationForm, "location", "Locations"),
    "divisions": (Division, DivisionForm, "division", "Divisions"),
}


def _kind_or_404(kind):
    return KINDS.get(kind) or abort(404)


def _save(form, model, row_id=None):
    """Save a valid form; a name taken meanwhile becomes an error next to the field. Returns the row or None."""
    if not form.validate_on_submit():
        return None
    try:
        return save_place(model, row_id, **form.values())
    except NameTaken:
        form.name.errors.append(f"There is already one called “{form.name.data}”.")
        return None


def _list(kind, form, status=200, block="content"):
    model, _, singular, title = KINDS[kind]
    page = max(request.args.get("page", 1, type=whole_number), 1)
    rows, total, pages = page_of(model, page)
    return render("staff/places.html", block, status=status, rows=rows, total=total, page=min(page, pages),
                  pages=pages, form=form, kind=kind, singular=singular, title=title, editing=None)


@bp.route("/<any(locations, divisions):kind>")
@role_required(User.STAFF)
def places(kind):
    """The paged list of locations or divisions, with a form to add one."""
    _kind_or_404(kind)
    return _list(kind, KINDS[kind][1](formdata=None))


@bp.route("/<any(locations, divisions):kind>", methods=["POST"])
@role_required(User.STAFF)
def add_place(kind):
    """Add a location or a division; htmx gets back the list and a fresh form."""
    model, form_class, _, _ = _kind_or_404(kind)
    form = form_class()
    row = _save(form, model)
    if row is None:
        return _list(kind, form, status=422, block="listing")
    flash(f"Added “{row.name}”.", "success")
    if htmx:
        return _list(kind, form_class(formdata=None), block="listing")
    return redirect(url_for(".places", kind=kind), 303)


@bp.route("/<any(locations, divisions):kind>/<int:row_id>", methods=["GET", "POST"])
@role_required(User.STAFF)
def edit_place(kind, row_id):
    """Rename a location or change its address; rename a division or turn its Pending Payment switch."""
    model, form_class, singular, title = _kind_or_404(kind)
    row = model.get_or_none(model.id == row_id) or abort(404)
    form = form_class(row_id=row.id, obj=row)
    saved = _save(form, model, row.id)
    if saved:
        flash(f"Saved “{saved.name}”.", "success")
        return redirect(url_for(".places", kind=kind), 303)
    return render("staff/place.html", "content", status=422 if form.errors else 200, row=row, form=form, kind=kind,
                  singular=singular, title=title, changes=changes_to(row))
