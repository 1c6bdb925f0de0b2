"""Redirect targets from a `next` parameter or a Referer never leave the site, never break the header."""
import re
from urllib.parse import quote, urljoin, urlsplit

import pytest
from hypothesis import given, settings, strategies as st

from conftest import DEMO_PASSWORD
from webapp.redirects import safe_next

SITE = "https://cubby.example/"

# What an attacker combines: a start, characters a browser strips or reads as "/", slashes, a host or a scheme.
LEADS = ["/", "//", "/\\", "\\", " /", "\t/", "http:", "https:", "javascript:", ""]
STRIPPED = ["\t", "\n", "\r", " ", "\x00", "\x0b", "\x1f", "\x7f", "\x85", "\u2028", "\u3000", "\ufeff",
            "%09", "%0a", "%0d", "%00", "%20"]
SLASHES = ["/", "//", "\\", "/\\", "%2f", "%2F", "%5c", "\uff0f", "\u2215"]
WORDS = ["evil.com", "evil.com/", "cubby.example", "@evil.com", ":443", "?next=/", "#x", ".", "..", "☃", "é", "%", "%%"]
PIECES = st.sampled_from(LEADS + STRIPPED + SLASHES + WORDS)
TARGETS = st.one_of(
    st.text(),
    st.lists(st.one_of(PIECES, st.text(max_size=3)), max_size=8).map("".join),
    st.tuples(st.sampled_from(LEADS), st.lists(st.sampled_from(STRIPPED), min_size=1, max_size=2).map("".join),
              st.sampled_from(SLASHES), st.sampled_from(WORDS), st.text(max_size=3)).map("".join),
    # The shape of the holes found so far ("/\t/evil.com"), so that every run tries it many times.
    st.tuples(st.just("/"), st.sampled_from(STRIPPED), st.sampled_from(SLASHES), st.sampled_from(WORDS)).map("".join),
)


def sign_in_then(client, raw_next):
    """Sign in as Dana from /sign-in?next=<raw_next>, the query string exactly as a link would carry it."""
    return client.post(f"/sign-in?next={raw_next}", data={"email": "parent@example.com", "password": DEMO_PASSWORD})


def browser_resolve(location):
    """Where a browser goes for this Location on SITE: the WHATWG URL parser's clean-up, then the join."""
    location = location.strip("".join(map(chr, range(0x21))))  # leading and trailing C0 controls and spaces
    location = re.sub(r"[\t\n\r]", "", location).replace("\\", "/")  # https is special: \ counts as /
    return urlsplit(urljoin(SITE, location))


def assert_stays_on_the_site(location):
    resolved = browser_resolve(location)
    assert (resolved.scheme, resolved.netloc) == ("https", "cubby.example"), repr(location)
    # Nothing a browser would strip or read differently, nothing a header cannot carry.
    assert location.isascii() and not re.search(r"[\x00-\x20\x7f\\]", location), repr(location)


@settings(max_examples=600, deadline=None)
@given(TARGETS)
def test_safe_next_gives_a_path_on_this_site_or_nothing(target):
    result = safe_next(target)
    if result is not None:
        assert result.startswith("/")
        assert_stays_on_the_site(result)


@pytest.mark.parametrize("target", ["/account/", "/schedule/?page=2#amy", "/packages/students/3", "/register/?q=a%20b"])
def test_safe_next_keeps_a_path_of_ours_as_it_was(target):
    assert safe_next(target) == target


@pytest.mark.parametrize("target", [
    None, "", "//evil.com", "/\t/evil.com", "/\\evil.com", "\\/evil.com", "https://evil.com/", "https:evil.com",
    "javascript:alert(1)", " /account/", "/\r\nSet-Cookie: a=1", "/account/\x00", "evil.com",
])
def test_safe_next_refuses_what_is_not_a_plain_path(target):
    assert safe_next(target) is None


def test_safe_next_encodes_what_a_header_cannot_carry():
    assert safe_next("/register/?q=ballet tap") == "/register/?q=ballet%20tap"
    assert safe_next("/register/?q=☃") == "/register/?q=" + quote("☃")


NASTY_NEXT = ["/%09/evil.com", "//evil.com", "/%5Cevil.com", "/%0d%0aSet-Cookie:%20a=1", "/%0aevil", "%2F%2Fevil.com",
              "/%E2%80%A8/evil.com", "https:%2F%2Fevil.com", "/%20/evil.com", "%09//evil.com"]


@pytest.mark.parametrize("raw_next", NASTY_NEXT)
def test_sign_in_never_sends_the_user_to_another_site(app, raw_next):
    app.config["PROPAGATE_EXCEPTIONS"] = False  # a header werkzeug refuses would show as the 500 a user sees
    client = app.test_client()
    response = sign_in_then(client, raw_next)
    assert response.status_code == 303
    assert "\r" not in response.headers["Location"] and "\n" not in response.headers["Location"]
    assert_stays_on_the_site(response.headers["Location"])
    assert client.get("/home").status_code == 200  # and the user is signed in all the same


def test_sign_in_goes_on_to_the_page_asked_for(app):
    response = sign_in_then(app.test_client(), "/schedule/%3Fpage=2")
    assert response.headers["Location"] == "/schedule/?page=2"


@pytest.mark.parametrize("referrer", [
    "http://localhost//evil.com/", "http://localhost/\t/evil.com", "http:\\\\evil.com", "http://localhost/\\evil.com",
    "https://evil.com/account/", "//evil.com/", "javascript:alert(1)",
])
def test_expired_form_never_sends_the_user_to_another_site(signed_in, referrer):
    client = signed_in("parent@example.com")
    response = client.post("/sign-out", csrf=False, headers={"Referer": referrer})
    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    assert "open for a long time" in client.get("/home").get_data(as_text=True)
