#!/usr/bin/env bash
# Lighthouse (from npm, pinned) on every area's main page, each as the persona who uses it, mobile preset;
# prints the category scores per page.
#
#   make lighthouse                      # or: bash bench/lighthouse.sh
#   CUBBY_URL=http://127.0.0.1:8000 bash bench/lighthouse.sh
#   LIGHTHOUSE_PAGES="parent@example.com /home" bash bench/lighthouse.sh   # only these "email path" pairs
#   LIGHTHOUSE_REPORT=/tmp/reports bash bench/lighthouse.sh     # keep the full JSON reports in that folder
#
# Uses the demo at $CUBBY_URL (default http://127.0.0.1:5000). When nothing answers there it starts one
# itself under gunicorn, as production runs, with COOKIE_SECURE=0 (plain http), and stops it at the end.
# Signs in as each persona through the real form with curl, then has Lighthouse load the page with that
# session cookie. Targets: performance >= 95, accessibility 100, best practices 100.
# Like `make bench` it prints figures: it exits 0 when a target is missed, non-zero only when
# something broke (no server, sign-in failed, Lighthouse failed).
set -euo pipefail
cd "$(dirname "$0")/.."

URL="${CUBBY_URL:-http://127.0.0.1:5000}"
URL="${URL%/}"
PAGES="${LIGHTHOUSE_PAGES:-parent@example.com /home
parent@example.com /schedule/
parent@example.com /billing/pay-balance
parent@example.com /billing/cart
parent@example.com /register/
parent@example.com /account/
parent@example.com /account/students
parent@example.com /account/households/1/information
instructor@example.com /classes/
staff@example.com /staff/
staff@example.com /staff/pending/
staff@example.com /staff/packages/}"
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
  make --no-print-directory setup >/dev/null  # migrations and the static build, quick when done
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

# Sign in through the real form: the CSRF token from the page, the session cookie from the jar.
session_of() {
  local email="$1" jar="$work/cookies-$1" token status
  curl -fsS -c "$jar" -o "$work/sign-in.html" "$URL/sign-in"
  token=$(sed -n 's/.*name="csrf_token"[^>]*value="\([^"]*\)".*/\1/p' "$work/sign-in.html" | head -1)
  [ -n "$token" ] || { echo "no csrf_token on $URL/sign-in" >&2; exit 1; }
  status=$(curl -sS -b "$jar" -c "$jar" -o /dev/null -w '%{http_code}' -X POST "$URL/sign-in" \
    --data-urlencode "csrf_token=$token" --data-urlencode "email=$email" --data-urlencode "password=cubby-demo")
  [ "$status" = 303 ] || { echo "signing in as $email answered $status, not 303 (COOKIE_SECURE=1 on plain http?)" >&2; exit 1; }
  awk '$6 == "session" {print $7}' "$jar"
}

reports=()
while read -r email page; do
  [ -n "$email" ] || continue
  session=$(session_of "$email")
  status=$(curl -sS -H "Cookie: session=$session" -o /dev/null -w '%{http_code}' "$URL$page")
  [ "$status" = 200 ] || { echo "$URL$page answered $status to $email's session, not 200" >&2; exit 1; }
  report="$work/report-${#reports[@]}.json"
  echo "Lighthouse ($LIGHTHOUSE, mobile preset) on $URL$page as $email ..."
  npx --yes "$LIGHTHOUSE" "$URL$page" --quiet --output=json --output-path="$report" \
    --only-categories=performance,accessibility,best-practices \
    --extra-headers="{\"Cookie\": \"session=$session\"}" --chrome-flags="$CHROME_FLAGS" \
    >"$work/lighthouse.log" 2>&1 || { cat "$work/lighthouse.log" >&2; exit 1; }
  reports+=("$report")
done <<< "$PAGES"
if [ -n "${LIGHTHOUSE_REPORT:-}" ]; then mkdir -p "$LIGHTHOUSE_REPORT" && cp "${reports[@]}" "$LIGHTHOUSE_REPORT"; fi

.venv/bin/python - "${reports[@]}" <<'PY'
import json
import sys

TARGETS = {"performance": 95, "accessibility": 100, "best-practices": 100}
UNSCORED = ("informative", "notApplicable", "manual", "error")
missed, summary = [], []
for path in sys.argv[1:]:
  report = json.load(open(path))
  if report.get("runtimeError"):
    sys.exit(f"Lighthouse could not load the page: {report['runtimeError']}")
  if "/sign-in" in report["finalDisplayedUrl"]:
    sys.exit(f"Lighthouse ended on {report['finalDisplayedUrl']}: the session cookie was not accepted")
  audits = report["audits"]
  print(f"\nLighthouse {report['lighthouseVersion']} · {report['finalDisplayedUrl']} · "
        f"{report['configSettings']['formFactor']}, {report['configSettings']['throttlingMethod']} throttling")
  scores = []
  for key, target in TARGETS.items():
    category = report["categories"][key]
    score = round(category["score"] * 100)
    scores.append(score)
    if score < target:
      missed.append(f"{key} on {report['finalDisplayedUrl']}")
    print(f"  {category['title']:<16} {score:>3}   target {target:>3}  {'ok' if score >= target else 'MISSED'}")
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
  metrics = {m: audits[m]["displayValue"] for m in ("first-contentful-paint", "largest-contentful-paint",
                                                      "total-blocking-time", "cumulative-layout-shift")}
  print("  " + " · ".join(f"{audits[m]['title']} {v}" for m, v in metrics.items()))
  summary.append((report["finalDisplayedUrl"].split("//", 1)[1].split("/", 1)[1], *scores))

print("\n| page | performance | accessibility | best practices |\n|---|---|---|---|")
for page, *scores in summary:
  print(f"| /{page} | " + " | ".join(str(s) for s in scores) + " |")
print("All targets met." if not missed else f"Targets missed: {'; '.join(missed)}.")
PY
