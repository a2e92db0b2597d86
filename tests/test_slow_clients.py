"""Slow clients under gunicorn with the project's config (tourism/gunicorn.conf.py): they hold a
thread each, not a worker process, so the site keeps answering, and an honest upload slower than
gunicorn's ``timeout`` is not cut off."""

import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CONFIG = ROOT / "tourism" / "gunicorn.conf.py"
# gunicorn's timeout, lowered so that an upload lasting a few seconds outlives it.
TIMEOUT = 3
# A valid CSRF secret, sent as the cookie and (at the very end of a body) as the form's token.
CSRF = secrets.token_hex(16)

pytestmark = pytest.mark.subprocess


@pytest.fixture
def one_worker(tmp_path):
    """gunicorn with production settings and the project's config, one worker, a 3-second timeout."""
    # Its own SQLite database under tmp_path, also when the suite runs on PostgreSQL (DATABASE_URL).
    own = ("DJANGO_", "MEDTOUR_", "WEB_CONCURRENCY", "DATABASE_URL")
    env = {k: v for k, v in os.environ.items() if not k.startswith(own)}
    env.update(
        DJANGO_SETTINGS_MODULE="tourism.settings",
        DJANGO_ENV="production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="false",
        DJANGO_SECURE_COOKIES="false",
        MEDTOUR_SITE_URL="https://medtour.example",
        MEDTOUR_DATA_DIR=str(tmp_path / "data"),
        DJANGO_STATIC_ROOT=str(tmp_path / "static"),
        DJANGO_EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )
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
    # A socket already listening, so no other process can take the port in between (as test_serving).
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    log = tmp_path / "gunicorn.log"
    # Its log to a file, not a pipe: a pipe nobody reads fills up and stops gunicorn mid-line.
    with log.open("w") as log_file:
        server = subprocess.Popen(
            [str(BIN / "gunicorn"), "tourism.wsgi", "--config", str(CONFIG), "--bind", f"fd://{listener.fileno()}"]
            + ["--workers", "1", "--timeout", str(TIMEOUT)],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=log_file,
            start_new_session=True,
            pass_fds=[listener.fileno()],
        )
    listener.close()
    try:
        deadline = time.monotonic() + 30
        while not _answers(port):
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"gunicorn did not start: {log.read_text()[-2000:]}")
            time.sleep(0.2)
        yield SimpleNamespace(port=port, process=server, log=log)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def _answers(port: int) -> bool:
    try:
        return healthz(port, timeout=2)[0] == 200
    except OSError:
        return False


def healthz(port: int, *, timeout: float) -> tuple[int, float]:
    """GET /healthz: its status and how long it took."""
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as conn:
        conn.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        status = int(read_response(conn).split(b" ", 2)[1])
    return status, time.monotonic() - started


def read_response(conn: socket.socket) -> bytes:
    response = b""
    while chunk := conn.recv(65536):
        response += chunk
    return response


def post_head(port: int, length: int) -> bytes:
    # /healthz answers GET only: a POST that passes the CSRF check ends in a 405 with no database
    # or template involved, and the check can only pass once Django has read the body to its end.
    return (
        f"POST /healthz HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n"
        f"Cookie: csrftoken={CSRF}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {length}\r\n\r\n"
    ).encode()


def test_slow_bodies_hold_threads_not_the_worker(one_worker):
    port = one_worker.port
    stop = threading.Event()
    slow = []
    # More slow clients than worker processes (one), fewer than its threads (eight).
    for _ in range(5):
        conn = socket.create_connection(("127.0.0.1", port), timeout=5)
        conn.sendall(post_head(port, 1000))
        slow.append(conn)

    def trickle() -> None:
        while not stop.wait(1):
            for conn in slow:
                conn.sendall(b"x")  # One byte a second each, for as long as the test lasts.

    sender = threading.Thread(target=trickle, daemon=True)
    sender.start()
    try:
        time.sleep(2)  # Every slow request is now inside Django, reading its body.
        for _ in range(3):
            status, took = healthz(port, timeout=10)
            assert status == 200
            assert took < 2, f"/healthz took {took:.1f} s beside five slow clients"
            time.sleep(0.5)
    finally:
        stop.set()
        sender.join(timeout=5)
        for conn in slow:
            conn.close()


def test_an_honest_upload_slower_than_the_timeout_is_read_to_its_end(one_worker):
    port = one_worker.port
    body = b"notes=" + b"a" * 300_000 + f"&csrfmiddlewaretoken={CSRF}".encode()
    pieces = [body[i : i + 30_000] for i in range(0, len(body), 30_000)]
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=20) as conn:
        conn.sendall(post_head(port, len(body)))
        for piece in pieces:  # About 60 KB a second: five seconds, well past the 3-second timeout.
            conn.sendall(piece)
            time.sleep(5 / len(pieces))
        response = read_response(conn)
    took = time.monotonic() - started
    assert took > TIMEOUT + 1
    # 405, not a reset connection nor a 502: the worker lived, and Django read the token at the end
    # (a body cut short would fail the CSRF check with 403).
    assert response.startswith(b"HTTP/1.1 405 "), response[:200]
    assert one_worker.process.poll() is None
    assert "WORKER TIMEOUT" not in one_worker.log.read_text()
