"""Getting in: one session row per device, emailed reset and invitation links, a guardian's relation."""
import peewee as pw
from peewee_migrate import Migrator


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Add the tables and the column."""
    migrator.add_fields('guardian', relation=pw.CharField(max_length=40, default=''))

    @migrator.create_model
    class UserSession(pw.Model):
        id = pw.AutoField()
        user = pw.ForeignKeyField(column_name='user_id', field='id', model=migrator.orm['user'], on_delete='CASCADE')
        secret_hash = pw.CharField(max_length=64, unique=True)
        user_agent = pw.CharField(max_length=300, default='')
        created_at = pw.DateTimeField()
        last_seen_at = pw.DateTimeField()

        class Meta:
            table_name = "user_session"

    @migrator.create_model
    class AccessLink(pw.Model):
        id = pw.AutoField()
        purpose = pw.CharField(max_length=16)
        user = pw.ForeignKeyField(column_name='user_id', field='id', model=migrator.orm['user'], on_delete='CASCADE')
        guardian = pw.ForeignKeyField(column_name='guardian_id', field='id', model=migrator.orm['guardian'],
                                      null=True, on_delete='CASCADE')
        sent_by = pw.ForeignKeyField(column_name='sent_by_id', field='id', model=migrator.orm['user'], null=True,
                                     on_delete='SET NULL')
        secret_hash = pw.CharField(max_length=64, unique=True)
        created_at = pw.DateTimeField()
        expires_at = pw.DateTimeField()
        used_at = pw.DateTimeField(null=True)
        ended_at = pw.DateTimeField(null=True)
        asked_again_at = pw.DateTimeField(null=True)

        class Meta:
            table_name = "access_link"


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop them."""
    migrator.remove_model('access_link')
    migrator.remove_model('user_session')
    migrator.remove_fields('guardian', 'relation')
