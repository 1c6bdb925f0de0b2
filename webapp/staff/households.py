"""Staff: find a household and see it on one page (guardians, students, enrollments; with billing, its orders and
ledger), in a fixed number of queries whatever the number of households."""
import datetime
from dataclasses import dataclass

from peewee import JOIN

from ..account.ledger_reports import HistoryPage, Period, company_today, history_page
from ..billing.ledger import account_balances, orders_owing
from ..billing.refunds import with_refunds
from ..clock import local_now
from ..models import (
    Account, Course, Enrollment, Guardian, LineCategory, Location, Meeting, OrderLine, Payment, Student, StudentLink,
    User,
)

PER_PAGE = 25
PAYMENTS_SHOWN = 10  # the latest payments, each refundable from the page; older ones are rarely refunded
EARLIEST = datetime.date(2000, 1, 1)  # the ledger on a household's page goes back to its first entry


def _matching(words):
    """Ids of the households whose name, a guardian's name or email, or a student's name holds every word."""
    query = Account.select(Account.id)
    for word in words:
        by_guardian = (Guardian.select(Guardian.account).join(User)
                       .where(User.name.contains(word) | User.email.contains(word)))
        by_student = Student.select(Student.billing_account).where(
            Student.first_name.contains(word) | Student.last_name.contains(word))
        linked = (StudentLink.select(StudentLink.account).join(Student)
                  .where(Student.first_name.contains(word) | Student.last_name.contains(word)))
        query = query.where(Account.name.contains(word) | Account.id.in_(by_guardian | by_student | linked))
    return query


def search(text, page):
    """(households of one page by name, each with .guardians and .students; how many match; how many pages)."""
    words = (text or "").split()[:5]  # five words narrow any school down; more only make the query longer
    matching = _matching(words)
    total = matching.count()
    pages = max(1, -(-total // PER_PAGE))
    households = list(Account.select().where(Account.id.in_(matching)).order_by(Account.name, Account.id)
                      .paginate(min(page, pages), PER_PAGE))
    ids = [a.id for a in households] or [0]
    guardians = _guardians(ids)
    students = _students(ids)
    for household in households:
        household.guardian_list = [g for g in guardians if g.account_id == household.id]
        household.student_list = [s for s in students if household.id in s.household_ids]
    return households, total, pages


def _guardians(account_ids):
    return list(Guardian.select(Guardian, User).join(User).where(Guardian.account.in_(account_ids))
                .order_by(Guardian.is_primary.desc(), User.name))


def _students(account_ids):
    """The students billed to or linked with these households, each with .household_ids (billed first)."""
    links = {}
    for student_id, account_id in (StudentLink.select(StudentLink.student, StudentLink.account)
                                   .where(StudentLink.account.in_(account_ids)).tuples()):
        links.setdefault(student_id, []).append(account_id)
    students = list(Student.select().where(Student.billing_account.in_(account_ids) | Student.id.in_(list(links) or [0]))
                    .order_by(Student.first_name, Student.id))
    for student in students:
        student.household_ids = [student.billing_account_id] + links.get(student.id, [])
    return students


@dataclass
class HouseholdPage:
    """A household as staff see it; the money parts are None for staff without "Access Billing Tab"."""

    account: Account
    guardians: list
    students: list
    enrollments: list
    balance: int | None = None
    orders: list | None = None
    ledger: HistoryPage | None = None
    payments: list | None = None


def household_page(account, with_money, company, ledger_page=1):
    """The household's page: three queries, and eight more with its money (and Drop or transfer)."""
    students = _students([account.id])
    enrollments = list(Enrollment.select(Enrollment, Course, Location, Student).join(Course).join(Location)
                       .switch(Enrollment).join(Student)
                       .where(Enrollment.student.in_([s.id for s in students] or [0])
                              & (Enrollment.status != Enrollment.CANCELLED))
                       .order_by(Student.first_name, Course.name))
    page = HouseholdPage(account, _guardians([account.id]), students, enrollments)
    if with_money:
        _mark_classes_ahead(enrollments)
        page.balance = account_balances([account.id])[account.id]
        page.orders = list(orders_owing([account.id]))
        _attach_lines(page.orders)
        everything = Period(EARLIEST, company_today(company), company.timezone)
        page.ledger = history_page(account.id, everything, "all", ledger_page)
        page.payments = settled_payments(account.id)
    return page


def _mark_classes_ahead(enrollments):
    """Give each enrollment .class_ahead: its course still has a meeting to come, so it may be dropped or transferred
    (the rule `account.enrollments.changeable` holds), in one query."""
    ahead = set(Meeting.select(Meeting.course).distinct().where(
        Meeting.course.in_({e.course_id for e in enrollments} or {0}) & Meeting.cancelled_at.is_null()
        & (Meeting.starts_at > local_now())).tuples())
    for enrollment in enrollments:
        enrollment.class_ahead = (enrollment.course_id,) in ahead


def _attach_lines(orders):
    """Each order's lines with their category as .shown_lines, in one query (money still comes from the ledger)."""
    by_order = {order.id: order for order in orders}
    for order in orders:
        order.shown_lines = []
    lines = (OrderLine.select(OrderLine, LineCategory).join(LineCategory, JOIN.LEFT_OUTER)
             .where(OrderLine.order.in_(list(by_order) or [0])).order_by(OrderLine.id))
    for line in lines:
        by_order[line.order_id].shown_lines.append(line)


def settled_payments(account_id):
    """The household's latest settled payments, each with .refunded and .left (what may still be given back)."""
    return with_refunds(list(Payment.select().where((Payment.payer_account == account_id)
                                                    & (Payment.state == Payment.SUCCEEDED))
                             .order_by(Payment.settled_at.desc(), Payment.id.desc()).limit(PAYMENTS_SHOWN)))

