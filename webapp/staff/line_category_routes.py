"""Staff routes for the order-line categories code table: a paged list with an add form, and an edit page."""
from flask import Blueprint, abort, flash, redirect, request, url_for

from ..access import role_required
from ..extensions import htmx
from ..models import LineCategory, User
from ..numbers import whole_number
from ..templating import render
from ..audit import changes_to
from .line_categories import LineCategoryForm, NameTaken, category_page, save_category, taken_message

bp = Blueprint("staff_line_categories", __name__, url_prefix="/staff/line-categories")


def _save(form, category_id=None):
    """Save a valid form; a name taken meanwhile becomes an error next to the field. Returns the category or None."""
    if not form.validate_on_submit():
        return None
    try:
        return save_category(category_id, **form.values())
    except NameTaken:
        form.name.errors.append(taken_message(form.name.data))
        return None


def _list(form, block="content", status=200):
    page = max(request.args.get("page", 1, type=whole_number), 1)
    rows, total, pages = category_page(page)
    return render("staff/line_categories.html", block, status=status, rows=rows, total=total, page=min(page, pages),
                  pages=pages, form=form)


@bp.route("")
@role_required(User.STAFF)
def categories():
    """The paged list of order-line categories, with a form to add one; htmx (the pager) gets only the listing."""
    return _list(LineCategoryForm(formdata=None), block="listing")


@bp.route("", methods=["POST"])
@role_required(User.STAFF)
def add_category():
    """Add a category; htmx gets back the listing and a fresh form."""
    form = LineCategoryForm()
    category = _save(form)
    if category is None:
        return _list(form, block="listing", status=422)
    flash(f"Added “{category.name}”.", "success")
    if htmx:
        return _list(LineCategoryForm(formdata=None), block="listing")
    return redirect(url_for(".categories"), 303)


@bp.route("/<int:category_id>", methods=["GET", "POST"])
@role_required(User.STAFF)
def edit_category(category_id):
    """Rename a category or retire it; order lines already filed under it keep showing it."""
    category = LineCategory.get_or_none(LineCategory.id == category_id) or abort(404)
    form = LineCategoryForm(category_id=category.id, obj=category)
    saved = _save(form, category.id)
    if saved:
        flash(f"Saved “{saved.name}”.", "success")
        return redirect(url_for(".categories"), 303)
    return render("staff/line_category.html", "content", status=422 if form.errors else 200, category=category,
                  form=form, changes=changes_to(category))
