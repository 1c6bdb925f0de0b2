"""The installable app: the manifest loads, the service worker registers, and the offline page shows when the server is gone."""
from urllib.parse import urljoin

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from .conftest import assert_no_axe_violations, sign_in

# navigator.serviceWorker.ready never settles when registration fails: give up after a while, saying so.
# It settles once a worker is active, possibly still "activating": wait for "activated" too.
SERVICE_WORKER_READY = """async () => {
  const timeout = new Promise((resolve) => setTimeout(() => resolve(null), 15000));
  const activated = navigator.serviceWorker.ready.then((registration) => new Promise((resolve) => {
    const done = () => registration.active.state === "activated" && resolve(registration);
    registration.active.addEventListener("statechange", done);
    done();
  }));
  const registration = await Promise.race([activated, timeout]);
  if (!registration) return null;
  return {scope: registration.scope, state: registration.active.state};
}"""


def wait_for_service_worker(page):
    """The registration covering the whole portal, once its worker is active (its precache is then filled)."""
    registration = page.evaluate(SERVICE_WORKER_READY)
    assert registration, "the service worker was not activated within 15 s (is /sw.js served and valid?)"
    return registration


def test_manifest_loads_and_service_worker_registers(page, live_server):
    """Chromium reads the manifest without errors, its icons load, and a service worker controls the whole site."""
    page.goto("/sign-in")
    manifest = page.context.new_cdp_session(page).send("Page.getAppManifest")
    assert manifest["url"] == f"{live_server.url}/static/manifest.webmanifest"
    assert manifest["errors"] == [], f"Chromium could not use the manifest: {manifest['errors']}"

    data = page.request.get(manifest["url"]).json()
    assert data.get("name") and data.get("short_name"), data
    sizes = {icon["sizes"] for icon in data["icons"]}
    assert {"192x192", "512x512"} <= sizes, f"home-screen icons missing: {sizes}"
    for icon in data["icons"]:
        response = page.request.get(urljoin(manifest["url"], icon["src"]))
        assert response.ok and response.headers["content-type"] == icon.get("type", "image/png"), icon

    registration = wait_for_service_worker(page)
    assert registration == {"scope": f"{live_server.url}/", "state": "activated"}
    assert_no_axe_violations(page)


@pytest.mark.parametrize("path", ["/home", "/"])
def test_offline_page_when_the_server_is_down(page, live_server, path):
    """After a first visit, with the server gone, the portal shows the offline page and no family data."""
    page.goto("/sign-in")
    wait_for_service_worker(page)
    sign_in(page, "parent@example.com")
    expect(page.get_by_text("Order #1001").first).to_be_visible()

    live_server.stop()
    try:
        page.goto(path)
    except PlaywrightError as error:
        pytest.fail(f"with the server down, {path} gave the browser's own error instead of the offline page: {error}")
    expect(page.get_by_role("heading", name="You are offline", level=1)).to_be_visible()
    expect(page.get_by_text("Order #1001")).to_have_count(0)
    expect(page.get_by_text("Hello, Dana")).to_have_count(0)
    assert_no_axe_violations(page)
