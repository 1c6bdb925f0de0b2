"""What the Drop and Transfer Enrollment tests share: the demo's students and enrollments, and the ledger's sum."""
from webapp.models import Course, Enrollment, LedgerEntry, Student


def student(first):
    return Student.get(Student.first_name == first)


def enrollment(first, course):
    return Enrollment.get((Enrollment.student == student(first)) & (Enrollment.course == Course.get(name=course)))


def change_url(action, first="Ben", course="Pottery for Kids"):
    """The Drop (action "drop") or Transfer ("transfer") page of the student's enrollment in the course."""
    return f"/account/students/{student(first).id}/enrollments/{enrollment(first, course).id}/{action}"


def ledger_total():
    return sum(e.amount_cents for e in LedgerEntry.select())
