"""Prepared queries give the rows the plain peewee query gives, for every shape, on SQLite and PostgreSQL."""
import datetime

import pytest

from webapp import prepared as prepared_module
from webapp.models import Account, Guardian, Meeting, Student, User
from webapp.prepared import PreparedQueryError, prepared


@prepared
def guardians_of(user_id, status):
    return (Guardian.select(Guardian, Account).join(Account)
            .where((Guardian.user == user_id) & (Guardian.status == status)).order_by(Account.name))


@prepared
def meetings_between(course_ids, start, until):
    return Meeting.select().where(Meeting.course.in_(course_ids) & (Meeting.starts_at >= start)
                                  & (Meeting.starts_at < until)).order_by(Meeting.starts_at)


def test_rows_match_the_plain_query_with_their_joins(app):
    dana = User.get(User.email == "parent@example.com")
    rows = guardians_of(dana.id, Guardian.ACCEPTED)
    plain = list(guardians_of.build(dana.id, Guardian.ACCEPTED))
    assert [(g.id, g.account.name) for g in rows] == [(g.id, g.account.name) for g in plain] != []
    assert guardians_of(dana, "revoked") == []  # a model instance stands for its id; other values, other rows


def test_lists_of_any_length_and_dates(app):
    now = datetime.datetime.now()
    courses = [m.course_id for m in Meeting.select(Meeting.course).distinct()]
    for ids in ([], courses[:1], courses, set(courses)):
        got = meetings_between(ids, now - datetime.timedelta(days=30), now + datetime.timedelta(days=30))
        plain = meetings_between.build(list(ids), now - datetime.timedelta(days=30), now + datetime.timedelta(days=30))
        assert [m.id for m in got] == [m.id for m in plain]
    assert meetings_between.first(courses, now, now + datetime.timedelta(days=60)).starts_at >= now


def test_a_build_that_computes_with_its_values_is_refused(app):
    @prepared
    def shifted(student_id):
        return Student.select().where(Student.id == student_id + 1)

    with pytest.raises(PreparedQueryError, match="as it is"):
        shifted(1)


def test_verify_catches_a_build_that_branches_on_a_value(app, monkeypatch):
    monkeypatch.setattr(prepared_module, "VERIFY", True)

    @prepared
    def branching(student_id):
        return Student.select().where(Student.id == student_id if student_id < 0 else Student.id >= student_id)

    with pytest.raises(PreparedQueryError, match="other SQL"):
        branching(1)
