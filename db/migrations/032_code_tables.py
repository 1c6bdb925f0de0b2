"""13.8 and 13.1: order line categories (Tuition, Packages), how long a makeup token lasts, minimum partial payment."""
import peewee as pw
from peewee_migrate import Migrator


def _file_existing_lines(database):
    """Lines already sold: course registrations under Tuition, package sales under Packages (as new ones are)."""
    database.execute_sql(
        "UPDATE order_line SET category_id = (SELECT id FROM line_category WHERE default_for = 'tuition') "
        "WHERE course_id IS NOT NULL AND category_id IS NULL")
    database.execute_sql(
        "UPDATE order_line SET category_id = (SELECT id FROM line_category WHERE default_for = 'packages') "
        "WHERE category_id IS NULL AND order_id IN (SELECT order_id FROM package_purchase)")


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Add the code table with its two rows, the lines' category and the company's two preferences."""
    migrator.add_fields('company', makeup_token_days=pw.IntegerField(default=90),
                        min_partial_payment_cents=pw.IntegerField(null=True))

    @migrator.create_model
    class LineCategory(pw.Model):
        id = pw.AutoField()
        name = pw.CharField(max_length=60, unique=True)
        active = pw.BooleanField(default=True)
        default_for = pw.CharField(max_length=16, null=True, unique=True)

        class Meta:
            table_name = "line_category"

    migrator.add_fields('order_line', category=pw.ForeignKeyField(
        column_name='category_id', field='id', model=migrator.orm['line_category'], null=True, on_delete='RESTRICT'))
    true = "1" if isinstance(database, pw.SqliteDatabase) else "true"
    for name, kind in (("Tuition", "tuition"), ("Packages", "packages")):
        migrator.sql(f"INSERT INTO line_category (name, active, default_for) VALUES ('{name}', {true}, '{kind}')")
    migrator.run(_file_existing_lines, database)


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop them (the foreign key's index first: SQLite will not drop an indexed column)."""
    migrator.sql('DROP INDEX IF EXISTS order_line_category_id')
    migrator.remove_fields('order_line', 'category')
    migrator.remove_model('line_category')
    migrator.remove_fields('company', 'makeup_token_days', 'min_partial_payment_cents')
