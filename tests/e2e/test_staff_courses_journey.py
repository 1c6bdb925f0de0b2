"""The office on a phone: Sam cancels the Pottery class Ben was reported away from, moves a Ballet class, offers a
freed Jazz II seat to Ben and turns a reminder off; Dana sees the cancelled and moved classes and the held seat."""
import datetime
import re

from playwright.sync_api import expect

from webapp.models import Attendance, Course, Enrollment, Meeting, Student, WaitlistOffer

from .conftest import check, sign_in
from .test_htmx_csp import Watched


def test_sam_cancels_and_moves_classes_offers_a_seat_and_dana_sees_each(new_context):
    ben = Student.get(Student.first_name == "Ben")
    pottery = Attendance.get((Attendance.student == ben) & (Attendance.set_by_role == Attendance.BY_PATRON)).meeting
    watched = Watched(new_context())
    sam = watched.page
    sign_in(sam, "staff@example.com")
    sam.get_by_role("link", name="Courses and their classes").tap()
    expect(sam.get_by_role("heading", name="Courses", level=1)).to_be_visible()
    check(sam)

    sam.get_by_role("link", name="Pottery for Kids").tap()
    expect(sam.get_by_role("heading", name="Pottery for Kids", level=1)).to_be_visible()
    check(sam)
    sam.locator(f"#meeting-{pottery.id}").get_by_role("button", name=re.compile("^Cancel")).tap()
    expect(sam.get_by_role("heading", name=re.compile("^Cancel Pottery for Kids on"))).to_be_focused()
    check(sam)
    sam.get_by_role("button", name="Cancel this class").tap()
    expect(sam.locator(f"#meeting-{pottery.id}")).to_contain_text("Cancelled")
    expect(sam.locator("#flash")).to_contain_text("is cancelled. Its families are told by email.")
    assert Meeting.get_by_id(pottery.id).cancelled_at is not None

    ballet = (Meeting.select().join(Course).where((Course.name == "Ballet I") & (Meeting.starts_at > datetime.datetime.now()))
              .order_by(Meeting.starts_at).first())
    sam.goto(f"/staff/courses/{ballet.course_id}")
    sam.locator(f"#meeting-{ballet.id}").get_by_role("link", name=re.compile("^Move")).tap()
    expect(sam.get_by_role("heading", name="Move Ballet I", level=1)).to_be_visible()
    check(sam)
    sam.get_by_label("Starts").fill("17:30")
    sam.get_by_label("Ends").fill("17:00")
    sam.get_by_role("button", name="Move the class").tap()
    expect(sam.get_by_text("The class must end after it starts.")).to_be_visible()
    check(sam)
    sam.get_by_label("Ends").fill("18:30")
    sam.get_by_role("button", name="Move the class").tap()
    expect(sam.locator("#flash")).to_contain_text("Ballet I moved to")

    mai = Enrollment.get(student=Student.get(Student.first_name == "Mai"))
    Enrollment.update(status=Enrollment.DROPPED).where(Enrollment.id == mai.id).execute()
    sam.goto(f"/staff/courses/{mai.course_id}")
    sam.get_by_role("button", name="Offer the free seat to the next student waiting").tap()
    expect(sam.locator("#waitlist")).to_contain_text("Ben Smith · seat held until")
    assert WaitlistOffer.select().count() == 1

    sam.goto("/staff/emails")
    check(sam)
    switch = sam.get_by_label("Send “A future absence confirmed”")
    switch.uncheck()
    sam.locator("#email-absence_confirmed").get_by_role("button", name=re.compile("^Save")).tap()
    expect(sam.locator("#flash")).to_contain_text("“A future absence confirmed” is off.")
    expect(sam.get_by_label("Send “A future absence confirmed”")).not_to_be_checked()
    watched.assert_clean()

    dana = new_context().new_page()
    sign_in(dana, "parent@example.com")
    dana.goto("/schedule/?weeks=12")
    expect(dana.get_by_text("Cancelled by the school")).to_have_count(1)
    expect(dana.get_by_text(re.compile("^Moved from"))).to_have_count(1)
    check(dana)
    dana.goto("/register/mine")
    expect(dana.get_by_text(re.compile("Waitlisted: a seat is held until"))).to_be_visible()
    dana.get_by_role("button", name="Register Ben in Jazz II").tap()
    expect(dana).to_have_url(re.compile(r"/billing/cart$"))
    expect(dana.get_by_text("Jazz II").first).to_be_visible()
    check(dana)
