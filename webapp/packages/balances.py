"""Package Balance and History: quantities from paid usage invoices, money from the ledger."""
from dataclasses import dataclass, field

from peewee import JOIN, fn

from ..models import Account, LedgerEntry, Order, Package, PackageAllotment, PackagePurchase, Student, UsageInvoice, User
from ..prepared import prepared
from ..templating import money


@dataclass
class Allowance:
    """One hour type or item of a sold package with what paid invoices have used of it."""

    allotment: PackageAllotment
    used: int = 0
    used_cents: int = 0

    @property
    def remaining(self):
        return self.allotment.quantity - self.used

    @property
    def remaining_cents(self):
        return self.remaining * self.allotment.unit_price_cents

    @property
    def summary(self):
        """'6 h left of 10 h Private instruction' or '1 left of 2 Sketchbook': remaining of purchased."""
        unit = " h" if self.allotment.is_hours else ""
        return f"{self.remaining}{unit} left of {self.allotment.quantity}{unit} {self.allotment.name}"


@dataclass
class PackageBalance:
    """A sold package as its widget and the Package Balance view show it."""

    purchase: PackagePurchase
    lines: list = field(default_factory=list)
    price_cents: int = 0
    ledger_cents: int = 0  # what the package's order still owes: charges minus payments, refunds, transfers
    show_money: bool = False

    @property
    def dom_id(self):
        return f"package-{self.purchase.id}"

    @property
    def hours(self):
        return [line for line in self.lines if line.allotment.is_hours]

    @property
    def items(self):
        return [line for line in self.lines if not line.allotment.is_hours]

    @property
    def owed_cents(self):
        return self.ledger_cents

    @property
    def paid_cents(self):
        return self.price_cents - self.ledger_cents

    @property
    def used_cents(self):
        return sum(line.used_cents for line in self.lines)

    @property
    def unused_paid_cents(self):
        """Money paid in that paid usage has not drawn on: the most a refund or transfer may take out."""
        return max(0, self.paid_cents - self.used_cents)


def _order_money_columns():
    """What the purchase's order charged and still owes, as columns: a widget needs no query of its own for them."""
    charged = LedgerEntry.select(fn.COALESCE(fn.SUM(LedgerEntry.amount_cents), 0)).where(
        (LedgerEntry.order == Order.id) & (LedgerEntry.kind == LedgerEntry.CHARGE))
    owed = LedgerEntry.select(fn.COALESCE(fn.SUM(LedgerEntry.amount_cents), 0)).where(LedgerEntry.order == Order.id)
    return charged.alias("order_charged"), owed.alias("order_owed")


def purchases_query():
    """Sold packages with their package, order (and its money) and student, oldest first."""
    return (
        PackagePurchase.select(PackagePurchase, Package, Order, Student, *_order_money_columns())
        .join(Package)
        .switch(PackagePurchase)
        .join(Order)
        .switch(PackagePurchase)
        .join(Student, JOIN.LEFT_OUTER)
        .order_by(PackagePurchase.created_at, PackagePurchase.id)
    )


def households_with_packages(search, page, per_page):
    """([(household, [purchases])], how many households match) for one page, in three queries.

    Every word of the search must appear in the household's name, a package's name or its student's name.
    """
    matching = PackagePurchase.select(PackagePurchase.account).join(Package).switch(PackagePurchase).join(
        Student, JOIN.LEFT_OUTER).switch(PackagePurchase).join(Account)
    for word in search.split():
        matching = matching.where(Account.name.contains(word) | Package.name.contains(word)
                                  | Student.first_name.contains(word) | Student.last_name.contains(word))
    households = Account.select().where(Account.id.in_(matching)).order_by(Account.name, Account.id)
    total = households.count()
    rows = list(households.paginate(page, per_page))
    purchases = {account.id: [] for account in rows}
    if rows:
        for purchase in purchases_query().where(PackagePurchase.account.in_(list(purchases))):
            purchases[purchase.account_id].append(purchase)
    return [(account, purchases[account.id]) for account in rows], total


def _paid_usage():
    """A usage invoice of the joined purchase and allotment that has been paid: what has been used."""
    return (UsageInvoice.purchase == PackagePurchase.id) & (UsageInvoice.allotment == PackageAllotment.id) & (
        UsageInvoice.state == UsageInvoice.PAID
    )


def _with_allotments(purchases):
    """purchases_query with each purchase's allotments and their paid usage: a row per allotment."""
    paid = _paid_usage()
    used = UsageInvoice.select(fn.COALESCE(fn.SUM(UsageInvoice.quantity), 0)).where(paid)
    used_cents = UsageInvoice.select(fn.COALESCE(fn.SUM(UsageInvoice.amount_cents), 0)).where(paid)
    return (
        purchases.select_extend(PackageAllotment, used.alias("used"), used_cents.alias("used_cents"))
        .switch(PackagePurchase)
        .join(PackageAllotment, JOIN.LEFT_OUTER, on=(PackageAllotment.package == PackagePurchase.package),
              attr="allotment")
        .order_by_extend(PackageAllotment.kind, PackageAllotment.id)
    )


def _grouped(rows):
    """Rows of _with_allotments as purchases, each with its `allowances` (so a widget needs no query of its own)."""
    purchases = {}
    for row in rows:
        purchase = purchases.setdefault(row.id, row)
        purchase.__dict__.setdefault("allowances", [])
        if row.allotment is not None:
            purchase.allowances.append(Allowance(row.allotment, int(row.used), int(row.used_cents)))
    return list(purchases.values())


@prepared
def _household_purchase_rows(account_ids):
    return _with_allotments(purchases_query().where(PackagePurchase.account.in_(account_ids)))


def household_purchases(account_ids):
    """The households' sold packages, as purchases_query gives them, with their allowances (one query)."""
    return _grouped(_household_purchase_rows(account_ids))


@prepared
def _purchase_rows(purchase_id):
    return _with_allotments(purchases_query().where(PackagePurchase.id == purchase_id))


def purchase_by_id(purchase_id):
    """One sold package, as purchases_query gives it, with its allowances (one query), or None."""
    return next(iter(_grouped(_purchase_rows(purchase_id))), None)


@prepared
def _allowance_rows(purchase_ids):
    paid = _paid_usage()
    return (
        PackagePurchase.select(
            PackagePurchase.id.alias("purchase_id"), PackageAllotment,
            fn.COALESCE(fn.SUM(UsageInvoice.quantity), 0).alias("used"),
            fn.COALESCE(fn.SUM(UsageInvoice.amount_cents), 0).alias("used_cents"),
        )
        .join(PackageAllotment, on=(PackageAllotment.package == PackagePurchase.package))
        .join(UsageInvoice, JOIN.LEFT_OUTER, on=paid)
        .where(PackagePurchase.id.in_(purchase_ids))
        .group_by(PackagePurchase.id, PackageAllotment.id)
        .order_by(PackageAllotment.kind, PackageAllotment.id)
        .objects(PackageAllotment)
    )


def _allowances(purchases):
    """{purchase id: [Allowance]}: as read with the purchases, else in one query for all of them."""
    if all(hasattr(p, "allowances") for p in purchases):
        return {p.id: p.allowances for p in purchases}
    lines = {p.id: [] for p in purchases}
    for allotment in _allowance_rows(list(lines)):
        lines[allotment.purchase_id].append(Allowance(allotment, int(allotment.used), int(allotment.used_cents)))
    return lines


@prepared
def _order_money(order_ids):
    charged = fn.SUM(LedgerEntry.amount_cents).filter(LedgerEntry.kind == LedgerEntry.CHARGE)
    return (LedgerEntry.select(LedgerEntry.order, fn.COALESCE(charged, 0), fn.SUM(LedgerEntry.amount_cents))
            .where(LedgerEntry.order.in_(order_ids)).group_by(LedgerEntry.order).tuples())


def order_money(order_ids):
    """{order id: (charged, balance)} in cents, in one query over the ledger."""
    return {order_id: (int(price), int(balance)) for order_id, price, balance in _order_money(order_ids)}


def package_balances(purchases, show_money=lambda purchase: True):
    """PackageBalance of each purchase, in one query whatever their number (two for rows read bare)."""
    if not purchases:
        return []
    lines = _allowances(purchases)
    money_for = [p for p in purchases if show_money(p)]
    unread = [p.order_id for p in money_for if not hasattr(p, "order_owed")]  # a locked row, read bare
    money = {order_id: (0, 0) for order_id in unread} | (order_money(unread) if unread else {})
    balances = []
    for purchase in purchases:
        price, balance = (0, 0) if purchase not in money_for else money[purchase.order_id] if purchase.order_id in money \
            else (int(purchase.order_charged), int(purchase.order_owed))
        balances.append(PackageBalance(purchase, lines[purchase.id], price, balance, purchase in money_for))
    return balances


def package_balance(purchase, show_money=True):
    """The PackageBalance of one purchase."""
    return package_balances([purchase], lambda _: show_money)[0]


@dataclass
class HistoryRow:
    at: object
    action: str
    amount_cents: int
    user: str


LEDGER_ACTIONS = {
    LedgerEntry.CHARGE: "Package sold", LedgerEntry.PAYMENT: "Package payment", LedgerEntry.REFUND: "Refund",
}


def package_history(purchase):
    """What happened to the package, newest first: ledger entries on its order and usage invoice events."""
    rows = []
    entries = (
        LedgerEntry.select(LedgerEntry, User.name)
        .join(User, JOIN.LEFT_OUTER, on=(LedgerEntry.created_by == User.id), attr="author")
        .where(LedgerEntry.order == purchase.order_id)
    )
    for entry in entries:
        action = entry.memo if entry.kind == LedgerEntry.TRANSFER else LEDGER_ACTIONS.get(entry.kind, entry.memo)
        rows.append(HistoryRow(entry.created_at, action, abs(entry.amount_cents), _name(entry, "author")))
    creator, payer, closer = User.alias(), User.alias(), User.alias()
    invoices = (
        UsageInvoice.select(UsageInvoice, PackageAllotment, creator.name, payer.name, closer.name)
        .join(PackageAllotment)
        .switch(UsageInvoice)
        .join(creator, JOIN.LEFT_OUTER, on=(UsageInvoice.created_by == creator.id), attr="creator")
        .switch(UsageInvoice)
        .join(payer, JOIN.LEFT_OUTER, on=(UsageInvoice.paid_by == payer.id), attr="payer")
        .switch(UsageInvoice)
        .join(closer, JOIN.LEFT_OUTER, on=(UsageInvoice.closed_by == closer.id), attr="closer")
        .where(UsageInvoice.purchase == purchase.id)
    )
    for invoice in invoices:
        # In the family's words: what was used, and which invoice it was.
        used, label = invoice_text(invoice), f"invoice #{invoice.id}"
        rows.append(HistoryRow(invoice.created_at, f"Invoiced {used} ({label})", invoice.amount_cents,
                               _name(invoice, "creator")))
        if invoice.paid_at:
            rows.append(HistoryRow(invoice.paid_at, f"Used {used} ({label}), paid {money(invoice.amount_cents)}",
                                   invoice.amount_cents, _name(invoice, "payer")))
        if invoice.closed_at:
            verb = "voided: given back to the package" if invoice.state == UsageInvoice.VOID else "deleted"
            rows.append(HistoryRow(invoice.closed_at, f"{used} ({label}) {verb}", invoice.amount_cents,
                                   _name(invoice, "closer")))
    return sorted(rows, key=lambda row: row.at, reverse=True)


def invoice_text(invoice):
    """'2 h Private instruction' or '1 × Sketchbook'."""
    if invoice.allotment.is_hours:
        return f"{invoice.quantity} h {invoice.allotment.name}"
    return f"{invoice.quantity} × {invoice.allotment.name}"


def _name(row, attr):
    user = getattr(row, attr, None)
    return user.name if user and user.name else "—"
