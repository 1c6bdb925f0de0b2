"""Punch passes: sold per student, one punch per drop-in meeting, never past the last punch or the expiry."""
import datetime
from dataclasses import dataclass

from peewee import JOIN, fn

from ..database import write_transaction
from ..models import Course, Meeting, Punch, PunchPass, User
from ..outbox import deliver
from .balances import order_money
from .services import PackageRefused, locked_row, sale_order


@dataclass
class PassView:
    """One pass as the student's Passes section shows it."""

    punch_pass: PunchPass
    used: int
    paid_cents: int | None  # None when the viewer may not see money

    @property
    def remaining(self):
        return self.punch_pass.punches - self.used

    def expired(self, today):
        return self.punch_pass.expires_on is not None and self.punch_pass.expires_on < today

    def redeemable(self, today):
        return self.punch_pass.active and not self.expired(today) and self.remaining > 0


def student_passes(student_ids, show_money):
    """[PassView] of these students' passes, newest first, in two queries (one when no money shows)."""
    query = (
        PunchPass.select(PunchPass, Course, fn.COUNT(Punch.id).alias("used"))
        .join(Course)
        .switch(PunchPass)
        .join(Punch, JOIN.LEFT_OUTER)
        .where(PunchPass.student.in_(student_ids))
        .group_by(PunchPass.id, Course.id)
        .order_by(PunchPass.purchased_on.desc(), PunchPass.id.desc())
    )
    passes = list(query)
    money = order_money([p.order_id for p in passes]) if show_money and passes else {}
    views = []
    for punch_pass in passes:
        price, owed = money.get(punch_pass.order_id, (0, 0))
        views.append(PassView(punch_pass, punch_pass.used, price - owed if show_money else None))
    return views


def drop_in_meetings(passes, start, until):
    """{pass id: [meeting]} of each pass's course between start and until that the pass has not punched, in two queries."""
    course_ids = {view.punch_pass.course_id for view in passes}
    if not course_ids:
        return {}
    meetings = list(Meeting.select().where(
        Meeting.course.in_(course_ids) & (Meeting.starts_at >= start) & (Meeting.starts_at < until)
    ).order_by(Meeting.starts_at))
    punched = set(Punch.select(Punch.punch_pass, Punch.meeting).where(
        Punch.punch_pass.in_([view.punch_pass.id for view in passes])
    ).tuples())
    return {
        view.punch_pass.id: [m for m in meetings if m.course_id == view.punch_pass.course_id
                             and (view.punch_pass.id, m.id) not in punched]
        for view in passes
    }


def sell_pass(company, staff, student, course, name, punches, price_cents, expires_on, today, paid_cents=0,
              method="cash"):
    """Sell a punch pass to a student: the order with its charge (and payment), and the pass."""
    if punches < 1:
        raise PackageRefused("A pass needs at least one punch.", "punches")
    if expires_on is not None and expires_on <= today:
        raise PackageRefused("Pick an expiry date after today.", "expires_on")

    with write_transaction():
        order, receipt = sale_order(company, staff, student.billing_account, name, price_cents, student, paid_cents,
                                    method)
        punch_pass = PunchPass.create(student=student, course=course, name=name, punches=punches, order=order,
                                      purchased_on=today, expires_on=expires_on, created_by=staff)
    deliver(receipt)
    return punch_pass


def redeem_punch(user, punch_pass, meeting, today):
    """Punch the pass for a drop-in meeting; (punch, True), or (the earlier punch, False) when already punched."""
    if meeting.course_id != punch_pass.course_id:
        raise PackageRefused(f"That is not a meeting of {punch_pass.course.name}.", "meeting")
    with write_transaction():
        current = locked_row(PunchPass, punch_pass.id)
        earlier = Punch.get_or_none((Punch.punch_pass == current.id) & (Punch.meeting == meeting.id))
        if earlier:
            return earlier, False
        if not current.active:
            raise PackageRefused("This pass is not active.")
        if current.expires_on is not None and current.expires_on < today:
            raise PackageRefused(f"This pass expired on {current.expires_on:%B %-d, %Y}.")
        if Punch.select().where(Punch.punch_pass == current.id).count() >= current.punches:
            raise PackageRefused("Every punch of this pass is used.")
        return Punch.create(punch_pass=current, meeting=meeting, redeemed_by=user), True


def redeem_window(user, now):
    """Meetings a punch may be redeemed for: families from now on, staff also the past week (a walk-in logged late)."""
    start = now - datetime.timedelta(days=7) if user.role == User.STAFF else now
    return start, now + datetime.timedelta(days=28)
