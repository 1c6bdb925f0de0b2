"""Staff routes to create and edit a course, and to generate its meetings from its weekly pattern."""
from flask import Blueprint, abort, flash, redirect, url_for

from ..access import role_required
from ..models import Course, User
from ..templating import render
from .courses import CourseForm, CourseRefused, save_course

bp = Blueprint("staff_courses", __name__, url_prefix="/staff/courses")


def _save(form, course_id=None):
    """Save a valid form; a refusal becomes an error next to its field. Returns the course or None."""
    if not form.validate_on_submit():
        return None
    try:
        return save_course(course_id, **form.values())
    except CourseRefused as refused:
        getattr(form, refused.field).errors.append(str(refused))
        return None


def _form_page(form, course=None):
    return render("staff/course_form.html", "content", status=422 if form.errors else 200, form=form, course=course)


@bp.route("/new", methods=["GET", "POST"])
@role_required(User.STAFF)
def new_course():
    """Create a course: name, division, location, instructor, level, seats, price, dates and weekly pattern."""
    form = CourseForm()
    course = _save(form)
    if course:
        flash(f"Created “{course.name}”. Generate its classes from the weekly pattern next.", "success")
        return redirect(url_for("staff.course", course_id=course.id), 303)
    return _form_page(form)


@bp.route("/<int:course_id>/edit", methods=["GET", "POST"])
@role_required(User.STAFF)
def edit_course(course_id):
    """Change a course; classes already generated stay as they are until generated again."""
    course = Course.get_or_none(Course.id == course_id) or abort(404)
    form = CourseForm(course)
    saved = _save(form, course.id)
    if saved:
        flash(f"Saved “{saved.name}”.", "success")
        return redirect(url_for("staff.course", course_id=course.id), 303)
    return _form_page(form, course)
