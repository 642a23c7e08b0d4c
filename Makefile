# The README's commands. Everything installs into .venv from requirements files.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
DEV := DEBUG=true MFA_REQUIRED_FOR_AGENCY=false
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install lint format messages vendor bench bench-certificates worker beat clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

run: install
	$(DEV) $(PY) manage.py migrate --noinput
	$(DEV) $(PY) manage.py load_cities
	$(DEV) $(PY) manage.py seed_demo
	@echo "Serving on http://$(HOST):$(PORT)/  (SQLite, tasks run eagerly, e-mails printed here)"
	$(DEV) $(PY) manage.py runserver $(HOST):$(PORT)

test: install
	$(PY) -m pytest -n 2 $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Regenerate the Polish catalogue after changing user-facing text (needs GNU gettext).
messages: install
	$(DEV) $(PY) manage.py makemessages -l pl --ignore=.venv --ignore=.venv-bench --ignore=var --ignore=node_modules --no-obsolete
	$(DEV) $(PY) manage.py compilemessages -l pl --ignore=.venv --ignore=.venv-bench

# Re-vendor front-end assets from the npm registry into static/vendor/.
vendor:
	npm install --no-audit --no-fund --no-save
	cp node_modules/bootstrap/dist/css/bootstrap.min.css* node_modules/bootstrap/dist/js/bootstrap.bundle.min.js* static/vendor/bootstrap/
	cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx/
	cp node_modules/chart.js/dist/chart.umd.min.js* static/vendor/chartjs/

# Benchmarks (bench/README.md): SQLite unless DATABASE_URL points to PostgreSQL; the list needs PostgreSQL and wrk.
bench: install
	DEBUG=true $(PY) bench/bench_reserve_list.py
	DEBUG=true $(PY) bench/bench_mobility_import.py
	$(PY) bench/bench_mobility_list.py

# The certificate benchmark (CPU-bound PDF rendering through a real worker; PostgreSQL and Redis) in a runtime-only
# virtualenv of an optimised CPython like production's python:3.11-slim: Debian's python3.11 where there is one
# (pyenv's default build renders ~25-35 % slower; bench/README.md). Needs libharfbuzz-subset0 for WeasyPrint.
BENCH_PYTHON ?= $(shell test -x /usr/bin/python3.11 && echo /usr/bin/python3.11 || echo $(PYTHON))
BENCH_VENV := .venv-bench
$(BENCH_VENV)/.installed: requirements.txt
	test -x $(BENCH_VENV)/bin/python || $(BENCH_PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet -r requirements.txt
	touch $@

bench-certificates: $(BENCH_VENV)/.installed
	$(BENCH_VENV)/bin/python bench/bench_certificates.py --count 1000 --concurrency 1

worker: install
	$(DEV) $(VENV)/bin/celery -A mobility_portal worker -l info

beat: install
	$(DEV) $(VENV)/bin/celery -A mobility_portal beat -l info

clean:
	rm -rf $(VENV) $(BENCH_VENV) var
