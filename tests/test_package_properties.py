"""Property: over any sequence of invoices, payments, voids, deletions, refunds and transfers on two packages of
one household, remaining = purchased − paid usage, dollars used = the sum of paid usage invoices, nothing negative.

A small model in plain Python says what each step should do (and when it must be refused); the services and the
read model the pages use must agree with it after every step."""
import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from webapp.models import Account, Company, LedgerEntry, PackageAllotment, UsageInvoice, User
from webapp.packages.balances import package_balance
from webapp.packages.services import (
    PackageRefused, define_package, delete_invoice, invoice_usage, pay_invoice, record_payment, refund, sell_package,
    transfer_balance, void_invoice,
)

PRICE = 6000
LINES = {"Lessons": (PackageAllotment.HOURS, 6, 1000), "Kit": (PackageAllotment.ITEM, 3, 400)}
PAID, UNPAID, VOID, DELETED = UsageInvoice.PAID, UsageInvoice.UNPAID, UsageInvoice.VOID, UsageInvoice.DELETED
names = itertools.count()

# An amount is cents, or ("edge", d, k): d cents away from the k-th limit on the step right then.
amounts = st.one_of(st.integers(1, PRICE), st.tuples(st.just("edge"), st.integers(-2, 2), st.integers(0, 1)))
steps = st.lists(st.one_of(
    st.tuples(st.just("invoice"), st.integers(0, 1), st.sampled_from(sorted(LINES)), st.integers(1, 4)),
    st.tuples(st.sampled_from(["pay", "void", "delete"]), st.integers(0, 30)),
    st.tuples(st.sampled_from(["payment", "refund", "transfer"]), st.integers(0, 1), amounts),
), max_size=25)


class Model:
    """What the packages should hold: invoices [package, line, quantity, state] and the money paid in per package."""

    def __init__(self):
        self.invoices, self.paid = [], [0, 0]

    def quantity(self, which, line, states):
        return sum(q for w, n, q, s in self.invoices if w == which and n == line and s in states)

    def remaining(self, which, line):
        return LINES[line][1] - self.quantity(which, line, (PAID,))

    def used_cents(self, which):
        return sum(self.quantity(which, line, (PAID,)) * LINES[line][2] for line in LINES)

    def unused_paid(self, which):
        return max(0, self.paid[which] - self.used_cents(which))

    def limits(self, kind, which):
        """What caps a payment (what is owed), a refund (unused paid money) or a transfer (both ends) now."""
        return {"payment": [PRICE - self.paid[which]], "refund": [self.unused_paid(which)],
                "transfer": [self.unused_paid(which), PRICE - self.paid[1 - which]]}[kind]

    def resolve(self, step):
        """The step with an edge amount turned into cents."""
        if step[0] in ("payment", "refund", "transfer") and isinstance(step[2], tuple):
            _, delta, k = step[2]
            limits = self.limits(step[0], step[1])
            return (*step[:2], max(1, limits[k % len(limits)] + delta))
        return step

    def allows(self, step):
        """Whether the step must succeed (True) or be refused (False); None when it is skipped."""
        kind = step[0]
        if kind == "invoice":
            _, which, line, quantity = step
            return quantity <= LINES[line][1] - self.quantity(which, line, (PAID, UNPAID))
        if kind in ("pay", "void", "delete"):
            if not self.invoices:
                return None
            which, line, quantity, state = self.invoices[step[1] % len(self.invoices)]
            return {
                "pay": state == PAID or (state == UNPAID and quantity <= self.remaining(which, line)),
                "void": state in (UNPAID, PAID, VOID),
                "delete": state in (UNPAID, DELETED),
            }[kind]
        return step[2] <= min(self.limits(kind, step[1]))

    def apply(self, step):
        kind = step[0]
        if kind == "invoice":
            self.invoices.append(list(step[1:]) + [UNPAID])
        elif kind in ("pay", "void", "delete"):
            self.invoices[step[1] % len(self.invoices)][3] = {"pay": PAID, "void": VOID, "delete": DELETED}[kind]
        else:
            _, which, cents = step
            self.paid[which] += {"payment": cents, "refund": -cents, "transfer": -cents}[kind]
            if kind == "transfer":
                self.paid[1 - which] += cents


def _two_packages(staff):
    """Two fresh packages sold to the Smiths, with their allotments by name."""
    smith, purchases = Account.get(Account.name == "Smith household"), []
    for _ in range(2):
        package = define_package(f"Property pack {next(names)}", PRICE,
                                 [(kind, name, quantity, cents) for name, (kind, quantity, cents) in LINES.items()])
        purchases.append(sell_package(Company.current(), staff, package, smith))
    return purchases, [{a.name: a for a in p.package.allotments} for p in purchases]


def _run(staff, purchases, allotments, step, invoices):
    kind = step[0]
    if kind == "invoice":
        _, which, line, quantity = step
        invoices.append(invoice_usage(staff, purchases[which], allotments[which][line], quantity))
    elif kind in ("pay", "void", "delete"):
        {"pay": pay_invoice, "void": void_invoice, "delete": delete_invoice}[kind](staff, invoices[step[1] % len(invoices)])
    elif kind == "payment":
        record_payment(staff, purchases[step[1]], step[2], "cash")
    elif kind == "refund":
        refund(staff, purchases[step[1]], step[2], "property")
    else:
        transfer_balance(staff, purchases[step[1]], purchases[1 - step[1]], step[2])


def _agree(model, purchases):
    """The read model the pages use says what the model says, and nothing is negative."""
    for which, purchase in enumerate(purchases):
        pkg = package_balance(purchase)
        for line in pkg.lines:
            name = line.allotment.name
            assert line.remaining == model.remaining(which, name) >= 0
            assert line.used_cents == model.quantity(which, name, (PAID,)) * LINES[name][2] >= 0
            assert line.remaining_cents >= 0
        assert pkg.used_cents == model.used_cents(which)
        assert pkg.paid_cents == model.paid[which] >= 0 and pkg.owed_cents == PRICE - model.paid[which] >= 0
    transfers = LedgerEntry.select().where(
        LedgerEntry.order.in_([p.order_id for p in purchases]) & (LedgerEntry.kind == LedgerEntry.TRANSFER))
    assert sum(e.amount_cents for e in transfers) == 0


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=steps)
def test_any_sequence_keeps_the_package_arithmetic(app, steps):
    with app.app_context():  # the receipts are mailed, as outside any request
        staff = User.get(User.email == "staff@example.com")
        purchases, allotments = _two_packages(staff)
        model, invoices = Model(), []
        for step in map(model.resolve, steps):
            allowed = model.allows(step)
            if allowed is None:
                continue
            try:
                _run(staff, purchases, allotments, step, invoices)
            except PackageRefused:
                assert not allowed, f"{step} was refused but should have worked"
            else:
                assert allowed, f"{step} worked but should have been refused"
                model.apply(step)
            _agree(model, purchases)
