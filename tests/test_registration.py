"""Registration: open classes and sessions, registrations in the cart, Send Bill, the waitlist and capacity."""
import datetime
import threading

from conftest import page_text
from registration_helpers import course, register, student
from webapp.billing.send_bill import SendBillRefused, send_bill
from webapp.extensions import db
from webapp.access import family
from webapp.models import (
    Company, Course, Enrollment, LedgerEntry, Location, Meeting, Order, OutboxMessage, PurchaseOrder, RegistrationItem,
    User,
)
from webapp.registration.services import open_courses




def test_a_trainee_sees_the_session_with_price_dates_location_and_seats_left(signed_in):
    text = page_text(signed_in("trainee@example.com").get("/register/"))
    assert "Safety Workshop" in text and "$400.00" in text and "Downtown" in text and "11 seats left" in text


def test_a_guardian_sees_the_open_classes_but_not_another_divisions_session(signed_in):
    text = page_text(signed_in("parent@example.com").get("/register/"))
    assert "Ballet I" in text and "Pottery for Kids" in text and "Safety Workshop" not in text
    assert "Jazz II" in text and "Full" in text and "Join waitlist" in text


def test_the_page_and_its_htmx_fragment_come_from_one_template(signed_in):
    client = signed_in("trainee@example.com")
    full, fragment = client.get("/register/"), client.get("/register/", headers={"HX-Request": "true"})
    assert "<html" in full.get_data(as_text=True) and "<html" not in fragment.get_data(as_text=True)
    assert "Safety Workshop" in fragment.get_data(as_text=True) and "HX-Request" in fragment.headers["Vary"]


def test_a_registration_goes_in_the_cart_and_send_bill_places_the_order(signed_in):
    client = signed_in("parent@example.com")
    assert register(client, "Ballet I", "Ben").status_code == 303
    assert "Ballet I" in page_text(client.get("/billing/cart"))
    response = client.post("/register/send-bill", data={"po_number": "PO-42"})
    assert response.status_code == 303
    order = Order.select().order_by(Order.number.desc()).get()
    assert order.state == Order.ON_ACCOUNT and order.on_account  # the Smiths are not subject to Pending Payment
    assert PurchaseOrder.get(PurchaseOrder.order == order).number == "PO-42"
    assert Enrollment.get(student=student("Ben"), course=course("Ballet I")).status == Enrollment.REGISTERED
    assert [e.amount_cents for e in LedgerEntry.select().where(LedgerEntry.order == order)] == [24000]
    assert not RegistrationItem.select().exists()
    assert not OutboxMessage.select().where(OutboxMessage.subject.contains("Pending Payment Notification")).exists()


def test_another_households_student_is_refused_next_to_the_field_and_nothing_is_stored(signed_in):
    client = signed_in("parent@example.com")
    response = register(client, "Ballet I", "Lee")
    assert response.status_code == 422 and "Not a valid choice" in page_text(response)
    assert not RegistrationItem.select().exists()


def test_a_course_of_another_division_is_404(signed_in):
    assert register(signed_in("parent@example.com"), "Safety Workshop", "Amy").status_code == 404


def test_an_instructor_may_not_register(signed_in):
    assert signed_in("instructor@example.com").get("/register/").status_code == 403


def test_a_student_already_registered_is_refused(signed_in):
    response = register(signed_in("parent@example.com"), "Ballet I", "Amy")
    assert response.status_code == 422 and "Amy is already Registered in Ballet I" in page_text(response)


def test_a_full_class_offers_its_waitlist_instead(signed_in):
    client = signed_in("parent@example.com")
    response = register(client, "Jazz II", "Amy")
    assert response.status_code == 422 and "Jazz II is full; you can join its waitlist instead." in page_text(response)
    assert client.post(f"/register/courses/{course('Jazz II').id}/waitlist",
                       data={"student": student("Amy").id}).status_code == 303
    assert Enrollment.get(student=student("Amy"), course=course("Jazz II")).status == Enrollment.WAITLISTED
    assert "Waitlisted" in page_text(client.get("/register/mine"))


def test_send_bill_needs_a_po_number_next_to_the_field(signed_in):
    client = signed_in("trainee@example.com")
    register(client, "Safety Workshop", "Lee")
    response = client.post("/register/send-bill", data={"po_number": ""})
    assert response.status_code == 422 and "Enter the purchase order number." in page_text(response)
    assert Order.select().count() == 7 and RegistrationItem.select().count() == 1


def test_send_bill_is_refused_when_the_business_does_not_take_purchase_orders(signed_in):
    client = signed_in("trainee@example.com")
    register(client, "Safety Workshop", "Lee")
    Company.update(send_bill=False).execute()
    response = client.post("/register/send-bill", data={"po_number": "PO-1"})
    assert response.status_code == 422 and "does not take purchase orders" in page_text(response)
    assert Order.select().count() == 7


def test_send_bill_posts_without_csrf_change_nothing(signed_in):
    client = signed_in("trainee@example.com")
    register(client, "Safety Workshop", "Lee")
    client.post("/register/send-bill", data={"po_number": "PO-1"}, csrf=False)
    assert Order.select().count() == 7 and RegistrationItem.select().count() == 1


def _clay_lab(capacity):
    clay = Course.create(name="Clay Lab", location=Location.get(Location.name == "Northside"), capacity=capacity,
                         price_cents=5000)
    starts = datetime.datetime.now() + datetime.timedelta(days=10)
    Meeting.create(course=clay, starts_at=starts, ends_at=starts + datetime.timedelta(hours=1))
    return clay


def test_concurrent_send_bill_checkouts_never_exceed_capacity(signed_in):
    _clay_lab(capacity=1)
    dana, chris = signed_in("parent@example.com"), signed_in("partner@example.com")
    assert register(dana, "Clay Lab", "Amy").status_code == 303
    assert register(chris, "Clay Lab", "Ben").status_code == 303
    company = Company.current()
    users = [User.get(User.email == e) for e in ("parent@example.com", "partner@example.com")]
    families = [family(u) for u in users]
    db.close()
    barrier, placed, refused = threading.Barrier(2), [], []

    def check_out(user, household):
        try:
            barrier.wait()
            placed.append(send_bill(company, user, household, "PO-9"))
        except SendBillRefused as error:
            refused.append(str(error))
        finally:
            db.close()

    threads = [threading.Thread(target=check_out, args=pair) for pair in zip(users, families)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert len(placed) == 1 and refused == ["Clay Lab filled up meanwhile; nothing was charged."]
    clay = course("Clay Lab")
    assert Enrollment.select().where((Enrollment.course == clay) & Enrollment.status.in_(Enrollment.ACTIVE)).count() == 1
    assert Order.select().count() == 8 and RegistrationItem.select().count() == 1  # the refused cart is kept


def test_the_course_list_runs_the_same_queries_however_many_courses(signed_in, query_count):
    client = signed_in("parent@example.com")
    client.get("/register/")
    _, before = query_count(client.get, "/register/")
    for n in range(3):
        clay = _clay_lab(capacity=5)
        Course.update(name=f"Clay Lab {n}").where(Course.id == clay.id).execute()
    response, after = query_count(client.get, "/register/")
    assert "Clay Lab 2" in page_text(response) and after == before


def test_open_courses_count_pending_payment_seats_as_taken(app):
    with app.test_request_context():
        lee = User.get(User.email == "trainee@example.com")
        workshop = next(c for c in open_courses(family(lee), datetime.datetime.now()) if c.name == "Safety Workshop")
    assert workshop.seats_left == 11  # the demo's pending PO holds one of twelve


def test_removing_a_registration_answers_the_cart_for_htmx_and_a_redirect_without(signed_in):
    client = signed_in("parent@example.com")
    register(client, "Ballet I", "Ben")
    register(client, "Pottery for Kids", "Amy")
    first, second = RegistrationItem.select().order_by(RegistrationItem.id)
    response = client.post(f"/register/cart/{first.id}/remove", headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body and "<h2>Pottery for Kids</h2>" in body
    assert "<h2>Ballet I</h2>" not in body
    response = client.post(f"/register/cart/{second.id}/remove")
    assert response.status_code == 303 and not RegistrationItem.select().exists()


def test_another_users_registration_cannot_be_removed(signed_in):
    dana = signed_in("parent@example.com")
    register(dana, "Ballet I", "Ben")
    item = RegistrationItem.get()
    signed_in("partner@example.com").post(f"/register/cart/{item.id}/remove")
    assert RegistrationItem.select().count() == 1


def test_my_registrations_run_the_same_queries_however_many(signed_in, query_count):
    client = signed_in("parent@example.com")
    client.get("/register/mine")
    _, before = query_count(client.get, "/register/mine")
    for n in range(3):
        clay = _clay_lab(capacity=5)
        Enrollment.create(student=student("Amy"), course=clay)
    response, after = query_count(client.get, "/register/mine")
    assert page_text(response).count("Clay Lab") == 6 and after == before  # name and hidden button text
