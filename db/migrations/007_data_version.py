"""The data version: a counter every committed write moves, so kept pages know when they are out of date."""
import peewee as pw
from peewee_migrate import Migrator

from webapp.database import install_data_version


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """On SQLite a counter row and a trigger per table and action; PostgreSQL uses its transaction snapshot."""
    migrator.run(install_data_version, database)


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop the counter and its triggers."""
    migrator.run(install_data_version, database, remove=True)
