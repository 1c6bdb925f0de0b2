"""Your Student(s), part 2: the company's switches for Cancel Waitlist, Attendance, Passes and QR codes; each
student's check-in code; the location each user chose at the top of My Account."""
import peewee as pw
from peewee_migrate import Migrator


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Add the switches, the check-in codes and the chosen locations."""
    migrator.add_fields(
        'company', cancel_waitlist=pw.BooleanField(default=False), show_attendance=pw.BooleanField(default=False),
        show_passes=pw.BooleanField(default=False), student_qr_codes=pw.BooleanField(default=False),
    )

    @migrator.create_model
    class CheckInCode(pw.Model):
        id = pw.AutoField()
        student = pw.ForeignKeyField(column_name='student_id', field='id', model=migrator.orm['student'],
                                     on_delete='CASCADE', unique=True)
        code = pw.CharField(max_length=64, unique=True)
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "check_in_code"

    @migrator.create_model
    class ChosenLocation(pw.Model):
        id = pw.AutoField()
        user = pw.ForeignKeyField(column_name='user_id', field='id', model=migrator.orm['user'], on_delete='CASCADE',
                                  unique=True)
        location = pw.ForeignKeyField(column_name='location_id', field='id', model=migrator.orm['location'],
                                      on_delete='CASCADE')

        class Meta:
            table_name = "chosen_location"


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop what migrate() added."""
    migrator.remove_model('chosen_location')
    migrator.remove_model('check_in_code')
    migrator.remove_fields('company', 'cancel_waitlist', 'show_attendance', 'show_passes', 'student_qr_codes')
