"""Migrations, the demo loader and the ledger."""
import pathlib

import pytest
from peewee import DatabaseError

from conftest import BASE_URL, ON_POSTGRES, TEST_CONFIG, PostgresServer, release_connections
from webapp import create_app
from webapp.billing.ledger import order_balances
from webapp.extensions import db
from webapp.models import ALL_MODELS, AbsenceReason, Attendance, ImmutableEntry, LedgerEntry, Order


@pytest.fixture
def empty_database_url(tmp_path):
    """A database with nothing in it, on the same kind of server as the run."""
    if not ON_POSTGRES:
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    server = PostgresServer(BASE_URL)
    name = f"{server.prefix}_empty"
    server.execute(f'CREATE DATABASE "{name}"')
    yield server.url(name)
    release_connections()
    server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_migrations_build_the_schema_from_an_empty_database(empty_database_url):
    app = create_app({**TEST_CONFIG, "DATABASE_URL": empty_database_url})
    runner = app.test_cli_runner()
    first = runner.invoke(args=["db", "upgrade"])
    migrations = len(list(pathlib.Path("db/migrations").glob("[0-9]*.py")))
    assert first.exit_code == 0 and f"migrations applied: {migrations}" in first.output
    tables = set(db.get_tables())
    assert {model._meta.table_name for model in ALL_MODELS} <= tables
    assert "data_version" not in tables  # 008 dropped the page cache's counter
    if not ON_POSTGRES:
        leftovers = db.execute_sql("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'data_version%'")
        assert not list(leftovers), "008 must drop every data_version trigger"
    again = runner.invoke(args=["db", "upgrade"])
    assert again.exit_code == 0 and "up to date" in again.output
    assert runner.invoke(args=["demo", "load", "--if-empty"]).output.strip() == "demo data loaded"
    assert runner.invoke(args=["demo", "load", "--if-empty"]).output.strip() == "demo data already present"


def test_loading_the_demo_twice_changes_nothing(app):
    before = {model.__name__: model.select().count() for model in ALL_MODELS}
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    assert {model.__name__: model.select().count() for model in ALL_MODELS} == before
    assert before["Order"] == 7 and before["User"] == 9  # Morgan Smith, invited; Alex Kim; four orders, Ben's package, Amy's punch pass, a pending PO


def test_demo_order_balances_come_from_the_ledger(app):
    orders = {o.number: o.id for o in Order.select()}
    balances = order_balances(list(orders.values()))
    assert {number: balances[order_id] for number, order_id in orders.items()} == {
        1001: 14000, 1002: 18000, 1003: 3500, 1004: 0, 1005: 20000, 1006: 0, 1007: 40000,  # 1005 package, 1006 punch pass, 1007 PO
    }


def test_demo_orders_carry_their_flags(app):
    by_number = {o.number: o for o in Order.select()}
    assert by_number[1001].channel == Order.INSTRUCTOR_ONLINE and by_number[1001].on_account
    assert by_number[1002].payable_online and by_number[1002].external_note == "Balance due before the first class"
    assert by_number[1003].on_account and not by_number[1003].payable_online
    assert by_number[1004].state == Order.COMPLETE


def test_demo_has_the_instructor_set_no_show_and_the_reason_table(app):
    usable = [r.name for r in AbsenceReason.select().where(AbsenceReason.patron_usable).order_by(AbsenceReason.sort_order)]
    assert usable == ["Sick", "Vacation", "Family emergency"]
    no_show = Attendance.select().join(AbsenceReason).where(AbsenceReason.name == "No show").get()
    assert no_show.set_by_role == Attendance.BY_INSTRUCTOR and no_show.student.first_name == "Amy"


def test_ledger_entries_cannot_be_changed_or_deleted(app):
    entry = LedgerEntry.select().first()
    entry.amount_cents = 1
    with pytest.raises(ImmutableEntry):
        entry.save()
    with pytest.raises(ImmutableEntry):
        entry.delete_instance()
    with pytest.raises(ImmutableEntry):
        LedgerEntry.update(amount_cents=0)
    # Even SQL that goes around the model is refused by the database.
    for sql in ("UPDATE ledger_entry SET amount_cents = 0", "DELETE FROM ledger_entry"):
        with pytest.raises(DatabaseError):
            with db.atomic():
                db.execute_sql(sql)
    assert LedgerEntry.select().where(LedgerEntry.amount_cents == 0).count() == 0


def test_sqlite_runs_with_wal_busy_timeout_and_foreign_keys(app):
    if ON_POSTGRES:
        pytest.skip("SQLite pragmas")
    assert db.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute_sql("PRAGMA busy_timeout").fetchone()[0] == 5000


def test_postgresql_plans_a_schedule_freely_and_keeps_the_plans_of_repeated_statements(app):
    """At 10,000 households the home page's schedule read every attendance row in the written join order, and
    planning each statement cost ten times running it (README.md, Performance)."""
    if not ON_POSTGRES:
        pytest.skip("PostgreSQL's planner settings")
    assert db.execute_sql("SHOW join_collapse_limit").fetchone()[0] == "12"
    assert db.execute_sql("SHOW from_collapse_limit").fetchone()[0] == "12"
    for _ in range(6):
        list(Order.select().where(Order.number == 1001))
    prepared = [sql for (sql,) in db.execute_sql("SELECT statement FROM pg_prepared_statements")]
    assert any('FROM "order"' in sql for sql in prepared), prepared


def test_migration_013_upgrades_a_database_whose_students_are_referred_to(empty_database_url):
    """A school upgrading keeps its students: adding their columns must not rebuild a table others refer to."""
    app = create_app({**TEST_CONFIG, "DATABASE_URL": empty_database_url})
    from webapp.database import migration_router

    with app.app_context(), db.connection_context():
        router = migration_router()
        router.run("011_jobs_and_stripe")
        for sql in ("INSERT INTO account (name, subject_to_pending_payment, created_at) VALUES ('Old', false, '2026-01-01')",
                    "INSERT INTO student (first_name, last_name, billing_account_id) VALUES ('Ada', 'Old', 1)",
                    "INSERT INTO student_link (student_id, account_id) VALUES (1, 1)"):
            db.execute_sql(sql)
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    with app.app_context(), db.connection_context():
        row = db.execute_sql("SELECT first_name, allergies, photo_consent FROM student").fetchone()
    assert tuple(row[:2]) == ("Ada", "") and not row[2]
