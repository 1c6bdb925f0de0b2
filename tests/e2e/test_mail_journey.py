"""Real mail: Dana pays in the browser, her receipt goes over SMTP to an aiosmtpd server, and she follows the
link in the delivered HTML part back to the receipt."""
import re

import pytest
from playwright.sync_api import expect

from conftest import CsrfClient, TEST_CONFIG, release_connections
from webapp import create_app

from .conftest import check, sign_in
from .test_checkout_journey import Watched, add_1001_from_upcoming_courses, pay_on_the_sandbox_page


@pytest.fixture
def app(fresh_database_url, tmp_path, smtp_sink):
    """The app on a fresh demo database, sending its mail over SMTP to the test's server."""
    app = create_app({**TEST_CONFIG, "DATABASE_URL": fresh_database_url(tmp_path), **smtp_sink.config()})
    app.test_client_class = CsrfClient
    yield app
    release_connections()


def dana_pays_1001_and_gets_the_receipt_mail(new_context, sink, timeout=10):
    """Dana pays #1001 on the sandbox card page; returns (the watched page, the receipt's URL, the delivered mail)."""
    watched = Watched(new_context())
    page = watched.page
    sign_in(page, "parent@example.com")
    add_1001_from_upcoming_courses(page)
    pay_on_the_sandbox_page(page, "$140.00", "4242 4242 4242 4242")
    expect(page.get_by_role("heading", name="Receipt", level=1)).to_be_visible()
    check(page)
    (message,) = sink.messages("parent@example.com", "Your receipt from Riverside Arts Academy", timeout=timeout)
    return watched, page.url, message


def test_the_receipt_arrives_over_smtp_as_html_and_its_link_opens_the_receipt(new_context, smtp_sink):
    watched, receipt_url, message = dana_pays_1001_and_gets_the_receipt_mail(new_context, smtp_sink)
    page = watched.page
    assert message.get_content_type() == "multipart/alternative"
    plain, html = message.get_body(("plain",)), message.get_body(("html",))
    assert "Total paid: $140.00" in plain.get_content()
    html_text = html.get_content()
    assert "Riverside Arts Academy" in html_text and "Total paid: $140.00" in html_text
    link = re.search(r'<a href="([^"]+)"[^>]*>See it in Cubby</a>', html_text).group(1)
    assert link == receipt_url

    page.goto("/home")
    page.goto(link)  # as if tapped in the mail app, signed in on the same phone
    expect(page.get_by_role("heading", name="Receipt", level=1)).to_be_visible()
    expect(page.get_by_text("Visa ending 4242")).to_be_visible()
    check(page)
    watched.assert_clean()
