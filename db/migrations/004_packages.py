"""Packages (hour types and items drawn down by paid usage invoices) and punch passes with their punches."""
import peewee as pw
from peewee_migrate import Migrator


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Create package, package_allotment, package_purchase, usage_invoice, punch_pass and punch."""

    @migrator.create_model
    class Package(pw.Model):
        id = pw.AutoField()
        name = pw.CharField(max_length=120, unique=True)
        price_cents = pw.IntegerField()
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "package"

    @migrator.create_model
    class PackageAllotment(pw.Model):
        id = pw.AutoField()
        package = pw.ForeignKeyField(column_name='package_id', field='id', model=migrator.orm['package'], on_delete='CASCADE')
        kind = pw.CharField(max_length=8)
        name = pw.CharField(max_length=80)
        quantity = pw.IntegerField()
        unit_price_cents = pw.IntegerField()

        class Meta:
            table_name = "package_allotment"
            indexes = [(('package', 'kind', 'name'), True)]

    @migrator.create_model
    class PackagePurchase(pw.Model):
        id = pw.AutoField()
        package = pw.ForeignKeyField(column_name='package_id', field='id', model=migrator.orm['package'], on_delete='RESTRICT')
        account = pw.ForeignKeyField(column_name='account_id', field='id', model=migrator.orm['account'], on_delete='RESTRICT')
        student = pw.ForeignKeyField(column_name='student_id', field='id', model=migrator.orm['student'], null=True, on_delete='RESTRICT')
        order = pw.ForeignKeyField(column_name='order_id', field='id', model=migrator.orm['order'], unique=True, on_delete='RESTRICT')
        created_by = pw.ForeignKeyField(column_name='created_by_id', field='id', model=migrator.orm['user'], null=True, on_delete='SET NULL')
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "package_purchase"

    @migrator.create_model
    class UsageInvoice(pw.Model):
        id = pw.AutoField()
        purchase = pw.ForeignKeyField(column_name='purchase_id', field='id', model=migrator.orm['package_purchase'], on_delete='RESTRICT')
        allotment = pw.ForeignKeyField(column_name='allotment_id', field='id', model=migrator.orm['package_allotment'], on_delete='RESTRICT')
        quantity = pw.IntegerField()
        amount_cents = pw.IntegerField()
        state = pw.CharField(default='unpaid', max_length=8)
        memo = pw.CharField(default='', max_length=200)
        created_by = pw.ForeignKeyField(column_name='created_by_id', field='id', model=migrator.orm['user'], null=True, on_delete='SET NULL')
        created_at = pw.DateTimeField()
        paid_by = pw.ForeignKeyField(column_name='paid_by_id', field='id', model=migrator.orm['user'], null=True, on_delete='SET NULL')
        paid_at = pw.DateTimeField(null=True)
        closed_by = pw.ForeignKeyField(column_name='closed_by_id', field='id', model=migrator.orm['user'], null=True, on_delete='SET NULL')
        closed_at = pw.DateTimeField(null=True)

        class Meta:
            table_name = "usage_invoice"
            indexes = [(('purchase', 'state'), False)]

    @migrator.create_model
    class PunchPass(pw.Model):
        id = pw.AutoField()
        student = pw.ForeignKeyField(column_name='student_id', field='id', model=migrator.orm['student'], on_delete='RESTRICT')
        course = pw.ForeignKeyField(column_name='course_id', field='id', model=migrator.orm['course'], on_delete='RESTRICT')
        name = pw.CharField(max_length=120)
        punches = pw.IntegerField()
        order = pw.ForeignKeyField(column_name='order_id', field='id', model=migrator.orm['order'], unique=True, on_delete='RESTRICT')
        purchased_on = pw.DateField()
        expires_on = pw.DateField(null=True)
        active = pw.BooleanField(default=True)
        created_by = pw.ForeignKeyField(column_name='created_by_id', field='id', model=migrator.orm['user'], null=True, on_delete='SET NULL')

        class Meta:
            table_name = "punch_pass"

    @migrator.create_model
    class Punch(pw.Model):
        id = pw.AutoField()
        punch_pass = pw.ForeignKeyField(column_name='punch_pass_id', field='id', model=migrator.orm['punch_pass'], on_delete='CASCADE')
        meeting = pw.ForeignKeyField(column_name='meeting_id', field='id', model=migrator.orm['meeting'], on_delete='RESTRICT')
        redeemed_by = pw.ForeignKeyField(column_name='redeemed_by_id', field='id', model=migrator.orm['user'], null=True, on_delete='SET NULL')
        redeemed_at = pw.DateTimeField()

        class Meta:
            table_name = "punch"
            indexes = [(('punch_pass', 'meeting'), True)]


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop what migrate() added."""
    migrator.remove_model('punch')
    migrator.remove_model('punch_pass')
    migrator.remove_model('usage_invoice')
    migrator.remove_model('package_purchase')
    migrator.remove_model('package_allotment')
    migrator.remove_model('package')
