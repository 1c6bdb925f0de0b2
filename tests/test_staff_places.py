"""Staff keep the school's locations and divisions: paged lists, an add form, an edit page; names are unique
whatever their case; a division's "subject to Pending Payment" switch decides Send Bill for its households."""
import pytest

from conftest import page_text
from webapp.models import Account, Division, Location
from webapp.pending.services import subject_to_pending_payment

HX = {"HX-Request": "true"}


def test_staff_add_a_location_and_see_it_listed(signed_in):
    sam = signed_in("staff@example.com")
    response = sam.post("/staff/locations", data={"name": "  Eastside ", "address": "3 Mill Road"})
    assert response.status_code == 303
    location = Location.get(Location.name == "Eastside")
    assert location.address == "3 Mill Road"
    text = page_text(sam.get("/staff/locations"))
    assert "Eastside" in text and "3 Mill Road" in text and "Added “Eastside”." in text


def test_a_name_taken_in_another_case_is_refused_next_to_the_field_and_nothing_is_stored(signed_in):
    sam = signed_in("staff@example.com")
    before = Location.select().count()
    response = sam.post("/staff/locations", data={"name": "downtown", "address": ""})
    assert response.status_code == 422
    assert "There is already one called “downtown”." in page_text(response)
    assert Location.select().count() == before
    empty = sam.post("/staff/divisions", data={"name": " "})
    assert empty.status_code == 422 and "Enter a name." in page_text(empty)


def test_editing_a_location_keeps_its_own_name_and_refuses_another_ones(signed_in):
    sam = signed_in("staff@example.com")
    northside = Location.get(Location.name == "Northside")
    kept = sam.post(f"/staff/locations/{northside.id}", data={"name": "Northside", "address": "9 North Street"})
    assert kept.status_code == 303
    assert Location.get_by_id(northside.id).address == "9 North Street"
    clash = sam.post(f"/staff/locations/{northside.id}", data={"name": "DOWNTOWN", "address": ""})
    assert clash.status_code == 422 and "There is already one called" in page_text(clash)
    assert Location.get_by_id(northside.id).name == "Northside"


def test_the_division_switch_decides_pending_payment_for_its_households(signed_in):
    sam = signed_in("staff@example.com")
    assert sam.post("/staff/divisions", data={"name": "Beta Corp", "subject_to_pending_payment": "y"}).status_code == 303
    beta = Division.get(Division.name == "Beta Corp")
    household = Account.create(name="Beta Corp Training", division=beta)
    assert subject_to_pending_payment(Account.get_by_id(household.id))
    # Unticked, as a browser sends it: the box is left out.
    assert sam.post(f"/staff/divisions/{beta.id}", data={"name": "Beta Corp"}).status_code == 303
    assert not Division.get_by_id(beta.id).subject_to_pending_payment
    assert not subject_to_pending_payment(Account.get_by_id(household.id))
    assert "Not subject" in page_text(sam.get("/staff/divisions"))


def test_a_get_changes_nothing_and_a_post_without_the_csrf_token_is_refused(signed_in):
    sam = signed_in("staff@example.com")
    acme = Division.get(Division.name == "Acme Corp")
    sam.get(f"/staff/divisions/{acme.id}?name=Taken&subject_to_pending_payment=")
    assert Division.get_by_id(acme.id).name == "Acme Corp"
    sam.post(f"/staff/divisions/{acme.id}", data={"name": "Taken"}, csrf=False)
    acme = Division.get_by_id(acme.id)
    assert acme.name == "Acme Corp" and acme.subject_to_pending_payment


@pytest.mark.parametrize("email", ["parent@example.com", "instructor@example.com"])
@pytest.mark.parametrize("path", ["/staff/locations", "/staff/divisions", "/staff/locations/1", "/staff/divisions/1"])
def test_only_staff_see_or_change_locations_and_divisions(signed_in, email, path):
    client = signed_in(email)
    assert client.get(path).status_code == 403
    assert client.post(path, data={"name": "Taken over"}).status_code == 403
    assert not Location.select().where(Location.name == "Taken over").exists()
    assert not Division.select().where(Division.name == "Taken over").exists()


@pytest.mark.parametrize("path", ["/staff/locations/999999", "/staff/divisions/999999", "/staff/places/1"])
def test_an_unknown_location_or_division_is_404(signed_in, path):
    sam = signed_in("staff@example.com")
    assert sam.get(path).status_code == 404
    assert sam.post(path, data={"name": "Nowhere"}).status_code == 404


def test_htmx_gets_the_list_alone_and_a_direct_visit_the_whole_page(signed_in):
    sam = signed_in("staff@example.com")
    page = sam.get("/staff/locations")
    fragment = sam.get("/staff/locations", headers=HX)
    assert "<html" in page.get_data(as_text=True) and "HX-Request" in page.headers["Vary"]
    body = fragment.get_data(as_text=True)
    assert "<html" not in body and 'id="listing"' in body and "Downtown" in body
    added = sam.post("/staff/locations", data={"name": "Westside"}, headers=HX)
    assert added.status_code == 200 and "Westside" in added.get_data(as_text=True)
    assert "<html" not in added.get_data(as_text=True)


def test_the_lists_are_paged_and_read_the_same_number_of_queries_with_more_rows(signed_in, query_count):
    sam = signed_in("staff@example.com")
    _, before = query_count(sam.get, "/staff/locations")
    Location.insert_many([{"name": f"Room {n:03d}"} for n in range(60)]).execute()
    response, after = query_count(sam.get, "/staff/locations")
    assert after == before
    text = page_text(response)
    assert "Page 1 of 3 (62 locations)" in text and "Room 050" not in text
    last = page_text(sam.get("/staff/locations?page=3"))
    assert "Room 059" in last and "Downtown" not in last
    assert "Page 3 of 3" in page_text(sam.get("/staff/locations?page=99"))
