"""A meeting the school moved keeps the time it had; a cancelled one stays listed, marked cancelled. A seat on a
full course can be held for the first student on its waitlist, for the company's hold time."""
import peewee as pw
from peewee_migrate import Migrator


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Add the meeting's changes, the company's hold time and the waitlist offers."""
    migrator.add_fields(
        'meeting', moved_from=pw.DateTimeField(null=True), cancelled_at=pw.DateTimeField(null=True),
        cancelled_by=pw.ForeignKeyField(column_name='cancelled_by_id', field='id', model=migrator.orm['user'],
                                        null=True, on_delete='SET NULL'),
    )
    migrator.add_fields('company', waitlist_hold_hours=pw.IntegerField(default=48))

    @migrator.create_model
    class WaitlistOffer(pw.Model):
        id = pw.AutoField()
        enrollment = pw.ForeignKeyField(column_name='enrollment_id', field='id', model=migrator.orm['enrollment'],
                                        on_delete='CASCADE')
        status = pw.CharField(max_length=16, default='open')
        offered_at = pw.DateTimeField()
        expires_at = pw.DateTimeField()
        offered_by = pw.ForeignKeyField(column_name='offered_by_id', field='id', model=migrator.orm['user'],
                                        null=True, on_delete='SET NULL')

        class Meta:
            table_name = "waitlist_offer"
            indexes = [(('enrollment', 'status'), False)]


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop what migrate() added."""
    migrator.remove_model('waitlist_offer')
    migrator.remove_fields('company', 'waitlist_hold_hours')
    migrator.remove_fields('meeting', 'moved_from', 'cancelled_at', 'cancelled_by')
