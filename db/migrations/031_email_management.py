"""Email Management: staff's own subject and body per kind of email, and whom the billing emails go to."""
import peewee as pw
from peewee_migrate import Migrator


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Add the email texts table and the switches' recipient choices."""
    migrator.add_fields('reminder_setting', recipients=pw.CharField(max_length=64, null=True),
                        fixed_address=pw.CharField(max_length=254, default=''))

    @migrator.create_model
    class EmailTemplate(pw.Model):
        id = pw.AutoField()
        kind = pw.CharField(max_length=32, unique=True)
        subject = pw.CharField(max_length=200)
        body = pw.TextField()
        updated_by = pw.ForeignKeyField(column_name='updated_by_id', field='id', model=migrator.orm['user'],
                                        null=True, on_delete='SET NULL')
        updated_at = pw.DateTimeField()

        class Meta:
            table_name = "email_template"


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop what migrate() added."""
    migrator.remove_model('email_template')
    migrator.remove_fields('reminder_setting', 'recipients', 'fixed_address')
