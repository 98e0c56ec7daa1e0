# KOL CRM: `make run` serves the app with demo data; `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= $(shell for p in python3.14 python3.13 python3.12 python3 $$(ls -d "$${PYENV_ROOT:-$$HOME/.pyenv}"/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -V -r); do $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { echo $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Pinned with hashes by `make lock` from pyproject.toml's ranges: runtime (the image) and
# runtime + dev (this venv, CI).
LOCK := requirements.lock
DEV_LOCK := requirements-dev.lock
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install lock run test lint format migrate seed worker clean check-python bench

check-python:
	@if [ -z "$(PYTHON)" ]; then \
	  echo "Python 3.12+ not found: install it or run \`make PYTHON=/path/to/python3.12\`." >&2; exit 1; fi

$(BIN)/python: | check-python
	$(PYTHON) -m venv $(VENV)

# Only the lock: the project itself has no package to install. A failed install fails make
# (pipefail); the grep only drops the harmless "Location ... is ignored" lines of pip.
$(STAMP): $(DEV_LOCK) | $(BIN)/python
	set -o pipefail; $(BIN)/python -m pip install --quiet --require-hashes -r $(DEV_LOCK) 2>&1 \
	  | { grep -v "is ignored" || true; }
	$(BIN)/python -c "import django, django_htmx, celery, psycopg, pytest_django, playwright, importlinter"
	touch $(STAMP)

install: $(STAMP)

# Re-pins both locks from pyproject.toml for every platform and Python 3.12+, keeping the
# current pins where the ranges allow (`make lock LOCK_ARGS=--upgrade` takes the newest).
LOCK_COMPILE = $(BIN)/uv pip compile pyproject.toml --universal --python-version 3.12 \
  --generate-hashes --custom-compile-command "make lock" --quiet $(LOCK_ARGS)
lock: $(STAMP)
	$(LOCK_COMPILE) -o $(LOCK)
	$(LOCK_COMPILE) --extra dev -c $(LOCK) -o $(DEV_LOCK)

migrate: $(STAMP)
	$(BIN)/python manage.py migrate --noinput

seed: migrate
	$(BIN)/python manage.py seed_demo

# Serves on SQLite with a Celery worker (filesystem broker, beat embedded) beside it. Email
# goes to a readable outbox (common/dev_mail.py: the console and var/outbox/). Ctrl-C stops
# the worker by its pid and waits for it: `kill 0` also signalled make ("make: *** wait").
run: export PIP_ROOT_USER_ACTION := ignore
run: export PIP_DISABLE_PIP_VERSION_CHECK := 1
run: seed
	@echo "KOL CRM on http://$(HOST):$(PORT)/  (Ctrl-C stops the server and the worker)"
	@export SITE_URL=$${SITE_URL:-http://$(HOST):$(PORT)}; \
	  $(BIN)/celery -A kolcrm worker -B -Q celery,dispatch -s var/celerybeat-schedule --pool solo -l warning --without-gossip --without-mingle & \
	  worker=$$!; \
	  trap 'trap - INT TERM EXIT; kill $$worker 2>/dev/null; wait $$worker 2>/dev/null; exit 0' INT TERM EXIT; \
	  $(BIN)/python manage.py runserver $(HOST):$(PORT)

worker: $(STAMP)
	$(BIN)/celery -A kolcrm worker -B -Q celery,dispatch -s var/celerybeat-schedule -l info

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The whole suite: lint, migrations check, unit/view tests and browser tests.
test: $(STAMP) lint
	$(BIN)/python manage.py makemigrations --check --dry-run
	CELERY_BROKER_URL=$${CELERY_BROKER_URL:-memory://} $(BIN)/python -m pytest $(PYTEST_ARGS)

# The performance benchmark on PostgreSQL (not part of `make test`): see bench/README.md.
bench: $(STAMP)
	$(BIN)/python -m bench.run $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var staticfiles
