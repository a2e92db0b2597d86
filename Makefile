# Medtour: `make run` to try the site, `make test` to check it. See README.md.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test check pytest migrate demo bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall only when the pinned requirements change.
$(VENV)/.installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

migrate: $(VENV)/.installed
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py load_demo

run: demo
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

check: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run --noinput

pytest: $(VENV)/.installed
	$(BIN)/pytest

test: check pytest

# In-process timings of the public pages on their own database (var/bench/), 10,000 facilities.
BENCH_ENV = MEDTOUR_DATA_DIR=var/bench DJANGO_ALLOWED_HOSTS=testserver,127.0.0.1 DJANGO_DEBUG=false
BENCH_FACILITIES ?= 10000
bench: $(VENV)/.installed
	$(BENCH_ENV) $(BIN)/python manage.py migrate --noinput -v0
	$(BENCH_ENV) $(BIN)/python manage.py load_demo --no-requests
	$(BENCH_ENV) $(BIN)/python manage.py bench_pages --facilities $(BENCH_FACILITIES)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache staticfiles
