"""Billing → Packages for staff with "Access Billing Tab": the list, View Balances, History, invoices, payments,
refunds, balance transfers, defining and selling packages, selling punch passes."""
from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user

from ..clock import local_now
from ..confirm import ask_first, confirmed
from ..extensions import htmx
from ..models import Account, Course, Package, PackageAllotment, PackagePurchase, Student, UsageInvoice
from ..numbers import whole_number
from ..templating import current_company, money, render
from .access import billing_required
from .balances import households_with_packages, invoice_text, package_balance, package_history, purchases_query
from .forms import (
    DefinePackageForm, InvoiceForm, PaymentForm, RefundForm, SellPackageForm, SellPassForm, TransferForm, add_refusal,
)
from .passes import sell_pass as sell_punch_pass
from .services import (
    PackageRefused, define_package, delete_invoice, invoice_usage, pay_invoice, record_payment, refund,
    sell_package, transfer_balance, void_invoice,
)

bp = Blueprint("staff", __name__, url_prefix="/staff/packages")
PER_PAGE = 20


@bp.route("/")
@billing_required
def index():
    """The households with packages, searchable and paged; htmx gets the results alone."""
    search = request.args.get("q", "").strip()[:80]
    page = max(request.args.get("page", 1, type=whole_number), 1)
    households, total = households_with_packages(search, page, PER_PAGE)
    pages = max(1, -(-total // PER_PAGE))
    return render("packages/staff_list.html", "results", households=households, total=total, search=search,
                  page=page, pages=pages)


def _purchase_or_404(purchase_id):
    return purchases_query().where(PackagePurchase.id == purchase_id).first() or abort(404)


def _invoices(purchase):
    """The package's unpaid and paid invoices, newest first (void and deleted ones are in the History)."""
    return list(
        UsageInvoice.select(UsageInvoice, PackageAllotment).join(PackageAllotment)
        .where((UsageInvoice.purchase == purchase.id) & UsageInvoice.state.in_((UsageInvoice.UNPAID, UsageInvoice.PAID)))
        .order_by(UsageInvoice.created_at.desc(), UsageInvoice.id.desc())
    )


FORMS = {"invoice": InvoiceForm, "payment": PaymentForm, "refund": RefundForm, "transfer": TransferForm}


def _forms(pkg, siblings, posted=None):
    """The View Balances forms; the one just `posted` reads the request."""
    forms = {name: cls(prefix=name, formdata=request.form if name == posted else None) for name, cls in FORMS.items()}
    forms["invoice"].allotment.choices = [(line.allotment.id, line.allotment.name) for line in pkg.lines]
    forms["transfer"].target.choices = [(p.id, f"{p.package.name} (order #{p.order.number})") for p in siblings]
    return forms


def _siblings(purchase):
    """The household's other packages: where a balance may be transferred."""
    return list(purchases_query().where(
        (PackagePurchase.account == purchase.account_id) & (PackagePurchase.id != purchase.id)
    ))


def _balances_page(purchase, status=200, posted=None, forms=None, error=None):
    pkg = package_balance(purchase)
    siblings = _siblings(purchase)
    return render(
        "packages/balances.html", "balances", status=status, pkg=pkg, invoices=_invoices(purchase),
        forms=forms or _forms(pkg, siblings, posted), has_siblings=bool(siblings), error=error,
    )


@bp.route("/<int:purchase_id>")
@billing_required
def balances(purchase_id):
    """View Balances: price, paid, owed; every hour type and item; the invoices and the money forms."""
    return _balances_page(_purchase_or_404(purchase_id))


@bp.route("/<int:purchase_id>/history")
@billing_required
def history(purchase_id):
    """The package's History, newest first."""
    purchase = _purchase_or_404(purchase_id)
    return render("packages/history.html", "content", purchase=purchase, history=package_history(purchase))


def _done(purchase, message):
    flash(message, "success")
    if htmx:
        return _balances_page(purchase)
    return redirect(url_for(".balances", purchase_id=purchase.id), 303)


def _invoice(purchase, form):
    allotment = PackageAllotment.get_by_id(form.allotment.data)
    created = invoice_usage(current_user, purchase, allotment, form.quantity.data, form.memo.data)
    return f"Invoice #{created.id} for {invoice_text(created)} ({money(created.amount_cents)}) is waiting to be paid."


def _payment(purchase, form):
    record_payment(current_user, purchase, form.amount.data, form.method.data, form.note.data)
    return f"Payment of {money(form.amount.data)} recorded."


def _refund(purchase, form):
    refund(current_user, purchase, form.amount.data, form.reason.data)
    return f"Refund of {money(form.amount.data)} recorded."


def _transfer(purchase, form):
    target = _purchase_or_404(form.target.data)
    transfer_balance(current_user, purchase, target, form.amount.data)
    return f"{money(form.amount.data)} transferred to {target.package.name}."


# The View Balances forms: what each does, and the field a refusal is shown next to when it names none.
ACTS = {"invoice": (_invoice, "quantity"), "payment": (_payment, "amount"), "refund": (_refund, "amount"),
        "transfer": (_transfer, "amount")}


@bp.route("/<int:purchase_id>/<any(invoice, payment, refund, transfer):name>", methods=["POST"])
@billing_required
def act(purchase_id, name):
    """Invoice hours or items (the quantity goes down once the invoice is paid), record a payment (cash or check),
    refund paid money usage has not drawn on, or transfer it to another package of the household."""
    purchase = _purchase_or_404(purchase_id)
    forms = _forms(package_balance(purchase), _siblings(purchase), posted=name)
    form, (change, first_field) = forms[name], ACTS[name]
    if form.validate_on_submit():
        try:
            return _done(purchase, change(purchase, form))
        except PackageRefused as refused:
            add_refusal(form, refused, first_field)
    return _balances_page(purchase, status=422, forms=forms)


INVOICE_ACTIONS = {"pay": (pay_invoice, "paid"), "void": (void_invoice, "voided"), "delete": (delete_invoice, "deleted")}


@bp.route("/invoices/<int:invoice_id>/<any(pay, void, delete):action>", methods=["POST"])
@billing_required
def invoice_action(invoice_id, action):
    """Mark an invoice paid, void it or delete it; refusals (a paid invoice deleted, too little left) say why."""
    invoice = UsageInvoice.get_or_none(UsageInvoice.id == invoice_id) or abort(404)
    purchase = _purchase_or_404(invoice.purchase_id)
    change, verb = INVOICE_ACTIONS[action]
    allowed = action == "void" or (action == "delete" and invoice.state == UsageInvoice.UNPAID)
    if allowed and not confirmed():  # the question only for what would go ahead: a refusal says why at once
        what = ("Its hours or items go back to the package." if invoice.state == UsageInvoice.PAID
                else "It will not be paid or drawn from the package.")
        return ask_first(f"{action.capitalize()} invoice #{invoice.id}?", f"{what} The History keeps it.",
                         f"Yes, {action} invoice #{invoice.id}", url_for(".balances", purchase_id=purchase.id))
    try:
        change(current_user, invoice)
    except PackageRefused as refused:
        return _balances_page(purchase, status=409, error=str(refused))
    return _done(purchase, f"Invoice #{invoice.id} {verb}.")


def _staff_form(form, title, action, submit, status=200, **context):
    return render("packages/staff_form.html", "content", status=status, form=form, title=title, action=action,
                  submit=submit, **context)


@bp.route("/new", methods=["GET", "POST"])
@billing_required
def define():
    """Define a package: name, price, hour types and items."""
    form = DefinePackageForm()
    if form.validate_on_submit():
        try:
            package = define_package(form.name.data, form.price.data, form.lines())
        except PackageRefused as refused:
            add_refusal(form, refused, "name")
        else:
            flash(f"Package “{package.name}” defined. Sell it to a household below.", "success")
            return redirect(url_for(".sell", package=package.id), 303)
    return _staff_form(form, "Define a package", url_for(".define"), "Define package",
                       status=422 if form.errors else 200)


def _choices(form):
    form.package.choices = [(p.id, f"{p.name} ({money(p.price_cents)})") for p in Package.select().order_by(Package.name)]
    form.account.choices = [(a.id, a.name) for a in Account.select().order_by(Account.name)]
    form.student.choices = [(0, "No particular student")] + [
        (s.id, s.name) for s in Student.select().order_by(Student.first_name, Student.last_name)
    ]


@bp.route("/sell", methods=["GET", "POST"])
@billing_required
def sell():
    """Sell a package to a household, optionally for one of its students."""
    form = SellPackageForm(package=request.args.get("package", type=whole_number))
    _choices(form)
    if form.validate_on_submit():
        student = Student.get_by_id(form.student.data) if form.student.data else None
        try:
            purchase = sell_package(current_company(), current_user, Package.get_by_id(form.package.data),
                                    Account.get_by_id(form.account.data), student, form.paid_now.data or 0,
                                    form.method.data)
        except PackageRefused as refused:
            add_refusal(form, refused, "package")
        else:
            flash(f"Sold {purchase.package.name} to {purchase.account.name}.", "success")
            return redirect(url_for(".balances", purchase_id=purchase.id), 303)
    return _staff_form(form, "Sell a package", url_for(".sell"), "Sell package", status=422 if form.errors else 200)


@bp.route("/students/<int:student_id>/passes/new", methods=["GET", "POST"])
@billing_required
def sell_pass(student_id):
    """Sell a punch pass to a student."""
    student = Student.get_or_none(Student.id == student_id) or abort(404)
    form = SellPassForm()
    form.course.choices = [(c.id, c.name) for c in Course.select().order_by(Course.name)]
    if form.validate_on_submit():
        try:
            sell_punch_pass(current_company(), current_user, student, Course.get_by_id(form.course.data),
                            form.name.data, form.punches.data, form.price.data, form.expires_on.data,
                            local_now().date(), form.paid_now.data or 0, form.method.data)
        except PackageRefused as refused:
            add_refusal(form, refused, "name")
        else:
            flash(f"{form.name.data} sold to {student.name}.", "success")
            return redirect(url_for("packages.student", student_id=student.id, _anchor="passes"), 303)
    return _staff_form(form, f"Sell a punch pass to {student.name}", url_for(".sell_pass", student_id=student.id),
                       "Sell pass", status=422 if form.errors else 200, student=student)
