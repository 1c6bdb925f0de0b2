"""Staff create and change households: a new household with its primary guardian (invited by email), another
guardian (invited too), its name and division, and the students billed to it. Each change is one write transaction; the invitation leaves after it."""
from peewee import IntegrityError

from ..account.guardian_services import GRANTS, GuardianError, post_guardian, queue_invitation
from ..audit import audit, before_change, record
from ..database import write_transaction
from ..models import Account, ContactPhone, Division, Guardian, Student, StudentLink, User
from ..outbox import deliver
from .household_forms import EMAIL_TAKEN

LINK_SHOWN = 25  # students offered for linking at once; a longer name narrows them


class HouseholdRefused(Exception):
    """The change cannot be saved as asked; the message says why and the field it belongs to."""

    def __init__(self, field, message):
        super().__init__(message)
        self.field = field


def _known_division(division_id):
    if division_id is not None and not Division.select().where(Division.id == division_id).exists():
        raise HouseholdRefused("division", "Pick a division from the list.")


def create_household(staff, name, division_id, guardian):
    """A household, its primary guardian's login (no password yet) and membership, their phone when given, and the
    invitation that lets them set a password: all or nothing. The new Account."""
    with write_transaction():
        _known_division(division_id)
        if User.select().where(User.email == guardian["email"]).exists():  # taken since the form was checked
            raise HouseholdRefused("email", EMAIL_TAKEN)
        account = Account.create(name=name, division=division_id)
        audit(account, {}, {"name": name, "division": division_id, "primary guardian": guardian["email"]})
        try:
            user = User.create(email=guardian["email"], name=f"{guardian['first_name']} {guardian['last_name']}",
                               role=User.PATRON, password_hash=User.NO_PASSWORD)
        except IntegrityError as taken:  # PostgreSQL: another new household's login, not committed when we looked
            raise HouseholdRefused("email", EMAIL_TAKEN) from taken
        # Invited, not accepted: the household opens to them when they accept, and staff see "Invited" until then.
        primary = Guardian.create(user=user, account=account, is_primary=True, status=Guardian.INVITED,
                                  **{grant: True for grant in GRANTS})
        if guardian["phone"]:
            ContactPhone.create(account=account, guardian=primary, number=guardian["phone"])
        primary.user, primary.account = user, account
        ids = queue_invitation(primary, staff)
    deliver(ids)
    return account


def add_guardian(staff, account, name, email, relation):
    """Another guardian of the household, through the family's Add Guardian: their login (no password yet), the
    invitation and an entry on the household's Changes, all or nothing; the Guardian. The primary sets grants."""
    with write_transaction():
        try:
            guardian, ids = post_guardian(account, staff, name, email, relation, invite=True, taken=EMAIL_TAKEN)
        except GuardianError as taken:
            raise HouseholdRefused("email", str(taken)) from taken
        shown = f"{name} ({email})" + (f", {relation}" if relation else "")
        record("account", account.id, {"guardian added": [None, shown]})
    deliver(ids)
    return guardian


def invite_again(staff, guardian):
    """A new 7-day invitation for a guardian still invited (the earlier link stops working); False when they have
    accepted or were revoked meanwhile."""
    with write_transaction():
        changed = Guardian.update(status=Guardian.INVITED).where(
            (Guardian.id == guardian.id) & (Guardian.status == Guardian.INVITED)).execute()
        ids = queue_invitation(guardian, staff) if changed == 1 else []
    deliver(ids)
    return changed == 1


def save_household(account, name, division_id):
    """Rename the household or change its division."""
    with write_transaction():
        _known_division(division_id)
        before = before_change(Account.get_by_id(account.id), ["name", "division"])
        Account.update(name=name, division=division_id).where(Account.id == account.id).execute()
        audit(account, before, {"name": name, "division": division_id})


def save_student(account, student, values):
    """Add a student billed to the household (student None) or change one already billed to it; the Student."""
    with write_transaction():
        if student is None:
            student = Student.create(billing_account=account, **values)
            audit(student, {}, values)
            return student
        before = before_change(Student.get_by_id(student.id), values)
        Student.update(**values).where((Student.id == student.id) & (Student.billing_account == account.id)).execute()
        audit(student, before, values)
    for name, value in values.items():
        setattr(student, name, value)
    return student


def students_to_link(account, text, shown=LINK_SHOWN):
    """Students whose first or last name holds every word typed (up to five), billed to another household and not
    linked with this one yet, each with its billing household; at most `shown`, by name. Nothing before a word."""
    words = (text or "").split()[:5]
    if not words:
        return []
    linked_here = StudentLink.select(StudentLink.student).where(StudentLink.account == account.id)
    query = (Student.select(Student, Account).join(Account)
             .where((Student.billing_account != account.id) & Student.id.not_in(linked_here)))
    for word in words:
        query = query.where(Student.first_name.contains(word) | Student.last_name.contains(word))
    return list(query.order_by(Student.first_name, Student.last_name, Student.id).limit(shown))


def link_student(account, student):
    """Link a student billed to another household with this one (the Forests and Amy): they see the student's
    classes; the bill stays with the billing household."""
    with write_transaction():
        if student.billing_account_id == account.id:
            raise HouseholdRefused("student", f"{student.name} is billed to {account.name} already.")
        if StudentLink.select().where((StudentLink.student == student.id) & (StudentLink.account == account.id)).exists():
            raise HouseholdRefused("student", f"{student.name} is linked with {account.name} already.")
        StudentLink.create(student=student, account=account)


def unlink_student(account, student):
    """End a link: the household no longer sees the student; True when there was one."""
    with write_transaction():
        return StudentLink.delete().where(
            (StudentLink.student == student.id) & (StudentLink.account == account.id)).execute() == 1
