"""`flask db backup`: a backup taken while families keep writing restores to a consistent database."""
import sqlite3
import threading

import pytest

from conftest import ON_POSTGRES, release_connections
from webapp import create_app
from webapp.billing.charges import create_order
from webapp.models import Account, Company, LedgerEntry, Order, OrderLine, User


def write_orders_until(stop, app, made):
    """Orders with their lines and ledger charges, each in one transaction, as fast as they go."""
    with app.app_context():
        sam, smith = User.get(User.email == "staff@example.com"), Account.get(Account.name == "Smith household")
        company = Company.current()
        while not stop.is_set():
            made.append(create_order(company, sam, smith, [("Line A", 1000, None), ("Line B", 2500, None)]).number)


@pytest.mark.skipif(ON_POSTGRES, reason="the SQLite online backup; PostgreSQL's pg_dump is tested below")
def test_a_backup_under_write_load_restores_to_a_consistent_database(app, tmp_path):
    stop, made = threading.Event(), []
    writer = threading.Thread(target=write_orders_until, args=(stop, app, made))
    writer.start()
    try:
        while len(made) < 20:  # the writer is well under way
            threading.Event().wait(0.01)
        results = [app.test_cli_runner().invoke(args=["db", "backup", str(tmp_path / f"backup-{n}.sqlite3")])
                   for n in range(3)]
    finally:
        stop.set()
        writer.join()
    assert all(r.exit_code == 0 and "backup written to" in r.output for r in results), [r.output for r in results]
    assert not list(tmp_path.glob("*.partial")) and not list(tmp_path.glob("backup-*-wal"))
    for n in range(3):
        copy = sqlite3.connect(tmp_path / f"backup-{n}.sqlite3")
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        # Each order it holds is whole: both its lines and both its charges, never half a transaction.
        torn = copy.execute("""SELECT o.number FROM "order" o WHERE o.number > 1007 AND (
                               (SELECT COUNT(*) FROM order_line l WHERE l.order_id = o.id) != 2 OR
                               (SELECT COUNT(*) FROM ledger_entry e WHERE e.order_id = o.id) != 2)""").fetchall()
        assert torn == []
        copy.close()
    release_connections()
    restored = create_app({"TESTING": True, "SECRET_KEY": "x", "JOBS_URL": "memory://",
                           "DATABASE_URL": f"sqlite:///{tmp_path / 'backup-2.sqlite3'}"})
    assert "database is up to date" in restored.test_cli_runner().invoke(args=["db", "upgrade"]).output
    with restored.app_context():
        backed_up = Order.select().where(Order.number > 1007).count()
        assert 20 <= backed_up <= len(made)
        new = Order.select(Order.id).where(Order.number > 1007)
        charges = LedgerEntry.select().where(LedgerEntry.order.in_(new)).count()
        assert charges == OrderLine.select().where(OrderLine.order.in_(new)).count() == 2 * backed_up
    release_connections()


@pytest.mark.skipif(not ON_POSTGRES, reason="pg_dump needs the PostgreSQL server")
def test_a_postgres_backup_is_a_pg_dump_archive(app, tmp_path):
    import subprocess

    result = app.test_cli_runner().invoke(args=["db", "backup", str(tmp_path / "cubby.dump")])
    assert result.exit_code == 0, result.output
    listing = subprocess.run(["pg_restore", "--list", str(tmp_path / "cubby.dump")], capture_output=True, text=True)
    assert listing.returncode == 0 and "TABLE DATA public ledger_entry" in listing.stdout


def test_a_backup_into_a_folder_that_does_not_exist_says_so(app, tmp_path):
    result = app.test_cli_runner().invoke(args=["db", "backup", str(tmp_path / "no" / "such" / "cubby.sqlite3")])
    assert result.exit_code != 0 and "backup failed" in result.output
