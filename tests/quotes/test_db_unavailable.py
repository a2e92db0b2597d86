"""A database that cannot save the patient's request (locked, read-only, gone): the form comes back
as typed with a clear "we could not save it" (503), nothing half-saved stays, and sending it again
works and is not counted twice."""

import json
import os
import subprocess
import sys
from unittest import mock

import pytest
from django.conf import settings
from django.db import OperationalError, connection

from quotes.models import Notification, PendingUpload, QuoteAttachment, QuoteRequest, StatusChange
from tests.factories import form_data
from tests.quotes.helpers import PDF, element_text, jpeg, one, private_files, tags, upload

pytestmark = pytest.mark.django_db

LOCKED = OperationalError("database is locked")
TYPED = {
    "name": "Ana Lockwood",
    "email": "ana.lockwood@example.org",
    "condition": "Numbness in the left leg since March.",
    "medication": "Gabapentin 300 mg.",
}


def counted_token(html: str) -> str:
    return one(html, "input", name="counted")["value"]


def test_a_locked_database_gives_503_with_everything_typed(submit, catalogue, mailoutbox):
    data = form_data(**TYPED)
    with mock.patch("quotes.views.quote_request_submit", side_effect=LOCKED):
        response = submit(data)
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    html = response.content.decode()
    assert "We could not save your request just now" in element_text(html, "not-saved")
    assert "Nothing you typed has been lost" in element_text(html, "not-saved")
    assert one(html, "input", name="name")["value"] == TYPED["name"]
    assert one(html, "input", name="email")["value"] == TYPED["email"]
    assert TYPED["condition"] in html and TYPED["medication"] in html
    # The same form, stamp and all: sending it again is the same request.
    assert one(html, "input", name="stamp")["value"] == data["stamp"]
    assert not QuoteRequest.objects.exists()
    assert mailoutbox == []


def test_a_failure_inside_the_save_leaves_nothing_half_saved(submit, catalogue, mailoutbox):
    # Kept files from an earlier attempt, and a new file: the save fails after writing both.
    first = form_data(email="nope", files=[upload("mri.pdf", PDF)])
    submit(first)
    [kept] = PendingUpload.objects.all()
    kept_path = settings.PRIVATE_MEDIA_ROOT / kept.file.name
    data = {**first, **TYPED, "files": [upload("knee.jpg", jpeg())]}
    with mock.patch("quotes.services.submission.notifications_queue", side_effect=LOCKED):
        response = submit(data)
    assert response.status_code == 503
    assert not QuoteRequest.objects.exists()
    assert not QuoteAttachment.objects.exists()
    assert not StatusChange.objects.exists()
    assert not Notification.objects.exists()
    assert mailoutbox == []
    # The kept file was moved back where its row expects it; the new one was not left behind.
    assert PendingUpload.objects.get() == kept
    assert kept_path.read_bytes() == PDF
    assert private_files() == [kept_path]


def test_kept_files_stay_kept_and_new_ones_are_named_to_choose_again(submit, catalogue):
    first = form_data(email="nope", files=[upload("mri.pdf", PDF)])
    submit(first)
    data = {**first, **TYPED, "files": [upload("knee photo.jpg", jpeg())]}
    with mock.patch("quotes.views.quote_request_submit", side_effect=LOCKED):
        response = submit(data)
    html = response.content.decode()
    assert "mri.pdf (" in element_text(html, "kept-files")
    assert "Your files are kept" not in html  # Not all of them are.
    choose_again = element_text(html, "choose-again")
    assert "Please choose them again" in choose_again
    assert "knee photo.jpg" in choose_again and "mri.pdf" not in choose_again
    # Keeping the new file would have written to the database that had just failed.
    assert PendingUpload.objects.count() == 1

    # A minute later: the same form, the file chosen again, the kept one still there.
    data["files"] = [upload("knee photo.jpg", jpeg())]
    data["counted"] = counted_token(html)
    response = submit(data)
    assert response.status_code == 302
    quote_request = QuoteRequest.objects.get()
    assert [a.original_name for a in quote_request.attachments.all()] == ["mri.pdf", "knee photo.jpg"]
    assert quote_request.condition == TYPED["condition"]


def test_sending_again_is_not_counted_twice(submit, catalogue, settings):
    settings.QUOTE_RATE_PER_HOUR = 1
    data = form_data(**TYPED)
    with mock.patch("quotes.views.quote_request_submit", side_effect=LOCKED):
        response = submit(data)
    assert response.status_code == 503
    response = submit({**data, "counted": counted_token(response.content.decode())})
    assert response.status_code == 302
    assert QuoteRequest.objects.count() == 1


def test_the_counted_note_belongs_to_its_own_form(submit, catalogue, settings):
    settings.QUOTE_RATE_PER_HOUR = 1
    with mock.patch("quotes.views.quote_request_submit", side_effect=LOCKED):
        response = submit(form_data(**TYPED))
    token = counted_token(response.content.decode())
    # Another form of the same person's (a new stamp) with that note is counted as usual: over the limit.
    response = submit(form_data(**TYPED, counted=token))
    assert response.status_code == 429
    response = submit(form_data(**TYPED, counted="forged:token"))
    assert response.status_code == 429
    assert not QuoteRequest.objects.exists()


def test_the_log_says_what_failed_without_the_patients_data(submit, catalogue, caplog):
    # A database may quote the values it refused in its message: they must not reach the log.
    quoting = OperationalError(f"could not write row ({TYPED['email']}, {TYPED['condition']})")
    with mock.patch("quotes.views.quote_request_submit", side_effect=quoting):
        submit(form_data(**TYPED))
    [record] = [r for r in caplog.records if r.name == "quotes.views"]
    assert record.levelname == "ERROR"
    assert "saving a request" in record.getMessage() and "OperationalError" in record.getMessage()
    logged = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    for value in TYPED.values():
        assert value not in logged


def test_ticked_files_that_cannot_be_removed_stay_ticked(submit, catalogue):
    first = form_data(email="nope", files=[upload("mri.pdf", PDF), upload("old scan.pdf", PDF)])
    submit(first)
    old_scan = PendingUpload.objects.get(original_name="old scan.pdf")
    data = {**first, **TYPED, "remove_kept": [str(old_scan.pk)]}
    with mock.patch("quotes.views.pending_uploads_for", side_effect=LOCKED):
        response = submit(data)
    assert response.status_code == 503
    html = response.content.decode()
    boxes = {box["value"]: "checked" in box for box in tags(html, "input", name="remove_kept")}
    assert boxes == {str(old_scan.pk): True, str(PendingUpload.objects.get(original_name="mri.pdf").pk): False}
    assert not QuoteRequest.objects.exists()
    assert PendingUpload.objects.count() == 2  # Nothing was removed, and nothing sent.


def test_files_that_cannot_be_kept_on_a_form_with_errors_are_named(submit, catalogue):
    data = form_data(**{**TYPED, "email": "nope"}, files=[upload("mri.pdf", PDF)])
    with mock.patch("quotes.views.pending_uploads_keep", side_effect=LOCKED):
        response = submit(data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "mri.pdf" in element_text(html, "choose-again")
    assert "The files that passed our checks are kept" not in html
    assert TYPED["condition"] in html


# A real lock on a real SQLite file --------------------------------------------------------------

LOCKED_FILE_SCRIPT = r"""
import json, re, sqlite3, sys, time
import django
django.setup()
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import Client

call_command("migrate", verbosity=0)
connection.close()
# A request waits this long for the lock (20 s in the settings), to keep the test short.
settings.DATABASES["default"]["OPTIONS"]["timeout"] = 1

from quotes.models import QuoteRequest
from tests.factories import form_data

client = Client()
data = form_data(name="Ana Lockwood", condition="Numbness in the left leg since March.")
connection.close()

holder = sqlite3.connect(settings.DATABASES["default"]["NAME"], isolation_level=None)
holder.execute("BEGIN IMMEDIATE")  # Another process's long write, say.
started = time.monotonic()
response = client.post("/quote/", data)
html = response.content.decode()
health = client.get("/healthz")
health_took = time.monotonic() - started
locked = {
    "status": response.status_code,
    "retry_after": response.get("Retry-After"),
    "typed": "Numbness in the left leg since March." in html and 'value="Ana Lockwood"' in html,
    "says_not_saved": 'id="not-saved"' in html,
    "saved": QuoteRequest.objects.count(),
    "health": [health.status_code, health.json()],
    "took": health_took,
}
holder.execute("ROLLBACK")
counted = re.search(r'name="counted" value="([^"]+)"', html).group(1)
again = client.post("/quote/", {**data, "counted": counted})
print(json.dumps({"locked": locked, "again": again.status_code, "saved": QuoteRequest.objects.count(),
                  "health": client.get("/healthz").status_code}))
"""


@pytest.mark.subprocess
def test_a_real_lock_on_the_sqlite_file(tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("a lock held on the SQLite file; PostgreSQL's locks are tested by the mocks above")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "MEDTOUR_"))},
        "DJANGO_SETTINGS_MODULE": "tourism.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'locked.sqlite3'}",
        "MEDTOUR_DATA_DIR": str(tmp_path),
        "DJANGO_ALLOWED_HOSTS": "testserver",
        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "MEDTOUR_QUOTE_MIN_FILL_SECONDS": "0",
        "PYTHONPATH": str(settings.BASE_DIR),
    }
    run = subprocess.run(
        [sys.executable, "-c", LOCKED_FILE_SCRIPT],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    result = json.loads(run.stdout.strip().splitlines()[-1])
    locked = result["locked"]
    assert (locked["status"], locked["retry_after"]) == (503, "60")
    assert locked["typed"] and locked["says_not_saved"]
    assert locked["saved"] == 0
    assert locked["health"] == [503, {"status": "error", "database": "not_writable", "cache": "ok"}]
    assert locked["took"] < 10  # The request's one-second wait and the health check's own short one.
    assert (result["again"], result["saved"], result["health"]) == (302, 1, 200)
    assert "failed while saving a request (OperationalError SQLITE_BUSY)" in run.stderr
    assert "Traceback" not in run.stderr
