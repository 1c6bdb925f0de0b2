"""The benchmark's machinery at a tiny size, in-process: plans from generated households, every row of the mix
answering with its markers, and the writes undone after a write and its undo (no gunicorn, no load)."""
import dataclasses
import sys
from pathlib import Path

from webapp.models import Attendance, CartItem, MakeupToken
from webapp.scale import build_scale

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import queries  # noqa: E402
from mix import ROWS  # noqa: E402
from plans import make_plans  # noqa: E402


def test_plans_spread_over_households_and_every_row_answers_with_its_markers(app):
    build_scale(6, seed=3)
    url = app.config["DATABASE_URL"]
    plans = make_plans(url, 10)  # more sessions than payers: some users sign in twice
    assert len(plans) == 10 and all(plan.email.endswith("@families.example") for plan in plans)
    flips = [plan.absence for plan in plans if plan.absence]
    assert flips and len(set(flips)) == len(flips)  # no two sessions flip the same meeting
    orders = [(plan.email, plan.order) for plan in plans if plan.order]
    assert orders and len(set(orders)) == len(orders)
    before = (Attendance.select().count(), MakeupToken.select().count(), CartItem.select().count())
    captured = queries.per_row(url, plans[:4], ROWS)  # raises when an answer misses its markers
    counts = queries.counts(captured)
    assert set(counts) == {row.name for row in ROWS} and all(count > 0 for count in counts.values())
    assert (Attendance.select().count(), MakeupToken.select().count(), CartItem.select().count()) == before
    assert not any(plan.reported or plan.in_cart for plan in plans)


def test_a_household_without_a_flip_an_order_or_a_package_reads_the_substitutes_with_their_markers(app):
    build_scale(3, seed=4)
    plan = dataclasses.replace(make_plans(app.config["DATABASE_URL"], 1)[0], absence=None, order=None, package=None)
    counts = queries.counts(queries.per_row(app.config["DATABASE_URL"], [plan], ROWS))  # raises on a missed marker
    assert set(counts) == {row.name for row in ROWS}
