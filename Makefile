# Medtour: `make run` to try the site, `make test` to check it. See README.md.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run serve test check messages pytest pytest-fast migrate demo bench clean

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

# Links in e-mails and in what commands print come from MEDTOUR_SITE_URL, never from a request:
# these targets point it at the address they serve (unless it is set already).
run demo serve: export MEDTOUR_SITE_URL ?= http://$(HOST):$(PORT)

# The web server only queues e-mail; the worker beside it sends it (to the console, unless
# DJANGO_EMAIL_BACKEND says otherwise) and stops with it.
run: demo
	@$(BIN)/python manage.py send_notifications --loop & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; \
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

check: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run --noinput
	$(BIN)/python manage.py check_translations

# After changing a string people read: brings every locale/*/LC_MESSAGES/django.po up to date with
# the code (new strings untranslated, `make check` fails until they are translated), then compiles
# the .mo files the site reads (committed, so a checkout runs without GNU gettext's msgfmt).
messages: $(VENV)/.installed
	$(BIN)/python manage.py shell -c "from django.core.management import call_command; \
		from tourism.management.commands.check_translations import makemessages_arguments, translated_languages; \
		call_command(*makemessages_arguments(translated_languages()))"
	$(BIN)/python manage.py compilemessages --ignore .venv --ignore node_modules

# The whole suite, browser tests included, spread over the machine's cores by pytest-xdist
# (PYTEST_WORKERS=0 runs it in one process, e.g. to use a debugger).
PYTEST_WORKERS ?= auto
pytest: $(VENV)/.installed
	@if command -v npm >/dev/null && ! [ node_modules/.package-lock.json -nt package-lock.json ]; then npm ci --no-audit --no-fund; fi
	$(BIN)/pytest -n $(PYTEST_WORKERS)

# For the edit loop: everything but the browser tests and the tests that start other processes.
pytest-fast: $(VENV)/.installed
	$(BIN)/pytest -n $(PYTEST_WORKERS) -m "not e2e and not subprocess"

test: check pytest

# Measured speed of the public pages at 1,000 and 100,000 facilities (own databases in var/bench-1k/
# and var/bench-100k/, built once): in-process, and under gunicorn on 127.0.0.1. See bench/run.py;
# options through BENCH_ARGS, e.g. BENCH_ARGS="--seconds 10" or "--postgres" (with DATABASE_URL).
bench: $(VENV)/.installed
	$(BIN)/python -m bench.run $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache staticfiles

# The production stack on this machine (gunicorn, whitenoise, DJANGO_ENV=production) with the demo
# data (SERVE_DEMO=no skips it). With no DJANGO_SECRET_KEY a key is made once in var/secret_key
# (outside git). Plain http on 127.0.0.1: the https redirect and Secure cookies are off unless set
# in the environment; real deployments keep both on behind a TLS proxy (README, "Deploying").
# Workers: WEB_CONCURRENCY, else 2 x cores + 1, at most SERVE_MAX_WORKERS.
SERVE_DEMO ?= yes
SERVE_MAX_WORKERS ?= 9
SERVE_WORKERS = $(shell n=$$(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1); \
	w=$$((2 * n + 1)); [ $$w -gt $(SERVE_MAX_WORKERS) ] && w=$(SERVE_MAX_WORKERS); echo $$w)
serve: $(VENV)/.installed
	@if [ -z "$$DJANGO_SECRET_KEY" ] && [ ! -s var/secret_key ]; then \
		mkdir -p var && (umask 077 && $(BIN)/python -c "import secrets; print(secrets.token_urlsafe(50))" > var/secret_key) \
		&& echo "Made a secret key for this machine in var/secret_key."; fi
	@export DJANGO_ENV=production \
		DJANGO_SECRET_KEY="$${DJANGO_SECRET_KEY:-$$(cat var/secret_key)}" \
		DJANGO_ALLOWED_HOSTS="$${DJANGO_ALLOWED_HOSTS:-127.0.0.1,localhost}" \
		DJANGO_SECURE_SSL_REDIRECT="$${DJANGO_SECURE_SSL_REDIRECT:-false}" \
		DJANGO_SECURE_COOKIES="$${DJANGO_SECURE_COOKIES:-false}" \
		DJANGO_EMAIL_BACKEND="$${DJANGO_EMAIL_BACKEND:-django.core.mail.backends.console.EmailBackend}" \
		WEB_CONCURRENCY="$${WEB_CONCURRENCY:-$(SERVE_WORKERS)}" \
	&& $(BIN)/python manage.py collectstatic --noinput -v0 \
	&& $(BIN)/python manage.py migrate --noinput \
	&& if [ "$(SERVE_DEMO)" = yes ]; then $(BIN)/python manage.py load_demo; fi \
	&& echo "Serving on http://$(HOST):$(PORT)/ with $$WEB_CONCURRENCY gunicorn workers and a mail worker (Ctrl-C stops)." \
	&& { $(BIN)/python manage.py send_notifications --loop & worker=$$!; \
		trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; \
		$(BIN)/gunicorn tourism.wsgi --config tourism/gunicorn.conf.py --bind $(HOST):$(PORT) \
		--workers "$$WEB_CONCURRENCY"; }
