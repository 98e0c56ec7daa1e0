# KOL CRM: `make run` serves the app with demo data; `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= $(shell for p in python3.14 python3.13 python3.12 python3 $$(ls -d "$${PYENV_ROOT:-$$HOME/.pyenv}"/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -V -r); do $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { echo $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format migrate seed worker clean check-python bench

check-python:
	@if [ -z "$(PYTHON)" ]; then \
	  echo "Python 3.12+ not found: install it or run \`make PYTHON=/path/to/python3.12\`." >&2; exit 1; fi

$(BIN)/python: | check-python
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip 2>&1 | grep -v "is ignored" || true
	$(BIN)/python -m pip install --quiet '.[dev]' 2>&1 | grep -v "is ignored" || true
	$(BIN)/python -c "import django, django_htmx, celery, psycopg, pytest_django, playwright"
	touch $(STAMP)

install: $(STAMP)

migrate: $(STAMP)
	$(BIN)/python manage.py migrate --noinput

seed: migrate
	$(BIN)/python manage.py seed_demo

# Serves on SQLite with a Celery worker (filesystem broker, beat embedded) beside it.
run: seed
	@echo "KOL CRM on http://$(HOST):$(PORT)/  (Ctrl-C stops the server and the worker)"
	@trap 'kill 0' EXIT; \
	  SITE_URL=$${SITE_URL:-http://$(HOST):$(PORT)} $(BIN)/celery -A kolcrm worker -B -Q celery,dispatch -s var/celerybeat-schedule --pool solo -l warning --without-gossip --without-mingle & \
	  SITE_URL=$${SITE_URL:-http://$(HOST):$(PORT)} $(BIN)/python manage.py runserver $(HOST):$(PORT)

worker: $(STAMP)
	$(BIN)/celery -A kolcrm worker -B -Q celery,dispatch -s var/celerybeat-schedule -l info

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

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
