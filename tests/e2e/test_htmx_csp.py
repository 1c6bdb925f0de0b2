"""htmx swaps parts of a page in place under the app's enforced Content-Security-Policy, breaking none of it."""
import re

import pytest
from playwright.sync_api import expect

from .conftest import assert_fits_phone, assert_no_axe_violations, sign_in

# Init scripts run before the page's own and are not subject to its CSP: they record every violation.
RECORD_CSP_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(
    `${e.effectiveDirective} blocked ${e.blockedURI || "inline"} at ${e.sourceFile}:${e.lineNumber} ${e.sample}`);
});
"""
# Chromium logs every 4xx fetch; the form's 422 with the error message is the app working as designed.
EXPECTED_CONSOLE_ERRORS = [re.compile(r"^Failed to load resource: the server responded with a status of 422\b")]


class Watched:
    """A page in a context that enforces the CSP, with its CSP violations, console errors and script errors."""

    def __init__(self, context):
        context.add_init_script(RECORD_CSP_VIOLATIONS)
        self.page = context.new_page()
        self.errors = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.errors.append(f"uncaught {error}"))

    def _console(self, message):
        if message.type == "error" and not any(p.search(message.text) for p in EXPECTED_CONSOLE_ERRORS):
            self.errors.append(f"console error: {message.text} ({message.location.get('url')})")

    def assert_clean(self):
        """No CSP violation was reported and nothing went wrong in the console."""
        violations = self.page.evaluate("window.__cspViolations")
        assert violations == [], f"CSP violations on {self.page.url}:\n" + "\n".join(violations)
        assert self.errors == [], f"console errors on {self.page.url}:\n" + "\n".join(self.errors)

    def mark_document(self):
        """Tag the live document; the tag survives an htmx swap and vanishes on a full page load."""
        self.page.evaluate("window.__sameDocument = true")

    def assert_same_document(self):
        assert self.page.evaluate("window.__sameDocument === true"), "the page reloaded instead of swapping in place"


@pytest.fixture
def watched(new_context):
    """Dana signed in on a phone whose context enforces the CSP (no bypass_csp)."""
    watched = Watched(new_context())
    sign_in(watched.page, "parent@example.com")
    return watched


def test_show_more_swaps_the_schedule_in_place(watched):
    """"Show more" on Upcoming Courses grows the list in place to eight weeks, with no CSP violation."""
    page = watched.page
    page.goto("/schedule/")
    expect(page.get_by_role("heading", name="Upcoming Courses", level=1)).to_be_visible()
    class_dates = page.locator("#schedule time")
    expect(class_dates.first).to_be_visible()
    four_weeks = class_dates.count()
    assert_fits_phone(page)
    assert_no_axe_violations(page)

    watched.mark_document()
    page.get_by_role("link", name="Show more").tap()
    expect(page.get_by_role("link", name="Show more")).to_have_attribute("href", re.compile(r"weeks=12\b"))
    expect(page).to_have_url(re.compile(r"/schedule/\?weeks=8$"))
    watched.assert_same_document()
    assert class_dates.count() > four_weeks, "eight weeks should list more classes than four"
    expect(page.get_by_role("heading", name="Upcoming Courses", level=1)).to_have_count(1)
    assert_no_axe_violations(page)
    watched.assert_clean()


def test_wrong_current_password_shows_the_error_in_place(watched):
    """Change password with a wrong current password: the error appears in the form, with no CSP violation."""
    page = watched.page
    page.goto("/account/")
    expect(page.get_by_role("heading", name="Login/Security")).to_be_visible()
    assert_fits_phone(page)
    assert_no_axe_violations(page)

    watched.mark_document()
    page.get_by_label("Current password").fill("not-my-password")
    page.get_by_label("New password", exact=True).fill("a long new passphrase")
    page.get_by_label("Repeat the new password").fill("a long new passphrase")
    page.get_by_role("button", name="Change password").tap()

    security = page.locator("#security")
    expect(security.get_by_text("That is not your current password.")).to_be_visible()
    expect(page.get_by_label("Current password")).to_have_attribute("aria-invalid", "true")
    expect(page).to_have_url(re.compile(r"/account/$"))
    expect(page.get_by_role("heading", name="My Account", level=1)).to_have_count(1)
    watched.assert_same_document()
    assert_no_axe_violations(page)
    watched.assert_clean()
