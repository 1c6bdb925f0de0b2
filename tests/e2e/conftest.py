"""Browser fixtures: Debian's Chromium on a phone-sized touch screen, the app served live on a fresh demo
database for each test, signing in through the real form, and axe accessibility checks."""
import os
import re
import socket
import threading
from pathlib import Path

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from conftest import DEMO_PASSWORD

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
]
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
HERE = Path(__file__).resolve().parent
ON_CI = os.environ.get("CI") == "true"
NO_BROWSER = (
    f"!!! {CHROMIUM} is missing: the browser tests in tests/e2e {{}}. "
    "Install Debian's chromium (`make test` does it with apt when it can)."
)
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 3, "is_mobile": True, "has_touch": True}


def _browser_missing():
    return not os.access(CHROMIUM, os.X_OK)


def pytest_collection_modifyitems(config, items):
    """Without Chromium the browser tests are skipped, loudly; under CI=true they fail instead (see below)."""
    if _browser_missing() and not ON_CI:
        for item in items:
            if HERE in Path(str(item.path)).resolve().parents:
                item.add_marker(pytest.mark.skip(reason=NO_BROWSER.format("were SKIPPED")))


def pytest_terminal_summary(terminalreporter):
    if _browser_missing():
        verdict = "FAILED (CI=true needs the browser)" if ON_CI else "SKIPPED"
        terminalreporter.write_sep("!", f"BROWSER TESTS {verdict}: {CHROMIUM} is missing", red=True, bold=True)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Launch Debian's Chromium, never a downloaded browser build."""
    if _browser_missing():
        pytest.fail(NO_BROWSER.format("FAIL under CI=true"), pytrace=False)
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


class LiveServer:
    """The app served over HTTP from a background thread; stop() takes it down as a lost server would be."""

    def __init__(self, app):
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.connections = []
        accept = self.server.get_request

        def get_request():
            connection, address = accept()
            self.connections.append(connection)
            return connection, address

        self.server.get_request = get_request
        self.thread = threading.Thread(target=self.server.serve_forever, name="live-server", daemon=True)
        self.thread.start()

    def stop(self):
        """Stop listening and cut the browser's open keep-alive connections too."""
        if not self.thread.is_alive():
            return
        self.server.shutdown()
        self.server.server_close()
        for connection in self.connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self.thread.join()


@pytest.fixture
def live_server(app):
    """The app on its fresh demo database, served at live_server.url."""
    server = LiveServer(app)
    yield server
    server.stop()


@pytest.fixture
def browser_context_args(browser_context_args, live_server):
    """A phone: 390×844 CSS pixels, 3× density, touch; relative URLs go to the live server."""
    return {**browser_context_args, **PHONE, "base_url": live_server.url}


def sign_in(page, email, password=DEMO_PASSWORD):
    """Sign in through the real form, as a person would."""
    page.goto("/sign-in")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/sign-in" not in url)


def sign_out(page):
    """Press "Sign out" in the header."""
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/sign-in$"))


def check(page):
    """Every page and state a person sees fits the phone and passes axe."""
    assert_fits_phone(page)
    assert_no_axe_violations(page)


def main_nav(page, name):
    """Tap the main navigation's link with exactly this name."""
    page.get_by_role("navigation", name="Main").get_by_role("link", name=name, exact=True).tap()


def assert_fits_phone(page):
    """The page fits the phone's 390 CSS pixels: nothing makes the whole page scroll sideways."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["viewport"]["width"], (
        f"{page.url} is {width}px wide on a {PHONE['viewport']['width']}px phone: the page scrolls sideways "
        "and shrinks to fit"
    )


AXE_RUN = """async () => {
  const results = await axe.run(document);
  return results.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => n.target.join(" ") + "  " + n.failureSummary.replace(/\\s+/g, " ")),
  }));
}"""


def axe_violations(page):
    """axe-core's violations on the page as it is now.

    axe goes in through page.evaluate (DevTools evaluation), which the page's Content-Security-Policy does not
    govern: no bypass_csp, no inline <script>, so the CSP stays enforced and axe adds no violation of it."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `make setup` (npm ci installs axe-core).", pytrace=False)
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    return page.evaluate(AXE_RUN)


def assert_no_axe_violations(page):
    """axe reports no accessibility violation on the page; on failure, each rule and the nodes it flags."""
    violations = axe_violations(page)
    lines = [f"axe found {len(violations)} violation(s) on {page.url}:"]
    for v in violations:
        lines.append(f"  - {v['id']} ({v['impact']}): {v['help']}")
        lines.extend(f"      {node}" for node in v["nodes"])
    assert not violations, "\n".join(lines)
