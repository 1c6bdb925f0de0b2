#!/usr/bin/env bash
# Lighthouse (npm, pinned) on the signed-in guardian home, mobile preset; prints the category scores.
# Uses the demo at $CUBBY_URL (default http://127.0.0.1:5000), starting one under gunicorn if none answers.
set -euo pipefail
cd "$(dirname "$0")/.."

URL="${CUBBY_URL:-http://127.0.0.1:5000}"
LIGHTHOUSE="lighthouse@12.2.3"
export CHROME_PATH="${CHROME_PATH:-/usr/bin/chromium}"
FLAGS="--headless=new --no-sandbox --disable-gpu --disable-background-networking --disable-component-update --disable-sync --no-first-run --disable-quic"
work=$(mktemp -d)
server=""
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

if ! curl -fs -o /dev/null "$URL/sign-in"; then
  echo "starting the demo under gunicorn at $URL ..."
  COOKIE_SECURE=0 .venv/bin/gunicorn --workers 2 --bind "${URL#http://}" --log-level warning wsgi:app &
  server=$!
  for _ in $(seq 50); do curl -fs -o /dev/null "$URL/sign-in" && break; sleep 0.2; done
fi

# Sign in as Dana through the real form, keeping the session cookie.
jar="$work/cookies"
token=$(curl -fsS -c "$jar" "$URL/sign-in" | sed -n 's/.*name="csrf_token" type="hidden" value="\([^"]*\)".*/\1/p' | head -1)
curl -fsS -b "$jar" -c "$jar" -o /dev/null -X POST "$URL/sign-in" \
  --data-urlencode "csrf_token=$token" --data-urlencode "email=parent@example.com" --data-urlencode "password=cubby-demo"
curl -fsS -b "$jar" -c "$jar" -o /dev/null "$URL/home"  # settle the session cookie once
session=$(awk '$6 == "session" {print $7}' "$jar")
[ -n "$session" ] || { echo "could not sign in as parent@example.com" >&2; exit 1; }

npx --yes "$LIGHTHOUSE" "$URL/home" --quiet --output=json --output-path="$work/report.json" \
  --only-categories=performance,accessibility,best-practices --form-factor=mobile \
  --extra-headers="{\"Cookie\": \"session=$session\"}" --chrome-flags="$FLAGS" >/dev/null 2>"$work/lighthouse.log" \
  || { cat "$work/lighthouse.log" >&2; exit 1; }

.venv/bin/python - "$work/report.json" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
print(f"Lighthouse {report['lighthouseVersion']} · {report['finalDisplayedUrl']} · mobile")
for key in ("performance", "accessibility", "best-practices"):
    category = report["categories"][key]
    print(f"  {category['title']:<16} {round(category['score'] * 100):>3}")
    for ref in category["auditRefs"]:
        audit = report["audits"][ref["id"]]
        if ref.get("weight") and audit.get("score") is not None and audit["score"] < 1:
            print(f"      - {audit['title']} ({audit.get('displayValue', audit['score'])})")
for metric in ("first-contentful-paint", "largest-contentful-paint", "total-blocking-time", "cumulative-layout-shift"):
    print(f"  {report['audits'][metric]['title']:<26} {report['audits'][metric]['displayValue']}")
PY
