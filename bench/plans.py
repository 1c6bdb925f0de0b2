"""Who the sessions sign in as, and what of their household each row of the mix uses."""
import datetime

from mix import Plan

FAMILY_DOMAIN = "@families.example"
FUTURE_MARGIN = datetime.timedelta(days=1)  # the flipped meeting stays in the future for the whole run


def _payers(Guardian, User):
    """(user, account id) of every generated guardian who may pay, household by household."""
    query = (Guardian.select(Guardian, User).join(User)
             .where(User.email.endswith(FAMILY_DOMAIN) & Guardian.can_make_payments
                    & (Guardian.status == Guardian.ACCEPTED))
             .order_by(Guardian.account, User.id))
    return [(g.user, g.account_id) for g in query]


def _spread(items, count):
    """count items spread evenly over the list (round again from the start when it is shorter)."""
    if len(items) >= count:
        return [items[i * len(items) // count] for i in range(count)]
    return [items[i % len(items)] for i in range(count)]


def _free_meetings(models, student_ids, now, limit):
    """(meeting id, student id) of future meetings of the students' classes without any attendance record."""
    Attendance, Enrollment, Meeting = models.Attendance, models.Enrollment, models.Meeting
    record = (Attendance.meeting == Meeting.id) & (Attendance.student == Enrollment.student)
    query = (Meeting.select(Meeting.id, Enrollment.student)
             .join(Enrollment, on=(Enrollment.course == Meeting.course))
             .join(Attendance, "LEFT OUTER JOIN", on=record)
             .where(Enrollment.student.in_(student_ids) & Enrollment.status.in_(Enrollment.ACTIVE)
                    & (Meeting.starts_at > now + FUTURE_MARGIN) & Meeting.roster_submitted_at.is_null()
                    & Attendance.id.is_null())
             .order_by(Meeting.starts_at, Meeting.id, Enrollment.student)
             .limit(limit).tuples())
    return list(query)


def _first_of_each_household(payers):
    """The first (user, account id) of each household."""
    firsts = {}
    for user, account_id in payers:
        firsts.setdefault(account_id, (user, account_id))
    return list(firsts.values())


def make_plans(database_url, count, one_per_household=False):
    """A Plan for each of `count` sessions, spread over the generated households (sessions of one household or
    one user get different meetings and orders, so their writes never cross); one_per_household: only the first
    payer of each household, so that no two sessions can pay the same order."""
    from webapp import create_app, models
    from webapp.access import family
    from webapp.attendance.services import patron_reasons
    from webapp.billing.ledger import payable_online_orders
    from webapp.clock import local_now

    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "bench plans"})
    with app.test_request_context():
        payers = _payers(models.Guardian, models.User)
        chosen = _spread(_first_of_each_household(payers) if one_per_household else payers, count)
        if not chosen:
            raise LookupError("the database has no generated households: run `flask demo scale` on it")
        reason = patron_reasons()[0]
        now = local_now()
        per_household = {}
        for _, account_id in chosen:
            per_household[account_id] = per_household.get(account_id, 0) + 1
        plans, seen_users, seen_households, free = [], {}, {}, {}
        for user, account_id in chosen:
            nth_user = seen_users[user.id] = seen_users.get(user.id, -1) + 1
            nth_household = seen_households[account_id] = seen_households.get(account_id, -1) + 1
            students = [(s.id, s.first_name) for s in family(user).students]
            if account_id not in free:
                free[account_id] = _free_meetings(models, [s for s, _ in students], now, per_household[account_id])
            payable = [o.number for o in payable_online_orders([account_id])]
            in_cart = {item.order.number for item in models.CartItem.select(models.CartItem, models.Order)
                       .join(models.Order).where(models.CartItem.user == user)}
            addable = [number for number in payable if number not in in_cart]
            purchase = (models.PackagePurchase.select(models.PackagePurchase.id)
                        .where(models.PackagePurchase.account == account_id).order_by(models.PackagePurchase.id).first())
            pairs = free[account_id]
            plans.append(Plan(
                email=user.email, first_name=user.first_name, students=students,
                absence=pairs[nth_household] if nth_household < len(pairs) else None,
                reason=(reason.id, reason.name), order=addable[nth_user] if nth_user < len(addable) else None,
                payable=payable, package=purchase.id if purchase else None,
            ))
    from webapp.extensions import db

    db.close()
    db.obj.close_all()
    return plans
