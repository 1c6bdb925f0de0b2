"""Staff enroll a household's student in a course from the household's page (an order on account or to pay at the
desk), or put them on a full course's waitlist; drop and transfer reuse the family's services. Each is audited in
its own write transaction."""
from peewee import fn

from ..audit import place_in, record_enrollment
from ..billing.charges import order_made
from ..billing.ledger import lock_households
from ..database import write_transaction
from ..models import Course, Enrollment, Location, Meeting, Student
from ..registration.on_account import register_with_order
from ..registration.services import RegistrationRefused, join_waitlist, open_offer, seats_taken


def courses_to_enroll(now):
    """Every course with a meeting still ahead, whatever its division or registration switch, with .seats_left."""
    ahead = Meeting.select(Meeting.id).where((Meeting.course == Course.id) & Meeting.cancelled_at.is_null()
                                             & (Meeting.starts_at > now))
    courses = list(Course.select(Course, Location).join(Location).where(fn.EXISTS(ahead)).order_by(Course.name))
    taken = seats_taken([c.id for c in courses])
    for course in courses:
        course.seats_left = max(course.capacity - taken[course.id], 0)
    return courses


def billed_student(account, student_id):
    """A student billed to this household, or None (a linked student is enrolled from the household that pays)."""
    return Student.get_or_none((Student.id == student_id) & (Student.billing_account == account.id))


def is_full(course, student):
    """No seat is left for the student (a seat held for them from the waitlist is theirs)."""
    return seats_taken([course.id])[course.id] >= course.capacity and open_offer(student, course) is None


def _status_before(student, course):
    """Inside the transaction holding the household: the student's place in the course now, in words (None: none)."""
    existing = Enrollment.get_or_none((Enrollment.student == student.id) & (Enrollment.course == course.id))
    return existing.status_label if existing else None


def enroll_student(company, staff, student, course, on_account, payable_online, external_note):
    """Registered in the course and, for a priced course, a box-office order with its charge, in one transaction
    under the household lock; the seat is claimed like a family checkout's. Returns (enrollment, order or None)."""
    if is_full(course, student):  # said plainly up front; the claim still decides a race for the last seat
        raise RegistrationRefused(f"{course.name} is full; {student.first_name} can go on its waitlist instead.")
    with write_transaction():
        lock_households([student.billing_account_id])  # register_with_order's first lock, taken before reading
        was = _status_before(student, course)
        enrollment, order = register_with_order(company, staff, course, student, on_account=on_account,
                                                payable_online=payable_online, external_note=external_note)
        money = order_made(order, course.price_cents) if order else None
        record_enrollment(student, [course.id], "enrolled", {place_in(student, course): [was, enrollment.status_label]},
                          money, by=staff)
    return enrollment, order


def waitlist_student(staff, student, course):
    """Put the student on a full course's waitlist (RegistrationRefused while it has a seat)."""
    course.seats_left = course.capacity - seats_taken([course.id])[course.id]
    with write_transaction():
        was = _status_before(student, course)
        enrollment = join_waitlist(course, student)
        record_enrollment(student, [course.id], "waitlisted",
                          {place_in(student, course): [was, Enrollment.LABELS[Enrollment.WAITLISTED]]}, by=staff)
    return enrollment
