"""Evaluated skills: the skills code table per course level, and the evaluations instructors record."""
import peewee as pw
from peewee_migrate import Migrator


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Add the skills and the evaluations."""

    @migrator.create_model
    class Skill(pw.Model):
        id = pw.AutoField()
        level = pw.CharField(max_length=40)
        name = pw.CharField(max_length=60)
        active = pw.BooleanField(default=True)
        sort_order = pw.IntegerField(default=0)

        class Meta:
            table_name = "skill"
            indexes = ((("level", "name"), True),)

    @migrator.create_model
    class Evaluation(pw.Model):
        id = pw.AutoField()
        student = pw.ForeignKeyField(column_name='student_id', field='id', model=migrator.orm['student'],
                                     on_delete='CASCADE')
        skill = pw.ForeignKeyField(column_name='skill_id', field='id', model=migrator.orm['skill'],
                                   on_delete='RESTRICT')
        status = pw.CharField(max_length=16)
        evaluated_on = pw.DateField()
        instructor = pw.ForeignKeyField(column_name='instructor_id', field='id', model=migrator.orm['user'],
                                        null=True, on_delete='SET NULL')
        comment = pw.TextField(default="")
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "evaluation"
            indexes = ((("student", "skill"), False),)


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop what migrate() added."""
    migrator.remove_model('evaluation')
    migrator.remove_model('skill')
