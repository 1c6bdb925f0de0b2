"""Defining, selling and drawing down packages. Each change is one write transaction; money moves only as
ledger entries on the package's order; quantities move only when a usage invoice is paid or a paid one voided."""
from peewee import IntegrityError, fn

from ..billing.charges import ChargeRefused, create_order, post_offline_payment
from ..database import locked, write_transaction
from ..outbox import deliver
from ..models import LedgerEntry, LineCategory, Package, PackageAllotment, PackagePurchase, UsageInvoice, utcnow
from .balances import package_balance


class PackageRefused(Exception):
    """The change is not allowed; the message says why (next to `field` when a form field caused it)."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.field = field


def locked_row(model, row_id):
    """The row, locked until the transaction ends (on SQLite the IMMEDIATE transaction already holds the lock)."""
    query = model.select().where(model.id == row_id)
    return locked(query).get()


def define_package(name, price_cents, allotments):
    """A new package; allotments are [(kind, name, whole quantity, unit price in cents)]."""
    try:
        with write_transaction():
            if Package.select().where(fn.LOWER(Package.name) == name.lower()).exists():
                raise PackageRefused(f"There is already a package called “{name}”.", "name")
            package = Package.create(name=name, price_cents=price_cents)
            for kind, line, quantity, unit_cents in allotments:
                PackageAllotment.create(package=package, kind=kind, name=line, quantity=quantity,
                                        unit_price_cents=unit_cents)
            return package
    except IntegrityError as error:  # the same name saved at the same moment
        raise PackageRefused(f"There is already a package called “{name}”.", "name") from error


def sale_order(company, staff, account, description, price_cents, student=None, paid_cents=0, method="cash"):
    """Inside a write transaction: an order for a package or pass with its charge and, when paid at once, the
    payment. Returns (order, the receipt's message ids) so the caller sends the receipt after the commit."""
    if student is not None and student.billing_account_id != account.id:
        raise PackageRefused("Pick a student of that household.", "student")
    if paid_cents > price_cents:
        raise PackageRefused("The amount paid now cannot be more than the price.", "paid_now")
    try:
        order = create_order(company, staff, account, [(description, price_cents, student)],
                             category=LineCategory.default_id(LineCategory.PACKAGES))
        if not paid_cents:
            return order, []
        return order, post_offline_payment(staff, order, account, paid_cents, method, "paid at sale")[1]
    except ChargeRefused as refused:
        raise PackageRefused(str(refused)) from refused


def sell_package(company, staff, package, account, student=None, paid_cents=0, method="cash"):
    """Sell a package to a household (optionally for one student): its order, charge and any payment at once."""
    with write_transaction():
        order, receipt = sale_order(company, staff, account, package.name, package.price_cents, student, paid_cents,
                                    method)
        purchase = PackagePurchase.create(package=package, account=account, student=student, order=order,
                                          created_by=staff)
    deliver(receipt)
    return purchase


def record_payment(staff, purchase, cents, method, note=""):
    """A package payment (cash or check) as a payment entry on the package's order."""
    with write_transaction():
        owed = package_balance(locked_row(PackagePurchase, purchase.id)).owed_cents
        if cents > owed:
            raise PackageRefused("That is more than the package still owes.", "amount")
        try:
            _, receipt = post_offline_payment(staff, purchase.order, purchase.account, cents, method, note)
        except ChargeRefused as refused:
            raise PackageRefused(str(refused), "amount") from refused
    deliver(receipt)


def _post(staff, purchase, kind, cents, memo):
    return LedgerEntry.create(account=purchase.account_id, kind=kind, amount_cents=cents, order=purchase.order_id,
                              student=purchase.student_id, memo=memo[:200], created_by=staff)


def _unused_paid(purchase):
    """Paid money that paid usage has not drawn on, with the purchase row locked."""
    return package_balance(locked_row(PackagePurchase, purchase.id)).unused_paid_cents


def refund(staff, purchase, cents, reason):
    """Give back paid money that usage has not drawn on; the package then owes that much again."""
    with write_transaction():
        if cents > _unused_paid(purchase):
            raise PackageRefused("A refund can give back only paid money that usage has not drawn on.", "amount")
        return _post(staff, purchase, LedgerEntry.REFUND, cents, f"Refund: {reason}")


def transfer_balance(staff, source, target, cents):
    """Move paid, unused money to another package of the same household: two transfer entries that sum to zero."""
    if target.id == source.id or target.account_id != source.account_id:
        raise PackageRefused("Pick another package of the same household.", "target")
    with write_transaction():
        first, second = sorted((source, target), key=lambda purchase: purchase.id)  # one lock order: no deadlock
        held = {row.id: row for row in (locked_row(PackagePurchase, first.id), locked_row(PackagePurchase, second.id))}
        source, target = held[source.id], held[target.id]  # the money as it is now, not as the page read it
        if cents > package_balance(source).unused_paid_cents:
            raise PackageRefused("Only paid money that usage has not drawn on can be transferred.", "amount")
        if cents > package_balance(target).owed_cents:
            raise PackageRefused("That is more than the other package still owes.", "amount")
        _post(staff, source, LedgerEntry.TRANSFER, cents, f"Balance transfer to {_label(target)}")
        _post(staff, target, LedgerEntry.TRANSFER, -cents, f"Balance transfer from {_label(source)}")


def _label(purchase):
    return f"{purchase.package.name} (order #{purchase.order.number})"


def _invoiced(purchase_id, allotment_id, states):
    """Quantity on this purchase's invoices in these states for one allotment."""
    return UsageInvoice.select(fn.COALESCE(fn.SUM(UsageInvoice.quantity), 0)).where(
        (UsageInvoice.purchase == purchase_id) & (UsageInvoice.allotment == allotment_id)
        & UsageInvoice.state.in_(states)
    ).scalar()


def _unit(allotment, quantity):
    return f"{quantity} h" if allotment.is_hours else str(quantity)


def invoice_usage(user, purchase, allotment, quantity, memo=""):
    """Invoice N hours or items against the package; refused when more than remains once unpaid invoices are paid."""
    if allotment.package_id != purchase.package_id:
        raise PackageRefused("That hour type or item is not part of this package.", "allotment")
    if quantity < 1:
        raise PackageRefused("Enter a quantity of at least 1.", "quantity")
    with write_transaction():
        locked_row(PackagePurchase, purchase.id)
        left = allotment.quantity - _invoiced(purchase.id, allotment.id, (UsageInvoice.PAID, UsageInvoice.UNPAID))
        if quantity > left:
            raise PackageRefused(
                f"Only {_unit(allotment, left)} of {allotment.name} left to invoice (unpaid invoices count), "
                f"so {_unit(allotment, quantity)} is too many.", "quantity")
        return UsageInvoice.create(purchase=purchase, allotment=allotment, quantity=quantity,
                                   amount_cents=quantity * allotment.unit_price_cents, memo=memo, created_by=user)


# The states an invoice may move to, from which states; moving to the state it is already in changes nothing.
MOVES = {
    UsageInvoice.PAID: (UsageInvoice.UNPAID,),
    UsageInvoice.VOID: (UsageInvoice.UNPAID, UsageInvoice.PAID),
    UsageInvoice.DELETED: (UsageInvoice.UNPAID,),
}
VERBS = {UsageInvoice.PAID: "paid", UsageInvoice.VOID: "voided", UsageInvoice.DELETED: "deleted"}


def _move(user, invoice, state):
    with write_transaction():
        locked_row(PackagePurchase, invoice.purchase_id)
        current = UsageInvoice.get_by_id(invoice.id)
        if current.state == state:
            return current
        if current.state not in MOVES[state]:
            hint = " Void it instead: that gives the quantity back." if current.state == UsageInvoice.PAID else ""
            raise PackageRefused(f"Invoice #{current.id} is {current.state}, so it cannot be {VERBS[state]}.{hint}")
        if state == UsageInvoice.PAID:
            allotment = current.allotment
            left = allotment.quantity - _invoiced(current.purchase_id, allotment.id, (UsageInvoice.PAID,))
            if current.quantity > left:
                raise PackageRefused(f"Only {_unit(allotment, left)} of {allotment.name} remain, so invoice "
                                     f"#{current.id} for {_unit(allotment, current.quantity)} cannot be paid.")
            stamp = {"paid_by": user, "paid_at": utcnow()}
        else:
            stamp = {"closed_by": user, "closed_at": utcnow()}
        UsageInvoice.update(state=state, **stamp).where(
            (UsageInvoice.id == current.id) & (UsageInvoice.state == current.state)
        ).execute()
        return UsageInvoice.get_by_id(current.id)


def pay_invoice(user, invoice):
    """Mark a usage invoice paid: only now does the package's quantity go down. Paying twice changes nothing."""
    return _move(user, invoice, UsageInvoice.PAID)


def void_invoice(user, invoice):
    """Void an invoice: an unpaid one changes nothing, a paid one gives its quantity back."""
    return _move(user, invoice, UsageInvoice.VOID)


def delete_invoice(user, invoice):
    """Delete an unpaid invoice (kept, marked deleted, for the History); a paid one must be voided."""
    return _move(user, invoice, UsageInvoice.DELETED)
