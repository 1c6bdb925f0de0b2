"""Command-line: `flask db upgrade`, `flask demo load`."""
import click
from flask.cli import AppGroup

from .extensions import db

db_cli = AppGroup("db", help="Database migrations.")
demo_cli = AppGroup("demo", help="The demo data.")


@db_cli.command("upgrade")
def upgrade():
    """Apply every migration in db/migrations that has not run yet."""
    from .database import migration_router

    with db.connection_context():
        router = migration_router()
        pending = router.diff
        router.run()
    click.echo(f"migrations applied: {len(pending)}" if pending else "database is up to date")


@demo_cli.command("load")
@click.option("--if-empty", is_flag=True, help="Only when the database has no company yet.")
def load(if_empty):
    """Load SPEC.md's demo data (idempotent)."""
    from .demo import load_demo
    from .models import Company

    with db.connection_context():
        if if_empty and Company.select().exists():
            click.echo("demo data already present")
            return
        load_demo()
    click.echo("demo data loaded")


def init_app(app):
    app.cli.add_command(db_cli)
    app.cli.add_command(demo_cli)
    from .billing.reconcile import payments_cli
    from .outbox import mail_cli

    app.cli.add_command(mail_cli)
    app.cli.add_command(payments_cli)
