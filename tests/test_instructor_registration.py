"""Instructors register a student on account from their classes (seed 000, rule a), and the class list for staff."""
import pytest

from conftest import page_text, sign_in
from webapp.auth.services import hash_password
from webapp.models import (Account, Company, Course, Enrollment, LedgerEntry, Location, Meeting, Order, OrderLine, OrderStatusChange,
                           Student, User)

HX = {"HX-Request": "true"}
PAT, DANA, SAM = "instructor@example.com", "parent@example.com", "staff@example.com"


def _course(name):
    return Course.get(Course.name == name)


def _student(first):
    return Student.get(Student.first_name == first)


def _register_url(course):
    return f"/classes/courses/{course.id}/register"


def _stored():
    """What a registration would have written: enrollments, orders, lines, ledger entries."""
    return (Enrollment.select().count(), Order.select().count(), OrderLine.select().count(),
            LedgerEntry.select().count())


def test_pat_registers_ben_for_ballet_on_account_and_dana_can_pay_it_online(signed_in):
    ballet, ben = _course("Ballet I"), _student("Ben")
    pat = signed_in(PAT)
    found = pat.get(_register_url(ballet), query_string={"q": "smith"})
    assert "Ben Smith" in page_text(found) and "Smith household" in page_text(found)
    response = pat.post(_register_url(ballet), data={"student": ben.id, "q": "smith"})
    assert response.status_code == 303
    order = Order.select().order_by(Order.number.desc()).first()
    text = page_text(pat.get(response.headers["Location"]))
    assert f"Ben Smith is registered in Ballet I. Order #{order.number} ($240.00) is on account" in text
    assert (order.channel, order.state, order.on_account) == (Order.INSTRUCTOR_ONLINE, Order.ON_ACCOUNT, True)
    assert order.account_id == ben.billing_account_id and order.created_by.email == PAT
    enrollment = Enrollment.get((Enrollment.student == ben) & (Enrollment.course == ballet))
    assert enrollment.status == Enrollment.REGISTERED
    charge = LedgerEntry.get(LedgerEntry.order == order)
    assert (charge.kind, charge.amount_cents, charge.student_id, charge.location_id) == (
        LedgerEntry.CHARGE, 24000, ben.id, ballet.location_id)
    assert OrderStatusChange.get(OrderStatusChange.order == order).to_state == Order.ON_ACCOUNT

    dana = signed_in(DANA)
    balances = page_text(dana.get("/billing/pay-balance"))
    assert f"Order #{order.number}" in balances and "Ballet I" in balances and "$240.00" in balances
    assert f"Ben · Ballet I: $240.00 due Add Order #{order.number} to Cart" in page_text(dana.get("/schedule/"))
    cart = page_text(dana.post(f"/billing/cart/orders/{order.number}", follow_redirects=True))
    assert f"#{order.number}" in cart and "$240.00" in cart
    upcoming = page_text(dana.get("/schedule/"))
    assert f"Ben · Ballet I: $240.00 due In Cart : order #{order.number}" in upcoming


def test_a_family_user_may_not_reach_the_instructor_routes(signed_in):
    ballet, ben = _course("Ballet I"), _student("Ben")
    dana = signed_in(DANA)
    before = _stored()
    assert dana.get(_register_url(ballet)).status_code == 403
    assert dana.post(_register_url(ballet), data={"student": ben.id}).status_code == 403
    assert dana.get("/classes/").status_code == 403
    assert _stored() == before


def test_staff_register_from_the_household_page_not_here(signed_in):
    ballet, ben = _course("Ballet I"), _student("Ben")
    assert signed_in(SAM).post(_register_url(ballet), data={"student": ben.id}).status_code == 403


def test_another_instructors_course_and_unknown_ids_are_404(app, signed_in):
    User.create(email="kim@example.com", name="Kim Cho", role=User.INSTRUCTOR, password_hash=hash_password("kim-secret-1"))
    kim = app.test_client()
    assert sign_in(kim, "kim@example.com", "kim-secret-1").status_code == 303
    ballet, ben = _course("Ballet I"), _student("Ben")
    before = _stored()
    assert kim.get(_register_url(ballet)).status_code == 404
    assert kim.post(_register_url(ballet), data={"student": ben.id}).status_code == 404
    pat = signed_in(PAT)
    assert pat.get("/classes/courses/999999/register").status_code == 404
    assert pat.post("/classes/courses/999999/register", data={"student": ben.id}).status_code == 404
    assert pat.get("/classes/courses/99999999999999999999/register").status_code == 404
    assert _stored() == before


@pytest.mark.parametrize("student", ["", "999999", "abc", "-1", "1e3", "99999999999999999999"])
def test_bad_input_is_422_with_the_message_by_the_list_and_nothing_stored(signed_in, student):
    ballet = _course("Ballet I")
    pat = signed_in(PAT)
    before = _stored()
    response = pat.post(_register_url(ballet), data={"student": student, "q": "smith"})
    assert response.status_code == 422
    assert 'id="student-error"' in response.get_data(as_text=True)
    assert "Choose a student from the list." in page_text(response)
    assert _stored() == before


def test_a_full_course_is_refused_with_a_clear_message(signed_in):
    jazz, ben = _course("Jazz II"), _student("Ben")  # full: the Nguyens hold both seats; Ben is waitlisted
    pat = signed_in(PAT)
    page = pat.get(_register_url(jazz), query_string={"q": "ben"})
    assert "Jazz II is full: no seat is left to register a student." in page_text(page)
    assert "Register on account" not in page.get_data(as_text=True)
    before = _stored()
    response = pat.post(_register_url(jazz), data={"student": ben.id})
    assert response.status_code == 409
    assert "Jazz II filled up meanwhile; nothing was charged." in page_text(response)
    assert _stored() == before


def test_a_student_already_registered_is_shown_so_and_refused(signed_in):
    ballet, amy = _course("Ballet I"), _student("Amy")
    pat = signed_in(PAT)
    assert "Amy Smith · Smith household Registered" in page_text(pat.get(_register_url(ballet), query_string={"q": "amy"}))
    before = _stored()
    response = pat.post(_register_url(ballet), data={"student": amy.id})
    assert response.status_code == 409 and "Amy is already Registered in Ballet I." in page_text(response)
    assert _stored() == before


def test_htmx_gets_the_results_only_when_searching_and_registering(signed_in):
    ballet, ben = _course("Ballet I"), _student("Ben")
    pat = signed_in(PAT)
    found = pat.get(_register_url(ballet), query_string={"q": "ben"}, headers=HX)
    html = found.get_data(as_text=True)
    assert html.lstrip().startswith('<section id="results"') and "<html" not in html and "Ben Smith" in html
    assert "HX-Request" in found.headers["Vary"]
    full = pat.get(_register_url(ballet), query_string={"q": "ben"})
    assert "<html" in full.get_data(as_text=True)
    done = pat.post(_register_url(ballet), data={"student": ben.id, "q": "ben"}, headers=HX)
    html = done.get_data(as_text=True)
    assert done.status_code == 200 and '<section id="results"' in html and "<html" not in html
    assert "Ben Smith is registered in Ballet I." in html  # the flash, swapped out of band
    bad = pat.post(_register_url(ballet), data={"student": "x"}, headers=HX)
    assert bad.status_code == 422 and "<html" not in bad.get_data(as_text=True)


def _add_students(count):
    account = Account.create(name="Zephyr household")
    Student.insert_many([{"first_name": f"Kit{n:02}", "last_name": "Zephyr", "billing_account": account.id}
                         for n in range(count)]).execute()


def test_student_search_is_paged_at_25_in_the_same_queries(signed_in, query_count):
    ballet = _course("Ballet I")
    pat = signed_in(PAT)
    _add_students(3)
    _, few = query_count(pat.get, _register_url(ballet), query_string={"q": "zephyr"})
    _add_students(40)
    first, many = query_count(pat.get, _register_url(ballet), query_string={"q": "zephyr"})
    assert many == few
    text = page_text(first)
    assert "43 students matching “zephyr”" in text and "Page 1 of 2" in text
    assert text.count("Register on account") == 25


def test_staff_class_list_shows_every_course_with_its_next_class_and_roster(signed_in):
    response = signed_in(SAM).get("/classes/")
    assert response.status_code == 200
    text, html = page_text(response), response.get_data(as_text=True)
    assert f"Every course ({Course.select().count()})" in text
    for course in Course.select():
        assert course.name in text
    assert "Next class:" in text and 'href="/classes/meetings/' in html
    assert "Register a student" not in html  # staff enroll from the household page


def test_instructors_list_only_their_own_courses_with_a_register_link(signed_in):
    pat, ballet = signed_in(PAT), _course("Ballet I")
    text = page_text(pat.get("/classes/"))
    assert "My courses (5)" in text and "Ballet I" in text and "Safety Workshop" not in text
    assert f'href="/classes/courses/{ballet.id}/register"' in pat.get("/classes/").get_data(as_text=True)
    meeting = ballet.meetings.order_by(Meeting.starts_at.desc()).first()
    assert f'href="/classes/courses/{ballet.id}/register"' in pat.get(f"/classes/meetings/{meeting.id}").get_data(as_text=True)


def _add_courses(count):
    place = Location.get(Location.name == "Downtown")
    Course.insert_many([{"name": f"Zumba {n:02}", "location": place.id, "capacity": 5} for n in range(count)]).execute()


def test_the_class_list_is_paged_at_25_in_the_same_queries(signed_in, query_count):
    sam = signed_in(SAM)
    _, few = query_count(sam.get, "/classes/")
    _add_courses(40)
    first, many = query_count(sam.get, "/classes/")
    assert many == few
    assert "Page 1 of 2" in page_text(first)
    second = sam.get("/classes/", query_string={"page": 2}, headers=HX)
    html = second.get_data(as_text=True)
    assert html.lstrip().startswith('<section id="classes"') and "<html" not in html and "Zumba 39" in html


def test_two_registrations_for_the_last_seat_at_once_give_it_once(app):
    from billing_helpers import in_threads
    from webapp.registration.on_account import register_on_account
    from webapp.registration.services import seats_taken

    ballet = _course("Ballet I")
    Course.update(capacity=seats_taken([ballet.id])[ballet.id] + 1).where(Course.id == ballet.id).execute()
    ballet, pat, company = _course("Ballet I"), User.get(User.email == PAT), Company.current()
    ben, mai = _student("Ben"), _student("Mai")
    results = in_threads(app, *[lambda s=s: register_on_account(company, pat, ballet, s, Order.INSTRUCTOR_ONLINE, "")
                                for s in (ben, mai)])
    assert sorted(type(error).__name__ for _, error in results) == ["NoneType", "RegistrationRefused"]
    assert Enrollment.select().where((Enrollment.course == ballet) & Enrollment.status.in_(Enrollment.ACTIVE)).count() \
        == ballet.capacity
    assert Order.select().where(Order.channel == Order.INSTRUCTOR_ONLINE).count() == 2  # #1001 and the one placed


def test_max_unpaid_balance_refuses_the_order_and_the_seat(signed_in):
    Company.update(max_unpaid_balance_cents=50000).execute()  # the Smiths owe $355.00; Ballet I adds $240.00
    ballet, ben = _course("Ballet I"), _student("Ben")
    before = _stored()
    response = signed_in(PAT).post(_register_url(ballet), data={"student": ben.id})
    assert response.status_code == 409
    assert "past the school's limit" in page_text(response)
    assert _stored() == before


def test_a_course_without_a_price_registers_with_no_order(signed_in):
    ballet, ben = _course("Ballet I"), _student("Ben")
    Course.update(price_cents=0).where(Course.id == ballet.id).execute()
    orders, entries = Order.select().count(), LedgerEntry.select().count()
    response = signed_in(PAT).post(_register_url(ballet), data={"student": ben.id}, follow_redirects=True)
    text = page_text(response)
    assert "Ben Smith is registered in Ballet I." in text and "Order #" not in text and "registered with no order" in text
    assert Enrollment.get((Enrollment.student == ben) & (Enrollment.course == ballet)).status == Enrollment.REGISTERED
    assert (Order.select().count(), LedgerEntry.select().count()) == (orders, entries)
