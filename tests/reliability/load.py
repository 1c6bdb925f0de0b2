"""The load test's families over HTTP: each signed-in session loops, one request in flight and no think time, over
Upcoming Courses, an Absent? flip, Add Order #N to Cart or its removal and a card checkout, and keeps what the
answers said it did, for the test to count against the database afterwards.

The requests, their markers, the sign-in and the aiohttp client are the benchmark's (bench/mix.py, bench/client.py).
"""
import asyncio
import random
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import client  # noqa: E402
from mix import HTMX, Request, Row, absence, cart, check, upcoming  # noqa: E402
from plans import make_plans  # noqa: E402
from webapp.models import CartItem, Order, User  # noqa: E402

from .conftest import CARD  # noqa: E402

ACTIONS = {"Upcoming Courses": 40, "Absent? flip": 25, "cart add/remove": 20, "card checkout": 15}  # weights
KINDS = ["Upcoming Courses", "Absent? report", "Absent? clear", "cart add", "cart remove", "checkout: add to cart",
         "checkout: start", "card page: Pay", "receipt", "Pay an Order Balance"]
BUSY = "is being paid by someone else right now"  # the refusal two payers of one order may meet: not an error
GRACE_SECONDS = 90  # an action begun before the end is finished; beyond this the server is stuck
RETURN = re.compile(r"(?:https?://[^/]+)?/billing/payments/(\w+)")


@dataclass
class Family:
    """One signed-in session (its plan names the meeting and the order it flips) and what its answers said."""

    session: client.Session
    user_id: int
    to_pay: list  # numbers of orders payable online that checkouts take one at a time, oldest first
    cart: set  # numbers of the orders in the user's cart, as the answers left it
    receipts: dict = field(default_factory=dict)  # payment key -> numbers of the orders it paid
    writes: Counter = field(default_factory=Counter)  # successful writes by kind
    unsure: set = field(default_factory=set)  # "absence", "cart": an error left the state unknown

    @property
    def plan(self):
        return self.session.plan


def choose(database_url, households, sessions):
    """[(plan, user id, orders to pay, cart)] for the first payer of each of the `sessions` generated households with
    the most orders payable online, each with a free future meeting and an order to add (inside an app context)."""
    chosen = []
    for plan in make_plans(database_url, households, one_per_household=True):
        if plan.absence is None or plan.order is None:
            continue
        user = User.get(User.email == plan.email)
        in_cart = {number for (number,) in Order.select(Order.number).join(CartItem)
                   .where(CartItem.user == user).tuples()}
        to_pay = [number for number in plan.payable if number != plan.order and number not in in_cart]
        chosen.append((plan, user.id, to_pay, in_cart))
    chosen.sort(key=lambda c: -(len(c[2]) + len(c[3])))
    assert len(chosen) >= sessions, f"only {len(chosen)} households have a free future meeting and an order to add"
    return chosen[:sessions]


def answered(kind, request):
    """The check of a 200 answer with every marker (the benchmark's)."""
    row = Row(kind, 0, None)
    return lambda status, body, location: check(row, request, status, body)


def redirected(kind, request, pattern):
    """The check of a 303 to an address matching the pattern; a redirect anywhere else (sign-in) is an error."""

    def expect(status, body, location):
        if status != 303:
            return f"{kind}: {request.method} {request.path} answered {status}, not 303"
        if not re.fullmatch(pattern, location):
            return f"{kind}: {request.method} {request.path} redirected to {location!r}"
        return None

    return expect


class Load:
    """The figures of one run, by kind of request, and the actions that make them."""

    def __init__(self, http, base):
        self.http, self.base = http, base
        self.figures = {kind: client.Figures() for kind in KINDS}
        self.refusals, self.refusal_samples, self.substituted = Counter(), [], Counter()

    async def ask(self, family, kind, request, expect):
        """Send the request; (status, body, location) when the answer passed `expect`, else None."""
        loop = asyncio.get_running_loop()
        sent = loop.time()
        status, body, location = await client.send(self.http, self.base, family.session, request)
        problem = expect(status, body, location)
        self.figures[kind].add(loop.time() - sent, problem)
        return None if problem else (status, body, location)

    async def write(self, family, kind, request, state):
        """A write that must answer 200 with its markers; True when it did, else the family's `state` is unknown."""
        if await self.ask(family, kind, request, answered(kind, request)):
            family.writes[kind] += 1
            return True
        family.unsure.add(state)
        return False

    async def upcoming_courses(self, family):
        """Upcoming Courses, the whole page."""
        request = upcoming(family.plan)
        await self.ask(family, "Upcoming Courses", request, answered("Upcoming Courses", request))

    async def flip_absence(self, family):
        """Report the patron reason on the family's future meeting, or clear it when reported."""
        plan = family.plan
        if await self.write(family, "Absent? clear" if plan.reported else "Absent? report", absence(plan), "absence"):
            plan.reported = not plan.reported

    async def flip_cart(self, family):
        """Add the family's order to the cart, or remove it when it is in."""
        plan = family.plan
        if await self.write(family, "cart remove" if plan.in_cart else "cart add", cart(plan), "cart"):
            plan.in_cart = not plan.in_cart
            (family.cart.add if plan.in_cart else family.cart.discard)(plan.order)

    async def check_out(self, family):
        """Add the household's next order payable online to the cart and pay the cart by card."""
        plan = family.plan
        if plan.in_cart:  # checkout pays the whole cart: the order the cart row flips must stay out of it
            return await self.flip_cart(family)
        if family.to_pay:
            number = family.to_pay[0]
            request = Request("POST", f"/billing/cart/orders/{number}", HTMX, (f"Order #{number} is in your cart",))
            if not await self.write(family, "checkout: add to cart", request, "cart"):
                return None
            family.to_pay.pop(0)
            family.cart.add(number)
        if not family.cart:  # the household has nothing left to pay online: it looks at what it owes instead
            self.substituted["card checkout"] += 1
            request = Request("GET", "/billing/pay-balance", {},
                              ("<h1>Pay an Order Balance</h1>", f"Order #{plan.order}"))
            return await self.ask(family, "Pay an Order Balance", request, answered("Pay an Order Balance", request))
        return await self.pay_cart(family, frozenset(family.cart))

    async def pay_cart(self, family, paying):
        """Check out with a new card, enter the success card on the sandbox's card page and press its Pay (which
        charges, and settles through the sandbox's notification), and read the receipt it sends the payer back to."""
        request = Request("POST", "/billing/checkout", {}, (), {"method": "new"})
        to_card_page = redirected("checkout: start", request, r"/sandbox-gateway/pay/[\w-]+")
        answer = await self.ask(family, "checkout: start", request, lambda status, body, location: (
            None if status == 422 and BUSY in body else to_card_page(status, body, location)))
        if answer is None:
            family.unsure.add("cart")
            return None
        if answer[0] == 422:  # the order stays in the cart; the next checkout tries it again
            self.refusals["checkout: start"] += 1
            if len(self.refusal_samples) < 3:
                self.refusal_samples.append(f"{family.plan.email}: {BUSY} (orders {sorted(paying)})")
            return None
        request = Request("POST", answer[2], {}, (), dict(CARD))
        to_result = redirected("card page: Pay", request, RETURN.pattern)
        answer = await self.ask(family, "card page: Pay", request, to_result)
        if answer is None:
            family.unsure.add("cart")
            return None
        (key,) = RETURN.fullmatch(answer[2]).groups()
        family.receipts[key] = paying
        family.cart -= paying  # settling takes the paid orders out of the cart
        family.writes["card checkout"] += 1
        markers = ('<h1 id="receipt-title">Receipt</h1>', *(f"<td>#{number}</td>" for number in sorted(paying)))
        request = Request("GET", f"/billing/payments/{key}", {}, markers)
        return await self.ask(family, "receipt", request, answered("receipt", request))


def run(base, families, seconds, seed=1):
    """Every family loops over the actions by weight for `seconds` (an action begun is finished); (Load, seconds)."""
    names, weights = list(ACTIONS), list(ACTIONS.values())

    async def main():
        loop = asyncio.get_running_loop()
        started = loop.time()
        end = started + seconds
        async with client.http_client() as http:
            load = Load(http, base)
            actions = {"Upcoming Courses": load.upcoming_courses, "Absent? flip": load.flip_absence,
                       "cart add/remove": load.flip_cart, "card checkout": load.check_out}

            async def one(index, family):
                rng = random.Random(f"{seed}:{index}")
                while loop.time() < end:
                    await actions[rng.choices(names, weights)[0]](family)

            await asyncio.gather(*(one(index, family) for index, family in enumerate(families)))
        return load, loop.time() - started

    try:
        return asyncio.run(asyncio.wait_for(main(), seconds + GRACE_SECONDS))
    except asyncio.TimeoutError:
        raise AssertionError(f"the load did not end within {GRACE_SECONDS} s of its end: the server is stuck") from None
