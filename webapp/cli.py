"""Command-line: `flask db upgrade`, `flask db backup`, `flask demo load`, `flask demo scale`."""
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


@db_cli.command("backup")
@click.argument("destination", type=click.Path(dir_okay=False, writable=True))
def backup(destination):
    """Copy the live database to DESTINATION, consistent as of one moment (SQLite backup API or pg_dump)."""
    import sqlite3

    from flask import current_app

    from .backup import BackupFailed, backup as make_backup

    try:
        made = make_backup(current_app.config["DATABASE_URL"], destination)
    except (BackupFailed, sqlite3.Error) as failed:
        raise click.ClickException(f"backup failed: {failed}") from None
    click.echo(f"backup written to {made} ({made.stat().st_size} bytes)")


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


@demo_cli.command("scale")
@click.option("--households", type=click.IntRange(min=1), required=True, help="How many households to add.")
@click.option("--seed", type=int, default=1, show_default=True, help="The same seed gives the same names and amounts.")
def scale(households, seed):
    """Add generated households on top of the demo (webapp/scale), in bulk."""
    from .scale import ScaleRefused, build_scale

    with db.connection_context():
        try:
            report = build_scale(households, seed)
        except ScaleRefused as refused:
            raise click.ClickException(str(refused)) from None
    click.echo(report.summary())


def init_app(app):
    app.cli.add_command(db_cli)
    app.cli.add_command(demo_cli)
    from .billing.reconcile import payments_cli
    from .outbox import mail_cli

    app.cli.add_command(mail_cli)
    app.cli.add_command(payments_cli)
