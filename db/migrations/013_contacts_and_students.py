"""My Account: the household's contacts (emails, phones, mailing addresses, each linked to a guardian or none) and
what families keep about a student (preferred name, medical notes, allergies, emergency contact, photo consent)."""
import peewee as pw
from peewee_migrate import Migrator


def _links(migrator):
    account = pw.ForeignKeyField(column_name='account_id', field='id', model=migrator.orm['account'],
                                 on_delete='CASCADE')
    guardian = pw.ForeignKeyField(column_name='guardian_id', field='id', model=migrator.orm['guardian'], null=True,
                                  on_delete='SET NULL')
    return account, guardian


STUDENT_FIELDS = {
    'preferred_name': (pw.CharField(max_length=60, default=''), "VARCHAR(60) NOT NULL DEFAULT ''"),
    'medical_notes': (pw.TextField(default=''), "TEXT NOT NULL DEFAULT ''"),
    'allergies': (pw.TextField(default=''), "TEXT NOT NULL DEFAULT ''"),
    'emergency_contact_name': (pw.CharField(max_length=120, default=''), "VARCHAR(120) NOT NULL DEFAULT ''"),
    'emergency_contact_phone': (pw.CharField(max_length=32, default=''), "VARCHAR(32) NOT NULL DEFAULT ''"),
    'photo_consent': (pw.BooleanField(default=False), None),
}


def _add_student_columns(database):
    # A plain ADD COLUMN with its default: add_fields rebuilds the table on SQLite, and dropping the old student table
    # fails once enrollments, orders and links refer to it.
    sqlite = isinstance(database, pw.SqliteDatabase)
    for name, (_, sql) in STUDENT_FIELDS.items():
        sql = sql or ("INTEGER NOT NULL DEFAULT 0" if sqlite else "BOOLEAN NOT NULL DEFAULT false")
        database.execute_sql(f'ALTER TABLE "student" ADD COLUMN "{name}" {sql}')


def _drop_student_columns(database):
    for name in STUDENT_FIELDS:
        database.execute_sql(f'ALTER TABLE "student" DROP COLUMN "{name}"')


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Add the student's columns and the three contact tables."""
    migrator.run(_add_student_columns, database)
    student = migrator.orm['student']
    for name, (field, _) in STUDENT_FIELDS.items():
        student._meta.add_field(name, field)  # what later migrations know of the table

    @migrator.create_model
    class ContactEmail(pw.Model):
        id = pw.AutoField()
        account = _links(migrator)[0]
        guardian = _links(migrator)[1]
        address = pw.CharField(max_length=254)
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "contact_email"
            indexes = [(('account', 'address'), True)]

    @migrator.create_model
    class ContactPhone(pw.Model):
        id = pw.AutoField()
        account = _links(migrator)[0]
        guardian = _links(migrator)[1]
        number = pw.CharField(max_length=32)
        sms_opted_out = pw.BooleanField(default=False)
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "contact_phone"
            indexes = [(('account', 'number'), True)]

    @migrator.create_model
    class MailingAddress(pw.Model):
        id = pw.AutoField()
        account = _links(migrator)[0]
        guardian = _links(migrator)[1]
        street = pw.CharField(max_length=200)
        street_2 = pw.CharField(max_length=200, default='')
        city = pw.CharField(max_length=100, default='')
        region = pw.CharField(max_length=100, default='')
        postal_code = pw.CharField(max_length=20, default='')
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "mailing_address"


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop what migrate() added."""
    for table in ('mailing_address', 'contact_phone', 'contact_email'):
        migrator.remove_model(table)
    migrator.run(_drop_student_columns, database)
    for name in STUDENT_FIELDS:
        migrator.orm['student']._meta.remove_field(name)
