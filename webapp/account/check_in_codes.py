"""Each student's QR code for check-in: a random code (never the student id), drawn as inline SVG, rotated by the
primary guardian; staff check the student in at the meeting happening now."""
import datetime

import segno
from markupsafe import Markup

from ..attendance.services import mark_attendance
from ..database import write_transaction
from ..models import CheckInCode, Course, Enrollment, MakeupRequest, MakeupToken, Meeting, Student, new_check_in_code, utcnow

EARLY = datetime.timedelta(minutes=30)  # a student may check in this long before the meeting starts


class CheckInRefused(Exception):
    """The code or the time does not allow a check-in; the message says why."""


def code_of(student):
    """The student's current check-in code, or None before the primary guardian made one."""
    return CheckInCode.get_or_none(CheckInCode.student == student.id)


def qr_svg(code):
    """The code as an inline SVG QR code, with a title for screen readers."""
    svg = segno.make(code.code, error="m").svg_inline(scale=6, border=2, title=f"QR code {code.code}")
    return Markup(svg)


def rotate_code(student):
    """A new random code for the student; the old one stops working at once."""
    with write_transaction():
        changed = CheckInCode.update(code=new_check_in_code(), created_at=utcnow()).where(
            CheckInCode.student == student.id).execute()
        if not changed:
            CheckInCode.insert(student=student.id, code=new_check_in_code()).on_conflict_ignore().execute()
    return code_of(student)


def normalised(typed):
    """The code as staff typed or scanned it: spaces and dashes dropped, upper case."""
    return "".join(ch for ch in (typed or "") if ch.isalnum()).upper()


def meeting_now(student, now):
    """The student's meeting happening now (or starting within EARLY), of a course or a makeup booked or approved, not
    cancelled, or None."""
    courses = Enrollment.select(Enrollment.course).where(
        (Enrollment.student == student.id) & Enrollment.status.in_(Enrollment.ACTIVE))
    makeups = MakeupToken.select(MakeupToken.used_for).where(
        (MakeupToken.student == student.id) & (MakeupToken.status == MakeupToken.PENDING))
    approved = MakeupRequest.select(MakeupRequest.meeting).where(
        (MakeupRequest.student == student.id) & (MakeupRequest.status == MakeupRequest.APPROVED))
    return (Meeting.select(Meeting, Course).join(Course)
            .where((Meeting.course.in_(courses) | Meeting.id.in_(makeups) | Meeting.id.in_(approved))
                   & (Meeting.starts_at <= now + EARLY) & (Meeting.ends_at > now) & Meeting.cancelled_at.is_null())
            .order_by(Meeting.starts_at).first())


def check_in(staff, typed, now):
    """Mark the student of this code present at their meeting now: (student, meeting), or CheckInRefused."""
    code = normalised(typed)
    found = CheckInCode.select(CheckInCode, Student).join(Student).where(CheckInCode.code == code).first() \
        if code else None
    if found is None:
        raise CheckInRefused("No student has this code. Check it, or ask the family to show the code again.")
    student = found.student
    meeting = meeting_now(student, now)
    if meeting is None:
        raise CheckInRefused(f"{student.name} has no class happening now, so there is nothing to check in to.")
    mark_attendance(staff, meeting, student, None)
    return student, meeting
