"""One generated household's money, every cent of it on the ledger.

Distributions (from the household's own seeded random generator):
- tuition: an order per enrollment per month, from its first month to the current one, with one line and one
  charge tagged with the student and the class's location; 80 % of enrollments are billed by the office with
  "payable online" ticked, 20 % were put on account by the instructor online; the second and third student
  of a household get a 10 % sibling discount, an adjustment entry on each of their tuition orders;
- the annual registration fee: an order in the household's first month, paid with that month's tuition;
- paying habit: 65 % pay each month's orders in one payment 0-9 days after the 1st, 25 % in two instalments
  (half at 0-4 days, the rest at 12-20), 10 % late (25-50 days after). A payment whose day has not come is
  not made, so the current month (and the last one for late payers) still owes: those orders fill Pay an
  Order Balance and "Add Order #N to Cart". 85 % of payments are a card online, 15 % a check or cash at the office;
- extras (field trips, costumes, supplies): 0-3 a year (30 / 35 / 25 / 10 %), not payable online, paid at the
  office 10-30 days later in 85 % of cases;
- packages: 25 % bought one 20-300 days ago, paid at the sale (in full, or 40-80 % and the rest 14-40 days
  later; 30 % still owe), with paid usage invoices and in 20 % one waiting to be paid;
- punch passes: 15 % bought one 10-100 days ago, paid by card, punched on some drop-in meetings since;
- carts: 10 % of households with an order payable online have the oldest in the primary guardian's cart.

A payment is split over its orders by billing.allocation (oldest first), with an Allocation and a ledger
payment entry per order, as checkout posts them; no order is ever paid past its balance.
"""
import datetime
import random
import uuid

from ..billing.allocation import allocate
from ..models import (
    Allocation, CartItem, LedgerEntry, Order, OrderLine, PackagePurchase, Payment, Punch, PunchPass, UsageInvoice,
)
from .catalogue import utc
from .households import MONTHS
from .names import CARD_BRANDS, EXTRAS, REGISTRATION_FEE

HABITS = (("prompt", 65), ("instalments", 25), ("late", 10))
DUE_NOTE = "Tuition is due by the 10th of each month."
SIBLING_DISCOUNT = "Sibling discount (10 %)"


class Money:
    """Writes the orders, charges, payments, packages and passes of one household after another."""

    def __init__(self, writer, catalogue, context, first_number):
        self.writer, self.catalogue, self.context = writer, catalogue, context
        self.number = first_number
        self.staff = context.staff_id

    def add(self, rng, household):
        """Everything money-related of one household."""
        self.balances, self.tags, self.online = {}, {}, []
        card = (rng.choice(CARD_BRANDS), f"{rng.randrange(10000):04d}")
        habit = rng.choices(*zip(*HABITS))[0]
        by_instructor = [rng.random() < 0.2 for _ in household.enrollments]  # put on account online by the instructor
        first_month = min(month for _, _, month in household.enrollments)
        eldest = household.students[0][0]  # the first student pays full tuition, siblings get the discount
        for month in range(first_month, MONTHS):
            opened = self._month_start(month, 6)
            batch = []
            if month == first_month:
                batch.append(self._order(household, *REGISTRATION_FEE, None, None, None, opened, online=True))
            for (student_id, section, joined), instructor in zip(household.enrollments, by_instructor):
                if joined <= month:
                    label = f"{section.name} tuition, {self.context.month_starts[month]:%B %Y}"
                    order_id = self._order(
                        household, label, section.price_cents, student_id, section.id, section.location_id, opened,
                        online=True, channel=Order.INSTRUCTOR_ONLINE if instructor else Order.BOX_OFFICE,
                        created_by=section.instructor_id if instructor else self.staff,
                        note=DUE_NOTE if not instructor and rng.random() < 0.05 else "",
                    )
                    if student_id != eldest:
                        self._discount(household, order_id, section.price_cents // 10, opened)
                    batch.append(order_id)
            self._pay_month(rng, household, habit, card, month, batch)
        self._extras(rng, household, first_month)
        if rng.random() < 0.25:
            self._package(rng, household)
        if rng.random() < 0.15:
            self._punch_pass(rng, household, card)
        self._cart(rng, household)

    def _month_start(self, month, hour):
        return datetime.datetime.combine(self.context.month_starts[month], datetime.time(hour, 0))

    def _order(self, household, description, cents, student_id, course_id, location_id, at, online=False,
               channel=Order.BOX_OFFICE, created_by=None, state=Order.ON_ACCOUNT, note=""):
        """An order with one line and its charge; `online` ticks "payable online" on a box-office order."""
        writer = self.writer
        at = min(at, self.context.now_utc - datetime.timedelta(minutes=1))
        created_by = created_by or self.staff
        order_id = writer.add(
            Order, id=writer.take_id(Order), number=self.number, account=household.account_id, state=state,
            channel=channel, created_by=created_by, created_at=at, on_account=state == Order.ON_ACCOUNT,
            payable_online=online and channel == Order.BOX_OFFICE, external_note=note,
        )
        self.number += 1
        writer.add(OrderLine, id=writer.take_id(OrderLine), order=order_id, description=description,
                   amount_cents=cents, student=student_id, course=course_id)
        writer.add(LedgerEntry, id=writer.take_id(LedgerEntry), account=household.account_id, kind=LedgerEntry.CHARGE,
                   amount_cents=cents, order=order_id, student=student_id, location=location_id, memo=description,
                   created_by=created_by, created_at=at)
        self.balances[order_id] = cents
        self.tags[order_id] = (student_id, location_id)
        if online:
            self.online.append(order_id)
        return order_id

    def _discount(self, household, order_id, cents, at):
        """The sibling discount: an adjustment entry on the order, tagged like its charge."""
        student_id, location_id = self.tags[order_id]
        self.writer.add(LedgerEntry, id=self.writer.take_id(LedgerEntry), account=household.account_id,
                        kind=LedgerEntry.ADJUSTMENT, amount_cents=-cents, order=order_id, student=student_id,
                        location=location_id, memo=SIBLING_DISCOUNT, created_by=self.staff,
                        created_at=min(at, self.context.now_utc - datetime.timedelta(minutes=1)))
        self.balances[order_id] -= cents

    def _pay(self, household, order_ids, amount, at, user_id, method=Payment.CARD, card=None):
        """One payment split over the orders oldest first: the Payment, an Allocation and a ledger entry per order."""
        writer = self.writer
        shares = allocate(amount, [(order_id, self.balances[order_id]) for order_id in order_ids])
        brand, last4 = card or ("", "")
        payment_id = writer.add(
            Payment, id=writer.take_id(Payment), key=uuid.uuid4().hex, user=user_id,
            payer_account=household.account_id, method=method, amount_cents=amount, state=Payment.SUCCEEDED,
            gateway="sandbox" if card else "", gateway_reference=f"gen_{uuid.uuid4().hex[:16]}" if card else "",
            card_brand=brand, card_last4=last4, created_at=at, settled_at=at,
        )
        memo = f"Card payment ({brand} {last4})" if card else f"{method.capitalize()} payment"
        for order_id, share in shares:
            writer.add(Allocation, id=writer.take_id(Allocation), payment=payment_id, order=order_id, amount_cents=share)
            student_id, location_id = self.tags[order_id]
            writer.add(LedgerEntry, id=writer.take_id(LedgerEntry), account=household.account_id,
                       kind=LedgerEntry.PAYMENT, amount_cents=-share, order=order_id, student=student_id,
                       location=location_id, payer_account=household.account_id, memo=memo, created_by=user_id,
                       created_at=at)
            self.balances[order_id] -= share

    def _payer(self, rng, household, card):
        """(user, method, card) of one payment: a guardian's card online, or a check or cash taken by the office."""
        if rng.random() < 0.15:
            return self.staff, rng.choice((Payment.CHECK, Payment.CASH)), None
        return rng.choice(household.payer_ids), Payment.CARD, card

    def _pay_month(self, rng, household, habit, card, month, batch):
        total = sum(self.balances[order_id] for order_id in batch)
        if habit == "instalments":
            half = total // 2 // 100 * 100
            plan = [(rng.randint(0, 4), half), (rng.randint(12, 20), total - half)]
        else:
            plan = [(rng.randint(25, 50) if habit == "late" else rng.randint(0, 9), total)]
        payments = [(self._month_start(month, 0) + datetime.timedelta(days=days, hours=rng.randint(7, 21),
                                                                      minutes=rng.randrange(60)),
                     amount, *self._payer(rng, household, card)) for days, amount in plan]
        for at, amount, user_id, method, used_card in payments:  # drawn first: the same draws whatever the clock
            if at >= self.context.now_utc:
                return  # that day has not come: the rest is still owed
            self._pay(household, batch, amount, at, user_id, method, used_card)

    def _extras(self, rng, household, first_month):
        """Field trips, costumes and supplies: box office, not payable online, paid at the office."""
        for _ in range(rng.choices((0, 1, 2, 3), (30, 35, 25, 10))[0]):
            description, cents = rng.choice(EXTRAS)
            student_id, _ = rng.choice(household.students)
            location_id = rng.choice(list(self.catalogue.locations.values()))
            at = self._month_start(rng.randint(first_month, MONTHS - 1), rng.randint(10, 17)) + datetime.timedelta(
                days=rng.randint(1, 24))
            paid_at = at + datetime.timedelta(days=rng.randint(10, 30))
            pays = rng.random() < 0.85
            method = rng.choice((Payment.CHECK, Payment.CASH))
            if at >= self.context.now_utc:
                continue
            order_id = self._order(household, description, cents, student_id, None, location_id, at)
            if pays and paid_at < self.context.now_utc:
                self._pay(household, [order_id], cents, paid_at, self.staff, method)

    def _package(self, rng, household):
        """A package sold by the office, its payments, and usage invoices drawn on it."""
        writer, now = self.writer, self.context.now_utc
        package_id, name, price, allotments = rng.choice(self.catalogue.packages)
        student_id = rng.choice(household.students)[0] if rng.random() < 0.7 else None
        sold = now - datetime.timedelta(days=rng.randint(20, 300), hours=rng.randint(0, 8))
        order_id = self._order(household, name, price, student_id, None, None, sold)
        writer.add(PackagePurchase, id=(purchase_id := writer.take_id(PackagePurchase)), package=package_id,
                   account=household.account_id, student=student_id, order=order_id, created_by=self.staff,
                   created_at=sold)
        owing, method = rng.random() < 0.3, rng.choice((Payment.CHECK, Payment.CASH))
        first = price if not owing and rng.random() < 0.5 else int(price * rng.uniform(0.4, 0.8)) // 1000 * 1000
        self._pay(household, [order_id], first, sold, self.staff, method)
        rest_at = sold + datetime.timedelta(days=rng.randint(14, 40))
        if not owing and first < price and rest_at < now:
            self._pay(household, [order_id], price - first, rest_at, self.staff, method)
        usage = random.Random(rng.random())  # its own generator: which invoices are past depends on the clock
        for allotment_id, kind, quantity, unit in allotments:
            used, at = usage.randint(0, quantity), sold
            while used > 0:
                step = min(used, usage.choice((1, 2)) if kind == "hours" else 1)
                at += datetime.timedelta(days=usage.randint(3, 14))
                if at + datetime.timedelta(days=1) >= now:
                    break
                self._invoice(usage, purchase_id, allotment_id, step, step * unit, at, paid=True)
                used -= step
                quantity -= step
            if quantity and usage.random() < 0.2:
                self._invoice(usage, purchase_id, allotment_id, 1, unit,
                              now - datetime.timedelta(days=usage.randint(1, 5)), paid=False)

    def _invoice(self, rng, purchase_id, allotment_id, quantity, cents, at, paid):
        self.writer.add(
            UsageInvoice, id=self.writer.take_id(UsageInvoice), purchase=purchase_id, allotment=allotment_id,
            quantity=quantity, amount_cents=cents, state=UsageInvoice.PAID if paid else UsageInvoice.UNPAID,
            memo="Lesson", created_by=rng.choice(self.catalogue.instructor_ids), created_at=at,
            paid_by=self.staff if paid else None, paid_at=at + datetime.timedelta(days=1) if paid else None,
        )

    def _punch_pass(self, rng, household, card):
        """A punch pass paid by card at the front desk, punched on drop-in meetings since."""
        writer, today = self.writer, self.context.now.date()
        section, name, punches, price = rng.choice(self.catalogue.drop_ins)
        student_id = rng.choice(household.students)[0]
        bought = today - datetime.timedelta(days=rng.randint(10, 100))
        at = datetime.datetime.combine(bought, datetime.time(16, rng.randrange(60)))
        order_id = self._order(household, name, price, student_id, None, None, at, state=Order.COMPLETE)
        self._pay(household, [order_id], price, at, rng.choice(household.payer_ids), Payment.CARD, card)
        pass_id = writer.add(PunchPass, id=writer.take_id(PunchPass), student=student_id, course=section.id, name=name,
                             punches=punches, order=order_id, purchased_on=bought,
                             expires_on=bought + datetime.timedelta(days=120), active=True, created_by=self.staff)
        since = [m for m in section.meetings if m[1].date() >= bought and m[1] < self.context.now]
        punching = random.Random(rng.random())  # its own generator: how many meetings are over depends on the clock
        for meeting_id, starts, _ in punching.sample(since, punching.randint(0, min(punches, len(since)))):
            writer.add(Punch, id=writer.take_id(Punch), punch_pass=pass_id, meeting=meeting_id, redeemed_by=self.staff,
                       redeemed_at=utc(starts, self.context.zone))

    def _cart(self, rng, household):
        owed = [order_id for order_id in self.online if self.balances[order_id] > 0]
        if rng.random() < 0.1 and owed:
            self.writer.add(CartItem, id=self.writer.take_id(CartItem), user=household.primary_id, order=owed[0],
                            balance_when_added=self.balances[owed[0]],
                            added_at=self.context.now_utc - datetime.timedelta(hours=rng.randint(1, 48)))
