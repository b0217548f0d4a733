# The two commands a new user types: `make run` and `make test`. See README.md.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip --disable-pip-version-check
HOST ?= 127.0.0.1
PORT ?= 8000
# xstatic-bootstrap builds only with an older setuptools; see build-constraints.txt.
PIP_INSTALL := $(PIP) install --quiet --build-constraint build-constraints.txt

.PHONY: run-sso run test setup install install-dev messages

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade "pip>=25.3"

$(VENV)/.installed: pyproject.toml build-constraints.txt | $(PY)
	$(PIP_INSTALL) -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml build-constraints.txt | $(PY)
	$(PIP_INSTALL) -e ".[dev]"
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev tests/oidc_provider/node_modules/.installed

# The loopback OpenID provider the tests start (tests/oidc_provider/, Node.js): reinstalled
# from its lockfile whenever that changes.
tests/oidc_provider/node_modules/.installed: tests/oidc_provider/package.json tests/oidc_provider/package-lock.json
	npm ci --prefix tests/oidc_provider --no-audit --no-fund --loglevel=error
	touch $@

# Embedded defaults: SQLite under var/ and Celery's filesystem broker, unless
# DATABASE_URL / REDIS_URL are set.
setup: install
	DJANGO_SETTINGS_MODULE=config.settings.local $(PY) manage.py migrate --noinput
	DJANGO_SETTINGS_MODULE=config.settings.local $(PY) manage.py load_reference_data
	DJANGO_SETTINGS_MODULE=config.settings.local $(PY) manage.py seed_demo
	DJANGO_SETTINGS_MODULE=config.settings.local $(PY) manage.py seed_demo_cases

run: setup
	@echo ""
	@echo "  Open http://$(HOST):$(PORT)/ and sign in with a demo user above."
	@echo "  Web server, Celery worker and Celery beat are starting; Ctrl-C stops all three."
	@echo ""
	@export DJANGO_SETTINGS_MODULE=config.settings.local SITE_URL=$${SITE_URL:-http://$(HOST):$(PORT)}; \
	trap 'kill $$(jobs -p) 2>/dev/null' EXIT INT TERM; \
	$(VENV)/bin/celery -A config worker --pool=solo --loglevel=INFO & \
	$(VENV)/bin/celery -A config beat --loglevel=INFO & \
	$(PY) manage.py runserver $(HOST):$(PORT)

# The same, signing in through a demo identity provider (OpenID Connect) on
# 127.0.0.1:9001: the loopback test provider in tests/oidc_provider/ (docs/sso.md).
run-sso: setup tests/oidc_provider/node_modules/.installed
	DJANGO_SETTINGS_MODULE=config.settings.local $(PY) manage.py sso_demo --site http://$(HOST):$(PORT)
	@echo ""
	@echo "  Open http://$(HOST):$(PORT)/ and choose \"Sign in with Trondheim kommune (demo)\"."
	@echo "  Provider accounts: trd-coordinator, trd-frontline, trd-ny-ansatt; password demo-passord-2026."
	@echo ""
	@export DJANGO_SETTINGS_MODULE=config.settings.local SITE_URL=$${SITE_URL:-http://$(HOST):$(PORT)} \
	  OIDC_CLIENT_SECRET_TRONDHEIM_DEMO_FILE=$(CURDIR)/var/sso-demo/client-secret; \
	trap 'kill $$(jobs -p) 2>/dev/null' EXIT INT TERM; \
	node tests/oidc_provider/server.js --config var/sso-demo/provider.json & \
	$(VENV)/bin/celery -A config worker --pool=solo --loglevel=INFO & \
	$(VENV)/bin/celery -A config beat --loglevel=INFO & \
	$(PY) manage.py runserver $(HOST):$(PORT)

test: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/pytest

# Refresh the .po files after changing strings; the compiled .mo files are committed.
messages: install-dev
	DJANGO_SETTINGS_MODULE=config.settings.local $(PY) manage.py makemessages -l nb -l da -l en --no-obsolete --ignore=.venv --ignore=var
	DJANGO_SETTINGS_MODULE=config.settings.local $(PY) manage.py compilemessages --ignore=.venv
