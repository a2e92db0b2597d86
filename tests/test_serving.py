"""Serving the site: public media from MEDIA_ROOT (never private files), and the production stack
(collectstatic with hashed, compressed files served by whitenoise under gunicorn)."""

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


# Public media -------------------------------------------------------------------------------------


@pytest.fixture
def media(settings) -> Path:
    (settings.MEDIA_ROOT / "facility-photos").mkdir(parents=True)
    photo = settings.MEDIA_ROOT / "facility-photos" / "abc-large.jpg"
    photo.write_bytes(b"\xff\xd8\xff not really a jpeg")
    settings.PRIVATE_MEDIA_ROOT.mkdir(parents=True)
    (settings.PRIVATE_MEDIA_ROOT / "scan.pdf").write_bytes(b"%PDF- a medical file")
    return photo


def test_public_media_is_served_with_a_cache_lifetime(client, media):
    response = client.get("/media/facility-photos/abc-large.jpg")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == media.read_bytes()
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "public, max-age=86400"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "Content-Security-Policy" in response


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/media/../private/scan.pdf",
        "/media/%2e%2e/private/scan.pdf",
        "/media/facility-photos/../../private/scan.pdf",
        "/media/facility-photos/",  # no folder listings
        "/media/facility-photos/missing.jpg",
        "/private/scan.pdf",
    ],
)
def test_private_files_and_folders_are_never_served(client, media, url):
    response = client.get(url)
    assert response.status_code in (400, 404)
    assert b"a medical file" not in b"".join(response.streaming_content if response.streaming else [response.content])


@pytest.mark.django_db
def test_media_is_left_to_object_storage_when_that_is_the_default_storage(client, media, settings):
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}
    assert client.get("/media/facility-photos/abc-large.jpg").status_code == 404


@pytest.mark.django_db
def test_media_serving_can_be_turned_off_for_nginx(client, media, settings):
    settings.SERVE_MEDIA = False
    assert client.get("/media/facility-photos/abc-large.jpg").status_code == 404


def test_media_is_only_read_and_not_written(client, media):
    assert client.post("/media/facility-photos/abc-large.jpg").status_code in (403, 404, 405)


@pytest.mark.subprocess
def test_private_files_cannot_live_inside_public_media(tmp_path):
    result = _settings_run(
        {"DJANGO_MEDIA_ROOT": str(tmp_path / "media"), "DJANGO_PRIVATE_MEDIA_ROOT": str(tmp_path / "media" / "p")},
        "print('started')",
    )
    assert result.returncode != 0
    assert "DJANGO_PRIVATE_MEDIA_ROOT" in result.stderr


# Production settings --------------------------------------------------------------------------------


def production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    # Its own SQLite database under tmp_path, also when the suite runs on PostgreSQL (DATABASE_URL).
    own = ("DJANGO_", "MEDTOUR_", "WEB_CONCURRENCY", "DATABASE_URL")
    env = {k: v for k, v in os.environ.items() if not k.startswith(own)}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "tourism.settings",
            "DJANGO_ENV": "production",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,medtour.example",
            "MEDTOUR_SITE_URL": "https://medtour.example",
            "MEDTOUR_DATA_DIR": str(tmp_path / "data"),
            "DJANGO_STATIC_ROOT": str(tmp_path / "static"),
            "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        }
    )
    env.update(extra)
    return env


def _settings_run(env: dict[str, str], code: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "MEDTOUR_"))}
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup()\n{code}"],
        env={**base, "DJANGO_SETTINGS_MODULE": "tourism.settings", **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.subprocess
def test_production_uses_hashed_compressed_static_files_and_tests_do_not(tmp_path, settings):
    result = _settings_run(
        production_env(tmp_path),
        "from django.conf import settings; import json; "
        "print(json.dumps([settings.STORAGES['staticfiles']['BACKEND'], settings.MIDDLEWARE]))",
    )
    assert result.returncode == 0, result.stderr
    backend, middleware = json.loads(result.stdout)
    assert backend == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    # Straight after the security middleware, before anything touches sessions or the database.
    assert middleware.index("whitenoise.middleware.WhiteNoiseMiddleware") < middleware.index(
        "django.contrib.sessions.middleware.SessionMiddleware"
    )
    assert settings.STORAGES["staticfiles"]["BACKEND"] == "django.contrib.staticfiles.storage.StaticFilesStorage"
    assert "whitenoise.middleware.WhiteNoiseMiddleware" not in settings.MIDDLEWARE


# The production stack under gunicorn ------------------------------------------------------------------


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 (a local http URL)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.fixture
def gunicorn_site(tmp_path):
    """collectstatic, then gunicorn with production settings on a free port, as `make serve` runs them."""
    env = production_env(tmp_path, DJANGO_SECURE_SSL_REDIRECT="false", DJANGO_SECURE_COOKIES="false")
    collect = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert collect.returncode == 0, collect.stderr
    # A migrated database: /healthz answers 200 only when it can write a row.
    migrate = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert migrate.returncode == 0, migrate.stderr
    media = tmp_path / "data" / "media" / "facility-photos"
    media.mkdir(parents=True)
    (media / "abc-thumb.jpg").write_bytes(b"\xff\xd8\xff thumbnail")
    private = tmp_path / "data" / "private"
    private.mkdir(parents=True)
    (private / "scan.pdf").write_bytes(b"%PDF- a medical file")

    # gunicorn is handed a socket already listening, rather than a port number found free a moment
    # before: with tests running side by side, another process could take that port in between.
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "tourism.wsgi", "--config", "tourism/gunicorn.conf.py"]
        + ["--bind", f"fd://{listener.fileno()}", "--workers", "2"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
        pass_fds=[listener.fileno()],
    )
    listener.close()
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if _get(f"{base}/healthz")[0] == 200:
                    break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"gunicorn did not start: {server.stderr.read().decode()[-2000:]}")
            time.sleep(0.2)
        manifest = json.loads((tmp_path / "static" / "staticfiles.json").read_text())["paths"]
        yield base, manifest
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        server.stderr.close()


@pytest.mark.subprocess
def test_gunicorn_serves_the_production_stack(gunicorn_site):
    base, manifest = gunicorn_site

    status, headers, body = _get(f"{base}/healthz", {"X-Forwarded-Proto": "https"})
    assert status == 200 and json.loads(body)["status"] == "ok"
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"

    # Static files: hashed names cached for ever, compressed copies for clients that take them.
    hashed = manifest["css/site.css"]
    assert hashed != "css/site.css"
    status, headers, body = _get(f"{base}/static/{hashed}", {"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["Content-Encoding"] == "gzip"
    assert "immutable" in headers["Cache-Control"]
    # Answered by WhiteNoise, before the views: still with the headers every page has.
    assert headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert _get(f"{base}/static/{manifest['admin/css/base.css']}")[0] == 200

    # Public photo renditions are served; private files never are.
    status, headers, body = _get(f"{base}/media/facility-photos/abc-thumb.jpg")
    assert (status, body) == (200, b"\xff\xd8\xff thumbnail")
    assert headers["X-Frame-Options"] == "DENY"
    for path in ("/media/../private/scan.pdf", "/private/scan.pdf", "/media/%2e%2e/private/scan.pdf"):
        status, _headers, body = _get(base + path)
        assert status in (400, 404), path
        assert b"a medical file" not in body
