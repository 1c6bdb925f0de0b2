"""The installable app: manifest, icons, service worker, offline page."""
import json
import re
import struct

from conftest import sign_in


def png_size(data):
    """Width and height from a PNG's IHDR chunk."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_the_manifest_makes_the_portal_installable(client):
    manifest = json.loads(client.get("/static/manifest.webmanifest").get_data())
    assert manifest["name"] == "Cubby family portal" and manifest["short_name"] == "Cubby"
    assert manifest["display"] == "standalone" and manifest["start_url"] == "/" and manifest["theme_color"]
    sizes = {(icon["sizes"], icon["purpose"]) for icon in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes
    for icon in manifest["icons"]:
        width, height = png_size(client.get(icon["src"]).get_data())
        assert f"{width}x{height}" == icon["sizes"]
    assert '<link rel="manifest" href="/static/manifest.webmanifest">' in client.get("/sign-in").get_data(as_text=True)


def test_the_service_worker_is_served_from_the_root_and_never_cached_long(client):
    response = client.get("/sw.js")
    assert response.mimetype in ("text/javascript", "application/javascript")
    assert response.headers["Cache-Control"] == "no-cache" and response.headers["Service-Worker-Allowed"] == "/"


def test_the_service_worker_precaches_the_shell_and_no_family_page(client):
    source = client.get("/sw.js").get_data(as_text=True)
    precache = re.findall(r'"(/[^"]*)"', source.split("const PRECACHE = [")[1].split("];")[0])
    assert "/offline" in precache and "/static/css/cubby.css" in precache and "/static/vendor/htmx.min.js" in precache
    for path in precache:
        assert path == "/offline" or path.startswith("/static/"), path
        assert client.get(path).status_code == 200, path
    assert "cache.put" not in source  # nothing fetched later is ever stored


def test_the_offline_page_holds_no_family_data_even_for_a_signed_in_user(client):
    sign_in(client, "parent@example.com")
    html = client.get("/offline").get_data(as_text=True)
    assert "You are offline" in html
    for private in ("Dana", "parent@example.com", "csrf", "Smith", "$"):
        assert private not in html
