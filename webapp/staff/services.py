"""What staff see across households, and the code tables they keep."""
from peewee import JOIN, IntegrityError, fn

from ..database import write_transaction
from ..models import AbsenceReason, Account, Course, Location, Meeting, Order, User
from ..audit import audit, before_change
from ..billing.ledger import balance_column
from ..numbers import whole_number


ORDERS_PER_PAGE = 25
FEW_HOUSEHOLDS = 50  # a search matching more reads the orders by number


def orders_with_balance(search="", page=1, per_page=ORDERS_PER_PAGE):
    """([order with its household and .balance], whether more follow) for one page of the orders that still have a
    balance, by number (oldest first); `search` is an order number (#1001 or 1001) or words of the household's name.

    Walking the orders by number and stopping after a page reads only the orders up to it, whatever the ledger's
    size; a count of every order that owes would sum the whole ledger, so the pages say only whether more follow."""
    balance = balance_column()
    owing = Order.select(Order, Account, balance.alias("balance")).join(Account).where(balance != 0)
    try:
        owing = owing.where(Order.number == whole_number(search.removeprefix("#")))
    except ValueError:  # not an order number: words of the household's name
        words = search.split()
        owing = owing.where(_of_households_named(words)) if words else owing
    rows = list(owing.order_by(Order.number).offset((page - 1) * per_page).limit(per_page + 1))
    return rows[:per_page], len(rows) > per_page


def _of_households_named(words):
    """A condition on Order: its household's name holds every word. A few such households are read first and their
    orders found through the household index; when more match (a word like "household"), the orders are walked by
    number as with no search, the household only checked, since reading every order of most households to sort
    them took 2 s at 10,000 households."""
    households = Account.select(Account.id)
    for word in words:
        households = households.where(Account.name.contains(word))
    ids = [account.id for account in households.limit(FEW_HOUSEHOLDS + 1)]
    if len(ids) <= FEW_HOUSEHOLDS:
        return Order.account.in_(ids)
    return (Order.account + 0).in_(households)  # "+ 0": no index on the household, so the number order leads


class ReasonNameTaken(Exception):
    """Another absence reason already has this name (case does not matter)."""


def reason_name_taken(name, except_id=None):
    """True when another reason has this name, compared without case (the table is a handful of rows)."""
    wanted = name.strip().casefold()
    return any(
        r.name.casefold() == wanted and r.id != except_id
        for r in AbsenceReason.select(AbsenceReason.id, AbsenceReason.name)
    )


def absence_reasons():
    """The whole code table, inactive reasons included, in its order."""
    return list(AbsenceReason.select().order_by(AbsenceReason.sort_order, AbsenceReason.name))


def save_named(model, row_id, values, taken, refused):
    """Add (row_id None) or change a row of a table whose names are unique; `taken(name, row_id)` checks first,
    and `refused(name)` is raised when the name is another row's, also when saved at the same moment elsewhere."""
    try:
        with write_transaction():
            if taken(values["name"], row_id):
                raise refused(values["name"])
            if row_id is None:
                row = model.create(**values)
                audit(row, {}, values)
                return row
            before = before_change(model.get_by_id(row_id), values)
            model.update(**values).where(model.id == row_id).execute()
            row = model.get_by_id(row_id)
            audit(row, before, values)
            return row
    except IntegrityError as error:
        raise refused(values["name"]) from error


def save_reason(reason_id, name, patron_usable, active, sort_order):
    """Add (reason_id None) or change an absence reason; attendance already recorded keeps pointing at it."""
    values = {"name": name.strip(), "patron_usable": patron_usable, "active": active, "sort_order": sort_order}
    return save_named(AbsenceReason, reason_id, values, reason_name_taken, ReasonNameTaken)


def courses_with_meetings_to_come(now):
    """Every course with its location, instructor and how many of its meetings are still to come, by name."""
    to_come = fn.COUNT(Meeting.id)
    teacher = User.alias()
    return list(
        Course.select(Course, Location, teacher.id, teacher.name, to_come.alias("to_come"))
        .join(Location)
        .switch(Course)
        .join(teacher, JOIN.LEFT_OUTER, on=(Course.instructor == teacher.id), attr="teacher")
        .switch(Course)
        .join(Meeting, JOIN.LEFT_OUTER, on=((Meeting.course == Course.id) & (Meeting.starts_at > now)
                                            & Meeting.cancelled_at.is_null()))
        .group_by(Course.id, Location.id, teacher.id)
        .order_by(Course.name, Course.id)
    )


def course_meetings(course, since):
    """The course's meetings from `since` on, in date order."""
    return list(Meeting.select().where((Meeting.course == course) & (Meeting.starts_at >= since))
                .order_by(Meeting.starts_at))
