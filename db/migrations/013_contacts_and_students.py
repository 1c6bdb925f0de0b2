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


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Add the student's columns and the three contact tables."""
    migrator.add_fields(
        'student',
        preferred_name=pw.CharField(max_length=60, default=''), medical_notes=pw.TextField(default=''),
        allergies=pw.TextField(default=''), emergency_contact_name=pw.CharField(max_length=120, default=''),
        emergency_contact_phone=pw.CharField(max_length=32, default=''), photo_consent=pw.BooleanField(default=False),
    )

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
    migrator.remove_fields('student', 'preferred_name', 'medical_notes', 'allergies', 'emergency_contact_name',
                           'emergency_contact_phone', 'photo_consent')
