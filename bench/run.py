"""Benchmark: Cubby's signed-in pages against a bare Flask app, both under gunicorn, measured with wrk."""
import http.cookiejar
import os
import re
import secrets
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

# What to measure: (label, "METHOD path", kind "page" or "fragment", extra request headers, form body, text the
# answer must contain). {meeting} and {amy} are filled in from the demo database; posts send the CSRF token.
HTMX = {"HX-Request": "true"}
PAGES = [
    ("guardian home", "GET /home", "page", {}, "", "Upcoming Courses"),
    ("home with packages", "GET /home", "page", {}, "", "6 of 10 h Private instruction"),
    ("Upcoming Courses", "GET /schedule/", "page", {}, "", "Absent?"),
    ("schedule, 8 weeks", "GET /schedule/?weeks=8", "fragment", HTMX, "", 'id="schedule"'),
    ("Absent? cell, reason picked", "POST /schedule/absence/{meeting}/{amy}", "fragment", HTMX,
     "reason=1", "Absent: Sick"),
    ("Add Order #1001 to Cart", "POST /billing/cart/orders/1001", "fragment", HTMX, "", "Order #1001"),
    ("cart", "GET /billing/cart", "page", {}, "", "Order #1001"),
    ("package expand", "GET /packages/1", "fragment", HTMX, "", 'aria-expanded="true"'),
]

# Targets from the issues: share of the bare Flask app's requests per second, and worker memory.
TARGET_PERCENT = {"page": 35, "fragment": 50}
MAX_WORKER_MB = 150

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
HOST = "127.0.0.1"
USER_AGENT = "cubby-bench"  # the same on sign-in and under load, so Flask-Login's session protection stays quiet
EMAIL, PASSWORD = "parent@example.com", "cubby-demo"
SECONDS = int(os.environ.get("BENCH_SECONDS", "8"))
WARMUP_SECONDS = 2
WRK_OPTIONS = ["-t2", "-c16"]
WORKERS = 2
GUNICORN_OPTIONS = ["--workers", str(WORKERS), "--threads", "1", "--worker-class", "sync", "--log-level", "warning"]


class BenchError(Exception):
    """Something broke: the figures would mean nothing."""


def run(command, env=None):
    """Run a command in the project folder; raise BenchError with its output if it fails."""
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BenchError(f"{' '.join(map(str, command))} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def find_wrk():
    """The wrk load generator, installed with apt-get when missing and running as root."""
    if not shutil.which("wrk") and os.geteuid() == 0 and shutil.which("apt-get"):
        print("installing wrk with apt-get ...", flush=True)
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        if subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], env=env, capture_output=True).returncode:
            subprocess.run(["apt-get", "update", "-qq"], env=env, capture_output=True)
            subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], env=env, capture_output=True)
    path = shutil.which("wrk")
    if not path:
        raise BenchError("wrk is not installed and cannot be installed here: install the Debian package `wrk`")
    return path


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def prepare_database(env):
    """A fresh SQLite database with the demo data, named by env's DATABASE_URL."""
    run([PYTHON, "-m", "flask", "--app", "wsgi", "db", "upgrade"], env)
    run([PYTHON, "-m", "flask", "--app", "wsgi", "demo", "load"], env)


class Server:
    """A gunicorn server on a free port, with the benchmark's fixed settings."""

    def __init__(self, name, app, env, log_folder, pythonpath=None):
        self.name, self.port = name, free_port()
        self.log = Path(log_folder) / f"{name}.log"
        command = [PYTHON, "-m", "gunicorn", *GUNICORN_OPTIONS, "--bind", f"{HOST}:{self.port}"]
        if pythonpath:
            command += ["--pythonpath", str(pythonpath)]
        with open(self.log, "w") as log:
            self.process = subprocess.Popen(command + [app], cwd=ROOT, env=env, stdout=log, stderr=log)
        self.url = f"http://{HOST}:{self.port}"

    def wait_until_ready(self, timeout=30):
        """Wait until it answers HTTP and all its workers are up."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                urllib.request.urlopen(self.url + "/", timeout=2).close()
            except urllib.error.HTTPError:
                pass  # any HTTP answer means it is serving
            except OSError:
                time.sleep(0.2)
                continue
            if len(self.workers()) == WORKERS:
                return
            time.sleep(0.2)
        raise BenchError(f"the {self.name} server did not start")

    def workers(self):
        """Process ids of the master's worker children."""
        children = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid:
                children.append(int(stat.parent.name))
        return sorted(children)

    def worker_megabytes(self):
        """Each worker's resident memory (VmRSS) in MB."""
        sizes = []
        for pid in self.workers():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            kilobytes = int(re.search(r"^VmRSS:\s+(\d+) kB", status, re.M).group(1))
            sizes.append(kilobytes / 1024)
        return sizes

    def log_tail(self, lines=30):
        """The end of the server's error log."""
        return "\n".join(self.log.read_text().splitlines()[-lines:]) if self.log.exists() else ""

    def stop(self):
        """Stop the server and wait for it."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    """Leave redirects to the caller, so the sign-in's 303 can be checked."""

    def redirect_request(self, *args, **kwargs):
        return None


def sign_in(base_url):
    """Sign in as Dana; the session cookie's value."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    opener.addheaders = [("User-Agent", USER_AGENT)]
    form = opener.open(base_url + "/sign-in", timeout=10).read().decode()
    token = re.search(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"', form)
    if not token:
        raise BenchError("the sign-in form has no csrf_token field")
    data = urllib.parse.urlencode({"email": EMAIL, "password": PASSWORD, "csrf_token": token.group(1)}).encode()
    try:
        response = opener.open(base_url + "/sign-in", data=data, timeout=10)
        status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    if status != 303:
        raise BenchError(f"signing in as {EMAIL} answered {status}, not 303")
    home = opener.open(base_url + "/home", timeout=10).read().decode()  # the first page adds a CSRF token
    csrf = re.search(r'"X-CSRFToken": "([^"]+)"', home)
    session = next((cookie.value for cookie in jar if cookie.name == "session"), None)
    if not (session and csrf):
        raise BenchError("signing in set no session cookie or CSRF token")
    return session, csrf.group(1)


def form_post_headers(base_url):
    """The bare form-post app's session cookie and CSRF token, as a browser would send them."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    token = opener.open(base_url + "/", timeout=10).read().decode()
    session = next((cookie.value for cookie in jar if cookie.name == "session"), None)
    if not session:
        raise BenchError("the form-post app set no session cookie")
    return {"User-Agent": USER_AGENT, "Cookie": f"session={session}", "X-CSRFToken": token}


def demo_ids(database):
    """Ids the measured paths need: Amy, and her next Ballet I meeting at least a day away."""
    with sqlite3.connect(database) as connection:
        amy = connection.execute("SELECT id FROM student WHERE first_name = 'Amy'").fetchone()[0]
        meeting = connection.execute(
            "SELECT m.id FROM meeting m JOIN course c ON c.id = m.course_id WHERE c.name = 'Ballet I' "
            "AND m.starts_at > datetime('now', '+1 day') ORDER BY m.starts_at LIMIT 1").fetchone()[0]
    return {"amy": amy, "meeting": meeting}


def check(method, url, headers, body, kind, expected):
    """Make sure the page answers 200 with its expected text, so a redirect is never measured."""
    data = body.encode() if method == "POST" else None
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    opener = urllib.request.build_opener(NoRedirect)
    try:
        response = opener.open(request, timeout=10)
        status, body = response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        status, body = error.code, ""
    if status != 200 or expected not in body:
        raise BenchError(f"{url} answered {status} without {expected!r}: not signed in, or the page is broken")
    if kind == "fragment" and "<html" in body.lower():
        raise BenchError(f"{url} answered a whole page where a fragment was expected")
    if "Set-Cookie" in response.headers:
        print(f"  note: {url} answers with Set-Cookie: under load it writes the session every time", flush=True)


def to_ms(value):
    """A wrk duration such as 812.00us, 3.41ms or 1.02s, in milliseconds."""
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def load(wrk, url, headers, seconds, script=None):
    """Run wrk against url (a Lua script makes it a POST); requests per second, p50 and p99 in ms."""
    command = [wrk, *WRK_OPTIONS, f"-d{seconds}s", "--latency", "--timeout", "10s"] + (["-s", script] if script else [])
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    output = run(command + [url])
    if "Non-2xx or 3xx responses" in output:
        raise BenchError(f"wrk saw error answers from {url}:\n{output}")
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    p50 = re.search(r"^\s*50%\s+(\S+)", output, re.M)
    p99 = re.search(r"^\s*99%\s+(\S+)", output, re.M)
    if not (rate and p50 and p99):
        raise BenchError(f"could not read wrk's output:\n{output}")
    errors = re.search(r"Socket errors:.*", output)
    if errors:
        print(f"  note: {url}: {errors.group(0)}", flush=True)
    return float(rate.group(1)), to_ms(p50.group(1)), to_ms(p99.group(1))


def measure(wrk, url, headers, script=None):
    """A warm-up, then the measured run."""
    load(wrk, url, headers, WARMUP_SECONDS, script)
    return load(wrk, url, headers, SECONDS, script)


def post_script(folder, body):
    """A wrk Lua script that sends the form body as a POST."""
    path = Path(folder) / f"post-{abs(hash(body))}.lua"
    path.write_text(f'wrk.method = "POST"\nwrk.body = "{body}"\n'
                    'wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"\n')
    return str(path)


def main():
    """Serve both apps, sign in, measure, print the table and the targets."""
    wrk, load_average = find_wrk(), busy()
    if not PYTHON.exists():
        raise BenchError(f"{PYTHON} is missing: run `make setup` first")
    with tempfile.TemporaryDirectory(prefix="cubby-bench-") as folder:
        env = dict(os.environ, DATABASE_URL=f"sqlite:///{folder}/bench.sqlite3", COOKIE_SECURE="0",
                   SECRET_KEY=secrets.token_hex(32), FLASK_DEBUG="0")
        print("preparing a demo database ...", flush=True)
        prepare_database(env)
        servers = []
        try:
            hello = Server("hello", "hello:app", env, folder, pythonpath=ROOT / "bench")
            floor = Server("form-post", "hello:form_post", env, folder, pythonpath=ROOT / "bench")
            servers += [hello, floor]
            app = Server("cubby", "wsgi:app", env, folder)
            servers.append(app)
            for server in servers:
                server.wait_until_ready()
            session, csrf = sign_in(app.url)
            headers = {"User-Agent": USER_AGENT, "Cookie": f"session={session}", "X-CSRFToken": csrf}
            ids = demo_ids(f"{folder}/bench.sqlite3")
            targets = []
            for label, request, kind, extra, body, expected in PAGES:
                method, path = request.split(" ", 1)
                path = path.format(**ids)
                check(method, app.url + path, {**headers, **extra}, body, kind, expected)
                script = post_script(folder, body) if method == "POST" else None
                targets.append((label, f"{method} {path}", kind, {**headers, **extra}, app.url + path, script))

            print(f"gunicorn {' '.join(GUNICORN_OPTIONS)}; wrk {' '.join(WRK_OPTIONS)} -d{SECONDS}s after a "
                  f"{WARMUP_SECONDS}s warm-up; {os.cpu_count()} CPUs, load average {load_average}\n", flush=True)
            ceiling = measure(wrk, hello.url + "/", {"User-Agent": USER_AGENT})
            rows = [("hello (bare Flask)", "GET /", "ceiling", *ceiling, max(hello.worker_megabytes()))]
            floor_headers = form_post_headers(floor.url)
            floor_figures = measure(wrk, floor.url + "/", floor_headers, post_script(folder, "reason=1"))
            rows.append(("form post (bare Flask+CSRF)", "POST /", "floor", *floor_figures, max(floor.worker_megabytes())))
            for label, request, kind, target_headers, url, script in targets:
                figures = measure(wrk, url, target_headers, script)
                rows.append((label, request, kind, *figures, max(app.worker_megabytes())))
            report(rows, app.worker_megabytes(), hello.worker_megabytes())
        except BenchError:
            for server in servers:
                if server.log_tail():
                    print(f"--- {server.name} server log ---\n{server.log_tail()}", file=sys.stderr)
            raise
        finally:
            for server in servers:
                server.stop()


def busy():
    """The 1-minute load average, flagged when other work may skew the figures."""
    load_average = os.getloadavg()[0]
    return f"{load_average:.2f}" + (" (busy machine: figures are noisy)" if load_average > 0.5 else "")


def report(rows, app_megabytes, hello_megabytes):
    """Print the figures, each page's ratio to hello, and whether each target is met."""
    ceiling = rows[0][3]
    print(f"{'target':<28} {'request':<36} {'kind':<9} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} "
          f"{'% hello':>8} {'max RSS MB':>11}")
    for label, path, kind, rate, p50, p99, megabytes in rows:
        print(f"{label:<28} {path:<36} {kind:<9} {rate:>8.1f} {p50:>8.2f} {p99:>8.2f} "
              f"{100 * rate / ceiling:>7.1f}% {megabytes:>11.1f}")
    print("\nworker resident memory (MB): cubby " + ", ".join(f"{mb:.1f}" for mb in app_megabytes)
          + "; hello " + ", ".join(f"{mb:.1f}" for mb in hello_megabytes))
    print("\ntargets:")
    for label, path, kind, rate, *_ in rows[1:]:
        if kind not in TARGET_PERCENT:
            print(f"  {label} ({kind}, for reference): {100 * rate / ceiling:.1f}% of hello")
            continue
        percent, target = 100 * rate / ceiling, TARGET_PERCENT[kind]
        print(f"  {label} ({kind}): {percent:.1f}% of hello, target >= {target}%: {verdict(percent >= target)}")
    largest = max(megabytes for _, _, kind, *_, megabytes in rows if kind in TARGET_PERCENT)
    print(f"  cubby workers: at most {largest:.1f} MB resident, target <= {MAX_WORKER_MB} MB: "
          f"{verdict(largest <= MAX_WORKER_MB)}")


def verdict(met):
    """MET or MISSED."""
    return "MET" if met else "MISSED"


if __name__ == "__main__":
    try:
        main()
    except BenchError as error:
        print(f"bench failed: {error}", file=sys.stderr)
        sys.exit(1)
