"""Getting in, in the browser at phone size: Dana invites Taylor, who accepts from the emailed link in a fresh
browser and lands on the family home; Dana sees "Can Log In", revokes, and Taylor's next request is signed out.
Jo uses Forgot password and signs in with the new one."""
import re

from playwright.sync_api import expect

from access_helpers import last_mail_to, link_in

from .conftest import check, sign_in, sign_out


def guardian_row(page, name):
    return page.locator("li.guardian").filter(has=page.get_by_text(name, exact=True))


def test_dana_invites_taylor_who_accepts_then_dana_revokes(app, new_context, outbox):
    dana = new_context().new_page()
    sign_in(dana, "parent@example.com")
    dana.goto("/account/")
    dana.get_by_role("link", name="Guardians").tap()
    expect(dana.get_by_role("heading", name="Guardians", level=1)).to_be_visible()
    check(dana)
    dana.get_by_role("link", name="Add Guardian").tap()
    dana.get_by_label("Name", exact=True).fill("Taylor Smith")
    dana.get_by_label("Email", exact=True).fill("taylor@example.com")
    dana.get_by_label("Relation").fill("Aunt")
    check(dana)
    dana.get_by_role("button", name="Add Guardian").tap()
    expect(guardian_row(dana, "Taylor Smith")).to_contain_text("Invite Sent")
    check(dana)

    path = link_in(last_mail_to(outbox, "taylor@example.com"), "/invitation/")
    taylor = new_context().new_page()  # a fresh browser: nothing of Dana's
    taylor.goto(path)
    expect(taylor.get_by_text("Dana Smith invited you to log in to Smith household", exact=False)).to_be_visible()
    check(taylor)
    expect(taylor.get_by_label("Your name")).to_have_value("Taylor Smith")
    taylor.get_by_label("New password", exact=True).fill("taylor's own long passphrase")
    taylor.get_by_label("Repeat the new password").fill("taylor's own long passphrase")
    taylor.get_by_role("button", name="Accept and sign in").tap()
    expect(taylor.get_by_role("heading", name="Hello, Taylor", level=1)).to_be_visible()
    expect(taylor).to_have_url(re.compile(r"/home$"))
    check(taylor)

    dana.reload()
    expect(guardian_row(dana, "Taylor Smith")).to_contain_text("Can Log In")
    guardian_row(dana, "Taylor Smith").get_by_role("button", name=re.compile(r"^Revoke")).tap()
    expect(guardian_row(dana, "Taylor Smith")).to_contain_text("Invite Revoked")
    check(dana)

    taylor.goto("/home")
    expect(taylor).to_have_url(re.compile(r"/sign-in"))
    expect(taylor.get_by_text("Please sign in to see that page.")).to_be_visible()


def test_jo_uses_forgot_password_and_signs_in_with_the_new_one(app, page, outbox):
    page.goto("/sign-in")
    page.get_by_role("link", name="Forgot password?").tap()
    expect(page.get_by_role("heading", name="Forgot password", level=1)).to_be_visible()
    check(page)
    page.get_by_label("Email").fill("nanny@example.com")
    page.get_by_role("button", name="Email me a link").tap()
    expect(page.get_by_text("If an account uses that address, we sent a link to it.")).to_be_visible()
    check(page)

    page.goto(link_in(last_mail_to(outbox, "nanny@example.com"), "/reset-password/"))
    expect(page.get_by_role("heading", name="Set a new password", level=1)).to_be_visible()
    check(page)
    page.get_by_label("New password", exact=True).fill("jo's brand new passphrase")
    page.get_by_label("Repeat the new password").fill("jo's brand new passphrase")
    page.get_by_role("button", name="Set password and sign in").tap()
    expect(page.get_by_role("heading", name="Hello, Jo", level=1)).to_be_visible()
    sign_out(page)
    sign_in(page, "nanny@example.com", "jo's brand new passphrase")
    expect(page.get_by_role("heading", name="Hello, Jo", level=1)).to_be_visible()


def test_login_security_lists_the_devices_and_signs_one_out(app, new_context):
    phone, laptop = new_context().new_page(), new_context(user_agent="Mozilla/5.0 (Windows NT 10.0) Chrome/120.0 Safari/537.36").new_page()
    sign_in(phone, "parent@example.com")
    sign_in(laptop, "parent@example.com")
    phone.goto("/account/security/")
    expect(phone.get_by_role("heading", name="Login/Security", level=1)).to_be_visible()
    expect(phone.get_by_text("Chrome on Windows", exact=True)).to_be_visible()
    check(phone)
    phone.get_by_role("button", name=re.compile(r"^Sign out\W+Chrome on Windows")).tap()
    expect(phone.get_by_text("That device is signed out.").first).to_be_visible()
    expect(phone.get_by_text("Chrome on Windows", exact=True)).to_have_count(0)
    laptop.goto("/home")
    expect(laptop).to_have_url(re.compile(r"/sign-in"))
    phone.set_viewport_size({"width": 320, "height": 700})
    phone.reload()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 320, f"Login/Security is {width}px wide at 320px"
