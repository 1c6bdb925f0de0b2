"""Courses, their meetings, enrollments and attendance."""
import peewee as pw

from .base import BaseModel, utcnow
from .company import Company, Division, Location
from .people import Student, User


class Course(BaseModel):
    """A class that meets weekly, or a dated session (a workshop)."""

    WEEKLY = "weekly"
    SESSION = "session"

    name = pw.CharField(max_length=120)
    kind = pw.CharField(max_length=16, default=WEEKLY)
    location = pw.ForeignKeyField(Location, backref="courses", on_delete="RESTRICT")
    division = pw.ForeignKeyField(Division, null=True, backref="courses", on_delete="SET NULL")
    instructor = pw.ForeignKeyField(User, null=True, backref="courses_taught", on_delete="SET NULL")
    capacity = pw.IntegerField()
    price_cents = pw.IntegerField(default=0)
    description = pw.TextField(default="")
    level = pw.CharField(max_length=40, default="")
    first_day = pw.DateField(null=True)
    last_day = pw.DateField(null=True)
    weekdays = pw.CharField(max_length=13, default="")  # "0,3": Monday and Thursday (Python's weekday numbers)
    start_time = pw.TimeField(null=True)  # the weekly pattern, in the company's local time
    duration_minutes = pw.IntegerField(null=True)
    open_for_registration = pw.BooleanField(default=True)
    payable_online = pw.BooleanField(default=False)  # its orders, put on account, may be paid online

    @property
    def weekday_numbers(self):
        return [int(d) for d in self.weekdays.split(",") if d]


class Meeting(BaseModel):
    """One dated meeting of a course, in the company's local time."""

    course = pw.ForeignKeyField(Course, backref="meetings", on_delete="CASCADE")
    starts_at = pw.DateTimeField(index=True)
    ends_at = pw.DateTimeField()
    roster_submitted_at = pw.DateTimeField(null=True)
    roster_submitted_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    moved_from = pw.DateTimeField(null=True)  # the start it had before the school first moved it
    cancelled_at = pw.DateTimeField(null=True)
    cancelled_by = pw.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")

    class Meta:
        indexes = ((("course", "starts_at"), False),)


class Enrollment(BaseModel):
    """A student's place in a course; the status names follow the vendor pages."""

    REGISTERED = "registered"
    WAITLISTED = "waitlisted"
    PENDING_PAYMENT = "pending_payment"
    PAYMENT_DENIED = "payment_denied"
    NO_SHOW = "no_show"
    DROPPED = "dropped"
    CANCELLED = "cancelled"
    LABELS = {
        REGISTERED: "Registered",
        WAITLISTED: "Waitlisted",
        PENDING_PAYMENT: "Pending Payment",
        PAYMENT_DENIED: "Payment Denied",
        NO_SHOW: "No Show",
        DROPPED: "Dropped",
        CANCELLED: "Cancelled",
    }
    # Statuses that hold a seat and put the meetings on the student's schedule.
    ACTIVE = (REGISTERED, PENDING_PAYMENT)

    student = pw.ForeignKeyField(Student, backref="enrollments", on_delete="CASCADE")
    course = pw.ForeignKeyField(Course, backref="enrollments", on_delete="CASCADE")
    status = pw.CharField(max_length=20, default=REGISTERED)
    created_at = pw.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("student", "course"), True),)

    @property
    def status_label(self):
        return self.LABELS[self.status]


class AbsenceReason(BaseModel):
    """The absence-reason code table; patron-usable reasons are offered to families."""

    name = pw.CharField(max_length=60, unique=True)
    patron_usable = pw.BooleanField(default=True)
    active = pw.BooleanField(default=True)
    sort_order = pw.IntegerField(default=0)


class FutureAbsence(BaseModel):
    """An absence planned ahead: a date range (optionally times) or one class on one date."""

    student = pw.ForeignKeyField(Student, backref="future_absences", on_delete="CASCADE")
    reason = pw.ForeignKeyField(AbsenceReason, on_delete="RESTRICT")
    first_day = pw.DateField()
    last_day = pw.DateField()
    from_time = pw.TimeField(null=True)
    until_time = pw.TimeField(null=True)
    # Set when made "by enrollment": only that course's meetings are covered.
    course = pw.ForeignKeyField(Course, null=True, on_delete="CASCADE")
    created_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    created_at = pw.DateTimeField(default=utcnow)
    cancelled_at = pw.DateTimeField(null=True)


class Attendance(BaseModel):
    """What is known of one student at one meeting: present, or absent with a reason."""

    PRESENT = "present"
    ABSENT = "absent"
    BY_PATRON = "patron"
    BY_INSTRUCTOR = "instructor"

    meeting = pw.ForeignKeyField(Meeting, backref="attendance", on_delete="CASCADE")
    student = pw.ForeignKeyField(Student, backref="attendance", on_delete="CASCADE")
    status = pw.CharField(max_length=16)
    reason = pw.ForeignKeyField(AbsenceReason, null=True, on_delete="RESTRICT")
    set_by_role = pw.CharField(max_length=16)
    set_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    set_at = pw.DateTimeField(default=utcnow)
    future_absence = pw.ForeignKeyField(FutureAbsence, null=True, backref="attendance", on_delete="SET NULL")

    class Meta:
        indexes = ((("meeting", "student"), True),)


class MakeupToken(BaseModel):
    """One makeup class earned by reporting an absence ahead, valid at one location."""

    AVAILABLE = "available"
    PENDING = "pending"
    SPENT = "spent"
    EXPIRED = "expired"
    VALID_DAYS = Company.makeup_token_days.default  # the demo's and bulk loads' tokens; earning uses the preference

    student = pw.ForeignKeyField(Student, backref="makeup_tokens", on_delete="CASCADE")
    location = pw.ForeignKeyField(Location, on_delete="RESTRICT")
    earned_for = pw.ForeignKeyField(Meeting, on_delete="CASCADE")
    status = pw.CharField(max_length=16, default=AVAILABLE)
    expires_on = pw.DateField()
    created_at = pw.DateTimeField(default=utcnow)
    # The makeup class the token is applied to: set while Pending and kept once Spent.
    used_for = pw.ForeignKeyField(Meeting, null=True, backref="makeups", on_delete="SET NULL")
    booked_at = pw.DateTimeField(null=True)
    booked_by = pw.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")

    class Meta:
        indexes = ((("student", "earned_for"), True), (("used_for", "status"), False))


class MakeupRequest(BaseModel):
    """A family's request for a makeup class at one meeting (makeup tokens off): staff approve or decline it."""

    REQUESTED = "requested"
    APPROVED = "approved"
    DECLINED = "declined"

    student = pw.ForeignKeyField(Student, backref="makeup_requests", on_delete="CASCADE")
    meeting = pw.ForeignKeyField(Meeting, backref="makeup_requests", on_delete="CASCADE")
    note = pw.TextField(default="")
    status = pw.CharField(max_length=16, default=REQUESTED)
    requested_by = pw.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    requested_at = pw.DateTimeField(default=utcnow)
    decided_by = pw.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    decided_at = pw.DateTimeField(null=True)
    reason = pw.TextField(default="")  # why staff declined

    class Meta:
        indexes = ((("meeting", "status"), False), (("student", "meeting"), False))


class WaitlistOffer(BaseModel):
    """A seat on a full course held for one waitlisted student until the family registers or the hold ends."""

    OPEN = "open"
    CLAIMED = "claimed"
    EXPIRED = "expired"

    enrollment = pw.ForeignKeyField(Enrollment, backref="offers", on_delete="CASCADE")
    status = pw.CharField(max_length=16, default=OPEN)
    offered_at = pw.DateTimeField(default=utcnow)
    expires_at = pw.DateTimeField()  # UTC, like every stored timestamp
    offered_by = pw.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")

    class Meta:
        indexes = ((("enrollment", "status"), False),)
