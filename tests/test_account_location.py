"""The currently selected Location at the top of My Account: remembered per user, refused when it is no location."""
import pytest

from conftest import page_text
from webapp.models import ChosenLocation, Location, User

HX = {"HX-Request": "true"}


@pytest.mark.parametrize("headers", [{}, HX])
def test_dana_chooses_northside_and_it_is_remembered(signed_in, headers):
    dana, northside = signed_in("parent@example.com"), Location.get(name="Northside")
    page = page_text(dana.get("/account/"))
    assert "Currently selected Location" in page and "Downtown" in page
    response = dana.post("/account/location", data={"location": str(northside.id)}, headers=headers)
    assert response.status_code == (200 if headers else 303)
    if headers:
        assert "<html" not in response.get_data(as_text=True) and "Location saved." in page_text(response)
    assert ChosenLocation.get(ChosenLocation.user == User.get(email="parent@example.com")).location_id == northside.id
    body = dana.get("/account/").get_data(as_text=True)
    assert f'<option selected value="{northside.id}">Northside' in body or \
        f'<option value="{northside.id}" selected>Northside' in body
    # Per user: Chris still sees the first location.
    chris = signed_in("partner@example.com").get("/account/").get_data(as_text=True)
    assert f'<option selected value="{northside.id}">' not in chris


@pytest.mark.parametrize("value", ["", "abc", "99999", "-1"])
def test_no_such_location_is_refused_next_to_the_field(signed_in, value):
    response = signed_in("parent@example.com").post("/account/location", data={"location": value}, headers=HX)
    assert response.status_code == 422 and 'id="location-error"' in response.get_data(as_text=True)
    assert not ChosenLocation.select().exists()


def test_staff_get_403_and_no_csrf_stores_nothing(signed_in):
    northside = Location.get(name="Northside")
    assert signed_in("staff@example.com").post("/account/location", data={"location": northside.id}).status_code == 403
    signed_in("parent@example.com").post("/account/location", data={"location": northside.id}, csrf=False)
    assert not ChosenLocation.select().exists()
