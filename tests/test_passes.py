"""Punch passes: the student's Passes section, who may see the money, redeeming once, expiry and the last punch."""
import datetime
from zoneinfo import ZoneInfo

import pytest

from conftest import page_text, school_today
from webapp.models import Company, Course, LedgerEntry, Meeting, Punch, PunchPass, Student, User
from webapp.packages.passes import redeem_punch, sell_pass
from webapp.packages.services import PackageRefused

HX = {"HX-Request": "true"}


def local_today():
    """Today where the company is (the pages judge expiry by it)."""
    return datetime.datetime.now(ZoneInfo(Company.current().timezone)).date()


def amy():
    return Student.get(Student.first_name == "Amy")


def amys_pass():
    return PunchPass.get(PunchPass.name == "Open Studio 10-punch")


def next_studio(nth=1):
    """The nth Open Studio meeting from tomorrow on."""
    tomorrow = datetime.datetime.now() + datetime.timedelta(days=1)
    return (Meeting.select().join(Course).where((Course.name == "Open Studio") & (Meeting.starts_at > tomorrow))
            .order_by(Meeting.starts_at).offset(nth - 1).first())


def redeem_url(punch_pass=None):
    return f"/packages/passes/{(punch_pass or amys_pass()).id}/redeem"


def field(punch_pass=None):
    return f"pass-{(punch_pass or amys_pass()).id}-meeting"


@pytest.fixture
def online_redeem(app):
    Company.update(guardian_punch_redeem=True).execute()


def test_amys_passes_section_shows_the_demo_pass(signed_in):
    text = page_text(signed_in("parent@example.com").get(f"/packages/students/{amy().id}"))
    today = school_today()
    assert "Passes" in text and "Open Studio 10-punch" in text and "3 used, 7 of 10 left" in text
    assert "Amount paid $150.00" not in text and "$150.00" in text  # the amount sits in its own column
    expires = amys_pass().expires_on
    assert abs((expires - today).days - 60) <= 1 and "Yes" in text
    assert "Redeem a punch" not in text  # the company has not turned online redeeming on


def test_my_account_links_each_student_to_their_passes(signed_in):
    html = signed_in("parent@example.com").get("/account/").get_data(as_text=True)
    assert f'href="/packages/students/{amy().id}#passes"' in html


def test_money_on_passes_only_with_the_balance_grant(signed_in):
    for email in ("nanny@example.com", "grandparents@example.com"):
        response = signed_in(email).get(f"/packages/students/{amy().id}")
        assert response.status_code == 200 and "3 used, 7 of 10 left" in page_text(response)
        assert "$" not in page_text(response) and "Amount paid" not in page_text(response), email


def test_another_households_student_is_404(signed_in):
    ben = Student.get(Student.first_name == "Ben")
    assert signed_in("grandparents@example.com").get(f"/packages/students/{ben.id}").status_code == 404


def test_guardians_may_not_redeem_unless_the_company_allows_it(signed_in):
    dana = signed_in("parent@example.com")
    assert dana.post(redeem_url(), data={field(): next_studio().id}).status_code == 403
    assert Punch.select().count() == 3


def test_a_guardian_redeems_a_punch_in_place_and_only_once(signed_in, online_redeem):
    dana, meeting = signed_in("parent@example.com"), next_studio()
    page = page_text(dana.get(f"/packages/students/{amy().id}"))
    assert "Redeem a punch of Open Studio 10-punch" in page
    response = dana.post(redeem_url(), data={field(): meeting.id}, headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and html.lstrip().startswith('<section class="card" id="passes"')
    assert "4 used, 6 of 10 left" in html and "Punch redeemed for Open Studio 10-punch" in html
    again = dana.post(redeem_url(), data={field(): meeting.id})
    assert again.status_code == 422  # the meeting is no longer offered
    assert Punch.select().where(Punch.meeting == meeting).count() == 1
    assert Punch.get(Punch.meeting == meeting).redeemed_by.email == "parent@example.com"


def test_redeeming_the_same_meeting_twice_records_it_once(app):
    sam, punch_pass, meeting = User.get(User.email == "staff@example.com"), amys_pass(), next_studio()
    first, made = redeem_punch(sam, punch_pass, meeting, school_today())
    second, again = redeem_punch(sam, punch_pass, meeting, school_today())
    assert made and not again and first.id == second.id and Punch.select().count() == 4


def test_an_expired_pass_cannot_be_redeemed(signed_in, online_redeem):
    PunchPass.update(expires_on=local_today() - datetime.timedelta(days=1)).execute()
    sam = User.get(User.email == "staff@example.com")
    with pytest.raises(PackageRefused, match="This pass expired on"):
        redeem_punch(sam, amys_pass(), next_studio(), local_today())
    dana = signed_in("parent@example.com")
    text = page_text(dana.get(f"/packages/students/{amy().id}"))
    assert "(expired)" in text and "Redeem a punch" not in text
    response = dana.post(redeem_url(), data={field(): next_studio().id}, headers=HX)
    assert response.status_code == 409 and "used up, expired or not active" in response.get_data(as_text=True)
    assert Punch.select().count() == 3


def test_a_used_up_pass_cannot_be_redeemed(app):
    sam, punch_pass = User.get(User.email == "staff@example.com"), amys_pass()
    for n in range(1, 8):
        redeem_punch(sam, punch_pass, next_studio(n), school_today())
    with pytest.raises(PackageRefused, match="Every punch of this pass is used."):
        redeem_punch(sam, punch_pass, next_studio(8), school_today())
    assert Punch.select().where(Punch.punch_pass == punch_pass).count() == 10


def test_a_meeting_of_another_course_is_refused(app):
    ballet = Meeting.select().join(Course).where(Course.name == "Ballet I").first()
    with pytest.raises(PackageRefused, match="not a meeting of Open Studio"):
        redeem_punch(User.get(User.email == "staff@example.com"), amys_pass(), ballet, school_today())


def test_bad_meeting_input_is_a_422_next_to_the_field(signed_in, online_redeem):
    dana = signed_in("parent@example.com")
    ballet = Meeting.select().join(Course).where(Course.name == "Ballet I").first()
    for value in ("", "abc", str(ballet.id)):
        response = dana.post(redeem_url(), data={field(): value}, headers=HX)
        assert response.status_code == 422 and f'id="{field()}-error"' in response.get_data(as_text=True)
    assert Punch.select().count() == 3


def test_staff_redeem_and_instructors_may_not(signed_in):
    sam = signed_in("staff@example.com")
    assert "Redeem a punch" in page_text(sam.get(f"/packages/students/{amy().id}"))
    response = sam.post(redeem_url(), data={field(): next_studio().id})
    assert response.status_code == 303 and response.headers["Location"] == f"/packages/students/{amy().id}#passes"
    assert Punch.select().count() == 4
    pat = signed_in("instructor@example.com")  # Pat teaches Amy, so sees the page, but redeeming is not theirs
    assert pat.get(f"/packages/students/{amy().id}").status_code == 200
    assert pat.post(redeem_url(), data={field(): next_studio(2).id}).status_code == 403


def test_staff_sell_a_pass_through_the_ledger(signed_in):
    sam, studio = signed_in("staff@example.com"), Course.get(Course.name == "Open Studio")
    url = f"/staff/packages/students/{amy().id}/passes/new"
    data = {"name": "Open Studio 5-punch", "course": studio.id, "punches": "5", "price": "80", "paid_now": "80",
            "method": "cash", "expires_on": local_today().isoformat()}
    bad = sam.post(url, data=data)
    assert bad.status_code == 422 and "Pick an expiry date after today." in page_text(bad)
    assert not PunchPass.select().where(PunchPass.name == "Open Studio 5-punch").exists()
    data["expires_on"] = ""
    assert sam.post(url, data=data).status_code == 303
    sold = PunchPass.get(PunchPass.name == "Open Studio 5-punch")
    assert sold.expires_on is None and sold.order.account.name == "Smith household"
    assert sum(e.amount_cents for e in LedgerEntry.select().where(LedgerEntry.order == sold.order)) == 0
    text = page_text(signed_in("parent@example.com").get(f"/packages/students/{amy().id}"))
    assert "Open Studio 5-punch" in text and "0 used, 5 of 5 left" in text and "Never" in text and "$80.00" in text


def test_selling_a_pass_refuses_paying_more_than_the_price(app):
    sam, studio = User.get(User.email == "staff@example.com"), Course.get(Course.name == "Open Studio")
    with pytest.raises(PackageRefused, match="cannot be more than the price"):
        sell_pass(Company.current(), sam, amy(), studio, "Pass", 5, 5000, None, school_today(), paid_cents=6000)


def test_the_passes_section_keeps_its_query_count_as_passes_grow(app, signed_in, query_count):
    dana, sam = signed_in("parent@example.com"), User.get(User.email == "staff@example.com")
    _, small = query_count(dana.get, f"/packages/students/{amy().id}")
    studio = Course.get(Course.name == "Open Studio")
    with app.app_context():  # the receipts are mailed
        for n in range(5):
            sell_pass(Company.current(), sam, amy(), studio, f"Pass {n}", 5, 5000, None, school_today(), 5000)
    response, large = query_count(dana.get, f"/packages/students/{amy().id}")
    assert large == small and page_text(response).count("0 used, 5 of 5 left") == 5
