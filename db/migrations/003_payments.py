"""Carts, payments with their allocations and checkout locks, saved payment methods, and the sandbox gateway's own records."""
import peewee as pw
from peewee_migrate import Migrator


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Create the payment tables."""

    @migrator.create_model
    class CartItem(pw.Model):
        id = pw.AutoField()
        user = pw.ForeignKeyField(column_name='user_id', field='id', model=migrator.orm['user'], on_delete='CASCADE')
        order = pw.ForeignKeyField(column_name='order_id', field='id', model=migrator.orm['order'], on_delete='CASCADE')
        balance_when_added = pw.IntegerField()
        added_at = pw.DateTimeField()

        class Meta:
            table_name = "cart_item"
            indexes = [(('user', 'order'), True)]

    @migrator.create_model
    class PaymentMethod(pw.Model):
        id = pw.AutoField()
        user = pw.ForeignKeyField(column_name='user_id', field='id', model=migrator.orm['user'], on_delete='CASCADE')
        gateway = pw.CharField(max_length=32)
        token = pw.CharField(max_length=128)
        brand = pw.CharField(max_length=32)
        last4 = pw.CharField(max_length=4)
        exp_month = pw.IntegerField()
        exp_year = pw.IntegerField()
        is_default = pw.BooleanField(default=False)
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "payment_method"

    @migrator.create_model
    class Payment(pw.Model):
        id = pw.AutoField()
        key = pw.CharField(max_length=64, unique=True)
        user = pw.ForeignKeyField(column_name='user_id', field='id', model=migrator.orm['user'], null=True, on_delete='SET NULL')
        payer_account = pw.ForeignKeyField(column_name='payer_account_id', field='id', model=migrator.orm['account'], on_delete='RESTRICT')
        method = pw.CharField(default='card', max_length=16)
        amount_cents = pw.IntegerField()
        state = pw.CharField(default='pending', max_length=16)
        gateway = pw.CharField(default='', max_length=32)
        gateway_reference = pw.CharField(default='', max_length=128)
        card_brand = pw.CharField(default='', max_length=32)
        card_last4 = pw.CharField(default='', max_length=4)
        save_method = pw.BooleanField(default=False)
        failure = pw.CharField(default='', max_length=200)
        note = pw.CharField(default='', max_length=200)
        created_at = pw.DateTimeField()
        settled_at = pw.DateTimeField(null=True)

        class Meta:
            table_name = "payment"

    @migrator.create_model
    class Allocation(pw.Model):
        id = pw.AutoField()
        payment = pw.ForeignKeyField(column_name='payment_id', field='id', model=migrator.orm['payment'], on_delete='CASCADE')
        order = pw.ForeignKeyField(column_name='order_id', field='id', model=migrator.orm['order'], on_delete='RESTRICT')
        amount_cents = pw.IntegerField()

        class Meta:
            table_name = "allocation"
            indexes = [(('payment', 'order'), True)]

    @migrator.create_model
    class CheckoutLock(pw.Model):
        id = pw.AutoField()
        order = pw.ForeignKeyField(column_name='order_id', field='id', model=migrator.orm['order'], unique=True, on_delete='CASCADE')
        payment = pw.ForeignKeyField(column_name='payment_id', field='id', model=migrator.orm['payment'], on_delete='CASCADE')
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "checkout_lock"

    @migrator.create_model
    class SandboxSession(pw.Model):
        id = pw.CharField(max_length=64, primary_key=True)
        payment_key = pw.CharField(max_length=64)
        amount_cents = pw.IntegerField()
        description = pw.CharField(max_length=200)
        return_url = pw.CharField(max_length=500)
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "sandbox_session"

    @migrator.create_model
    class SandboxToken(pw.Model):
        id = pw.AutoField()
        token = pw.CharField(max_length=64, unique=True)
        brand = pw.CharField(max_length=32)
        last4 = pw.CharField(max_length=4)
        exp_month = pw.IntegerField()
        exp_year = pw.IntegerField()
        outcome = pw.CharField(max_length=32)

        class Meta:
            table_name = "sandbox_token"

    @migrator.create_model
    class SandboxCharge(pw.Model):
        id = pw.AutoField()
        reference = pw.CharField(max_length=64, unique=True)
        idempotency_key = pw.CharField(max_length=64, unique=True)
        token = pw.CharField(max_length=64)
        amount_cents = pw.IntegerField()
        refunded_cents = pw.IntegerField(default=0)
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "sandbox_charge"


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop the payment tables."""
    for table in ("sandbox_charge", "sandbox_token", "sandbox_session", "checkout_lock", "allocation", "payment",
                  "payment_method", "cart_item"):
        migrator.remove_model(table)
