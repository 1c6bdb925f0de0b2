"""Demo: one Send Bill order in Pending Payment in the staff queue, from an Acme household without a login."""
from ..models import (
    Account, Course, Division, Enrollment, LedgerEntry, Order, OrderLine, OrderStatusChange, PurchaseOrder, Student,
)


def load_pending_payment(staff):
    """Riley Chen (Acme Corp Logistics) holds a Safety Workshop seat while PO ACME-7731 waits for payment."""
    if PurchaseOrder.select().where(PurchaseOrder.number == "ACME-7731").exists():
        return
    from ..billing.charges import next_order_number

    logistics = Account.get_or_none(Account.name == "Acme Corp Logistics") or Account.create(
        name="Acme Corp Logistics", division=Division.get(Division.name == "Acme Corp"))
    riley = Student.create(first_name="Riley", last_name="Chen", billing_account=logistics)
    workshop = Course.get(Course.name == "Safety Workshop")
    Enrollment.create(student=riley, course=workshop, status=Enrollment.PENDING_PAYMENT)
    order = Order.create(number=next_order_number(), account=logistics, channel=Order.BOX_OFFICE, created_by=staff,
                         state=Order.PENDING_PAYMENT, on_account=True)
    OrderLine.create(order=order, description=workshop.name, amount_cents=workshop.price_cents, student=riley,
                     course=workshop)
    LedgerEntry.create(account=logistics, kind=LedgerEntry.CHARGE, amount_cents=workshop.price_cents, order=order,
                       student=riley, location=workshop.location_id, memo=workshop.name, created_by=staff)
    PurchaseOrder.create(order=order, number="ACME-7731", purchaser=staff)
    OrderStatusChange.create(order=order, to_state=Order.PENDING_PAYMENT, changed_by=staff, note="Send Bill, PO ACME-7731")
