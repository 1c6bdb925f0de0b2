"""SPEC.md's demo data, with dates relative to today. Loading it twice changes nothing."""
import datetime
from zoneinfo import ZoneInfo

from .auth.services import hash_password
from .database import write_transaction
from .attendance.services import report_absence
from .models import (
    AbsenceReason, Account, Attendance, CheckInCode, Company, ContactEmail, ContactPhone, Course, Division, EmailOptOut, Enrollment,
    Evaluation, Guardian, LedgerEntry, LineCategory, Location, MailingAddress, FutureAbsence, MakeupToken, Meeting, Order, OrderLine,
    PackagePurchase, Permission, Skill, Student, StudentLink, User, utcnow,
)

DEMO_PASSWORD = "cubby-demo"
GRANTS_ALL = dict(can_make_payments=True, can_view_balance=True, can_view_transactions=True)


def _ensure(model, key, **values):
    """The row with these key fields, created with `values` when missing."""
    row = model.get_or_none(*[getattr(model, f) == v for f, v in key.items()])
    return row or model.create(**key, **values)


def load_demo():
    """Load everything the models hold; each part is keyed by natural keys so a rerun adds nothing."""
    with write_transaction():
        company = _ensure(
            Company, {"name": "Riverside Arts Academy"}, currency="USD", locale="en_US", timezone="America/New_York",
            pay_balances_online=True, balance_mode=Company.BY_CUSTOMER, send_bill=True, makeup_tokens=True,
            future_absences=True, allow_drop=True, allow_transfer=False, full_ledger_history=False,
            payment_gateway="sandbox", statement_for_location=True, ledger_for_location=True, tax_id="12-3456789",
            cancel_waitlist=True, show_attendance=True, show_passes=True, student_qr_codes=True,
        )
        today = datetime.datetime.now(ZoneInfo(company.timezone)).date()
        places = {name: _ensure(Location, {"name": name}, address=address) for name, address in (
            ("Downtown", "1 River Street, Riverside"), ("Northside", "40 North Road, Riverside"))}
        acme = _ensure(Division, {"name": "Acme Corp"}, subject_to_pending_payment=True)
        for order, (name, usable) in enumerate(
            [("Sick", True), ("Vacation", True), ("Family emergency", True), ("No show", False),
             ("Excused by instructor", False)]
        ):
            _ensure(AbsenceReason, {"name": name}, patron_usable=usable, sort_order=order)
        people = _load_people(acme)
        _load_contacts(people)
        courses = _load_courses(places, acme, people["instructor@example.com"], today)
        _load_enrollments(people, courses, today)
        _load_past_term(places, people, today)
        _load_skills(people, today)
        _load_orders(people, courses)
        _load_absences(company, people, courses, today)
        from .packages.demo import load_packages as _load_packages  # it builds on the helpers above
        _load_packages(people, places, today)
        from .pending.demo import load_pending_payment

        load_pending_payment(people["staff@example.com"])
        _file_order_lines()


def _file_order_lines():
    """The demo writes its lines directly: file them as the services would, registrations under Tuition and package
    sales under Packages (the two rows migration 032 adds)."""
    tuition, packages = (_ensure(LineCategory, {"default_for": kind}, name=name).id
                         for kind, name in ((LineCategory.TUITION, "Tuition"), (LineCategory.PACKAGES, "Packages")))
    unfiled = OrderLine.category.is_null()
    OrderLine.update(category=tuition).where(unfiled & OrderLine.course.is_null(False)).execute()
    sold = PackagePurchase.select(PackagePurchase.order)
    OrderLine.update(category=packages).where(unfiled & OrderLine.order.in_(sold)).execute()


def _load_people(acme):
    password = hash_password(DEMO_PASSWORD)  # one scrypt run for every demo user
    users = {}
    for email, name, role in [
        ("parent@example.com", "Dana Smith", User.PATRON),
        ("partner@example.com", "Chris Smith", User.PATRON),
        ("nanny@example.com", "Jo Rivera", User.PATRON),
        ("grandparents@example.com", "Karie Forest", User.PATRON),
        ("trainee@example.com", "Lee Park", User.PATRON),
        ("instructor@example.com", "Pat Lee", User.INSTRUCTOR),
        ("staff@example.com", "Sam Ortiz", User.STAFF),
        ("frontdesk@example.com", "Alex Kim", User.STAFF),
    ]:
        users[email] = _ensure(User, {"email": email}, name=name, role=role, password_hash=password)
    for code in (Permission.ACCESS_BILLING_TAB, Permission.VIEW_ALL_STUDENT_ENROLLMENTS):
        _ensure(Permission, {"user": users["staff@example.com"], "code": code})
    # The front desk checks students in and reads rosters, and takes no money: no "Access Billing Tab".
    _ensure(Permission, {"user": users["frontdesk@example.com"], "code": Permission.VIEW_ALL_STUDENT_ENROLLMENTS})

    smith = _ensure(Account, {"name": "Smith household"})
    forest = _ensure(Account, {"name": "Forest household"})
    acme_training = _ensure(Account, {"name": "Acme Corp Training"}, division=acme)
    for email, account, primary, grants in [
        ("parent@example.com", smith, True, GRANTS_ALL),
        ("partner@example.com", smith, False, dict(can_make_payments=True, can_view_balance=True)),
        ("nanny@example.com", smith, False, {}),
        ("grandparents@example.com", forest, True, GRANTS_ALL),
        ("trainee@example.com", acme_training, True, GRANTS_ALL),
    ]:
        _ensure(Guardian, {"user": users[email], "account": account}, is_primary=primary, **grants)
    _load_invited_guardian(smith, users["parent@example.com"])

    year = datetime.date.today().year
    students = {
        "Amy": _ensure(Student, {"first_name": "Amy", "last_name": "Smith"}, birth_date=datetime.date(year - 9, 3, 14),
                       billing_account=smith),
        "Ben": _ensure(Student, {"first_name": "Ben", "last_name": "Smith"}, birth_date=datetime.date(year - 12, 8, 2),
                       billing_account=smith),
        "Lee": _ensure(Student, {"first_name": "Lee", "last_name": "Park"}, billing_account=acme_training,
                       user=users["trainee@example.com"]),
    }
    _ensure(StudentLink, {"student": students["Amy"], "account": forest})
    # Jazz II is full: two students of a household that does not sign in fill it.
    nguyen = _ensure(Account, {"name": "Nguyen household"})
    for first in ("Mai", "Linh"):
        students[first] = _ensure(Student, {"first_name": first, "last_name": "Nguyen"}, billing_account=nguyen)
    return {**users, **students, "smith": smith, "forest": forest, "acme": acme_training}


def _load_invited_guardian(smith, dana):
    """Morgan Smith: invited by Dana, not yet accepted ("Invite Sent"); no password until the invitation is accepted.
    Nobody knows the link's secret: Re-Send Invite Email mails a working one."""
    from .auth.links import INVITATION_LIFETIME
    from .models.access import AccessLink, new_secret, secret_hash

    morgan = _ensure(User, {"email": "morgan@example.com"}, name="Morgan Smith", role=User.PATRON,
                     password_hash=User.NO_PASSWORD)
    guardian = _ensure(Guardian, {"user": morgan, "account": smith}, status=Guardian.INVITED)
    if not AccessLink.select().where(AccessLink.guardian == guardian).exists():
        now = utcnow()
        AccessLink.create(purpose=AccessLink.INVITATION, user=morgan, guardian=guardian, sent_by=dana,
                          secret_hash=secret_hash(new_secret()), created_at=now, expires_at=now + INVITATION_LIFETIME)


def _load_contacts(people):
    """The Smiths' contacts (SPEC, My Account): a second email opted out of blasts, two phones (Chris's opted out of
    SMS) and an address linked to no guardian."""
    smith = people["smith"]
    dana, chris = (Guardian.get((Guardian.user == people[e]) & (Guardian.account == smith))
                   for e in ("parent@example.com", "partner@example.com"))
    _ensure(ContactEmail, {"account": smith, "address": "dana.smith@work.example"}, guardian=dana)
    if not EmailOptOut.select().where(EmailOptOut.address == "dana.smith@work.example").exists():
        EmailOptOut.create(address="dana.smith@work.example")
    _ensure(ContactPhone, {"account": smith, "number": "555-0101"}, guardian=dana)
    _ensure(ContactPhone, {"account": smith, "number": "555-0102"}, guardian=chris, sms_opted_out=True)
    _ensure(MailingAddress, {"account": smith, "street": "12 Elm Street"}, city="Riverside")


def _weekly(course, weekday, hour, minute, minutes, today):
    """Meetings on one weekday from three weeks ago to ten weeks ahead."""
    if Meeting.select().where(Meeting.course == course).exists():
        return
    first = today - datetime.timedelta(weeks=3) + datetime.timedelta(days=(weekday - today.weekday()) % 7)
    for week in range(13):
        starts = datetime.datetime.combine(first + datetime.timedelta(weeks=week), datetime.time(hour, minute))
        Meeting.create(course=course, starts_at=starts, ends_at=starts + datetime.timedelta(minutes=minutes))


def _load_courses(places, acme, pat, today):
    courses = {
        "Ballet I": _ensure(Course, {"name": "Ballet I"}, location=places["Downtown"], instructor=pat, capacity=12,
                            level="Ballet I", price_cents=24000, description="Tuesdays: first steps in classical ballet."),
        "Pottery for Kids": _ensure(Course, {"name": "Pottery for Kids"}, location=places["Northside"], instructor=pat,
                                    capacity=10, price_cents=18000, description="Saturdays: wheel and hand-building."),
        "Jazz II": _ensure(Course, {"name": "Jazz II"}, location=places["Downtown"], instructor=pat, capacity=2,
                           price_cents=26000, description="Thursdays: jazz dance for confident movers."),
        "Safety Workshop": _ensure(Course, {"name": "Safety Workshop"}, kind=Course.SESSION,
                                   location=places["Downtown"], division=acme, capacity=12, price_cents=40000,
                                   description="A one-day workplace safety session."),
    }
    # A second Ballet I class, where Amy (in the Tuesday one) makes up a missed class with a token.
    courses["Ballet I (Thursdays)"] = _ensure(
        Course, {"name": "Ballet I (Thursdays)"}, location=places["Downtown"], instructor=pat, capacity=8,
        price_cents=24000, description="Thursdays: the Tuesday Ballet I class, a second time in the week.")
    _weekly(courses["Ballet I"], 1, 16, 0, 60, today)
    _weekly(courses["Ballet I (Thursdays)"], 3, 16, 0, 60, today)
    _weekly(courses["Pottery for Kids"], 5, 10, 0, 90, today)
    _weekly(courses["Jazz II"], 3, 17, 0, 60, today)
    if not Meeting.select().where(Meeting.course == courses["Safety Workshop"]).exists():
        starts = datetime.datetime.combine(today + datetime.timedelta(days=21), datetime.time(9, 0))
        Meeting.create(course=courses["Safety Workshop"], starts_at=starts, ends_at=starts + datetime.timedelta(hours=7))
    return courses


def _load_enrollments(people, courses, today):
    for student, course, status in [
        ("Amy", "Ballet I", Enrollment.REGISTERED),
        ("Ben", "Pottery for Kids", Enrollment.REGISTERED),
        ("Mai", "Jazz II", Enrollment.REGISTERED),
        ("Linh", "Jazz II", Enrollment.REGISTERED),
        ("Ben", "Jazz II", Enrollment.WAITLISTED),
    ]:
        _ensure(Enrollment, {"student": people[student], "course": courses[course]}, status=status)
    # Amy's past Ballet meetings: present, and the most recent one a "No show" set by Pat.
    past = list(Meeting.select().where((Meeting.course == courses["Ballet I"]) & (Meeting.starts_at < datetime.datetime.combine(today, datetime.time())))
                .order_by(Meeting.starts_at))
    no_show = AbsenceReason.get(AbsenceReason.name == "No show")
    for meeting in past:
        absent = meeting == past[-1]
        _ensure(Attendance, {"meeting": meeting, "student": people["Amy"]},
                status=Attendance.ABSENT if absent else Attendance.PRESENT, reason=no_show if absent else None,
                set_by_role=Attendance.BY_INSTRUCTOR, set_by=people["instructor@example.com"])


def _load_past_term(places, people, today):
    """Amy's "Creative Movement" last term (Downtown, completed, present every week) and each child's check-in code."""
    course = _ensure(Course, {"name": "Creative Movement"}, location=places["Downtown"],
                     instructor=people["instructor@example.com"], capacity=10, price_cents=15000,
                     description="Mondays: movement and music for young dancers.")
    if not Meeting.select().where(Meeting.course == course).exists():
        first = today - datetime.timedelta(weeks=22) - datetime.timedelta(days=today.weekday())  # a Monday
        for week in range(10):
            starts = datetime.datetime.combine(first + datetime.timedelta(weeks=week), datetime.time(15, 30))
            Meeting.create(course=course, starts_at=starts, ends_at=starts + datetime.timedelta(minutes=45))
    _ensure(Enrollment, {"student": people["Amy"], "course": course}, status=Enrollment.REGISTERED)
    for meeting in Meeting.select().where(Meeting.course == course):
        _ensure(Attendance, {"meeting": meeting, "student": people["Amy"]}, status=Attendance.PRESENT,
                set_by_role=Attendance.BY_INSTRUCTOR, set_by=people["instructor@example.com"])
    for child in ("Amy", "Ben"):
        _ensure(CheckInCode, {"student": people[child]})


def _load_skills(people, today):
    """Ballet I's skills, evaluated for Amy by Pat Lee two weeks ago."""
    for order, (name, status) in enumerate([("Plié", Evaluation.MASTERED), ("Tendu", Evaluation.IN_PROGRESS),
                                            ("Pirouette", Evaluation.NOT_STARTED)]):
        skill = _ensure(Skill, {"level": "Ballet I", "name": name}, sort_order=order)
        _ensure(Evaluation, {"student": people["Amy"], "skill": skill}, status=status,
                instructor=people["instructor@example.com"], evaluated_on=today - datetime.timedelta(weeks=2))


def _load_orders(people, courses):
    from .billing.charges import next_order_number

    if Order.select().where(Order.number == 1001).exists():
        return
    dana, pat, sam = people["parent@example.com"], people["instructor@example.com"], people["staff@example.com"]
    smith, amy, ben = people["smith"], people["Amy"], people["Ben"]
    downtown, northside = courses["Ballet I"].location, courses["Pottery for Kids"].location
    now = utcnow()
    ago = lambda days: now - datetime.timedelta(days=days)  # noqa: E731
    # (charged, paid) days ago, so that the 30-day history and the full one differ (SPEC.md, "Ledger dates").
    for number, channel, creator, payable, state, note, (text, cents, student, course, place), paid, days in [
        (1001, Order.INSTRUCTOR_ONLINE, pat, False, Order.ON_ACCOUNT, "",
         ("Ballet I tuition", 24000, amy, courses["Ballet I"], downtown), 10000, (20, 18)),
        (1002, Order.BOX_OFFICE, sam, True, Order.ON_ACCOUNT, "Balance due before the first class",
         ("Pottery for Kids", 18000, ben, courses["Pottery for Kids"], northside), 0, (12, 12)),
        (1003, Order.BOX_OFFICE, sam, False, Order.ON_ACCOUNT, "", ("Field trip", 3500, amy, None, downtown), 0,
         (8, 8)),
        (1004, Order.BOX_OFFICE, sam, False, Order.COMPLETE, "", ("Art supplies", 6000, ben, None, northside), 6000,
         (45, 45)),
    ]:
        order = Order.create(number=next_order_number(), account=smith, channel=channel, created_by=creator,
                             on_account=state == Order.ON_ACCOUNT, payable_online=payable, state=state,
                             external_note=note, created_at=ago(days[0]))
        OrderLine.create(order=order, description=text, amount_cents=cents, student=student, course=course)
        tags = dict(account=smith, order=order, student=student, location=place)
        LedgerEntry.create(kind=LedgerEntry.CHARGE, amount_cents=cents, memo=text, created_by=creator,
                           created_at=ago(days[0]), **tags)
        if paid:
            LedgerEntry.create(kind=LedgerEntry.PAYMENT, amount_cents=-paid, memo="Card payment", created_by=dana,
                               created_at=ago(days[1]), **tags)
        if number == 1004:  # a returned sketchbook set: $20 taken off the order and given back to the family
            LedgerEntry.create(kind=LedgerEntry.VOID, amount_cents=-2000, memo="Returned: sketchbook set",
                               created_by=sam, created_at=ago(10), **tags)
            LedgerEntry.create(kind=LedgerEntry.REFUND, amount_cents=2000, memo="Refund: returned sketchbook set",
                               created_by=sam, created_at=ago(10), **tags)


def _load_absences(company, people, courses, today):
    """A family-reported absence (Ben, Vacation) and a scheduled future absence (Amy, Family emergency)."""
    from .schedule.future_absences import create_future_absence

    if FutureAbsence.select().exists():
        return
    now = datetime.datetime.combine(today, datetime.time(8, 0))
    dana = people["parent@example.com"]
    reasons = {r.name: r for r in AbsenceReason.select()}
    pottery = (Meeting.select().where((Meeting.course == courses["Pottery for Kids"]) & (Meeting.starts_at > now))
               .order_by(Meeting.starts_at).offset(1).first())
    report_absence(company, dana, pottery, people["Ben"], reasons["Vacation"], now)
    ballet = (Meeting.select().where((Meeting.course == courses["Ballet I"]) & (Meeting.starts_at > now))
              .order_by(Meeting.starts_at).offset(2).first())
    day = ballet.starts_at.date()
    create_future_absence(company, dana, people["Amy"], reasons["Family emergency"], day, day, now)
    _load_spent_and_expired_tokens(people, courses, today)


def _load_spent_and_expired_tokens(people, courses, today):
    """Amy's token spent on a makeup she attended three weeks ago; Ben's token that ran out yesterday."""
    amy, ben, pat = people["Amy"], people["Ben"], people["instructor@example.com"]
    start = datetime.datetime.combine(today, datetime.time())
    earned = (Meeting.select().where(Meeting.course == Course.get(name="Creative Movement"))
              .order_by(Meeting.starts_at.desc()).first())
    makeup = (Meeting.select().where((Meeting.course == courses["Ballet I (Thursdays)"]) & (Meeting.starts_at < start))
              .order_by(Meeting.starts_at).first())
    MakeupToken.create(student=amy, location=makeup.course.location_id, earned_for=earned, status=MakeupToken.SPENT,
                       expires_on=earned.starts_at.date() + datetime.timedelta(days=MakeupToken.VALID_DAYS - 1),
                       used_for=makeup, booked_by=people["parent@example.com"])
    _ensure(Attendance, {"meeting": makeup, "student": amy}, status=Attendance.PRESENT,
            set_by_role=Attendance.BY_INSTRUCTOR, set_by=pat)
    missed = (Meeting.select().where((Meeting.course == courses["Pottery for Kids"]) & (Meeting.starts_at < start))
              .order_by(Meeting.starts_at).first())
    MakeupToken.create(student=ben, location=missed.course.location_id, earned_for=missed, status=MakeupToken.EXPIRED,
                       expires_on=today - datetime.timedelta(days=1))
