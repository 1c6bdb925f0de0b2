"""The benchmark's mix: what a signed-in family does, row by row, and the text each answer must contain.

Each row builds its next request from a session's Plan (the household's own meetings, orders and packages).
The two writes alternate so every one really changes something: report a reason on a future meeting, then
clear it; add an order to the cart, then remove it. A row the household has nothing for substitutes a
similar read, so every session runs the same mix.
"""
from dataclasses import dataclass

HTMX = {"HX-Request": "true"}


@dataclass
class Plan:
    """One session: who signs in and what of their household the rows use."""

    email: str
    first_name: str
    students: list  # [(id, first name)]
    absence: tuple | None  # (meeting id, student id): a future meeting with no record yet
    reason: tuple  # (id, name) of the patron-usable reason the flip reports
    order: int | None  # an order payable online, not in this user's cart: added, then removed
    payable: list  # numbers of the orders Pay an Order Balance lists
    package: int | None  # a package purchase of the household
    reported: bool = False  # the flip's state: the next absence request clears when True
    in_cart: bool = False


@dataclass
class Request:
    method: str
    path: str
    headers: dict
    markers: tuple  # every one must be in the answer, or it counts as an error
    form: dict | None = None


def home(plan):
    return Request("GET", "/home", {}, (f"Hello, {plan.first_name}", 'id="next-up"'))


def upcoming(plan):
    return Request("GET", "/schedule/", {}, ("<h1>Upcoming Courses</h1>", "Absent?"))


def absence(plan):
    """Report the reason, or clear it when reported; without a free future meeting, the fragment of 8 weeks."""
    if plan.absence is None:
        return Request("GET", "/schedule/?weeks=8", HTMX, ('id="schedule"',))
    meeting, student = plan.absence
    cell = f'id="absent-{meeting}-{student}"'
    if plan.reported:
        return Request("POST", f"/schedule/absence/{meeting}/{student}/clear", HTMX, (cell, 'class="absent-x"'))
    reason_id, name = plan.reason
    return Request("POST", f"/schedule/absence/{meeting}/{student}", HTMX, (cell, f"Absent: {name}"),
                   {"reason": str(reason_id)})


def pay_balance(plan):
    listed = f"Order #{plan.payable[0]}" if plan.payable else "Nothing is waiting to be paid online"
    return Request("GET", "/billing/pay-balance", {}, ("<h1>Pay an Order Balance</h1>", listed))


def cart(plan):
    """Add Order #N to Cart, or remove it when it is in; without an order to add, the cart page."""
    if plan.order is None:
        return Request("GET", "/billing/cart", {}, (">Your cart</h1>",))
    if plan.in_cart:
        return Request("POST", f"/billing/cart/orders/{plan.order}/remove", HTMX,
                       (f"Order #{plan.order} is out of your cart",))
    return Request("POST", f"/billing/cart/orders/{plan.order}", HTMX, (f"Order #{plan.order} is in your cart",))


def package(plan):
    """The package widget expanded in place; without a package, the student's Packages and Passes block."""
    if plan.package is None:
        student_id, first = plan.students[0]
        return Request("GET", f"/packages/students/{student_id}", HTMX, ('id="passes"', f"No packages for {first}."))
    return Request("GET", f"/packages/{plan.package}", HTMX, (f'id="package-{plan.package}"', 'aria-expanded="true"'))


def account(plan):
    return Request("GET", "/account/", {}, ("<h1>My Account</h1>", f"Signed in as <strong>{plan.email}</strong>"))


def _flip_absence(plan):
    plan.reported = not plan.reported


def _flip_cart(plan):
    plan.in_cart = not plan.in_cart


@dataclass
class Row:
    name: str
    weight: int  # percent of the mix
    request: object  # plan -> Request
    done: object = None  # plan -> None, after an answer that passed its check
    needs: str = ""  # the Plan attribute that, when None, makes the row a substitute read


ROWS = [
    Row("home", 30, home),
    Row("Upcoming Courses", 25, upcoming),
    Row("Absent? flip (POST)", 10, absence, _flip_absence, "absence"),
    Row("Pay an Order Balance", 10, pay_balance),
    Row("cart add/remove (POST)", 5, cart, _flip_cart, "order"),
    Row("package widget (htmx)", 10, package, needs="package"),
    Row("My Account", 10, account),
]


def substitutes(plans, row):
    """How many sessions run the row as a similar read."""
    return sum(1 for plan in plans if row.needs and getattr(plan, row.needs) is None)


def check(row, request, status, body):
    """None when the answer is right, else what is wrong with it."""
    if status != 200:
        return f"{row.name}: {request.method} {request.path} answered {status}"
    missing = [marker for marker in request.markers if marker not in body]
    if missing:
        return f"{row.name}: {request.method} {request.path} answered without {missing[0]!r}"
    if request.headers.get("HX-Request") and "<html" in body[:500].lower():
        return f"{row.name}: {request.method} {request.path} answered a whole page where a fragment was expected"
    return None
