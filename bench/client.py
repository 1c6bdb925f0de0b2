"""The load: signed-in sessions, each looping over the mix with no think time, one request in flight each."""
import asyncio
import random
import re
import time
from dataclasses import dataclass, field

import aiohttp

from data import BenchError
from mix import Request, check

USER_AGENT = "cubby-bench"  # the same on sign-in and under load, so Flask-Login's session protection stays quiet
PASSWORD = "cubby-demo"
TIMEOUT = aiohttp.ClientTimeout(total=60)
SIGN_IN_AT_ONCE = 8  # each sign-in is a scrypt check on the server


@dataclass
class Session:
    plan: object
    cookie: str
    csrf: str


@dataclass
class Figures:
    """Latencies (s) of the answers that passed their check, and the errors, of one row or of a whole pass."""

    latencies: list = field(default_factory=list)
    errors: int = 0
    samples: list = field(default_factory=list)  # the first few errors, to print

    def add(self, seconds, problem):
        if problem:
            self.errors += 1
            if len(self.samples) < 3:
                self.samples.append(problem)
        else:
            self.latencies.append(seconds)

    @property
    def requests(self):
        return len(self.latencies) + self.errors

    def percentile(self, q):
        """The q-th latency (0..1) in ms."""
        ordered = sorted(self.latencies)
        return 1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def http_client():
    connector = aiohttp.TCPConnector(limit=0, force_close=True)  # sync workers close every connection anyway
    return aiohttp.ClientSession(connector=connector, timeout=TIMEOUT, cookie_jar=aiohttp.DummyCookieJar(),
                                 headers={"User-Agent": USER_AGENT})


def _session_cookie(response, current):
    morsel = response.cookies.get("session")
    return morsel.value if morsel is not None else current


async def _sign_in(http, base, plan, gate):
    """Sign in like a browser: the form, the post, then the home page that hands out the CSRF token."""
    async with gate:
        async with http.get(base + "/sign-in") as response:
            form = await response.text()
            cookie = _session_cookie(response, "")
        token = re.search(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"', form)
        if not token:
            raise BenchError("the sign-in form has no csrf_token field")
        data = {"email": plan.email, "password": PASSWORD, "csrf_token": token.group(1)}
        async with http.post(base + "/sign-in", data=data, headers={"Cookie": f"session={cookie}"},
                             allow_redirects=False) as response:
            await response.read()
            if response.status != 303:
                raise BenchError(f"signing in as {plan.email} answered {response.status}, not 303")
            cookie = _session_cookie(response, cookie)
        async with http.get(base + "/home", headers={"Cookie": f"session={cookie}"}, allow_redirects=False) as response:
            home = await response.text()
            cookie = _session_cookie(response, cookie)
        csrf = re.search(r'"X-CSRFToken": "([^"]+)"', home)
        if response.status != 200 or not csrf:
            raise BenchError(f"{plan.email} is not signed in after the sign-in ({response.status})")
        return Session(plan, cookie, csrf.group(1))


def sign_in_all(base, plans):
    """Sign every plan in before measuring; [Session] and how long it took."""

    async def main():
        gate = asyncio.Semaphore(SIGN_IN_AT_ONCE)
        async with http_client() as http:
            return await asyncio.gather(*(_sign_in(http, base, plan, gate) for plan in plans))

    started = time.perf_counter()
    sessions = asyncio.run(main())
    return sessions, time.perf_counter() - started


async def send(http, base, session, request):
    """One request; (status, body, Location). A session cookie the answer sets is kept, as a browser would."""
    headers = dict(request.headers)
    if session is not None:
        headers.update({"Cookie": f"session={session.cookie}", "X-CSRFToken": session.csrf})
    try:
        async with http.request(request.method, base + request.path, headers=headers, data=request.form,
                                allow_redirects=False) as response:
            body = await response.text()
            if session is not None:
                session.cookie = _session_cookie(response, session.cookie)
            return response.status, body, response.headers.get("Location", "")
    except (aiohttp.ClientError, asyncio.TimeoutError) as error:
        return 0, f"{type(error).__name__}: {error}", ""


def load(base, sessions, rows, seconds, warmup, seed=1):
    """Every session loops over the rows (by weight) for warm-up then `seconds`; {row name: Figures}, seconds.

    The figures are the answers that arrive inside the measured window, whenever they were sent (counting
    only those sent inside it too would miss the tail of a window as long as the latency); a write's state
    flips only when its answer passed.
    """

    async def main():
        figures = {row.name: Figures() for row in rows}
        weights = [row.weight for row in rows]
        loop = asyncio.get_running_loop()
        start = loop.time() + warmup
        end = start + seconds

        async def one(index, session):
            rng = random.Random(f"{seed}:{index}")
            while loop.time() < end:
                row = rng.choices(rows, weights)[0]
                request = row.request(session.plan) if session else row.request(None)
                sent = loop.time()
                status, body, _ = await send(http, base, session, request)
                problem = check(row, request, status, body)
                if not problem and row.done:
                    row.done(session.plan)
                if start <= loop.time() <= end:
                    figures[row.name].add(loop.time() - sent, problem)

        async with http_client() as http:
            await asyncio.gather(*(one(index, session) for index, session in enumerate(sessions)))
        return figures

    return asyncio.run(main()), seconds


def hello_rows():
    """The bare Flask app as a one-row mix: GET / answering its text."""
    from mix import Row

    return [Row("hello (bare Flask)", 100, lambda _: Request("GET", "/", {}, ("Hello, World!",)))]
