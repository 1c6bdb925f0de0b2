"""Your Student(s): the list, one student's details, Add Student and Edit Student."""
from flask import flash, redirect, request, url_for
from flask_login import current_user

from ..access import family, role_required, student_or_404
from ..extensions import htmx
from ..models import User
from ..templating import render
from .contact_book import membership_or_404
from .forms import StudentForm
from .routes import bp
from .student_records import add_student, editable_student_or_403, households_of, update_student


@bp.route("/students")
@role_required(User.PATRON)
def students():
    """Your Student(s): each student with their details, Edit where the family bills them, and Add Student."""
    billed = set(family().account_ids)
    return render("account/students.html", "content", students=family().students, billed=billed,
                  households=family().memberships)


@bp.route("/students/<int:student_id>")
@role_required(User.PATRON)
def student(student_id):
    """One student's details; a linked household sees them read-only."""
    found = student_or_404(current_user, student_id)
    billing, linked = households_of(found)
    return render("account/student.html", "content", student=found, billing=billing, linked=linked,
                  may_edit=found.billing_account_id in family().account_ids)


def _after_save(student, message):
    flash(message, "success")
    target = url_for("account.student", student_id=student.id)
    if htmx:
        billing, linked = households_of(student)
        response = render("account/student.html", "content", student=student, billing=billing, linked=linked,
                          may_edit=True)
        response.headers["HX-Push-Url"] = target
        return response
    return redirect(target, 303)


@bp.route("/students/<int:student_id>/edit", methods=["GET", "POST"])
@role_required(User.PATRON)
def edit_student(student_id):
    """Edit Student: only guardians of the billing household (a linked household gets 403)."""
    found = editable_student_or_403(current_user, student_id)
    form = StudentForm(obj=found, formdata=request.form if request.method == "POST" else None)
    if request.method == "POST" and form.validate_on_submit():
        return _after_save(update_student(found, form.values()), f"Saved {form.first_name.data}'s details.")
    billing, linked = households_of(found)
    return render("account/student_form.html", "content", status=422 if form.errors else 200, form=form,
                  student=found, billing=billing, linked=linked,
                  action=url_for("account.edit_student", student_id=found.id))


@bp.route("/households/<int:account_id>/students/new", methods=["GET", "POST"])
@role_required(User.PATRON)
def add_student_page(account_id):
    """Add Student, billed to this household."""
    membership = membership_or_404(current_user, account_id)
    form = StudentForm(formdata=request.form if request.method == "POST" else None)
    if request.method == "POST" and form.validate_on_submit():
        return _after_save(add_student(account_id, form.values()), f"Added {form.first_name.data}.")
    return render("account/student_form.html", "content", status=422 if form.errors else 200, form=form,
                  student=None, billing=membership.account, linked=[],
                  action=url_for("account.add_student_page", account_id=account_id))
