# Køreplan — everything a new machine needs is set up by these targets.
# `make run`  : set-up, SQLite database under var/, demo data, server on http://127.0.0.1:8000
# `make test` : set-up and the whole test suite (SQLite; CI also runs it on PostgreSQL)
# `make test-browser` : the browser tests (tests/browser) in Debian's Chromium, installed if missing

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: setup run test test-browser test-domain bench worker schedule rules-doc clean loadtest backup-check

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

run: setup
	mkdir -p var
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py demo --url http://$(HOST):$(PORT)
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# The browser tests are left out here (pyproject's addopts: -m 'not browser'), so this
# needs no browser and no root; `make test-browser` runs them.
test: setup
	$(BIN)/lint-imports --no-cache
	$(BIN)/pytest

# Chromium comes from Debian (apt-get needs root, as on CI); Playwright drives it and never
# downloads a browser of its own.
CHROMIUM ?= /usr/bin/chromium
test-browser: export KOREPLAN_CHROMIUM := $(CHROMIUM)
test-browser: setup
	test -x $(CHROMIUM) || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; }
	$(BIN)/pytest -m browser tests/browser

# The pure core's tests: no Django, no database (the root conftest and pytest-django stay out).
test-domain: setup
	$(BIN)/pytest tests/domain --confcutdir=tests/domain -p no:django -W ignore::pytest.PytestConfigWarning

# On SQLite in var/bench.sqlite3, or on DATABASE_URL if set; the national data is generated
# into it the first time (minutes) and reused after (a GeneratedSet row marks it).
bench: export DATABASE_URL := $(or $(DATABASE_URL),sqlite:///$(CURDIR)/var/bench.sqlite3)
bench: export KOREPLAN_BENCH := 1
bench: setup
	mkdir -p var
	$(BIN)/python -m koreplan.bench.timeline
	$(BIN)/koreplan migrate --no-input -v 0
	$(BIN)/koreplan bench

worker: setup
	$(BIN)/python manage.py task_worker

schedule: setup
	$(BIN)/python manage.py schedule_nightly

rules-doc: setup
	$(BIN)/koreplan rules > docs/rules.md

clean:
	rm -rf $(VENV) var *.egg-info .pytest_cache .hypothesis

# The load test (minutes; restarts the local PostgreSQL once — never part of `make test`):
# gunicorn and task workers on a fresh PostgreSQL database with the demo, USERS locust users
# for DURATION, a database restart and a killed worker on the way; exits 1 if a check fails.
# See docs/operations.md, "Load test". Report and logs in var/loadtest/<time>/.
USERS    ?= 50
DURATION ?= 3m
$(VENV)/.load-stamp: pyproject.toml $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,load]'
	touch $@

loadtest: $(VENV)/.load-stamp
	$(BIN)/python scripts/loadtest.py --users $(USERS) --duration $(DURATION)

# pg_dump -Fc / pg_restore round trip on a demo database, compared table by table and by
# the audit chain; exits 1 on a difference. See docs/operations.md, "Backup and restore".
backup-check: setup
	$(BIN)/python scripts/backup_restore_check.py
