# Two commands: `make run` serves the demo, `make test` passes every test.
# Every target sets up what it needs and is quick the second time.
PY      := .venv/bin/python
FLASK   := .venv/bin/flask --app wsgi
HOST    ?= 127.0.0.1
PORT    ?= 5000

.PHONY: run test setup db vendor browser bench lighthouse e2e reliability prod-check clean

run: setup
	@echo ""
	@echo "  Cubby demo: http://$(HOST):$(PORT)"
	@echo "  Sign in with password cubby-demo as:"
	@echo "    parent@example.com (Dana, primary guardian)   partner@example.com (Chris)"
	@echo "    nanny@example.com (Jo, no payment grant)        grandparents@example.com (Karie)"
	@echo "    trainee@example.com (Lee, Acme trainee)         instructor@example.com (Pat)"
	@echo "    staff@example.com (Sam, staff)              frontdesk@example.com (Alex, staff, no billing)"
	@echo ""
	@echo "  The web server and one job consumer run together (Procfile); Ctrl-C stops both."
	HOST=$(HOST) .venv/bin/honcho start -f Procfile -p $(PORT)

# One pytest worker per core (pytest-xdist): every test has its own database, so they run side by side.
test: setup browser
	$(PY) -m pytest -n auto --ignore=tests/reliability --ignore=tests/prod

# Faults and load against real gunicorn processes: on SQLite, then on PostgreSQL when PG_URL answers.
PG_URL ?= postgresql://postgres@127.0.0.1:5432/cubby_ci
reliability: setup
	$(PY) -m pytest -s tests/reliability
	if $(PY) -c "import psycopg, sys; psycopg.connect(sys.argv[1].rsplit('/', 1)[0] + '/postgres').close()" "$(PG_URL)"; then \
	  DATABASE_URL="$(PG_URL)" $(PY) -m pytest -s tests/reliability; \
	elif [ "$$CI" = "true" ]; then echo "!!! PostgreSQL is not reachable at $(PG_URL)" >&2; exit 1; \
	else echo "!!! PostgreSQL is not reachable at $(PG_URL): the reliability tests ran on SQLite only" >&2; fi

# The production stack on loopback (gunicorn with deploy/gunicorn.conf.py, PostgreSQL, Redis, one job consumer,
# an SMTP server) and the browser smoke journeys against it; see docs/deploy.md.
prod-check: setup browser
	CUBBY_PROD_CHECK=1 $(PY) -m pytest -p no:randomly tests/prod

e2e: setup browser
	$(PY) -m pytest tests/e2e

setup: .venv/.installed static/vendor/.installed static/build/manifest.json db

.venv/.installed: requirements.txt
	test -x $(PY) || python3 -m venv .venv
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --silent --no-audit --no-fund
	touch $@

static/vendor/.installed: node_modules/.installed
	mkdir -p static/vendor
	cp node_modules/htmx.org/dist/htmx.min.js static/vendor/
	touch $@

# The shell files under content-hashed names, gzipped, for WhiteNoise (webapp/assets.py).
static/build/manifest.json: static/vendor/.installed $(wildcard static/css/* static/js/* static/icons/*)
	$(FLASK) assets build

db: .venv/.installed
	$(FLASK) db upgrade
	$(FLASK) demo load --if-empty

# Debian's Chromium for the browser tests; tests/e2e skip loudly (or fail under CI=true) without it.
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null \
	      || echo "!!! could not install chromium: the browser tests will be SKIPPED"; \
	  else echo "!!! /usr/bin/chromium is missing and cannot be installed here: the browser tests will be SKIPPED"; fi; \
	fi

# Both scales on SQLite, then on PostgreSQL when BENCH_POSTGRES_URL (default: 127.0.0.1:5432) answers.
bench: setup
	$(PY) bench/run.py --scale 1 --scale 100 --database both

lighthouse: setup browser
	bash bench/lighthouse.sh

clean:
	rm -rf .venv node_modules static/vendor db/*.sqlite3*
