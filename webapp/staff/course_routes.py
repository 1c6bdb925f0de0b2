"""Staff routes to create and edit a course, and to generate its meetings from its weekly pattern."""
from flask import Blueprint, abort, flash, redirect, request, url_for

from ..access import role_required
from ..clock import local_now
from ..models import Course, User
from ..templating import render
from .courses import CourseForm, CourseRefused, save_course
from .meeting_plan import GenerateForm, PlanRefused, generate_meetings, plan_meetings

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


def _plan_page(course, form, status=200):
    """The skip-dates form and, when the pattern and the dates are good, what generating would do."""
    plan, refused = None, None
    if form.validate():
        try:
            plan = plan_meetings(course, form.skip_dates.dates, local_now())
        except PlanRefused as error:
            refused = str(error)
    return render("staff/generate_meetings.html", "plan", status=422 if form.errors or refused else status,
                  course=course, form=form, plan=plan, refused=refused)


@bp.route("/<int:course_id>/meetings")
@role_required(User.STAFF)
def preview_meetings(course_id):
    """Preview the classes the weekly pattern gives, less the skip dates; nothing changes until confirmed."""
    course = Course.get_or_none(Course.id == course_id) or abort(404)
    return _plan_page(course, GenerateForm(request.args))


@bp.route("/<int:course_id>/meetings", methods=["POST"])
@role_required(User.STAFF)
def confirm_meetings(course_id):
    """Generate the previewed classes in one transaction: missing dates added, none twice, none with attendance lost."""
    course = Course.get_or_none(Course.id == course_id) or abort(404)
    form = GenerateForm()
    if not form.validate():
        return _plan_page(course, form)
    try:
        plan = generate_meetings(course, form.skip_dates.dates, local_now())
    except PlanRefused:
        return _plan_page(course, form)
    flash(f"{len(plan.add)} classes added, {len(plan.remove)} removed, {plan.existing} already there.", "success")
    return redirect(url_for("staff.course", course_id=course.id), 303)
