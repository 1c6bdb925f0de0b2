"""The identity and teaching core: company, households, people, courses, attendance, orders, ledger."""

import peewee as pw
from peewee_migrate import Migrator


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Create the tables; ledger entries are made immutable in the database itself."""

    @migrator.create_model
    class AbsenceReason(pw.Model):
        id = pw.AutoField()
        name = pw.CharField(max_length=60, unique=True)
        patron_usable = pw.BooleanField(default=True)
        active = pw.BooleanField(default=True)
        sort_order = pw.IntegerField(default=0)

        class Meta:
            table_name = "absence_reason"

    @migrator.create_model
    class Division(pw.Model):
        id = pw.AutoField()
        name = pw.CharField(max_length=80, unique=True)
        subject_to_pending_payment = pw.BooleanField(default=False)

        class Meta:
            table_name = "division"

    @migrator.create_model
    class Account(pw.Model):
        id = pw.AutoField()
        name = pw.CharField(max_length=120)
        division = pw.ForeignKeyField(column_name='division_id', field='id', model=migrator.orm['division'], null=True, on_delete='SET NULL')
        subject_to_pending_payment = pw.BooleanField(default=False)
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "account"

    @migrator.create_model
    class Location(pw.Model):
        id = pw.AutoField()
        name = pw.CharField(max_length=80, unique=True)
        address = pw.CharField(default='', max_length=200)

        class Meta:
            table_name = "location"

    @migrator.create_model
    class User(pw.Model):
        id = pw.AutoField()
        email = pw.CharField(max_length=254, unique=True)
        name = pw.CharField(max_length=120)
        role = pw.CharField(default='patron', max_length=16)
        password_hash = pw.CharField(max_length=255)
        session_token = pw.CharField(max_length=64, unique=True)
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "user"

    @migrator.create_model
    class Course(pw.Model):
        id = pw.AutoField()
        name = pw.CharField(max_length=120)
        kind = pw.CharField(default='weekly', max_length=16)
        location = pw.ForeignKeyField(column_name='location_id', field='id', model=migrator.orm['location'], on_delete='RESTRICT')
        division = pw.ForeignKeyField(column_name='division_id', field='id', model=migrator.orm['division'], null=True, on_delete='SET NULL')
        instructor = pw.ForeignKeyField(column_name='instructor_id', field='id', model=migrator.orm['user'], null=True, on_delete='SET NULL')
        capacity = pw.IntegerField()
        price_cents = pw.IntegerField(default=0)
        description = pw.TextField(default='')

        class Meta:
            table_name = "course"

    @migrator.create_model
    class Meeting(pw.Model):
        id = pw.AutoField()
        course = pw.ForeignKeyField(column_name='course_id', field='id', model=migrator.orm['course'], on_delete='CASCADE')
        starts_at = pw.DateTimeField(index=True)
        ends_at = pw.DateTimeField()
        roster_submitted_at = pw.DateTimeField(null=True)
        roster_submitted_by = pw.ForeignKeyField(column_name='roster_submitted_by_id', field='id', model=migrator.orm['user'], null=True, on_delete='SET NULL')

        class Meta:
            table_name = "meeting"
            indexes = [(('course', 'starts_at'), False)]

    @migrator.create_model
    class Student(pw.Model):
        id = pw.AutoField()
        first_name = pw.CharField(max_length=60)
        last_name = pw.CharField(max_length=60)
        birth_date = pw.DateField(null=True)
        billing_account = pw.ForeignKeyField(column_name='billing_account_id', field='id', model=migrator.orm['account'], on_delete='RESTRICT')
        user = pw.ForeignKeyField(column_name='user_id', field='id', model=migrator.orm['user'], null=True, on_delete='SET NULL')

        class Meta:
            table_name = "student"

    @migrator.create_model
    class Attendance(pw.Model):
        id = pw.AutoField()
        meeting = pw.ForeignKeyField(column_name='meeting_id', field='id', model=migrator.orm['meeting'], on_delete='CASCADE')
        student = pw.ForeignKeyField(column_name='student_id', field='id', model=migrator.orm['student'], on_delete='CASCADE')
        status = pw.CharField(max_length=16)
        reason = pw.ForeignKeyField(column_name='reason_id', field='id', model=migrator.orm['absence_reason'], null=True, on_delete='RESTRICT')
        set_by_role = pw.CharField(max_length=16)
        set_by = pw.ForeignKeyField(column_name='set_by_id', field='id', model=migrator.orm['user'], null=True, on_delete='SET NULL')
        set_at = pw.DateTimeField()

        class Meta:
            table_name = "attendance"
            indexes = [(('meeting', 'student'), True)]

    @migrator.create_model
    class Company(pw.Model):
        id = pw.AutoField()
        name = pw.CharField(max_length=120)
        currency = pw.CharField(default='USD', max_length=3)
        locale = pw.CharField(default='en_US', max_length=16)
        timezone = pw.CharField(default='America/New_York', max_length=64)
        pay_balances_online = pw.BooleanField(default=True)
        balance_mode = pw.CharField(default='customer', max_length=16)
        send_bill = pw.BooleanField(default=False)
        makeup_tokens = pw.BooleanField(default=False)
        future_absences = pw.BooleanField(default=True)
        allow_drop = pw.BooleanField(default=False)
        allow_transfer = pw.BooleanField(default=False)
        full_ledger_history = pw.BooleanField(default=False)
        partial_payment = pw.BooleanField(default=False)
        max_unpaid_balance_cents = pw.IntegerField(null=True)
        no_show_fee_cents = pw.IntegerField(default=0)
        guardian_punch_redeem = pw.BooleanField(default=False)
        payment_gateway = pw.CharField(default='', max_length=32)

        class Meta:
            table_name = "company"

    @migrator.create_model
    class Enrollment(pw.Model):
        id = pw.AutoField()
        student = pw.ForeignKeyField(column_name='student_id', field='id', model=migrator.orm['student'], on_delete='CASCADE')
        course = pw.ForeignKeyField(column_name='course_id', field='id', model=migrator.orm['course'], on_delete='CASCADE')
        status = pw.CharField(default='registered', max_length=20)
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "enrollment"
            indexes = [(('student', 'course'), True)]

    @migrator.create_model
    class Guardian(pw.Model):
        id = pw.AutoField()
        user = pw.ForeignKeyField(column_name='user_id', field='id', model=migrator.orm['user'], on_delete='CASCADE')
        account = pw.ForeignKeyField(column_name='account_id', field='id', model=migrator.orm['account'], on_delete='CASCADE')
        is_primary = pw.BooleanField(default=False)
        status = pw.CharField(default='accepted', max_length=16)
        can_make_payments = pw.BooleanField(default=False)
        can_view_balance = pw.BooleanField(default=False)
        can_view_transactions = pw.BooleanField(default=False)

        class Meta:
            table_name = "guardian"
            indexes = [(('user', 'account'), True)]

    @migrator.create_model
    class Order(pw.Model):
        id = pw.AutoField()
        number = pw.IntegerField(unique=True)
        account = pw.ForeignKeyField(column_name='account_id', field='id', model=migrator.orm['account'], on_delete='RESTRICT')
        state = pw.CharField(default='open', max_length=20)
        channel = pw.CharField(default='online', max_length=20)
        created_by = pw.ForeignKeyField(column_name='created_by_id', field='id', model=migrator.orm['user'], null=True, on_delete='SET NULL')
        created_at = pw.DateTimeField()
        on_account = pw.BooleanField(default=False)
        payable_online = pw.BooleanField(default=False)
        external_note = pw.CharField(default='', max_length=500)

        class Meta:
            table_name = "order"

    @migrator.create_model
    class LedgerEntry(pw.Model):
        id = pw.AutoField()
        account = pw.ForeignKeyField(column_name='account_id', field='id', model=migrator.orm['account'], on_delete='RESTRICT')
        kind = pw.CharField(max_length=16)
        amount_cents = pw.IntegerField()
        order = pw.ForeignKeyField(column_name='order_id', field='id', model=migrator.orm['order'], null=True, on_delete='RESTRICT')
        student = pw.ForeignKeyField(column_name='student_id', field='id', model=migrator.orm['student'], null=True, on_delete='RESTRICT')
        location = pw.ForeignKeyField(column_name='location_id', field='id', model=migrator.orm['location'], null=True, on_delete='RESTRICT')
        payer_account = pw.ForeignKeyField(column_name='payer_account_id', field='id', model=migrator.orm['account'], null=True, on_delete='RESTRICT')
        memo = pw.CharField(default='', max_length=200)
        created_by = pw.ForeignKeyField(column_name='created_by_id', field='id', model=migrator.orm['user'], null=True, on_delete='SET NULL')
        created_at = pw.DateTimeField(index=True)

        class Meta:
            table_name = "ledger_entry"

    @migrator.create_model
    class OrderLine(pw.Model):
        id = pw.AutoField()
        order = pw.ForeignKeyField(column_name='order_id', field='id', model=migrator.orm['order'], on_delete='CASCADE')
        description = pw.CharField(max_length=200)
        amount_cents = pw.IntegerField()
        student = pw.ForeignKeyField(column_name='student_id', field='id', model=migrator.orm['student'], null=True, on_delete='RESTRICT')
        course = pw.ForeignKeyField(column_name='course_id', field='id', model=migrator.orm['course'], null=True, on_delete='RESTRICT')

        class Meta:
            table_name = "order_line"

    @migrator.create_model
    class Permission(pw.Model):
        id = pw.AutoField()
        user = pw.ForeignKeyField(column_name='user_id', field='id', model=migrator.orm['user'], on_delete='CASCADE')
        code = pw.CharField(max_length=64)

        class Meta:
            table_name = "permission"
            indexes = [(('user', 'code'), True)]

    @migrator.create_model
    class StudentLink(pw.Model):
        id = pw.AutoField()
        student = pw.ForeignKeyField(column_name='student_id', field='id', model=migrator.orm['student'], on_delete='CASCADE')
        account = pw.ForeignKeyField(column_name='account_id', field='id', model=migrator.orm['account'], on_delete='CASCADE')

        class Meta:
            table_name = "student_link"
            indexes = [(('student', 'account'), True)]

    migrator.run(_immutable_ledger, database)


def _immutable_ledger(database):
    """Refuse UPDATE and DELETE of ledger rows: corrections are new entries."""
    if isinstance(database, pw.SqliteDatabase):
        for action in ("UPDATE", "DELETE"):
            database.execute_sql(
                f"CREATE TRIGGER ledger_entry_no_{action.lower()} BEFORE {action} ON ledger_entry "
                "BEGIN SELECT RAISE(ABORT, 'ledger entries are immutable'); END"
            )
    else:
        database.execute_sql(
            "CREATE FUNCTION ledger_entry_immutable() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'ledger entries are immutable'; END $$"
        )
        database.execute_sql(
            "CREATE TRIGGER ledger_entry_immutable BEFORE UPDATE OR DELETE ON ledger_entry "
            "FOR EACH ROW EXECUTE FUNCTION ledger_entry_immutable()"
        )


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop the tables."""
    migrator.remove_model('student_link')
    migrator.remove_model('permission')
    migrator.remove_model('order_line')
    migrator.remove_model('ledger_entry')
    migrator.remove_model('order')
    migrator.remove_model('guardian')
    migrator.remove_model('enrollment')
    migrator.remove_model('company')
    migrator.remove_model('attendance')
    migrator.remove_model('student')
    migrator.remove_model('meeting')
    migrator.remove_model('course')
    migrator.remove_model('user')
    migrator.remove_model('location')
    migrator.remove_model('account')
    migrator.remove_model('division')
    migrator.remove_model('absence_reason')
