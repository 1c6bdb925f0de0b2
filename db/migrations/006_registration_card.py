"""A registration in the cart holds its seat on the order a card checkout placed it on."""
import peewee as pw
from peewee_migrate import Migrator


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Add registration_item.order_id: set while the card payment for that order is open."""
    migrator.add_fields(
        'registration_item',
        order=pw.ForeignKeyField(column_name='order_id', field='id', model=migrator.orm['order'], null=True,
                                 on_delete='SET NULL'),
    )


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop what migrate() added."""
    migrator.remove_fields('registration_item', 'order')
