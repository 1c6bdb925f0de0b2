"""A course keeps its level, its dates, its weekly pattern (weekdays, start time, length), whether it is open for
registration and whether its orders may be paid online; staff generate its meetings from that pattern."""
import peewee as pw
from peewee_migrate import Migrator


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Add the course's set-up fields."""
    migrator.add_fields(
        'course', level=pw.CharField(max_length=40, default=''), first_day=pw.DateField(null=True),
        last_day=pw.DateField(null=True), weekdays=pw.CharField(max_length=13, default=''),
        start_time=pw.TimeField(null=True), duration_minutes=pw.IntegerField(null=True),
        open_for_registration=pw.BooleanField(default=True), payable_online=pw.BooleanField(default=False),
    )


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop what migrate() added."""
    migrator.remove_fields('course', 'level', 'first_day', 'last_day', 'weekdays', 'start_time', 'duration_minutes',
                           'open_for_registration', 'payable_online')
