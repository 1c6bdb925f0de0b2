#!/usr/bin/env bash
# Lighthouse (from npm, pinned) on the signed-in guardian home, mobile preset; prints the category scores.
#
#   make lighthouse                      # or: bash bench/lighthouse.sh
#   CUBBY_URL=http://127.0.0.1:8000 bash bench/lighthouse.sh
#   LIGHTHOUSE_REPORT=/tmp/home.json bash bench/lighthouse.sh   # keep the full JSON report
#
# Uses the demo at $CUBBY_URL (default http://127.0.0.1:5000). When nothing answers there it starts one
# itself under gunicorn, as production runs, with COOKIE_SECURE=0 (plain http), and stops it at the end.
# Signs in as Dana (parent@example.com) through the real form with curl, then has Lighthouse load /home
# with that session cookie. Targets: performance >= 95, accessibility 100, best practices 100.
# Like `make bench` it prints figures: it exits 0 when a target is missed, non-zero only when
# something broke (no server, sign-in failed, Lighthouse failed).
set -euo pipefail
cd "$(dirname "$0")/.."

URL="${CUBBY_URL:-http://127.0.0.1:5000}"
URL="${URL%/}"
PAGE="${LIGHTHOUSE_PAGE:-/home}"  # another page: LIGHTHOUSE_PAGE=/schedule/
LIGHTHOUSE="lighthouse@12.2.3"
export CHROME_PATH="${CHROME_PATH:-/usr/bin/chromium}"
CHROME_FLAGS="--headless=new --no-sandbox --disable-gpu --disable-background-networking --disable-component-update --disable-sync --no-first-run --disable-quic"

work=$(mktemp -d)
server=""
cleanup() {
  if [ -n "$server" ] && kill -0 "$server" 2>/dev/null; then
    kill "$server" && wait "$server" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

answers() { curl -fs -o /dev/null --max-time 5 "$URL/sign-in"; }

if ! answers; then
  [ -x .venv/bin/gunicorn ] && [ -f db/cubby.sqlite3 ] || make --no-print-directory setup
  hostport="${URL#*://}"
  echo "Nothing answers at $URL: starting the demo under gunicorn ..."
  COOKIE_SECURE=0 .venv/bin/gunicorn --workers 2 --bind "$hostport" --log-level warning wsgi:app &
  server=$!
  for _ in $(seq 100); do
    answers && break
    kill -0 "$server" 2>/dev/null || { echo "gunicorn did not start (is $hostport in use?)" >&2; exit 1; }
    sleep 0.1
  done
  answers || { echo "the demo did not answer at $URL within 10 s" >&2; exit 1; }
fi

# Sign in as Dana through the real form: the CSRF token from the page, the session cookie from the jar.
jar="$work/cookies"
curl -fsS -c "$jar" -o "$work/sign-in.html" "$URL/sign-in"
token=$(.venv/bin/python -c '
import re, sys
html = open(sys.argv[1]).read()
for tag in re.findall(r"<input\b[^>]*>", html):
    if re.search(r"\bname=\"csrf_token\"", tag):
        print(re.search(r"\bvalue=\"([^\"]*)\"", tag).group(1))
        break
' "$work/sign-in.html")
[ -n "$token" ] || { echo "no csrf_token on $URL/sign-in" >&2; exit 1; }
status=$(curl -sS -b "$jar" -c "$jar" -o /dev/null -w '%{http_code} %{redirect_url}' -X POST "$URL/sign-in" \
  --data-urlencode "csrf_token=$token" --data-urlencode "email=parent@example.com" --data-urlencode "password=cubby-demo")
case "$status" in
  30[23]\ *) ;;
  *) echo "signing in as parent@example.com answered $status, not a redirect (wrong password? COOKIE_SECURE=1 on plain http?)" >&2; exit 1 ;;
esac
session=$(awk '$6 == "session" {print $7}' "$jar")
status=$(curl -sS -H "Cookie: session=$session" -o /dev/null -w '%{http_code}' "$URL$PAGE")
[ "$status" = 200 ] || { echo "$URL$PAGE answered $status to Dana's session, not 200" >&2; exit 1; }

echo "Lighthouse ($LIGHTHOUSE, mobile preset) on $URL$PAGE as parent@example.com ..."
npx --yes "$LIGHTHOUSE" "$URL$PAGE" --quiet --output=json --output-path="$work/report.json" \
  --only-categories=performance,accessibility,best-practices \
  --extra-headers="{\"Cookie\": \"session=$session\"}" --chrome-flags="$CHROME_FLAGS" \
  >"$work/lighthouse.log" 2>&1 || { cat "$work/lighthouse.log" >&2; exit 1; }
[ -z "${LIGHTHOUSE_REPORT:-}" ] || cp "$work/report.json" "$LIGHTHOUSE_REPORT"

.venv/bin/python - "$work/report.json" <<'PY'
import json
import sys

report = json.load(open(sys.argv[1]))
if report.get("runtimeError"):
    sys.exit(f"Lighthouse could not load the page: {report['runtimeError']}")
if "/sign-in" in report["finalDisplayedUrl"]:
    sys.exit(f"Lighthouse ended on {report['finalDisplayedUrl']}: the session cookie was not accepted")
audits = report["audits"]
TARGETS = {"performance": 95, "accessibility": 100, "best-practices": 100}
UNSCORED = ("informative", "notApplicable", "manual", "error")

print(f"Lighthouse {report['lighthouseVersion']} · {report['finalDisplayedUrl']} · "
      f"{report['configSettings']['formFactor']}, {report['configSettings']['throttlingMethod']} throttling")
missed = []
for key, target in TARGETS.items():
    category = report["categories"][key]
    score = round(category["score"] * 100)
    verdict = "ok" if score >= target else "MISSED"
    if score < target:
        missed.append(key)
    print(f"  {category['title']:<16} {score:>3}   target {target:>3}  {verdict}")
    if key == "performance":
        continue
    for ref in category["auditRefs"]:
        audit = audits[ref["id"]]
        if audit["scoreDisplayMode"] in UNSCORED or audit["score"] is None or audit["score"] >= 1:
            continue
        print(f"      failing: {audit['title']} [{ref['id']}]")
        for item in (audit.get("details") or {}).get("items", [])[:5]:
            node = item.get("node") or {}
            where = node.get("selector") or item.get("description") or item.get("source", {}).get("url") or item.get("url") or ""
            if where:
                print(f"          {str(where)[:110]}")

print("  Metrics")
for metric in ("first-contentful-paint", "largest-contentful-paint", "total-blocking-time",
               "cumulative-layout-shift", "speed-index"):
    audit = audits[metric]
    print(f"    {audit['title']:<26} {audit['displayValue']:>8}   (score {audit['score']:.2f})")
print("All targets met." if not missed else f"Targets missed: {', '.join(missed)}.")
PY
