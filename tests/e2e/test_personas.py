"""Each demo persona signs in on a phone, sees its own home, and signs out."""
import re
from dataclasses import dataclass, field

import pytest
from playwright.sync_api import expect

from .conftest import assert_fits_phone, assert_no_axe_violations, sign_in, sign_out


@dataclass
class Persona:
    email: str
    path: str  # where signing in lands
    heading: str  # the page's main heading
    buttons: list = field(default_factory=list)  # the big buttons of the family home
    texts: list = field(default_factory=list)  # other things the person sees
    absent: list = field(default_factory=list)  # links this person must not be offered


FAMILY = ["Upcoming Courses", "Pay an Order Balance", "My Account"]
PERSONAS = [
    Persona("parent@example.com", "/home", "Hello, Dana", FAMILY, ["Smith household", "Order #1001"]),
    Persona("partner@example.com", "/home", "Hello, Chris", FAMILY, ["Smith household", "Order #1001"]),
    Persona("nanny@example.com", "/home", "Hello, Jo", ["Upcoming Courses", "My Account"], ["Next up"],
            absent=["Pay an Order Balance"]),
    Persona("grandparents@example.com", "/home", "Hello, Karie", FAMILY, ["Forest household"]),
    Persona("trainee@example.com", "/home", "Hello, Lee", FAMILY, ["Acme Corp Training"]),
    Persona("instructor@example.com", "/classes/", "My classes", absent=["Upcoming Courses", "Pay an Order Balance"]),
    Persona("staff@example.com", "/staff/", "Staff home", texts=["Orders with a balance", "#1001"],
            absent=["Upcoming Courses", "Pay an Order Balance"]),
]


@pytest.mark.parametrize("persona", PERSONAS, ids=lambda p: p.email.split("@")[0])
def test_persona_signs_in_sees_own_home_and_signs_out(page, persona):
    """Sign in through the form, see this persona's own home, sign out, and stay out."""
    page.goto("/sign-in")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert_no_axe_violations(page)

    sign_in(page, persona.email)
    expect(page).to_have_url(re.compile(re.escape(persona.path) + "$"))
    expect(page.get_by_role("heading", name=persona.heading, level=1)).to_be_visible()
    family_buttons = page.get_by_role("navigation", name="Family").get_by_role("link")
    if persona.buttons:
        expect(family_buttons).to_have_text(persona.buttons)
    else:
        expect(family_buttons).to_have_count(0)
    for text in persona.texts:
        expect(page.get_by_text(text).first).to_be_visible()
    for name in persona.absent:
        expect(page.get_by_role("link", name=name)).to_have_count(0)
    assert_fits_phone(page)
    assert_no_axe_violations(page)

    sign_out(page)
    expect(page.get_by_text("You are signed out.")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    assert_no_axe_violations(page)

    page.goto(persona.path)
    expect(page).to_have_url(re.compile(r"/sign-in\?next="))
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.get_by_text("Please sign in to see that page.")).to_be_visible()
    assert_no_axe_violations(page)
