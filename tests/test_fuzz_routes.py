"""Fuzz every route as every demo persona: odd path values, query strings and form bodies, with and without htmx.

No answer may be a 5xx, and a refused request (4xx) must leave the database exactly as it was. Each persona first
crawls the pages it can see, to learn real ids and each form's field names and values; then every rule of
`app.url_map` (but `static`) gets the request its page would send, and where the persona gets past the role check,
each potent value in the form or query string and a few generated requests. A rule the walker cannot build fails
the test, so a new route is never left unfuzzed. A failure names the persona, method, URL and body."""
from html.parser import HTMLParser
import traceback
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from werkzeug.exceptions import HTTPException
from werkzeug.routing import AnyConverter, IntegerConverter, RequestRedirect, UnicodeConverter

from conftest import sign_in
from fuzz_helpers import changed_tables, database_fingerprint, rule_url
from webapp.gateway.sandbox import SandboxSession
from webapp.models import Payment, User

PERSONAS = [None, "parent@example.com", "nanny@example.com", "grandparents@example.com", "trainee@example.com",
            "instructor@example.com", "staff@example.com", "frontdesk@example.com"]
# Generated requests per rule and method, once the persona gets past the role check (a refused role reads no input).
GENERATED = {"GET": 2, "POST": 3}
PAGES_PER_ENDPOINT = 1  # the crawl visits one address of each page, to learn its forms and ids
METHODS = {"GET", "POST"}
# One of each kind of value that broke Cubby or could: an exponent, an id past SQLite's and PostgreSQL's integers,
# digits str.isdigit takes but int() does not, digits int() takes, NUL (PostgreSQL refuses it), a very long text,
# the last day of the calendar. Every form and query string the crawl found gets each of them in every typed field.
POTENT = ["1e30", str(2**64), "²", "١٢", "\x00", "x" * 5000, "9999-12-31"]
ODD = POTENT + ["", " ", "0", "-1", "NaN", "Infinity", "1.005", "$1,000,000.00", str(2**31), "9" * 400, "4242²" * 4,
                "0001-01-01", "é", "😀", "<b>x</b>", "' OR 1=1 --", "../../etc/passwd", "#1003", "None"]
TEXT = st.one_of(st.sampled_from(ODD), st.text(max_size=40))
ODD_IDS = st.one_of(st.sampled_from([2**31, 2**64, "١٢", "²", "-1", "0", "1e3", " 1"]), st.integers(0, 2**70))
# Query-string names the routes read; the crawl adds the ones its links and GET forms use.
QUERY_NAMES = ["weeks", "page", "package", "q", "expanded", "cancel", "cancelled", "token", "next"]


class PageForms(HTMLParser):
    """The links of a page and its forms: [(action, method, {field name: [values, in page order]})]."""

    def __init__(self, url):
        super().__init__()
        self.url, self.links, self.forms, self.form, self.select = url, [], [], None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        elif tag == "form":
            self.form = (attrs.get("action") or self.url, (attrs.get("method") or "get").upper(), {})
            self.forms.append(self.form)
        elif self.form and tag in ("input", "select", "textarea", "button") and attrs.get("name"):
            values = self.form[2].setdefault(attrs["name"], [])
            if tag != "select":
                values.append(attrs.get("value") or "")
            self.select = values if tag == "select" else None
        elif tag == "option" and self.select is not None:
            self.select.append(attrs.get("value") or "")

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None
        elif tag == "select":
            self.select = None


class Known:
    """What a persona's crawl learned: path values (per endpoint and per argument name), the fields sent to each
    endpoint and method (a GET's are its query string), query-string names."""

    def __init__(self, adapter, seeds):
        self.adapter, self.paths, self.fields, self.queries = adapter, {}, {}, list(QUERY_NAMES)
        self.args = {name: list(values) for name, values in seeds.items()}

    def learn_url(self, url, method):
        """The endpoint the URL goes to (None when it is not one of ours), remembering its values."""
        parts = urlsplit(url)
        if parts.netloc or not parts.path.startswith("/"):
            return None
        try:
            endpoint, values = self.adapter.match(parts.path, method=method)
        except (HTTPException, RequestRedirect):
            return None
        query = parse_qsl(parts.query)
        _add(self.queries, (name for name, _ in query))
        for name, value in query:
            _add(self.fields.setdefault((endpoint, method), {}).setdefault(name, []), [value])
        values = {name: str(value) for name, value in values.items()}
        if values and values not in self.paths.setdefault(endpoint, []):
            self.paths[endpoint].append(values)
        for name, value in values.items():
            _add(self.args.setdefault(name, []), [value])
        return endpoint

    def learn_form(self, endpoint, method, fields):
        fields = {name: values for name, values in fields.items() if name != "csrf_token"}  # the client sends it
        if method == "GET":
            _add(self.queries, fields)
        known = self.fields.setdefault((endpoint, method), {})
        for name, values in fields.items():
            _add(known.setdefault(name, []), values)


def _add(values, more):
    values.extend(value for value in dict.fromkeys(more) if value not in values)


def crawl(app, client, seeds):
    """GET the pages a persona reaches from the rules it can build, learning their ids and forms."""
    known = Known(app.url_map.bind("localhost"), seeds)
    queue = [rule_url(rule, {name: seeds[name][0] for name in rule.arguments}) for rule in app.url_map.iter_rules()
             if rule.endpoint != "static" and "GET" in rule.methods and all(seeds.get(a) for a in rule.arguments)]
    visited = {}
    while queue:
        url = queue.pop(0).split("#")[0]
        endpoint = known.learn_url(url, "GET")
        if endpoint in (None, "static") or visited.get(endpoint, 0) >= PAGES_PER_ENDPOINT:
            continue
        visited[endpoint] = visited.get(endpoint, 0) + 1
        response = client.get(url)
        if response.mimetype != "text/html":
            continue
        page = PageForms(urlsplit(url).path)
        page.feed(response.get_data(as_text=True))
        queue.extend(page.links)
        for action, method, fields in page.forms:
            target = known.learn_url(action, method)
            if target:
                known.learn_form(target, method, fields)
            if method == "GET":
                queue.append(action)
    return known


def real_path(rule, known):
    """Path values the persona's pages used for this rule, else values of the same names seen elsewhere, else 1."""
    seen = known.paths.get(rule.endpoint)
    if seen:
        return seen[0]
    return {name: (known.args.get(name) or ["1"])[0] for name in rule.arguments}


def path_values(rule, known):
    """A strategy for the rule's path values: real ones from the crawl, or generated ones."""
    parts = {}
    for name, converter in rule._converters.items():
        real = known.args.get(name, [])
        if isinstance(converter, IntegerConverter):
            generated = ODD_IDS
        elif isinstance(converter, AnyConverter):
            real, generated = real + [item for item in sorted(converter.items) if item not in real], TEXT
        elif type(converter) is UnicodeConverter:
            generated = TEXT
        else:
            pytest.fail(f"The fuzz walker cannot build {rule.rule}: teach it the {type(converter).__name__}.")
        parts[name] = st.one_of(st.sampled_from(real), generated) if real else generated
    generated = st.fixed_dictionaries(parts)
    seen = known.paths.get(rule.endpoint)
    return st.one_of(st.sampled_from(seen), generated) if seen else generated


@st.composite
def form_bodies(draw, fields, names_elsewhere=()):
    """The form as its page sends it with one field odd, every field one odd value, or each field real, odd or left
    out; and maybe a field nobody expects (one of `names_elsewhere`, or any)."""
    names, mode = sorted(fields), draw(st.sampled_from(["one", "every", "each"]))
    body = {name: fields[name][0] for name in names}
    if mode == "one" and names:
        body[draw(st.sampled_from(names))] = draw(TEXT)
    elif mode == "every":
        body = dict.fromkeys(names, draw(TEXT))
    elif mode == "each":
        for name in names:
            choice = draw(st.sampled_from(["real", "odd", "absent"]))
            if choice == "absent":
                del body[name]
            else:
                body[name] = draw(st.sampled_from(fields[name])) if choice == "real" else draw(TEXT)
    extra = st.one_of(st.sampled_from(names_elsewhere), st.text(min_size=1, max_size=12)) if names_elsewhere else \
        st.text(min_size=1, max_size=12)
    body.update(draw(st.dictionaries(extra, TEXT, max_size=2)))
    return body


class Visitor:
    """Sends requests as one persona and checks each answer: never a 5xx; a 4xx stores nothing."""

    def __init__(self, client, persona):
        self.client, self.persona, self.before = client, persona, None

    def send(self, rule, method, url, query, body, hx):
        call = f"{self.persona or 'signed out'}: {method} {url}{'?' + urlencode(query) if query else ''}"
        call += f" body={body!r}" if method == "POST" else ""
        call += " with HX-Request" if hx else ""
        before = self.before or database_fingerprint()
        headers = {"HX-Request": "true"} if hx else {}
        try:
            if method == "GET":
                response = self.client.get(url, query_string=query, headers=headers)
            else:
                response = self.client.post(url, query_string=query, data=dict(body), headers=headers)
        except Exception as error:  # noqa: BLE001 - TESTING propagates the error a browser would see as a 500
            where = "".join(traceback.format_tb(error.__traceback__)[-3:])
            raise AssertionError(f"{call} raised {type(error).__name__}: {error}\n{where}") from error
        status = response.status_code
        assert status < 500, f"{call} answered {status}"
        self.before = None  # an accepted request may change anything
        if status >= 400:
            self.before = database_fingerprint()
            changed = changed_tables(before, self.before)
            assert not changed, f"{call} was refused with {status} but changed {changed}"
        elif rule.endpoint == "auth.sign_out" and self.persona:
            sign_in(self.client, self.persona)  # so the rest of the walk is still this persona's
        return response


def refused_by_role(response):
    """Signed out, or the wrong role: the view read none of the request's input."""
    to_sign_in = response.status_code == 302 and urlsplit(response.location).path == "/sign-in"
    return response.status_code == 403 or to_sign_in


def potent_forms(fields):
    """Each potent value in every typed field, the choices (several values seen) left as the page offers them, so
    that a bad value is not hidden behind a refused choice; then an id past every column in every field."""
    if not fields:
        return []
    real = {name: values[0] for name, values in fields.items() if len(values) > 1}
    forms = [{**dict.fromkeys(fields, value), **real} for value in POTENT]
    return (forms + [dict.fromkeys(fields, str(2**64))]) if real else forms


def walk(rule, known, visitor):
    """The request the persona's pages would send; if it gets past the role check, each potent value in every field
    (a GET's query string, a POST's form), then generated requests."""
    methods = sorted(rule.methods - {"HEAD", "OPTIONS"})
    if set(methods) - METHODS:
        pytest.fail(f"The fuzz walker cannot send {sorted(set(methods) - METHODS)} to {rule.rule}: teach it.")
    paths, real = path_values(rule, known), real_path(rule, known)
    for method in methods:
        posted, fields = method == "POST", known.fields.get((rule.endpoint, method), {})

        def sent(values):
            """(query, body) for these field values: a POST's form, or a GET's query string."""
            return ({}, values) if posted else (values, {})

        if posted:
            queries, bodies = st.dictionaries(st.sampled_from(known.queries), TEXT, max_size=2), form_bodies(fields)
        else:
            queries, bodies = form_bodies(fields, known.queries), st.just({})
        query, body = sent({name: values[0] for name, values in fields.items()})
        if refused_by_role(visitor.send(rule, method, rule_url(rule, real), query, body, False)):
            continue

        @settings(max_examples=GENERATED[method], deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(path=paths, query=queries, body=bodies, hx=st.booleans())
        def requests(path, query, body, hx):
            visitor.send(rule, method, rule_url(rule, path), query, body, hx)

        for i, values in enumerate(potent_forms(fields)):
            query, body = sent(values)
            requests = example(path=real, query=query, body=body, hx=i % 2 == 1)(requests)
        requests()


@pytest.mark.parametrize("persona", PERSONAS)
def test_no_route_answers_odd_input_with_a_5xx_or_stores_anything_when_it_refuses(app, client, signed_in, persona):
    if persona and not User.select().where(User.email == persona).exists():
        pytest.skip(f"{persona} is not in the demo data")
    payer = signed_in("parent@example.com")  # a checkout left on the card page: real payment keys and card pages
    payer.post("/billing/cart/orders/1001")
    payer.post("/billing/checkout", data={"method": "new"})
    seeds = {"key": [p.key for p in Payment.select()], "session_id": [s.id for s in SandboxSession.select()]}
    visitor_client = signed_in(persona) if persona else client
    known = crawl(app, visitor_client, seeds)
    visitor = Visitor(visitor_client, persona)
    for rule in sorted((rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"), key=lambda r: r.rule):
        walk(rule, known, visitor)
