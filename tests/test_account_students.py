"""Your Student(s): Add Student and Edit Student by the billing household only; linked households read-only."""
import datetime
import re

import pytest

from conftest import page_text
from webapp.models import Account, Student, User

HX = {"HX-Request": "true"}


def amy():
    return Student.get(Student.first_name == "Amy")


def ben():
    return Student.get(Student.first_name == "Ben")


def smith():
    return Account.get(Account.name == "Smith household")


def form(**changes):
    values = {"first_name": "Amy", "last_name": "Smith", "preferred_name": "", "birth_date": "2017-03-14",
              "allergies": "", "medical_notes": "", "emergency_contact_name": "", "emergency_contact_phone": ""}
    return {**values, **changes}


@pytest.mark.parametrize("headers", [{}, HX])
def test_dana_edits_amys_allergies(signed_in, headers):
    dana = signed_in("parent@example.com")
    response = dana.post(f"/account/students/{amy().id}/edit",
                         data=form(allergies="Peanuts", emergency_contact_name="Karie Forest",
                                   emergency_contact_phone="212 555 0111", photo_consent="y"), headers=headers)
    saved = amy()
    assert saved.allergies == "Peanuts" and saved.emergency_contact_phone == "(212) 555-0111" and saved.photo_consent
    if headers:
        assert response.status_code == 200 and "<html" not in response.get_data(as_text=True)
        assert response.headers["HX-Push-Url"] == f"/account/students/{saved.id}"
    else:
        assert response.status_code == 303 and response.headers["Location"] == f"/account/students/{saved.id}"
    assert "Peanuts" in page_text(dana.get(f"/account/students/{saved.id}"))


def test_the_billing_household_is_not_the_familys_to_change(signed_in):
    forest = Account.get(Account.name == "Forest household")
    signed_in("parent@example.com").post(f"/account/students/{amy().id}/edit",
                                         data=form(billing_account=str(forest.id), billing_account_id=str(forest.id)))
    assert amy().billing_account_id == smith().id


def test_a_linked_household_sees_the_student_read_only(signed_in):
    karie = signed_in("grandparents@example.com")
    page = page_text(karie.get(f"/account/students/{amy().id}"))
    assert "Billing household Smith household" in page and "Linked households Forest household" in page
    assert "Edit Student" not in page
    assert karie.get(f"/account/students/{amy().id}/edit").status_code == 403
    assert karie.post(f"/account/students/{amy().id}/edit", data=form(allergies="Shellfish")).status_code == 403
    assert amy().allergies == ""
    listing = karie.get("/account/students").get_data(as_text=True)
    assert "Linked to your account: read-only" in listing and f"/account/students/{amy().id}/edit" not in listing


def test_another_households_student_is_404(signed_in):
    karie = signed_in("grandparents@example.com")
    for url in (f"/account/students/{ben().id}", f"/account/students/{ben().id}/edit",
                f"/account/households/{smith().id}/students/new"):
        assert karie.get(url).status_code == 404, url
    assert karie.post(f"/account/students/{ben().id}/edit", data=form(first_name="Benny")).status_code == 404
    assert karie.post(f"/account/households/{smith().id}/students/new", data=form(first_name="Zed")).status_code == 404
    assert ben().first_name == "Ben" and not Student.select().where(Student.first_name == "Zed").exists()


def test_staff_get_403(signed_in):
    staff = signed_in("staff@example.com")
    assert staff.get("/account/students").status_code == 403
    assert staff.post(f"/account/students/{amy().id}/edit", data=form(allergies="x")).status_code == 403


@pytest.mark.parametrize("headers", [{}, HX])
def test_dana_adds_a_student_billed_to_her_household(signed_in, headers):
    dana = signed_in("parent@example.com")
    response = dana.post(f"/account/households/{smith().id}/students/new",
                         data=form(first_name="Cleo", preferred_name="Cee", birth_date="2020-05-01"), headers=headers)
    assert response.status_code == (200 if headers else 303)
    cleo = Student.get(Student.first_name == "Cleo")
    assert cleo.billing_account_id == smith().id and cleo.preferred_name == "Cee"
    assert cleo.birth_date == datetime.date(2020, 5, 1)
    assert "Cleo Smith" in page_text(dana.get("/account/students"))


@pytest.mark.parametrize("headers", [{}, HX])
@pytest.mark.parametrize("changes, message", [
    ({"first_name": "x" * 10_000}, "Use at most 60 characters."),
    ({"first_name": ""}, "Enter the first name."),
    ({"birth_date": "9999-12-31"}, "Enter a date of birth in the past"),
    ({"birth_date": "yesterday"}, "Not a valid date value."),
    ({"emergency_contact_phone": "call me"}, "Enter a phone number with digits only"),
    ({"allergies": "a" * 10_000}, "Use at most 2000 characters."),
])
def test_bad_student_input_gets_a_message_and_stores_nothing(signed_in, headers, changes, message):
    before = Student.select().count()
    dana = signed_in("parent@example.com")
    for url in (f"/account/students/{amy().id}/edit", f"/account/households/{smith().id}/students/new"):
        response = dana.post(url, data=form(**changes), headers=headers)
        html = response.get_data(as_text=True)
        assert response.status_code == 422
        assert re.search(r'<p class="error" id="[a-z_]+-error">' + re.escape(message), html), html[-2000:]
        assert ("<html" in html) is not bool(headers)
    assert Student.select().count() == before and amy().first_name == "Amy" and amy().allergies == ""


def test_your_students_query_count_does_not_grow_with_the_family(signed_in, query_count):
    dana = signed_in("parent@example.com")
    _, small = query_count(dana.get, "/account/students")
    for n in range(20):
        Student.create(first_name=f"Kid{n}", last_name="Smith", billing_account=smith())
    response, large = query_count(dana.get, "/account/students")
    assert response.status_code == 200 and "Kid19 Smith" in page_text(response)
    assert large == small


def test_my_account_follows_the_seeds_order_and_links_each_section(signed_in):
    html = signed_in("parent@example.com").get("/account/").get_data(as_text=True)
    order = [html.index(h) for h in ('id="students-title"', 'id="payments-title"', 'id="history-title"',
                                     'id="information-title"', 'id="security-title"')]
    assert order == sorted(order)
    assert 'href="/account/students"' in html and f'href="/account/households/{smith().id}/information"' in html
    assert "not in the portal yet" not in html


def test_the_family_portal_has_one_bottom_navigation_and_staff_keep_theirs(signed_in):
    html = signed_in("parent@example.com").get("/home").get_data(as_text=True)
    nav = re.search(r'<nav aria-label="Main" class="tabbar">(.*?)</nav>', html, re.S).group(1)
    assert re.findall(r">([^<>]+)</a>", nav) == ["Home", "Upcoming Courses", "Cart (0)", "My Account"]
    assert 'href="/home" aria-current="page"' in nav and html.count('aria-label="Main"') == 1
    staff = signed_in("staff@example.com").get("/staff/").get_data(as_text=True)
    assert "tabbar" not in staff and 'aria-label="Main"' in staff and "Absence reasons" in staff
    instructor = signed_in("instructor@example.com").get("/classes/").get_data(as_text=True)
    assert "tabbar" not in instructor and "My classes" in instructor


def test_student_pages_are_fragments_for_htmx_and_pages_otherwise(signed_in):
    dana = signed_in("parent@example.com")
    for url in ("/account/students", f"/account/students/{amy().id}", f"/account/students/{amy().id}/edit",
                f"/account/households/{smith().id}/students/new"):
        page, fragment = dana.get(url), dana.get(url, headers=HX)
        assert page.status_code == fragment.status_code == 200
        assert "<html" in page.get_data(as_text=True) and "<html" not in fragment.get_data(as_text=True)
        assert "Your Student(s)" in fragment.get_data(as_text=True)
