"""Load: 200 signed-in families for 60 s against gunicorn with 2 sync workers, reading Upcoming Courses, flipping
Absent?, adding an order to the cart and taking it out, and paying by card; every answer must be right, and every
write an answer said was made must be in the database afterwards."""
import os
import time
from collections import Counter

from peewee import fn

from conftest import ON_POSTGRES, TEST_CONFIG, release_connections
from webapp import create_app
from webapp.gateway.sandbox import SandboxCharge
from webapp.models import Allocation, Attendance, CartItem, CheckoutLock, LedgerEntry, Order, Payment
from webapp.scale import build_scale

from . import load
from .load import ACTIONS, KINDS, Family, choose, client

SESSIONS = 200
HOUSEHOLDS = 260  # more than the sessions: they take the households with the most to pay online
SECONDS = int(os.environ.get("LOAD_SECONDS", "60"))
WORKERS = 2


def lost_absences(families):
    """The flipped (meeting, student) pairs whose record is not what the family's last successful answer said."""
    lost = []
    for family in families:
        if "absence" in family.unsure:
            continue
        meeting, student = family.plan.absence
        record = Attendance.get_or_none((Attendance.meeting == meeting) & (Attendance.student == student))
        if family.plan.reported:
            right = (record is not None and record.status == Attendance.ABSENT and record.set_by_id == family.user_id
                     and record.reason_id == family.plan.reason[0] and record.set_by_role == Attendance.BY_PATRON)
        else:
            right = record is None
        if not right:
            seen = "reported" if family.plan.reported else "cleared"
            lost.append(f"absence of student {student} at meeting {meeting}: the client last saw it {seen}, "
                        f"the database holds {record and record.status}")
    return lost


def lost_cart_rows(families):
    """The users whose cart is not the orders their answers left in it."""
    lost = []
    for family in families:
        if "cart" in family.unsure:
            continue
        held = {number for (number,) in Order.select(Order.number).join(CartItem)
                .where(CartItem.user == family.user_id).tuples()}
        if held != family.cart:
            lost.append(f"cart of user {family.user_id}: the client expects {sorted(family.cart)}, the database holds "
                        f"{sorted(held)}")
    return lost


def wrong_payments(families, first_new_payment):
    """What is wrong with the money: each receipt one settled payment of its orders, every charge one settled
    payment, nothing half-done, no order overpaid."""
    wrong = []
    receipts = {key: (family, numbers) for family in families for key, numbers in family.receipts.items()}
    for key, (family, numbers) in receipts.items():
        payment = Payment.get_or_none(Payment.key == key)
        if payment is None or payment.state != Payment.SUCCEEDED or payment.user_id != family.user_id:
            wrong.append(f"payment {key}: its receipt was shown, the database holds {payment and payment.state}")
            continue
        allocations = list(Allocation.select(Allocation, Order).join(Order).where(Allocation.payment == payment))
        posted = -(LedgerEntry.select(fn.SUM(LedgerEntry.amount_cents))
                   .where(LedgerEntry.payment == payment).scalar() or 0)
        charge = SandboxCharge.get_or_none(SandboxCharge.idempotency_key == key)
        paid = {a.order.number for a in allocations}
        if paid != numbers or sum(a.amount_cents for a in allocations) != payment.amount_cents:
            wrong.append(f"payment {key}: allocated to {sorted(paid)}, the checkout paid {sorted(numbers)}")
        if posted != payment.amount_cents:
            wrong.append(f"payment {key}: ledger entries of {posted} cents for {payment.amount_cents}")
        if charge is None or charge.amount_cents != payment.amount_cents or charge.refunded_cents:
            wrong.append(f"payment {key}: the sandbox charged {charge and charge.amount_cents} cents "
                         f"for {payment.amount_cents}")
    settled = Payment.select().where((Payment.id >= first_new_payment) & (Payment.state == Payment.SUCCEEDED)
                                     & (Payment.method == Payment.CARD))
    unseen = {p.key for p in settled} - set(receipts)
    if unseen:
        wrong.append(f"{len(unseen)} payments settled that no answer showed a receipt for")
    for charge in SandboxCharge.select():
        payment = Payment.get_or_none(Payment.key == charge.idempotency_key)
        if payment is None or payment.state != Payment.SUCCEEDED or payment.amount_cents != charge.amount_cents:
            wrong.append(f"charge {charge.reference}: its payment is {payment and payment.state}")
    half_done = Payment.select().where(Payment.state.in_([Payment.PROCESSING, Payment.REFUND_DUE])).count()
    if half_done:
        wrong.append(f"{half_done} payments left in Processing or Refund due")
    if CheckoutLock.select().join(Payment).where(Payment.state != Payment.PENDING).exists():
        wrong.append("a finished payment still locks its orders")
    overpaid = (LedgerEntry.select(LedgerEntry.order).where(LedgerEntry.order.is_null(False))
                .group_by(LedgerEntry.order).having(fn.SUM(LedgerEntry.amount_cents) < 0).count())
    if overpaid:
        wrong.append(f"{overpaid} orders with a negative balance")
    for numbers in (numbers for _, numbers in receipts.values()):
        owing = (LedgerEntry.select(fn.SUM(LedgerEntry.amount_cents)).join(Order)
                 .where(Order.number.in_(list(numbers))).scalar())
        if owing:
            wrong.append(f"orders {sorted(numbers)} still owe {owing} cents after their receipt")
    return wrong


def report(label, outcome, seconds, families, signing, setup):
    """Print the figures per kind of request, the refusals, the substitutes and the writes."""
    overall = client.Figures()
    print(f"\n{label}: {len(families)} signed-in sessions (one per household; signed in in {signing:.1f} s after "
          f"{setup:.1f} s of set-up), gunicorn {WORKERS} sync workers, think time 0, {SECONDS} s "
          f"(the last actions ended at {seconds:.1f} s); actions by weight {ACTIONS}")
    print(f"{'request':<24} {'requests':>8} {'req/s':>7} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6} {'refused':>7}")
    for kind in KINDS:
        figures = outcome.figures[kind]
        overall.latencies += figures.latencies
        overall.errors += figures.errors
        print(f"{kind:<24} {figures.requests:>8} {figures.requests / seconds:>7.1f} {figures.percentile(0.5):>8.0f} "
              f"{figures.percentile(0.99):>8.0f} {figures.errors:>6} {outcome.refusals[kind]:>7}")
    print(f"{'overall':<24} {overall.requests:>8} {overall.requests / seconds:>7.1f} {overall.percentile(0.5):>8.0f} "
          f"{overall.percentile(0.99):>8.0f} {overall.errors:>6} {sum(outcome.refusals.values()):>7}")
    print(f"substituted: {outcome.substituted['card checkout']} checkouts by Pay an Order Balance (the household "
          "had nothing left to pay online)")
    for sample in outcome.refusal_samples:
        print(f"  refused: {sample}")
    for sample in [s for figures in outcome.figures.values() for s in figures.samples][:5]:
        print(f"  error: {sample}")
    return overall.errors


def test_200_families_for_a_minute_get_right_answers_and_lose_no_write(gunicorn):
    started = time.perf_counter()
    app = create_app({**TEST_CONFIG, "DATABASE_URL": gunicorn.database_url})
    with app.app_context():
        build_scale(HOUSEHOLDS, seed=1)
        chosen = choose(gunicorn.database_url, HOUSEHOLDS, SESSIONS)
        first_new_payment = (Payment.select(fn.MAX(Payment.id)).scalar() or 0) + 1
        release_connections()
    server = gunicorn(workers=WORKERS)
    sessions, signing = client.sign_in_all(server.url, [plan for plan, *_ in chosen])
    families = [Family(session, user_id, to_pay, cart) for session, (_, user_id, to_pay, cart) in zip(sessions, chosen)]
    setup = time.perf_counter() - started - signing
    outcome, seconds = load.run(server.url, families, SECONDS)
    server.stop()

    errors = report("PostgreSQL" if ON_POSTGRES else "SQLite", outcome, seconds, families, signing, setup)
    with app.app_context():
        lost = {"absences": lost_absences(families), "carts": lost_cart_rows(families),
                "payments": wrong_payments(families, first_new_payment)}
        writes = sum((family.writes for family in families), Counter())
        states = Counter(p.state for p in Payment.select(Payment.state).where(Payment.id >= first_new_payment))
        charges = SandboxCharge.select().count()
        release_connections()
    unsure = sum(len(family.unsure) for family in families)
    print(f"writes the answers reported: {dict(writes)}; new payments by state {dict(states)}")
    print(f"checked against the database: {len(families)} absences, {len(families)} carts, "
          f"{sum(len(f.receipts) for f in families)} receipts' payments with their allocations, ledger entries and "
          f"charges, all {charges} sandbox charges, every order's balance; left unchecked after an error: {unsure}")
    for what, problems in lost.items():
        print(f"lost or wrong {what}: {len(problems)}" + "".join(f"\n  {problem}" for problem in problems[:3]))
    print(f"test finished in {time.perf_counter() - started:.0f} s")
    wrong = sum(len(problems) for problems in lost.values())
    assert errors == 0 and wrong == 0, f"{errors} answers were errors; {wrong} writes are lost or wrong"
