"""Register: open classes and sessions, registrations in the one cart, Send Bill, My registrations, course material."""
from flask import Blueprint, abort, flash, redirect, url_for
from flask_login import current_user

from ..access import cart_changed, family, role_required
from ..billing.cart import cart_count
from ..billing.routes import cart_page, require_cart
from ..billing.send_bill import SendBillRefused, send_bill
from ..clock import local_now
from ..extensions import htmx
from ..models import Enrollment, User
from ..templating import current_company, render
from .forms import RegistrationForm, SendBillForm
from .services import (
    RegistrationRefused, add_registration, join_waitlist, my_registrations, open_course_or_404, open_courses,
    registrations_in_cart, remove_registration,
)

bp = Blueprint("registration", __name__, url_prefix="/register")


def _payable_students():
    """Students the user may register: those of households where the user holds the payment grant."""
    return [s for s in family().students if family().may_pay_for(s.billing_account_id)]


def _form(form=None):
    form = form or RegistrationForm()
    form.student.choices = [(s.id, s.name) for s in _payable_students()]
    return form


def _courses_page(status=200, form=None, course_id=None):
    return render("registration/courses.html", "content", status=status, courses=open_courses(family(), local_now()),
                  form=_form(form if form is not None else RegistrationForm(formdata=None)), error_course=course_id)


@bp.route("/")
@role_required(User.PATRON)
def courses():
    """Open classes and sessions: price, dates, location and seats left, each with Add to cart or Join waitlist."""
    return _courses_page()


def _for_a_student(course_id, service, message, next_endpoint):
    """Run `service(course, student)` for the posted student; a bad choice or a refusal is shown next to the field."""
    course = open_course_or_404(family(), course_id, local_now())
    form = _form()
    if not form.validate_on_submit():
        return _courses_page(422, form, course_id)
    student = next(s for s in _payable_students() if s.id == form.student.data)
    try:
        service(course, student)
    except RegistrationRefused as refused:
        form.student.errors.append(str(refused))
        return _courses_page(422, form, course_id)
    flash(message.format(course=course.name, student=student.first_name), "success")
    return redirect(url_for(next_endpoint), 303)


@bp.route("/courses/<int:course_id>/add", methods=["POST"])
@role_required(User.PATRON)
def add(course_id):
    """Add a registration for a student to the cart (also Re-Purchase after Payment Denied)."""
    return _for_a_student(course_id, lambda course, student: add_registration(current_user, family(), course, student),
                          "{course} for {student} is in your cart.", "billing.cart")


@bp.route("/courses/<int:course_id>/waitlist", methods=["POST"])
@role_required(User.PATRON)
def waitlist(course_id):
    """Join a full course's waitlist."""
    return _for_a_student(course_id, join_waitlist, "{student} is on the waitlist for {course}.", ".mine")


@bp.route("/cart")
@role_required(User.PATRON)
def cart():
    """The registrations' old cart page: registrations and order balances are one cart now."""
    return redirect(url_for("billing.cart"), 301)


@bp.route("/cart/<int:item_id>/remove", methods=["POST"])
@role_required(User.PATRON)
def remove(item_id):
    """Take a registration out of the cart; one not in the user's cart answers 404."""
    require_cart()
    item = next((i for i in registrations_in_cart(current_user) if i.id == item_id), None)
    if item is None:
        abort(404)
    if remove_registration(current_user, item.id):
        flash(f"{item.course.name} for {item.student.first_name} is out of your cart.", "success")
    else:
        flash(f"{item.course.name} for {item.student.first_name} is being paid by card right now, so it stays "
              "in your cart.", "error")
    cart_changed()
    return cart_page() if htmx else redirect(url_for("billing.cart"), 303)


@bp.route("/send-bill", methods=["POST"])
@role_required(User.PATRON)
def send_bill_checkout():
    """Send Bill (Purchase Order) at the one checkout: the cart's registrations become orders on account, and the
    order balances stay in the cart."""
    require_cart()
    form = SendBillForm()
    if not form.validate_on_submit():
        return cart_page(422, send_bill_form=form)
    po_number = form.po_number.data.strip()
    try:
        orders = send_bill(current_company(), current_user, family(), po_number)
    except SendBillRefused as refused:
        form.po_number.errors.append(str(refused))
        return cart_page(422, send_bill_form=form)
    for order in orders:
        state = "is in Pending Payment" if order.state == order.PENDING_PAYMENT else "is on account"
        flash(f"Order #{order.number} {state}, billed to PO {po_number}.", "success")
    cart_changed()
    if cart_count():  # order balances: still to pay, in the cart
        flash("The order balances in your cart are still there to pay.", "success")
        return redirect(url_for("billing.cart"), 303)
    return redirect(url_for(".mine"), 303)


@bp.route("/mine")
@role_required(User.PATRON)
def mine():
    """My registrations: each status with the options seed 001 lists for it."""
    return render("registration/mine.html", "content", enrollments=my_registrations(family(), local_now()))


@bp.route("/enrollments/<int:enrollment_id>/material")
@role_required(User.PATRON)
def material(enrollment_id):
    """The course material: locked while the enrollment is in Pending Payment, open once Registered."""
    enrollment = next((e for e in my_registrations(family(), local_now()) if e.id == enrollment_id), None)
    if enrollment is None:
        abort(404)
    is_open = enrollment.status == Enrollment.REGISTERED
    return render("registration/material.html", "content", status=200 if is_open else 403, enrollment=enrollment,
                  is_open=is_open)
