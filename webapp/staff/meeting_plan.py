"""Generating a course's meetings from its weekly pattern: a plan to preview, then one transaction that makes it so.

Re-generating is safe: a date that already has a meeting (also one moved away from it, or cancelled) gets no
second one, and a meeting off the pattern is removed only when nothing hangs on it (no attendance, no makeup token,
not moved, cancelled or submitted, still to come); otherwise it stays and the plan says so.
"""
import datetime
from dataclasses import dataclass, field

from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import ValidationError

from ..database import write_transaction
from ..models import Attendance, MakeupToken, Meeting

MOST_MEETINGS = 400  # two years of twice a week; more is a typo in the dates


class PlanRefused(Exception):
    """The course's pattern cannot be turned into meetings; the message says what to fix."""


@dataclass
class MeetingPlan:
    """What generating would do: meetings to add, to remove, and those off the pattern that stay."""

    add: list = field(default_factory=list)  # (starts, ends)
    existing: int = 0
    remove: list = field(default_factory=list)  # Meeting
    keep: list = field(default_factory=list)  # Meeting off the pattern that something hangs on
    skipped: list = field(default_factory=list)  # dates of the pattern left out


def parse_dates(text):
    """One date a line (2027-02-15) as a sorted list of dates; ValueError naming the first line that is not one."""
    dates = set()
    for line in (text or "").replace(",", "\n").splitlines():
        line = line.strip()
        if not line:
            continue
        try:
            dates.add(datetime.date.fromisoformat(line))
        except ValueError:
            raise ValueError(f"“{line[:20]}” is not a date: write one date a line, such as 2027-02-15.") from None
    return sorted(dates)


class GenerateForm(FlaskForm):
    """The days the pattern skips, such as holidays."""

    class Meta:
        csrf = False  # the preview is a GET; the app-wide CSRFProtect checks the confirming POST

    skip_dates = TextAreaField("Skip dates (holidays)")

    def validate_skip_dates(self, field):
        try:
            field.dates = parse_dates(field.data)
        except ValueError as error:
            raise ValidationError(str(error)) from None


def pattern_starts(course, skip):
    """The meetings' (starts, ends) the pattern gives from the first to the last day, less the skip dates."""
    if not (course.first_day and course.last_day and course.weekdays and course.start_time and course.duration_minutes):
        raise PlanRefused("Set the course's dates and weekly pattern first: days, start time and length.")
    days = (course.last_day - course.first_day).days + 1
    weekdays, skip = set(course.weekday_numbers), set(skip)
    length = datetime.timedelta(minutes=course.duration_minutes)
    starts, skipped = [], []
    for offset in range(max(days, 0)):
        day = course.first_day + datetime.timedelta(days=offset)
        if day.weekday() not in weekdays:
            continue
        if day in skip:
            skipped.append(day)
            continue
        start = datetime.datetime.combine(day, course.start_time)
        starts.append((start, start + length))
    if len(starts) > MOST_MEETINGS:
        raise PlanRefused(f"That pattern makes {len(starts)} classes; at most {MOST_MEETINGS} are generated at once.")
    return starts, skipped


def plan_meetings(course, skip, now):
    """The plan for the course's pattern against the meetings it has, in three queries whatever their number."""
    starts, skipped = pattern_starts(course, skip)
    meetings = list(Meeting.select().where(Meeting.course == course.id).order_by(Meeting.starts_at))
    held = _held(meetings)
    on_pattern = {start for start, _ in starts}
    taken = {m.starts_at for m in meetings} | {m.moved_from for m in meetings if m.moved_from}
    plan = MeetingPlan(skipped=skipped)
    plan.add = [(start, end) for start, end in starts if start not in taken]
    for m in meetings:
        if m.starts_at in on_pattern or (m.moved_from and m.moved_from in on_pattern):
            plan.existing += 1
        elif m.id in held or m.moved_from or m.cancelled_at or m.roster_submitted_at or m.starts_at <= now:
            plan.keep.append(m)
        else:
            plan.remove.append(m)
    return plan


def _held(meetings):
    """Ids of the meetings that attendance or a makeup token points at."""
    ids = [m.id for m in meetings]
    if not ids:
        return set()
    attended = Attendance.select(Attendance.meeting).where(Attendance.meeting.in_(ids))
    earned = MakeupToken.select(MakeupToken.earned_for).where(MakeupToken.earned_for.in_(ids))
    return {a.meeting_id for a in attended} | {t.earned_for_id for t in earned}


def generate_meetings(course, skip, now):
    """Make the plan so in one transaction, planned again inside it so that two clicks never add a meeting twice."""
    with write_transaction():
        plan = plan_meetings(course, skip, now)
        if plan.add:
            Meeting.insert_many([{"course": course.id, "starts_at": s, "ends_at": e} for s, e in plan.add]).execute()
        if plan.remove:
            Meeting.delete().where(Meeting.id.in_([m.id for m in plan.remove])
                                   & Meeting.id.not_in(Attendance.select(Attendance.meeting))).execute()
    return plan
