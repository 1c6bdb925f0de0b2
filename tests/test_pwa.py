"""The installable app: manifest, icons, service worker, offline page."""
import json
import re
import struct
from pathlib import Path

import pytest

STATIC = Path(__file__).resolve().parent.parent / "static"
SIGNED_IN_ROUTES = ("/", "/home", "/account", "/billing", "/schedule", "/classes", "/staff", "/sign-in")


def png_size(data):
    """Width and height from a PNG's IHDR chunk, which must come first."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    length, kind = struct.unpack(">I4s", data[8:16])
    assert kind == b"IHDR" and length == 13
    return struct.unpack(">II", data[16:24])


def precache_list(source):
    """The paths in the service worker's PRECACHE array."""
    match = re.search(r"const PRECACHE = \[(.*?)\];", source, re.S)
    assert match, "sw.js has no PRECACHE list"
    return re.findall(r'"([^"]*)"', match.group(1))


@pytest.fixture
def manifest(client):
    response = client.get("/static/manifest.webmanifest")
    assert response.status_code == 200 and response.mimetype == "application/manifest+json"
    return json.loads(response.get_data())


def test_the_manifest_makes_the_portal_installable(manifest):
    assert manifest["name"] == "Cubby family portal"
    assert manifest["short_name"] == "Cubby"
    assert manifest["start_url"] == "/" and manifest["scope"] == "/"
    assert manifest["display"] == "standalone"
    assert manifest["theme_color"] == "#0b5563"
    assert re.fullmatch(r"#[0-9a-f]{6}", manifest["background_color"])
    assert manifest["description"]
    assert manifest.get("orientation", "any") == "any", "a locked orientation fails WCAG 1.3.4"
    icons = {(icon["sizes"], icon["purpose"]) for icon in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= icons


def test_each_icon_is_a_png_of_the_size_it_claims(client, manifest):
    for icon in manifest["icons"]:
        assert icon["src"].startswith("/static/icons/") and icon["type"] == "image/png"
        on_disk = STATIC / icon["src"].removeprefix("/static/")
        assert on_disk.is_file(), icon["src"]
        width, height = png_size(on_disk.read_bytes())
        assert f"{width}x{height}" == icon["sizes"], icon["src"]
        served = client.get(icon["src"])
        assert served.status_code == 200 and served.mimetype == "image/png"
        assert served.get_data() == on_disk.read_bytes()


def test_the_pages_link_the_manifest_and_icon(client):
    html = client.get("/sign-in").get_data(as_text=True)
    assert '<link rel="manifest" href="/static/manifest.webmanifest">' in html
    icon = re.search(r'<link rel="icon" href="([^"]+)"', html).group(1)
    assert re.fullmatch(r"/static/icons/icon-192\.[0-9a-f]{8}\.png", icon)
    assert png_size(client.get(icon).get_data()) == (192, 192)


def test_the_service_worker_is_served_from_the_root_and_always_revalidated(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.mimetype in ("text/javascript", "application/javascript")
    assert response.headers["Cache-Control"] == "no-cache"
    assert "/sw.js" in (STATIC / "js" / "cubby.js").read_text(), "cubby.js no longer registers the worker"


def test_the_service_worker_precaches_the_shell_and_no_signed_in_page(app, client):
    source = client.get("/sw.js").get_data(as_text=True)
    precache = precache_list(source)
    hashed = app.extensions["cubby_assets"]
    shell = {
        "/offline", *(f"/static/{hashed[name]}" for name in ("css/cubby.css", "vendor/htmx.min.js", "js/cubby.js")),
        "/static/manifest.webmanifest", "/static/icons/icon-192.png", "/static/icons/icon-512.png",
        "/static/icons/maskable-512.png",
    }
    assert shell <= set(precache)
    for path in precache:
        assert path == "/offline" or path.startswith("/static/"), path
        assert path not in SIGNED_IN_ROUTES, path
        # The install fails as a whole if one file is missing: each answers a signed-out visitor.
        response = client.get(path)
        assert response.status_code == 200, path
    # The precache at install is the only write: nothing fetched later is ever stored.
    assert "cache.put" not in source and source.count("addAll(") == 1
    assert re.search(r'const VERSION = "cubby-shell-[0-9a-f]{8}";', source), "the cache name must be versioned"


def test_the_offline_page_is_served_to_a_signed_out_visitor(client):
    response = client.get("/offline")
    assert response.status_code == 200 and response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert '<html lang="en">' in html and "<title>You are offline" in html
    assert re.search(r"<main\b", html) and re.search(r"<h1>You are offline</h1>", html)
    assert "needs a connection to show your classes" in html and "balances" in html
    assert re.search(r'<a class="button primary" href="/">Try again</a>', html)
    assert re.search(r'<link rel="stylesheet" href="/static/css/cubby\.[0-9a-f]{8}\.css">', html)
    assert "<script" not in html and "style=" not in html


def test_the_offline_page_holds_no_user_data_even_for_a_signed_in_user(signed_in):
    client = signed_in("parent@example.com")
    assert "Dana" in client.get("/home").get_data(as_text=True)  # really signed in
    response = client.get("/offline")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "You are offline" in html
    for private in ("Dana", "Smith", "parent@example.com", "csrf", "X-CSRFToken", "Sign out", "Order #", "$"):
        assert private not in html, private


def test_shell_files_have_hashed_names_far_future_caching_and_gzip(client):
    html = client.get("/sign-in").get_data(as_text=True)
    linked = re.findall(r'(?:href|src)="(/static/[^"]+)"', html)
    hashed = [path for path in linked if re.search(r"\.[0-9a-f]{8}\.(css|js|png)$", path)]
    assert len(hashed) == 5, linked  # the stylesheet, htmx, our script and two icons
    for path in hashed:
        response = client.get(path, headers={"Accept-Encoding": "gzip"})
        assert response.status_code == 200 and "immutable" in response.headers["Cache-Control"]
        assert "max-age=31536000" in response.headers["Cache-Control"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        if path.endswith((".css", ".js")):
            assert response.headers["Content-Encoding"] == "gzip"
            assert response.headers["Vary"] == "Accept-Encoding"


def test_a_deploy_that_changes_a_file_changes_its_address(tmp_path):
    import shutil

    from webapp.assets import SHELL, build

    for name in SHELL:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(STATIC / name, tmp_path / name)
    before = build(tmp_path)
    (tmp_path / "css" / "cubby.css").write_text((STATIC / "css" / "cubby.css").read_text() + "\n.new { color: red }")
    after = build(tmp_path)
    assert after["css/cubby.css"] != before["css/cubby.css"] and after["js/cubby.js"] == before["js/cubby.js"]
    assert (tmp_path / "build" / after["css/cubby.css"]).exists()
    assert not (tmp_path / "build" / before["css/cubby.css"]).exists()  # the old build is replaced whole
