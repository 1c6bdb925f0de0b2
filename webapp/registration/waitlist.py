"""Waitlist offers: when a seat is free, the first student waiting is offered it, held for the company's hold time.

The family registers through the usual cart (the held seat counts as theirs there); a hold that ends unclaimed
expires and the seat goes to the next student waiting. A student whose hold expired stays on the waitlist but is
not offered again by the queue; staff can still register them.
"""
import datetime

from ..audit import place_in, record_enrollment
from ..database import locked, write_transaction
from ..emails.links import site_url
from ..models import Company, Course, Enrollment, OutboxMessage, ReminderSetting, Student, WaitlistOffer, utcnow
from ..outbox import deliver, queue_mail
from ..reminders import setting, student_recipients
from ..templating import clock, current_company, day, local_time
from .services import RegistrationRefused, seats_taken


def waiting(course):
    """The course's waitlist, first come first, each with its latest offer (or None), in two queries."""
    enrollments = list(Enrollment.select(Enrollment, Student).join(Student)
                       .where((Enrollment.course == course) & (Enrollment.status == Enrollment.WAITLISTED))
                       .order_by(Enrollment.created_at, Enrollment.id))
    latest = {}
    for offer in (WaitlistOffer.select().where(WaitlistOffer.enrollment.in_([e.id for e in enrollments] or [0]))
                  .order_by(WaitlistOffer.offered_at)):
        latest[offer.enrollment_id] = offer
    for enrollment in enrollments:
        enrollment.offer = latest.get(enrollment.id)
    return enrollments


def _first_never_offered(course):
    offered = WaitlistOffer.select(WaitlistOffer.enrollment)
    return (Enrollment.select(Enrollment, Student).join(Student)
            .where((Enrollment.course == course) & (Enrollment.status == Enrollment.WAITLISTED)
                   & Enrollment.id.not_in(offered))
            .order_by(Enrollment.created_at, Enrollment.id).first())


def _offer(course, enrollment, offered_by):
    """Inside the transaction holding the course: the hold and its email; returns the message ids."""
    company = Company.current()
    expires = utcnow() + datetime.timedelta(hours=company.waitlist_hold_hours)
    WaitlistOffer.create(enrollment=enrollment, expires_at=expires, offered_by=offered_by)
    if offered_by is not None:  # staff offered it from the course's page (the queue offers on its own too)
        until = local_time(expires)
        record_enrollment(enrollment.student, [course.id], "offered a seat", {place_in(enrollment.student, course): [
            Enrollment.LABELS[Enrollment.WAITLISTED], f"Seat held until {day(until)} {clock(until)}"]}, by=offered_by)
    if not setting(ReminderSetting.WAITLIST_OFFERED)[0]:
        return []
    student = enrollment.student
    return queue_mail(student_recipients(student), f"A seat in {course.name} is held for {student.first_name}",
                      "emails/reminder_waitlist_offered", category=OutboxMessage.REMINDER, company=current_company(),
                      course=course, student=student, until=local_time(expires),
                      link=site_url("registration.mine"))


def offer_free_seats(course_id, offered_by=None):
    """Offer each free seat of the course to the next student waiting who was never offered one; the offers made."""
    with write_transaction():
        course = locked(Course.select().where(Course.id == course_id)).get()
        free = course.capacity - seats_taken([course.id])[course.id]
        made, ids = [], []
        while free > 0 and (enrollment := _first_never_offered(course)) is not None:
            ids += _offer(course, enrollment, offered_by)
            made.append(enrollment)
            free -= 1
    deliver(ids)
    return made


def offer_next_seat(staff, course_id):
    """Staff offer the free seat to the next student waiting; refused when no seat is free or nobody waits."""
    course = Course.get_by_id(course_id)
    if course.capacity - seats_taken([course.id])[course.id] <= 0:
        raise RegistrationRefused(f"{course.name} has no free seat to offer.")
    made = offer_free_seats(course_id, staff)
    if not made:
        raise RegistrationRefused(f"Nobody on the {course.name} waitlist is waiting for an offer.")
    return made


def expire_offers():
    """Holds past their time expire, and each course that had one offers its free seats on; how many expired."""
    now = utcnow()
    ended = list(WaitlistOffer.select(WaitlistOffer.id, Enrollment.course).join(Enrollment)
                 .where((WaitlistOffer.status == WaitlistOffer.OPEN) & (WaitlistOffer.expires_at <= now)).tuples())
    expired = WaitlistOffer.update(status=WaitlistOffer.EXPIRED).where(
        WaitlistOffer.id.in_([offer_id for offer_id, _ in ended] or [0])
        & (WaitlistOffer.status == WaitlistOffer.OPEN)).execute()
    for course_id in {course_id for _, course_id in ended}:
        offer_free_seats(course_id)
    return expired
