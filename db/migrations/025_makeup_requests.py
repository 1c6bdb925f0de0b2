"""Makeup requests (makeup tokens off): a family asks for a makeup class at one meeting, staff decide."""
import peewee as pw
from peewee_migrate import Migrator


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Add the company's preference and the requests."""
    migrator.add_fields('company', makeup_requests=pw.BooleanField(default=False))

    @migrator.create_model
    class MakeupRequest(pw.Model):
        id = pw.AutoField()
        student = pw.ForeignKeyField(column_name='student_id', field='id', model=migrator.orm['student'],
                                     on_delete='CASCADE')
        meeting = pw.ForeignKeyField(column_name='meeting_id', field='id', model=migrator.orm['meeting'],
                                     on_delete='CASCADE')
        note = pw.TextField(default="")
        status = pw.CharField(max_length=16, default="requested")
        requested_by = pw.ForeignKeyField(column_name='requested_by_id', field='id', model=migrator.orm['user'],
                                          null=True, on_delete='SET NULL')
        requested_at = pw.DateTimeField()
        decided_by = pw.ForeignKeyField(column_name='decided_by_id', field='id', model=migrator.orm['user'],
                                        null=True, on_delete='SET NULL')
        decided_at = pw.DateTimeField(null=True)
        reason = pw.TextField(default="")

        class Meta:
            table_name = "makeup_request"
            indexes = ((("meeting", "status"), False), (("student", "meeting"), False))


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop them."""
    migrator.remove_model('makeup_request')
    migrator.remove_fields('company', 'makeup_requests')
