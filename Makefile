# Huike: `make run` serves the console with a job worker; `make test` runs every test on
# SQLite and then PostgreSQL. Both install what they need first.
VENV    := .venv
PY      := $(VENV)/bin/python
PYTHON  ?= python3

.PHONY: run test bench lint install assets

install: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV) || \
		{ echo "python3 -m venv failed: install the venv module (Debian: python3-venv)"; exit 1; }
	$(PY) -m pip install --quiet -r requirements.lock
	touch $@

node_modules/.installed: package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

assets: install
	$(PY) manage.py compile_translations
	$(PY) manage.py collectstatic --noinput --verbosity 0

run: assets
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo_if_empty
	bin/serve

test: assets
	bin/test

bench: assets
	bin/bench $(BENCH_ARGS)

lint: install
	$(VENV)/bin/ruff check huike tests bench conftest.py
	$(VENV)/bin/ruff format --check huike tests bench conftest.py
