"""Real parts: the outbox keeps an HTML part, headers, its kind and its retries; refunds of card payments; the
reminders' switches and what they sent; email opt-outs; the school's colour; the Stripe provider's own records."""
import peewee as pw
from peewee_migrate import Migrator

REMINDER_DEFAULTS = [("balance_due", True, 3), ("payment_failed", True, None), ("absence_confirmed", True, None)]


def _reminder_defaults(database):
    for kind, enabled, days in REMINDER_DEFAULTS:
        database.execute_sql("INSERT INTO reminder_setting (kind, enabled, days_before) VALUES (%s, %s, %s)"
                             .replace("%s", "?" if isinstance(database, pw.SqliteDatabase) else "%s"),
                             (kind, enabled, days))


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Add the columns and tables."""
    migrator.add_fields(
        'outbox_message',
        html=pw.TextField(default=''), headers=pw.TextField(default=''),
        category=pw.CharField(max_length=16, default='notice'), attempts=pw.IntegerField(default=0),
        next_attempt_at=pw.DateTimeField(null=True), claimed_at=pw.DateTimeField(null=True),
    )
    migrator.add_fields('company', brand_colour=pw.CharField(max_length=7, default='#0b5563'))

    @migrator.create_model
    class CardRefund(pw.Model):
        id = pw.AutoField()
        key = pw.CharField(max_length=64, unique=True)
        payment = pw.ForeignKeyField(column_name='payment_id', field='id', model=migrator.orm['payment'],
                                     on_delete='RESTRICT')
        amount_cents = pw.IntegerField()
        state = pw.CharField(max_length=16)
        reference = pw.CharField(max_length=128, null=True, unique=True)
        requested_by = pw.ForeignKeyField(column_name='requested_by_id', field='id', model=migrator.orm['user'],
                                          null=True, on_delete='SET NULL')
        reason = pw.CharField(max_length=200, default='')
        failure = pw.CharField(max_length=200, default='')
        created_at = pw.DateTimeField()
        settled_at = pw.DateTimeField(null=True)

        class Meta:
            table_name = "card_refund"

    @migrator.create_model
    class ReminderSetting(pw.Model):
        id = pw.AutoField()
        kind = pw.CharField(max_length=32, unique=True)
        enabled = pw.BooleanField(default=True)
        days_before = pw.IntegerField(null=True)

        class Meta:
            table_name = "reminder_setting"

    @migrator.create_model
    class ReminderSent(pw.Model):
        id = pw.AutoField()
        kind = pw.CharField(max_length=32)
        subject = pw.CharField(max_length=64)
        sent_at = pw.DateTimeField()

        class Meta:
            table_name = "reminder_sent"
            indexes = [(('kind', 'subject'), True)]

    @migrator.create_model
    class EmailOptOut(pw.Model):
        id = pw.AutoField()
        address = pw.CharField(max_length=254, unique=True)
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "email_opt_out"

    @migrator.create_model
    class StripeCustomer(pw.Model):
        id = pw.AutoField()
        user = pw.ForeignKeyField(column_name='user_id', field='id', model=migrator.orm['user'], unique=True,
                                  on_delete='CASCADE')
        customer_id = pw.CharField(max_length=64, unique=True)
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "stripe_customer"

    @migrator.create_model
    class StripeCardPage(pw.Model):
        id = pw.CharField(max_length=64, primary_key=True)
        payment_key = pw.CharField(max_length=64, null=True, index=True)
        user = pw.ForeignKeyField(column_name='user_id', field='id', model=migrator.orm['user'], on_delete='CASCADE')
        setup_intent = pw.CharField(max_length=64, unique=True)
        client_secret = pw.CharField(max_length=128)
        amount_cents = pw.IntegerField(default=0)
        description = pw.CharField(max_length=200, default='')
        return_url = pw.CharField(max_length=500, default='')
        payment_method = pw.CharField(max_length=64, null=True)
        brand = pw.CharField(max_length=32, default='')
        last4 = pw.CharField(max_length=4, default='')
        exp_month = pw.IntegerField(default=0)
        exp_year = pw.IntegerField(default=0)
        nonce = pw.CharField(max_length=64, null=True, unique=True)
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "stripe_card_page"

    @migrator.create_model
    class StripeIntent(pw.Model):
        id = pw.AutoField()
        payment_key = pw.CharField(max_length=64, unique=True)
        intent_id = pw.CharField(max_length=64, unique=True)
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "stripe_intent"

    @migrator.create_model
    class StripeEvent(pw.Model):
        id = pw.AutoField()
        event_id = pw.CharField(max_length=64, unique=True)
        type = pw.CharField(max_length=64)
        received_at = pw.DateTimeField()

        class Meta:
            table_name = "stripe_event"

    migrator.run(_reminder_defaults, database)


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop what migrate() added."""
    for table in ('stripe_event', 'stripe_intent', 'stripe_card_page', 'stripe_customer', 'email_opt_out',
                  'reminder_sent', 'reminder_setting', 'card_refund'):
        migrator.remove_model(table)
    migrator.remove_fields('company', 'brand_colour')
    migrator.remove_fields('outbox_message', 'html', 'headers', 'category', 'attempts', 'next_attempt_at',
                           'claimed_at')
