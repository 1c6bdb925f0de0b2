"""Registrations in the cart, Send Bill purchase orders, the order-status audit and the mail outbox."""
import peewee as pw
from peewee_migrate import Migrator


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Create registration_item, purchase_order, order_status_change and outbox_message."""

    @migrator.create_model
    class RegistrationItem(pw.Model):
        id = pw.AutoField()
        user = pw.ForeignKeyField(column_name='user_id', field='id', model=migrator.orm['user'], on_delete='CASCADE')
        course = pw.ForeignKeyField(column_name='course_id', field='id', model=migrator.orm['course'], on_delete='CASCADE')
        student = pw.ForeignKeyField(column_name='student_id', field='id', model=migrator.orm['student'], on_delete='CASCADE')
        added_at = pw.DateTimeField()

        class Meta:
            table_name = "registration_item"
            indexes = [(('user', 'course', 'student'), True)]

    @migrator.create_model
    class PurchaseOrder(pw.Model):
        id = pw.AutoField()
        order = pw.ForeignKeyField(column_name='order_id', field='id', model=migrator.orm['order'], unique=True, on_delete='CASCADE')
        number = pw.CharField(max_length=64)
        purchaser = pw.ForeignKeyField(column_name='purchaser_id', field='id', model=migrator.orm['user'], null=True, on_delete='SET NULL')
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "purchase_order"

    @migrator.create_model
    class OrderStatusChange(pw.Model):
        id = pw.AutoField()
        order = pw.ForeignKeyField(column_name='order_id', field='id', model=migrator.orm['order'], on_delete='CASCADE')
        from_state = pw.CharField(default='', max_length=20)
        to_state = pw.CharField(max_length=20)
        changed_by = pw.ForeignKeyField(column_name='changed_by_id', field='id', model=migrator.orm['user'], null=True, on_delete='SET NULL')
        changed_at = pw.DateTimeField()
        note = pw.CharField(default='', max_length=200)

        class Meta:
            table_name = "order_status_change"

    @migrator.create_model
    class OutboxMessage(pw.Model):
        id = pw.AutoField()
        to = pw.CharField(max_length=254)
        subject = pw.CharField(max_length=200)
        body = pw.TextField()
        status = pw.CharField(default='unsent', index=True, max_length=16)
        created_at = pw.DateTimeField()
        sent_at = pw.DateTimeField(null=True)
        last_error = pw.CharField(default='', max_length=300)

        class Meta:
            table_name = "outbox_message"


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop the four tables."""
    migrator.remove_model("outbox_message")
    migrator.remove_model("order_status_change")
    migrator.remove_model("purchase_order")
    migrator.remove_model("registration_item")
