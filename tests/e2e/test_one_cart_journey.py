"""Issue 16.3 at phone size: Dana registers Ben for a course and pays it together with an order balance in one
checkout, from the one cart."""
import re

from playwright.sync_api import expect

from .conftest import check, sign_in
from .test_checkout_journey import Watched, add_1001_from_upcoming_courses, order_card, pay_on_the_sandbox_page


def registration_in_the_one_cart(page, course, student, price):
    """After Add to cart: the one cart, at its own address, says so and lists the registration at its price."""
    expect(page).to_have_url(re.compile(r"/billing/cart$"))
    expect(page.get_by_role("heading", name="Your cart", level=1)).to_be_visible()
    expect(page.locator("#flash")).to_contain_text(f"{course} for {student.split()[0]} is in your cart.")
    line = page.locator("main li.card").filter(has=page.get_by_role("heading", name=course, exact=True))
    expect(line).to_contain_text(f"Registration for {student}")
    expect(line).to_contain_text(price)


def test_dana_registers_and_pays_the_course_with_an_order_balance_in_one_checkout(new_context):
    watched = Watched(new_context())
    page = watched.page
    sign_in(page, "parent@example.com")
    add_1001_from_upcoming_courses(page)

    page.goto("/register/")
    ballet = page.locator("main li.card").filter(has=page.get_by_role("heading", name="Ballet I", exact=True))
    ballet.get_by_label("Student").select_option(label="Ben Smith")
    check(page)
    ballet.get_by_role("button", name=re.compile(r"^Add to cart\s*: Ballet I$")).tap()

    registration_in_the_one_cart(page, "Ballet I", "Ben Smith", "$240.00")
    expect(order_card(page, 1001)).to_contain_text("$140.00")
    expect(page.get_by_text("Total $380.00")).to_be_visible()
    expect(page.locator("#cart-link")).to_have_text("Cart (2)")
    expect(page.get_by_role("button", name="Send Bill (Purchase Order)", exact=True)).to_be_visible()
    check(page)
    page.goto("/register/cart")  # the old address of the registrations' cart
    expect(page).to_have_url(re.compile(r"/billing/cart$"))

    pay_on_the_sandbox_page(page, "$380.00", "4242 4242 4242 4242")

    expect(page.get_by_role("heading", name="Receipt", level=1)).to_be_visible()
    receipt = page.get_by_role("region", name="Receipt")
    expect(receipt.get_by_role("row", name=re.compile(r"^#1001 "))).to_have_text(re.compile(r"#1001\s*\$140\.00\s*\$0\.00"))
    expect(receipt.get_by_role("row", name=re.compile(r"^#1008 "))).to_have_text(re.compile(r"#1008\s*\$240\.00\s*\$0\.00"))
    expect(receipt.get_by_role("row", name=re.compile(r"^Total paid"))).to_contain_text("$380.00")
    expect(page.locator("#cart-link")).to_have_text("Cart (0)")
    check(page)

    page.goto("/register/mine")
    row = page.get_by_role("row").filter(has_text="Ballet I").filter(has_text="Ben")
    expect(row).to_contain_text("Registered")
    check(page)
    watched.assert_clean()
