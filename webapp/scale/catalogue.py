"""What generated households enrol in and buy: instructors, weekly classes with a term of meetings, drop-in
courses for punch passes, and packages."""
import datetime
import math
from dataclasses import dataclass, field

from ..models import Course, Location, Meeting, Package, PackageAllotment, User
from .names import DROP_INS, INSTRUCTOR_FIRST, LAST_NAMES, PACKAGES, PROGRAMS, SATURDAY_SLOTS, WEEKDAY_NAMES, WEEKDAY_SLOTS

CAPACITY = 24
FILL = 14  # students a class holds on average: the number of classes grows with the households
ENROLLMENTS_PER_HOUSEHOLD = 3.6  # the mean of the distributions in households.py
CLASSES_PER_INSTRUCTOR = 10
TERM_WEEKS_BEFORE, TERM_WEEKS_AFTER = 8, 8  # a past half and an upcoming half around this week
INSTRUCTOR_DOMAIN = "teachers.example"


@dataclass
class Section:
    """A generated weekly class and its meetings [(id, starts_at, ends_at)], in date order."""

    id: int
    name: str
    location_id: int
    instructor_id: int
    price_cents: int
    meetings: list = field(default_factory=list)
    taken: int = 0


@dataclass
class Catalogue:
    sections: list
    drop_ins: list  # [(Section, pass name, punches, price)]
    packages: list  # [(package id, name, price, [(allotment id, kind, quantity, unit price)])]
    instructor_ids: list
    locations: dict


def utc(local, zone):
    """A local wall-clock time as the naive UTC time audit columns hold."""
    return local.replace(tzinfo=zone).astimezone(datetime.timezone.utc).replace(tzinfo=None)


def _clock(text):
    hour_minute, half = text.split()
    hour, minute = map(int, hour_minute.split(":"))
    return (hour % 12 + (12 if half == "PM" else 0)), minute


def _term(writer, section_id, weekday, hour, minute, minutes, instructor_id, now, zone):
    """Weekly meetings around this week; those already over carry the instructor's submitted roster."""
    monday = now.date() - datetime.timedelta(days=now.weekday())
    meetings = []
    for week in range(-TERM_WEEKS_BEFORE, TERM_WEEKS_AFTER):
        day = monday + datetime.timedelta(days=weekday + 7 * week)
        starts = datetime.datetime.combine(day, datetime.time(hour, minute))
        ends = starts + datetime.timedelta(minutes=minutes)
        over = ends < now
        meeting_id = writer.add(
            Meeting, id=writer.take_id(Meeting), course=section_id, starts_at=starts, ends_at=ends,
            roster_submitted_at=utc(ends, zone) + datetime.timedelta(minutes=20) if over else None,
            roster_submitted_by=instructor_id if over else None,
        )
        meetings.append((meeting_id, starts, ends))
    return meetings


def _instructors(writer, rng, count, password_hash):
    ids = []
    for n in range(1, count + 1):
        first, last = rng.choice(INSTRUCTOR_FIRST), rng.choice(LAST_NAMES)
        ids.append(writer.add(User, id=writer.take_id(User), email=f"{first}.{last}.{n}@{INSTRUCTOR_DOMAIN}".lower(),
                              name=f"{first} {last}", role=User.INSTRUCTOR, password_hash=password_hash))
    return ids


def _section_shape(index):
    """Program, location, weekday and time of the index-th class: programs first, then locations, then slots."""
    program, price, minutes = PROGRAMS[index % len(PROGRAMS)]
    location = ("Downtown", "Northside")[(index // len(PROGRAMS)) % 2]
    slot = index // (2 * len(PROGRAMS))
    weekday = slot % 6
    times = SATURDAY_SLOTS if weekday == 5 else WEEKDAY_SLOTS
    at = times[(slot // 6) % len(times)]
    group = slot // (6 * len(times))
    name = f"{program} ({WEEKDAY_NAMES[weekday]} {at}" + (f", group {group + 1})" if group else ")")
    return name, price, minutes, location, weekday, _clock(at)


def build_catalogue(writer, rng, households, now, zone, password_hash):
    """Instructors, classes (one per FILL expected enrollments), drop-in courses and packages."""
    locations = {loc.name: loc.id for loc in Location.select()}
    count = max(len(PROGRAMS), math.ceil(households * ENROLLMENTS_PER_HOUSEHOLD / FILL))
    instructors = _instructors(writer, rng, math.ceil(count / CLASSES_PER_INSTRUCTOR), password_hash)
    sections = []
    for index in range(count):
        name, price, minutes, location, weekday, (hour, minute) = _section_shape(index)
        teacher = instructors[index % len(instructors)]
        section = Section(writer.take_id(Course), name, locations[location], teacher, price)
        writer.add(Course, id=section.id, name=name, location=section.location_id, instructor=teacher,
                   capacity=CAPACITY, price_cents=price, description="Year-round weekly class; tuition billed monthly.")
        section.meetings = _term(writer, section.id, weekday, hour, minute, minutes, teacher, now, zone)
        sections.append(section)
    drop_ins = []
    for name, location, weekday, hour, minute, minutes, pass_name, punches, price in DROP_INS:
        section = Section(writer.take_id(Course), name, locations[location], instructors[0], 0)
        writer.add(Course, id=section.id, name=name, location=section.location_id, instructor=instructors[0],
                   capacity=30, description="Drop in with a punch pass.")
        section.meetings = _term(writer, section.id, weekday, hour, minute, minutes, instructors[0], now, zone)
        drop_ins.append((section, pass_name, punches, price))
    return Catalogue(sections, drop_ins, _packages(writer), instructors, locations)


def _packages(writer):
    """The generated packages, defined unless a package of that name exists already."""
    packages = []
    for name, price, allotments in PACKAGES:
        existing = Package.get_or_none(Package.name == name)
        if existing:
            lines = [(a.id, a.kind, a.quantity, a.unit_price_cents) for a in existing.allotments]
            packages.append((existing.id, name, existing.price_cents, lines))
            continue
        package_id = writer.add(Package, id=writer.take_id(Package), name=name, price_cents=price)
        lines = []
        for kind, line, quantity, unit in allotments:
            allotment_id = writer.add(PackageAllotment, id=writer.take_id(PackageAllotment), package=package_id,
                                      kind=kind, name=line, quantity=quantity, unit_price_cents=unit)
            lines.append((allotment_id, kind, quantity, unit))
        packages.append((package_id, name, price, lines))
    return packages
