"""Students as families keep them: who may change a student, and the changes."""
from flask import abort

from ..access import family, student_or_404
from ..database import write_transaction
from ..models import Account, Student, StudentLink


def editable_student_or_403(user, student_id):
    """A student the user's billing household holds; a linked household's is 403, anyone else's 404."""
    student = student_or_404(user, student_id)
    if student.billing_account_id not in family(user).account_ids:
        abort(403)
    return student


def households_of(student):
    """The billing household and the linked ones (shown, never edited, by families)."""
    linked = [link.account for link in StudentLink.select(StudentLink, Account).join(Account)
              .where(StudentLink.student == student.id).order_by(Account.name)]
    return Account.get_by_id(student.billing_account_id), linked


def add_student(account_id, values):
    """A new student billed to that household."""
    with write_transaction():
        return Student.create(billing_account=account_id, **values)


def update_student(student, values):
    """Save what the family changed; the billing household is not among it."""
    with write_transaction():
        Student.update(**values).where(Student.id == student.id).execute()
    return Student.get_by_id(student.id)
