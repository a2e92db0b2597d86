"""Site-wide pages and settings: health check, error pages, production settings, home."""

import os
import re
import subprocess
import sys

import pytest
from django.db import DatabaseError, OperationalError, connection
from django.test import RequestFactory
from django.urls import reverse

from tests.factories import make_facility, make_procedure
from tourism import views
from tourism.models import Counter

pytestmark = pytest.mark.django_db


def test_healthz_reports_a_working_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_reports_a_broken_database(client, monkeypatch):
    class BrokenCursor:
        def __enter__(self):
            raise DatabaseError("connection refused")

        def __exit__(self, *exc):
            return False

    monkeypatch.setattr(views.connection, "cursor", lambda: BrokenCursor())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"


def test_healthz_reports_a_database_that_cannot_write(client):
    # A read-only database: SQLite's query_only; on PostgreSQL the test's own transaction made read
    # only (it is rolled back after the test, so nothing needs turning back).
    read_only, writable = {
        "sqlite": ("PRAGMA query_only = ON", "PRAGMA query_only = OFF"),
        "postgresql": ("SET TRANSACTION READ ONLY", None),
    }[connection.vendor]
    with connection.cursor() as cursor:
        cursor.execute(read_only)
    try:
        response = client.get("/healthz")
    finally:
        if writable:
            with connection.cursor() as cursor:
                cursor.execute(writable)
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "not_writable", "cache": "ok"}


def test_healthz_write_probe_leaves_nothing_behind(client):
    tables = set(connection.introspection.table_names())
    assert client.get("/healthz").status_code == 200
    assert client.get("/healthz").status_code == 200
    assert set(connection.introspection.table_names()) == tables
    assert not Counter.objects.exists()  # The probe's row was rolled back.


def test_healthz_reports_a_write_that_fails(client, monkeypatch):
    def locked(*, wait_seconds):
        assert wait_seconds <= 5  # Never the 20 seconds a request waits for the lock.
        raise OperationalError("database is locked")

    monkeypatch.setattr(views, "_write_probe", locked)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "not_writable"


def test_healthz_refuses_post(client):
    assert client.post("/healthz").status_code == 405


def test_custom_404_page(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()
    assert 'name="robots" content="noindex"' in response.content.decode()


def test_custom_500_page_renders_without_a_request_context():
    response = views.server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()


def test_home_page_links_search_to_the_directory(client):
    make_facility()
    procedure = make_procedure(name="Kyphoplasty", slug="kyphoplasty")
    html = client.get(reverse("home")).content.decode()
    assert f'action="{reverse("facilities:list")}"' in html
    assert f'value="{procedure.slug}"' in html
    assert "Compare 1 accredited hospital or clinic" in html


def test_pages_use_no_inline_scripts_or_styles(client):
    facility = make_facility()
    procedure = make_procedure()
    urls = [reverse("home"), reverse("facilities:list"), facility.get_absolute_url(), reverse("quotes:request")]
    urls += [reverse("procedures:list"), procedure.get_absolute_url(), reverse("accreditation"), reverse("privacy")]
    for url in urls:
        html = client.get(url).content.decode()
        # Only external scripts and JSON-LD data blocks (which browsers never run).
        scripts = re.findall(r"<script[^>]*>", html)
        assert all('src="' in tag or 'type="application/ld+json"' in tag for tag in scripts), (url, scripts)
        assert " style=" not in html, url
        assert "<style" not in html, url
        assert " on" + "click=" not in html, url


def _settings_import(env: dict) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    clean.update(env)
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; from django.conf import settings; django.setup(); print(settings.DEBUG)",
        ],
        env={**clean, "DJANGO_SETTINGS_MODULE": "tourism.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    "env, missing",
    [
        ({"DJANGO_ENV": "production", "DJANGO_ALLOWED_HOSTS": "medtour.example"}, "DJANGO_SECRET_KEY"),
        ({"DJANGO_ENV": "production", "DJANGO_SECRET_KEY": "x" * 50}, "DJANGO_ALLOWED_HOSTS"),
        (
            {"DJANGO_ENV": "production", "DJANGO_SECRET_KEY": "x" * 50, "DJANGO_ALLOWED_HOSTS": "medtour.example"},
            "MEDTOUR_SITE_URL",
        ),
        ({"MEDTOUR_SITE_URL": "medtour.example/path"}, "MEDTOUR_SITE_URL"),
        (
            {
                "DJANGO_ENV": "production",
                "DJANGO_SECRET_KEY": "x" * 50,
                "DJANGO_ALLOWED_HOSTS": "a",
                "DJANGO_DEBUG": "1",
            },
            "DJANGO_DEBUG",
        ),
        ({"DJANGO_DEBUG": "maybe"}, "DJANGO_DEBUG"),
    ],
)
@pytest.mark.subprocess
def test_production_refuses_to_start_without_its_settings(env, missing):
    result = _settings_import(env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert missing in result.stderr


@pytest.mark.subprocess
def test_production_starts_with_its_settings():
    result = _settings_import(
        {
            "DJANGO_ENV": "production",
            "DJANGO_SECRET_KEY": "s" * 50,
            "DJANGO_ALLOWED_HOSTS": "medtour.example",
            "MEDTOUR_SITE_URL": "https://medtour.example",
        }
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_sqlite_is_configured_for_concurrent_use(settings):
    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.sqlite3":
        pytest.skip("SQLite only")
    assert database["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert database["OPTIONS"]["timeout"] >= 5
    assert "journal_mode=WAL" in database["OPTIONS"]["init_command"]


@pytest.mark.parametrize(
    "url",
    [
        "/admin/facilities/facility/?q=%00",
        "/admin/facilities/facility/?country=%00",
        "/admin/facilities/facility/?kind=a%00",
        "/admin/facilities/accreditation/?body__id__exact=%00",
        "/facilities/?country=%00",
        "/facilities/?%00=1",
        "/quote/?facility=%00",
    ],
)
def test_nul_characters_in_a_url_get_a_400_page(admin_client, url):
    make_facility()
    response = admin_client.get(url)
    assert response.status_code == 400
    assert "We could not understand that address" in response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/admin/facilities/facility/?accreditation=zzz",
        "/admin/facilities/facility/?is_published__exact=maybe",
        "/admin/facilities/facility/?o=99",
        "/admin/facilities/facility/?p=x",
        "/admin/facilities/accreditation/?validity=zzz",
        "/admin/facilities/accreditation/?expires_on__year=abc",
    ],
)
def test_odd_admin_query_strings_do_not_break_the_changelist(admin_client, url):
    make_facility()
    assert admin_client.get(url).status_code < 500


def test_csrf_failure_gets_a_friendly_page():
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("quotes:request"), {"name": "x"})
    assert response.status_code == 403
    assert "Your form could not be sent" in response.content.decode()
