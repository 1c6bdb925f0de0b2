"""The shell every screen shares: error pages, htmx errors, CSRF expiry, security headers."""
import json

from conftest import page_text
from webapp.security import CONTENT_SECURITY_POLICY


def test_unknown_page_is_a_404_in_the_layout(signed_in):
    response = signed_in("parent@example.com").get("/no-such-page")
    assert response.status_code == 404
    assert "Not found" in page_text(response) and 'class="site-header' in response.get_data(as_text=True)


def test_htmx_errors_come_back_as_a_readable_message_for_the_flash_region(signed_in):
    response = signed_in("parent@example.com").get("/staff/", headers={"HX-Request": "true"})
    assert response.status_code == 403
    assert response.headers["HX-Retarget"] == "#flash"
    html = response.get_data(as_text=True)
    assert "Not allowed." in html and "<html" not in html


def test_a_server_error_shows_a_page_without_a_stack_trace(app):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals")

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "Something went wrong on our side" in html and "secret internals" not in html and "Traceback" not in html


def test_expired_csrf_token_on_a_plain_form_returns_to_the_page_with_a_message(signed_in):
    client = signed_in("parent@example.com")
    response = client.post("/account/security/password", csrf=False, data={"csrf_token": "expired"},
                           headers={"Referer": "http://localhost/account/"})
    assert response.status_code == 303 and response.headers["Location"] == "/account/"
    page = client.get("/account/")
    assert "open for a long time" in page_text(page) and 'name="csrf_token"' in page.get_data(as_text=True)


def test_expired_csrf_token_under_htmx_hands_over_a_fresh_token(signed_in):
    client = signed_in("parent@example.com")
    response = client.post("/account/security/password", csrf=False, headers={"HX-Request": "true", "X-CSRFToken": "stale"})
    assert response.status_code == 400
    assert response.headers["HX-Retarget"] == "#flash"
    token = json.loads(response.headers["HX-Trigger"])["cubby:csrf"]["token"]
    retry = client.post("/account/security/password", csrf=False, headers={"HX-Request": "true", "X-CSRFToken": token},
                        data={"current_password": "wrong-password", "new_password": "a new passphrase",
                              "confirm_password": "a new passphrase"})
    assert retry.status_code == 422 and "That is not your current password." in retry.get_data(as_text=True)


def test_every_response_carries_the_security_headers(client):
    for url in ("/sign-in", "/no-such-page", "/static/css/cubby.css"):
        headers = client.get(url).headers
        csp = headers["Content-Security-Policy"]
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        for directive in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "script-src 'self'"):
            assert directive in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] and headers["Permissions-Policy"]
        assert "Strict-Transport-Security" not in headers  # plain http: HSTS only over HTTPS


def test_hsts_is_sent_over_https(client):
    assert "max-age" in client.get("/sign-in", base_url="https://localhost").headers["Strict-Transport-Security"]


def test_templates_hold_no_inline_script_handler_or_style(app):
    import pathlib
    import re

    for path in pathlib.Path(app.template_folder).rglob("*.html"):
        html = path.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), path
        assert not re.search(r"\son[a-z]+=", html), path
        # Emails are no page under the CSP, and mail clients drop style blocks: their styles must be inline.
        is_email = path.parent.name == "emails" and ('extends "emails/layout.html"' in html or path.name.startswith("_")
                                                     or path.name == "layout.html")
        if not is_email:
            assert not re.search(r"\sstyle=|<style", html), path
    assert "script-src 'self'" in CONTENT_SECURITY_POLICY


def test_signed_in_pages_are_never_stored_by_caches(signed_in):
    assert signed_in("parent@example.com").get("/home").headers["Cache-Control"] == "no-store"


def test_htmx_config_keeps_family_data_out_of_local_storage(client):
    html = client.get("/sign-in").get_data(as_text=True)
    config = json.loads(html.split('name="htmx-config" content=\'')[1].split("'>")[0])
    assert config["historyCacheSize"] == 0 and config["selfRequestsOnly"] is True
    assert config["allowEval"] is False and config["allowScriptTags"] is False and config["includeIndicatorStyles"] is False
    assert 'hx-headers=\'{"X-CSRFToken": "' in html
