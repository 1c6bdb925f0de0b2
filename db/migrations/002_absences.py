"""Future absences, makeup tokens, and the link from an attendance record to the future absence that wrote it."""
import peewee as pw
from peewee_migrate import Migrator


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Create future_absence and makeup_token; add attendance.future_absence."""

    @migrator.create_model
    class FutureAbsence(pw.Model):
        id = pw.AutoField()
        student = pw.ForeignKeyField(column_name='student_id', field='id', model=migrator.orm['student'], on_delete='CASCADE')
        reason = pw.ForeignKeyField(column_name='reason_id', field='id', model=migrator.orm['absence_reason'], on_delete='RESTRICT')
        first_day = pw.DateField()
        last_day = pw.DateField()
        from_time = pw.TimeField(null=True)
        until_time = pw.TimeField(null=True)
        course = pw.ForeignKeyField(column_name='course_id', field='id', model=migrator.orm['course'], null=True, on_delete='CASCADE')
        created_by = pw.ForeignKeyField(column_name='created_by_id', field='id', model=migrator.orm['user'], null=True, on_delete='SET NULL')
        created_at = pw.DateTimeField()
        cancelled_at = pw.DateTimeField(null=True)

        class Meta:
            table_name = "future_absence"

    @migrator.create_model
    class MakeupToken(pw.Model):
        id = pw.AutoField()
        student = pw.ForeignKeyField(column_name='student_id', field='id', model=migrator.orm['student'], on_delete='CASCADE')
        location = pw.ForeignKeyField(column_name='location_id', field='id', model=migrator.orm['location'], on_delete='RESTRICT')
        earned_for = pw.ForeignKeyField(column_name='earned_for_id', field='id', model=migrator.orm['meeting'], on_delete='CASCADE')
        status = pw.CharField(default='available', max_length=16)
        expires_on = pw.DateField()
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "makeup_token"
            indexes = [(('student', 'earned_for'), True)]

    migrator.add_fields(
        'attendance',
        future_absence=pw.ForeignKeyField(column_name='future_absence_id', field='id', model=migrator.orm['future_absence'],
                                          null=True, on_delete='SET NULL'),
    )


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop what migrate() added."""
    migrator.remove_fields('attendance', 'future_absence')
    migrator.remove_model('makeup_token')
    migrator.remove_model('future_absence')
