"""Security: the deploy check, headers on every kind of page, cookies, the throttled staff login
and the configurable admin path."""

import json
import os
import re
import secrets
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.cache import cache
from django.urls import reverse

from tests.factories import make_facility, make_quote_request, make_staff
from tourism import login_guard
from tourism.models import Counter

ROOT = Path(__file__).resolve().parent.parent


def run_django(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    """Run Python (``-c`` code) or manage.py with a clean environment plus ``env``."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "MEDTOUR_"))}
    return subprocess.run(
        [sys.executable, *args],
        env={**base, "DJANGO_SETTINGS_MODULE": "tourism.settings", **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def production(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        "DJANGO_ENV": "production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "medtour.example",
        "MEDTOUR_SITE_URL": "https://medtour.example",
        "MEDTOUR_DATA_DIR": str(tmp_path),
        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        **extra,
    }


# The deploy check -----------------------------------------------------------------------------------


@pytest.mark.subprocess
def test_production_refuses_to_go_on_without_a_mail_backend(tmp_path):
    env = production(tmp_path)
    del env["DJANGO_EMAIL_BACKEND"]
    for command in (["check"], ["check", "--deploy"], ["migrate", "--noinput"]):
        result = run_django(env, "manage.py", *command)
        assert result.returncode != 0, command
        assert "medtour.E001" in result.stderr and "DJANGO_EMAIL_BACKEND is not set" in result.stderr
    assert not (tmp_path / "db.sqlite3").exists() or "Applying" not in result.stdout


@pytest.mark.subprocess
def test_production_may_print_mail_when_asked_to_by_name_with_a_deploy_warning(tmp_path):
    env = production(tmp_path, DJANGO_EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend")
    assert run_django(env, "manage.py", "check").returncode == 0
    deploy = run_django(env, "manage.py", "check", "--deploy", "--fail-level", "ERROR")
    assert deploy.returncode == 0, deploy.stderr
    assert "medtour.W001" in deploy.stdout + deploy.stderr


@pytest.mark.subprocess
def test_development_prints_mail_to_the_console_without_being_told(tmp_path):
    result = run_django({"MEDTOUR_DATA_DIR": str(tmp_path)}, "manage.py", "check")
    assert result.returncode == 0, result.stderr


@pytest.mark.subprocess
def test_deploy_check_reports_nothing_with_production_settings(tmp_path):
    result = run_django(production(tmp_path), "manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNINGS" not in result.stdout + result.stderr


@pytest.mark.subprocess
def test_deploy_check_does_complain_about_a_weak_production_setup(tmp_path):
    # The check really runs: a plain-http setup is reported.
    env = production(tmp_path, DJANGO_SECURE_SSL_REDIRECT="false", DJANGO_SECURE_COOKIES="false")
    result = run_django(env, "manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0
    assert "security.W008" in result.stderr and "security.W012" in result.stderr


# Headers ------------------------------------------------------------------------------------------------

CSP_DIRECTIVES = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def assert_security_headers(response, referrer_policy: str = "same-origin") -> None:
    policy = dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))
    for directive, sources in CSP_DIRECTIVES.items():
        assert policy[directive] == sources, directive
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == referrer_policy
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.django_db
def test_public_pages_send_the_security_headers(client):
    facility = make_facility()
    for url in (reverse("home"), facility.get_absolute_url(), reverse("quotes:request"), "/robots.txt"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_security_headers(response)


@pytest.mark.django_db
def test_error_pages_send_the_security_headers(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert_security_headers(response)


@pytest.mark.django_db
def test_the_status_link_sends_no_referrer_and_its_page_same_origin(client):
    quote_request = make_quote_request()
    link = client.get(reverse("quotes:status", args=[quote_request.status_token]))
    assert link.status_code == 303
    assert_security_headers(link, referrer_policy="no-referrer")  # Its address holds the token.
    page = client.get(link["Location"])
    assert page.status_code == 200
    # Same-origin, for the CSRF check of the page's own forms; the page's address holds no token.
    assert_security_headers(page, referrer_policy="same-origin")


@pytest.mark.django_db
def test_admin_pages_send_the_security_headers(admin_client, client):
    assert_security_headers(admin_client.get(reverse("admin:index")))
    assert_security_headers(client.get(reverse("admin:login")))


@pytest.mark.django_db
def test_json_ld_data_blocks_need_no_script_exception(client):
    # Browsers never run a data block, so CSP does not apply to it: no hash or nonce is needed.
    facility = make_facility()
    response = client.get(facility.get_absolute_url())
    scripts = re.findall(r"<script[^>]*>", response.content.decode())
    assert '<script type="application/ld+json">' in scripts
    assert all('src="' in tag or tag == '<script type="application/ld+json">' for tag in scripts), scripts
    assert "script-src 'self';" in response["Content-Security-Policy"]


def inline_code(html: str) -> list[str]:
    """What a strict CSP would block: inline scripts (not data blocks), style blocks and attributes, handlers."""
    scripts = re.findall(r"<script[^>]*>", html)
    found = [tag for tag in scripts if "src=" not in tag and "application/ld+json" not in tag]
    found += re.findall(r"<style[\s>]", html)
    found += re.findall(r"\sstyle=\S+", html)
    found += re.findall(r"\son[a-z]+=\S+", html)
    found += re.findall(r"javascript:", html)
    return found


@pytest.mark.django_db
def test_customised_admin_pages_render_under_the_policy(admin_client, client):
    quote_request = make_quote_request(status="closed", closed_reason="withdrawn")
    change = admin_client.get(reverse("admin:quotes_quoterequest_change", args=[quote_request.pk]))
    assert 'id="workflow-heading"' in change.content.decode()
    index = admin_client.get(reverse("admin:index"))
    assert 'id="quote-dashboard"' in index.content.decode()
    erase = admin_client.post(
        reverse("admin:quotes_quoterequest_changelist"),
        {"action": "erase_personal_data", "_selected_action": [quote_request.pk]},
    )
    assert "Will be erased" in erase.content.decode()
    login = client.get(reverse("account:sign_in"))
    for page in (change, index, erase, login):
        assert page.status_code == 200
        assert inline_code(page.content.decode()) == []
        assert_security_headers(page)


@pytest.mark.subprocess
def test_production_sends_hsts_and_secure_httponly_cookies(tmp_path):
    code = """
import django, json
django.setup()
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
# Production pages name hashed static files: build the manifest, as a deployment does.
call_command("collectstatic", interactive=False, verbosity=0)
client = Client(HTTP_HOST="medtour.example")
plain = client.get("/robots.txt")
secure = client.get("/robots.txt", secure=True)
login = client.get(reverse("account:sign_in"), secure=True)
csrf = login.cookies["csrftoken"]
print(json.dumps({
    "plain": [plain.status_code, plain.get("Location")],
    "hsts": secure.get("Strict-Transport-Security"),
    "csp": secure.get("Content-Security-Policy"),
    "csrf_cookie": [bool(csrf["secure"]), bool(csrf["httponly"])],
    "session_cookie": [settings.SESSION_COOKIE_SECURE, settings.SESSION_COOKIE_HTTPONLY],
}))
"""
    result = run_django(production(tmp_path, DJANGO_STATIC_ROOT=str(tmp_path / "static")), "-c", code)
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout)
    assert seen["plain"] == [301, "https://medtour.example/robots.txt"]
    assert seen["hsts"] == "max-age=31536000; includeSubDomains"
    assert "frame-ancestors 'none'" in seen["csp"]
    assert seen["csrf_cookie"] == [True, True]
    assert seen["session_cookie"] == [True, True]


@pytest.mark.subprocess
def test_local_production_run_over_http_can_turn_secure_cookies_off(tmp_path):
    code = "import django; django.setup(); from django.conf import settings as s; "
    code += "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS)"
    env = production(tmp_path, DJANGO_SECURE_COOKIES="false", DJANGO_SECURE_SSL_REDIRECT="false")
    result = run_django(env, "-c", code)
    assert result.returncode == 0, result.stderr
    # HSTS stays: browsers only heed it over https, which a plain-http run never sends.
    assert result.stdout.split() == ["False", "False", "False", "31536000"]


@pytest.mark.subprocess
def test_photos_on_object_storage_are_allowed_as_images(tmp_path):
    code = "import django; django.setup(); from tourism.middleware import content_security_policy as p; print(p())"
    result = run_django({"DJANGO_MEDIA_URL": "https://photos.example.net/media/"}, "-c", code)
    assert result.returncode == 0, result.stderr
    assert "img-src 'self' data: https://photos.example.net;" in result.stdout


# Throttled staff login ----------------------------------------------------------------------------------

PASSWORD = "correct horse battery staple"


@pytest.fixture
def staff():
    cache.clear()
    yield make_staff(username="cora", password=PASSWORD)
    cache.clear()


def sign_in(client, username: str, password: str, address: str = "198.51.100.7"):
    # The admin's login page sends people here: the password step, before the second factor.
    return client.post(
        reverse("account:sign_in"),
        {"username": username, "password": password, "next": reverse("admin:index")},
        REMOTE_ADDR=address,
    )


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


THROTTLED = "Too many failed sign-in attempts"


@pytest.mark.django_db
def test_a_username_is_paused_after_five_failures_even_with_the_right_password(client, staff):
    for attempt in range(4):
        response = sign_in(client, "cora", f"wrong {attempt}")
        assert response.status_code == 200
        assert "Please enter a correct username and password" in response.content.decode()
    fifth = sign_in(client, "cora", "wrong again")
    assert fifth.status_code == 200
    assert THROTTLED in fifth.content.decode()
    assert "15 minutes" in fifth.content.decode()

    refused = sign_in(client, "cora", PASSWORD)
    assert refused.status_code == 200
    assert THROTTLED in refused.content.decode()
    assert not signed_in(client)
    # Spelling the name differently does not get round it.
    assert THROTTLED in sign_in(client, "CORA ", PASSWORD).content.decode()

    # Another account is not affected.
    make_staff(username="otto", password=PASSWORD)
    assert sign_in(client, "otto", PASSWORD).status_code == 302
    assert signed_in(client)


@pytest.mark.django_db
def test_the_pause_ends_after_the_window(client, staff, monkeypatch):
    for attempt in range(5):
        sign_in(client, "cora", f"wrong {attempt}")
    assert THROTTLED in sign_in(client, "cora", PASSWORD).content.decode()

    real_time = time.time
    monkeypatch.setattr(login_guard.time, "time", lambda: real_time() + 14 * 60)
    assert THROTTLED in sign_in(client, "cora", PASSWORD).content.decode()
    monkeypatch.setattr(login_guard.time, "time", lambda: real_time() + 15 * 60 + 1)
    assert sign_in(client, "cora", PASSWORD).status_code == 302
    assert signed_in(client)


@pytest.mark.django_db
def test_a_successful_sign_in_clears_the_username_count(client, staff):
    for attempt in range(4):
        sign_in(client, "cora", f"wrong {attempt}")
    assert sign_in(client, "cora", PASSWORD).status_code == 302
    client.logout()
    for attempt in range(4):
        assert THROTTLED not in sign_in(client, "cora", f"wrong {attempt}").content.decode()
    assert sign_in(client, "cora", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_one_address_is_paused_after_twenty_failures(client, staff):
    for attempt in range(20):
        response = sign_in(client, f"guess{attempt % 5}", "wrong", address="203.0.113.9")
        assert response.status_code == 200
    assert THROTTLED in response.content.decode()
    assert THROTTLED in sign_in(client, "cora", PASSWORD, address="203.0.113.9").content.decode()
    assert not signed_in(client)
    assert sign_in(client, "cora", PASSWORD, address="192.0.2.44").status_code == 302


@pytest.mark.django_db
def test_the_counters_hold_neither_usernames_nor_addresses(client, staff):
    sign_in(client, "cora", "wrong", address="203.0.113.9")
    keys = " ".join(Counter.objects.values_list("key", flat=True))
    assert "login-guard" in keys
    assert "cora" not in keys and "203.0.113.9" not in keys


@pytest.mark.django_db
def test_an_incomplete_form_is_not_counted(client, staff):
    for _attempt in range(6):
        response = client.post(reverse("account:sign_in"), {"username": "cora", "password": ""})
        assert response.status_code == 200
    assert sign_in(client, "cora", PASSWORD).status_code == 302


# The admin's path -----------------------------------------------------------------------------------------


@pytest.mark.subprocess
def test_the_admin_moves_with_its_setting_and_robots_txt_does_not_reveal_it(tmp_path):
    code = """
import django, json
django.setup()
from django.test import Client
from django.urls import reverse
client = Client(HTTP_HOST="localhost")
print(json.dumps({
    "index": reverse("admin:index"),
    "robots": client.get("/robots.txt").content.decode(),
    "old": client.get("/admin/login/").status_code,
    "new": client.get("/staff-desk/x7/login/").status_code,
    "new_location": client.get("/staff-desk/x7/login/")["Location"],
    "robots_header": client.get("/staff-desk/x7/login/").get("X-Robots-Tag", ""),
    "public_header": client.get("/privacy/").get("X-Robots-Tag", ""),
}))
"""
    result = run_django({"DJANGO_ADMIN_PATH": "staff-desk/x7/", "MEDTOUR_DATA_DIR": str(tmp_path)}, "-c", code)
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout)
    assert seen["index"] == "/staff-desk/x7/"
    assert "staff-desk" not in seen["robots"] and "x7" not in seen["robots"]
    assert "Sitemap: " in seen["robots"]
    # The admin's login page sends people to the site's sign-in (password, then second factor).
    assert (seen["old"], seen["new"]) == (404, 302)
    assert seen["new_location"] == "/account/sign-in/?next=/staff-desk/x7/"
    # Not listed in robots.txt, the admin's pages ask not to be indexed themselves; public pages do not.
    assert seen["robots_header"] == "noindex, nofollow"
    assert seen["public_header"] == ""


def test_the_admin_path_defaults_to_admin():
    assert reverse("admin:index") == "/admin/"


@pytest.mark.parametrize("value", ["/admin/", "admin", "", "staff desk/", "../admin/", "quote/", "a//", "admin/?x/"])
@pytest.mark.subprocess
def test_a_bad_admin_path_is_refused_at_start_up(value, tmp_path):
    env = {"DJANGO_ADMIN_PATH": value, "MEDTOUR_DATA_DIR": str(tmp_path)}
    result = run_django(env, "-c", "import django; django.setup()")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "DJANGO_ADMIN_PATH" in result.stderr


SHOW_CONNECTIONS = (
    "import django; django.setup(); from django.conf import settings; "
    "d = settings.DATABASES['default']; print(d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'])"
)


@pytest.mark.subprocess
@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({}, "60 True"),  # Production keeps connections, checked before reuse.
        ({"DATABASE_CONN_MAX_AGE": "0"}, "0 True"),  # Unless told otherwise.
        ({"DATABASE_CONN_MAX_AGE": "300"}, "300 True"),
    ],
)
def test_production_keeps_database_connections_by_default(tmp_path, extra, expected):
    result = run_django(production(tmp_path, **extra), "-c", SHOW_CONNECTIONS)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == expected.split()


@pytest.mark.subprocess
def test_development_connects_per_request(tmp_path):
    result = run_django({"DJANGO_ENV": "development", "MEDTOUR_DATA_DIR": str(tmp_path)}, "-c", SHOW_CONNECTIONS)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["0", "True"]
