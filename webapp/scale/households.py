"""One generated household: its guardians (who sign in), students, enrollments, attendance and makeup tokens.

Distributions (each household draws from its own seeded random generator):
- guardians: a primary with every grant; 35 % also have a second guardian, who may pay and see balances in
  70 % of those households and has no grant in the others;
- students: 1, 2 or 3 (30 / 40 / 30 %), aged 4 to 16;
- enrollments: 1, 2 or 3 classes per student (40 / 40 / 20 %); 80 % have been enrolled all year, the others
  joined in a later month (which sets how many monthly tuition orders they have);
- attendance: every meeting already over has a record: present (90 %), else absent, reported ahead by the
  family (55 % of absences: Sick, Vacation or Family emergency, with a makeup token) or marked by the
  instructor (No show or Excused by instructor); 3 % of upcoming meetings already carry a family's reason.
"""
import datetime
import random
from dataclasses import dataclass, field

from ..models import Account, Attendance, Enrollment, Guardian, MakeupToken, Student, User
from .catalogue import CAPACITY, utc
from .names import FIRST_NAMES, LAST_NAMES

FAMILY_DOMAIN = "families.example"
MONTHS = 12  # a year of tuition, the current month last
PRESENT_RATE, FAMILY_REPORTED, UPCOMING_REPORTED = 0.90, 0.55, 0.03
PATRON_REASONS = [("Sick", 5), ("Vacation", 3), ("Family emergency", 2)]
INSTRUCTOR_REASONS = [("No show", 6), ("Excused by instructor", 4)]


@dataclass
class Household:
    """What the money side needs to know about a generated household."""

    account_id: int
    primary_id: int
    payer_ids: list  # guardians who may pay
    students: list = field(default_factory=list)  # [(student id, first name)]
    enrollments: list = field(default_factory=list)  # [(student id, Section, first month index)]


def _pick(rng, weighted):
    names, weights = zip(*weighted)
    return rng.choices(names, weights)[0]


def _people(writer, rng, number, password_hash):
    """The account and its guardians; returns the Household."""
    last = rng.choice(LAST_NAMES)
    account_id = writer.add(Account, id=writer.take_id(Account), name=f"{last} household")
    firsts = rng.sample(FIRST_NAMES, 2)
    guardians = [(firsts[0], "", dict(can_make_payments=True, can_view_balance=True, can_view_transactions=True))]
    if rng.random() < 0.35:
        grants = dict(can_make_payments=True, can_view_balance=True) if rng.random() < 0.7 else {}
        guardians.append((firsts[1], "b", grants))
    payers, primary = [], None
    for first, suffix, grants in guardians:
        user_id = writer.add(User, id=writer.take_id(User), email=f"{first}.{last}.{number}{suffix}@{FAMILY_DOMAIN}".lower(),
                             name=f"{first} {last}", role=User.PATRON, password_hash=password_hash)
        writer.add(Guardian, id=writer.take_id(Guardian), user=user_id, account=account_id, is_primary=not suffix,
                   status=Guardian.ACCEPTED, **{"can_make_payments": False, "can_view_balance": False,
                                                "can_view_transactions": False, **grants})
        primary = primary or user_id
        if grants.get("can_make_payments"):
            payers.append(user_id)
    return Household(account_id, primary, payers), last


def _seat(rng, sections, taken):
    """A class with a free seat that the student is not in yet (the next one along when the first pick is full)."""
    start = rng.randrange(len(sections))
    for step in range(len(sections)):
        section = sections[(start + step) % len(sections)]
        if section.taken < CAPACITY and section.id not in taken:
            section.taken += 1
            return section
    raise RuntimeError("every generated class is full")


def add_household(writer, rng, number, catalogue, context):
    """Write one household's people and teaching rows; return its Household for the money side."""
    household, last = _people(writer, rng, number, context.password_hash)
    names = rng.sample(FIRST_NAMES, 3)
    for first in names[:rng.choices((1, 2, 3), (30, 40, 30))[0]]:
        age = rng.randint(4, 16)
        birth = datetime.date(context.now.year - age, rng.randint(1, 12), rng.randint(1, 28))
        student_id = writer.add(Student, id=writer.take_id(Student), first_name=first, last_name=last, birth_date=birth,
                                billing_account=household.account_id)
        household.students.append((student_id, first))
        taken = set()
        for _ in range(rng.choices((1, 2, 3), (40, 40, 20))[0]):
            section = _seat(rng, catalogue.sections, taken)
            taken.add(section.id)
            first_month = 0 if rng.random() < 0.8 else rng.randint(1, MONTHS - 1)
            joined = datetime.datetime.combine(context.month_starts[first_month], datetime.time(10, 0))
            writer.add(Enrollment, id=writer.take_id(Enrollment), student=student_id, course=section.id,
                       status=Enrollment.REGISTERED, created_at=min(utc(joined, context.zone), context.now_utc))
            household.enrollments.append((student_id, section, first_month))
            # Its own generator: how many meetings are over changes with the clock, the draws after must not.
            _attendance(writer, random.Random(rng.random()), household, student_id, section, context)
    return household


def _attendance(writer, rng, household, student_id, section, context):
    """Records of the meetings already over, and a few reasons reported ahead for upcoming ones."""
    for meeting_id, starts, _ in section.meetings:
        if starts >= context.now:
            if rng.random() < UPCOMING_REPORTED:
                reported = context.now_utc - datetime.timedelta(hours=rng.randint(1, 72))
                _family_absence(writer, rng, household, student_id, section, meeting_id, reported, context)
            continue
        started = utc(starts, context.zone)
        if rng.random() < PRESENT_RATE:
            _mark(writer, meeting_id, student_id, Attendance.PRESENT, None, section.instructor_id, started)
        elif rng.random() < FAMILY_REPORTED:
            reported = started - datetime.timedelta(hours=rng.randint(2, 72))
            _family_absence(writer, rng, household, student_id, section, meeting_id, reported, context)
        else:
            reason = context.reasons[_pick(rng, INSTRUCTOR_REASONS)]
            _mark(writer, meeting_id, student_id, Attendance.ABSENT, reason, section.instructor_id, started)


def _mark(writer, meeting_id, student_id, status, reason_id, instructor_id, started):
    writer.add(Attendance, id=writer.take_id(Attendance), meeting=meeting_id, student=student_id, status=status,
               reason=reason_id, set_by_role=Attendance.BY_INSTRUCTOR, set_by=instructor_id,
               set_at=started + datetime.timedelta(minutes=5))


def _family_absence(writer, rng, household, student_id, section, meeting_id, reported, context):
    """A reason the family reported ahead, and the makeup token it earned (spent or expired for older ones)."""
    writer.add(Attendance, id=writer.take_id(Attendance), meeting=meeting_id, student=student_id,
               status=Attendance.ABSENT, reason=context.reasons[_pick(rng, PATRON_REASONS)],
               set_by_role=Attendance.BY_PATRON, set_by=household.primary_id, set_at=reported)
    expires = reported.date() + datetime.timedelta(days=MakeupToken.VALID_DAYS)
    if reported > context.now_utc - datetime.timedelta(days=3):
        status = MakeupToken.AVAILABLE
    elif rng.random() < 0.4:
        status = MakeupToken.SPENT
    else:
        status = MakeupToken.EXPIRED if expires < context.now.date() else MakeupToken.AVAILABLE
    writer.add(MakeupToken, id=writer.take_id(MakeupToken), student=student_id, location=section.location_id,
               earned_for=meeting_id, status=status, expires_on=expires, created_at=reported)
