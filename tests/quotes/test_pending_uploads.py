"""Files kept from a quote form shown again: tied to the form's key, sent with it, deleted after an hour."""

import datetime
import hashlib
import io
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from quotes.forms import new_form_stamp
from quotes.models import PendingUpload, QuoteAttachment, QuoteRequest, hash_token
from tests.factories import form_data
from tests.quotes.helpers import PDF, TEXT, element_text, error_codes, jpeg, one, private_files, tags, upload

pytestmark = pytest.mark.django_db


def key_of(stamp: str) -> str:
    return stamp.split(":", 1)[0]


def stored_path(pending: PendingUpload) -> Path:
    return Path(settings.PRIVATE_MEDIA_ROOT) / pending.file.name


@pytest.fixture
def first_attempt(submit, catalogue):
    """A form sent with an error and two good files; returns its data (with the same stamp)."""
    data = form_data(email="nope", files=[upload("mri.pdf", PDF), upload("knee.jpg", jpeg())])
    response = submit(data)
    assert error_codes(response) == {"email": ["invalid"]}
    data.pop("files")
    return data


def test_files_of_a_form_with_errors_are_kept_under_its_hashed_key(first_attempt):
    kept = list(PendingUpload.objects.order_by("original_name"))
    assert [(p.original_name, p.kind, p.size) for p in kept] == [
        ("knee.jpg", "jpeg", len(jpeg())),
        ("mri.pdf", "pdf", len(PDF)),
    ]
    assert {p.form_key_hash for p in kept} == {hash_token(key_of(first_attempt["stamp"]))}
    assert kept[1].sha256 == hashlib.sha256(PDF).hexdigest()
    assert all(p.file.name.startswith("pending-files/") and "mri" not in p.file.name for p in kept)
    assert stored_path(kept[1]).read_bytes() == PDF
    assert not QuoteAttachment.objects.exists()


def test_the_form_shown_again_lists_them_with_a_box_to_remove_each(submit, catalogue):
    response = submit(form_data(email="nope", files=[upload("mri.pdf", PDF)]))
    html = response.content.decode()
    assert "mri.pdf (" in element_text(html, "kept-files")
    assert "remove" in element_text(html, "kept-files")
    box = one(html, "input", name="remove_kept")
    assert box["value"] == str(PendingUpload.objects.get().pk)


def test_on_sending_they_become_the_requests_attachments_moved_not_copied(submit, first_attempt):
    old_paths = {p.original_name: stored_path(p) for p in PendingUpload.objects.all()}
    response = submit({**first_attempt, "email": "ana@example.org", "files": [upload("new.pdf", PDF)]})
    assert response.status_code == 302
    quote_request = QuoteRequest.objects.get()
    attachments = list(quote_request.attachments.all())
    assert [a.original_name for a in attachments] == ["mri.pdf", "knee.jpg", "new.pdf"]
    assert not PendingUpload.objects.exists()
    assert not any(path.exists() for path in old_paths.values())
    assert all(a.file.name.startswith("quote-files/") for a in attachments)
    assert (Path(settings.PRIVATE_MEDIA_ROOT) / attachments[0].file.name).read_bytes() == PDF
    assert attachments[0].sha256 == hashlib.sha256(PDF).hexdigest()
    assert len(private_files()) == 3  # Nothing left behind, nothing copied.


def test_ticked_files_are_removed(submit, first_attempt):
    mri = PendingUpload.objects.get(original_name="mri.pdf")
    path = stored_path(mri)
    response = submit({**first_attempt, "remove_kept": [str(mri.pk)]})
    assert [p.original_name for p in PendingUpload.objects.all()] == ["knee.jpg"]
    assert not path.exists()
    assert "mri.pdf" not in element_text(response.content.decode(), "kept-files")


def test_another_form_cannot_use_or_remove_them(submit, first_attempt):
    kept_ids = [str(pk) for pk in PendingUpload.objects.values_list("pk", flat=True)]
    # Another form page (another key), even naming the kept files' ids, gets none of them.
    other = {**first_attempt, "stamp": new_form_stamp(), "remove_kept": kept_ids}
    response = submit(other)
    assert "kept-files" not in response.content.decode()
    assert PendingUpload.objects.count() == 2
    response = submit({**other, "email": "ana@example.org", "remove_kept": []})
    assert response.status_code == 302
    assert not QuoteAttachment.objects.exists()
    assert PendingUpload.objects.count() == 2


def test_a_forged_stamp_finds_nothing(submit, first_attempt):
    key = key_of(first_attempt["stamp"])
    for stamp in (key, f"{key}:abc:forged", first_attempt["stamp"] + "x"):
        response = submit({**first_attempt, "stamp": stamp})
        assert "kept-files" not in response.content.decode()
    assert PendingUpload.objects.count() == 2


def test_limits_count_kept_and_new_files_together(submit, settings, first_attempt):
    settings.QUOTE_MAX_FILES = 2
    response = submit({**first_attempt, "files": [upload("third.pdf", PDF)]})
    assert error_codes(response)["files"] == ["too_many_files"]
    assert "2 are already attached" in response.context["form"].errors["files"][0]
    settings.QUOTE_MAX_FILES = 10
    settings.QUOTE_MAX_TOTAL_BYTES = len(PDF) + len(jpeg()) + 10
    response = submit({**first_attempt, "files": [upload("third.pdf", PDF)]})
    assert error_codes(response)["files"] == ["total_too_large"]
    assert PendingUpload.objects.count() == 2


def test_a_refused_file_is_not_kept(submit, catalogue):
    response = submit(form_data(email="nope", files=[upload("notes.pdf", TEXT), upload("mri.pdf", PDF)]))
    assert error_codes(response)["files"] == ["file_type"]
    assert [p.original_name for p in PendingUpload.objects.all()] == ["mri.pdf"]


def test_after_that_was_quick_they_move_to_the_new_stamp(submit, settings, catalogue):
    settings.QUOTE_MIN_FILL_SECONDS = 60
    data = form_data(files=[upload("mri.pdf", PDF)])
    html = submit(data).content.decode()
    fresh = one(html, "input", name="stamp")["value"]
    assert "mri.pdf" in element_text(html, "kept-files")
    assert PendingUpload.objects.get().form_key_hash == hash_token(key_of(fresh))
    data.pop("files")
    assert submit({**data, "stamp": fresh}).status_code == 302
    assert [a.original_name for a in QuoteAttachment.objects.all()] == ["mri.pdf"]
    assert not PendingUpload.objects.exists()


def test_expired_files_of_the_form_are_deleted_when_it_is_sent(submit, first_attempt):
    PendingUpload.objects.update(created_at=timezone.now() - datetime.timedelta(hours=1, minutes=1))
    paths = [stored_path(p) for p in PendingUpload.objects.all()]
    assert submit({**first_attempt, "email": "ana@example.org"}).status_code == 302
    assert not PendingUpload.objects.exists()
    assert not QuoteAttachment.objects.exists()
    assert not any(path.exists() for path in paths)


def test_purge_requests_deletes_the_expired_ones_only(submit, first_attempt):
    old = PendingUpload.objects.get(original_name="mri.pdf")
    PendingUpload.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(hours=2))
    out = io.StringIO()
    call_command("purge_requests", "--dry-run", stdout=out)
    assert "1 file kept from unsent forms" in out.getvalue()
    assert PendingUpload.objects.count() == 2
    out = io.StringIO()
    call_command("purge_requests", stdout=out)
    assert "Deleted 1 file kept from quote forms never sent." in out.getvalue()
    assert [p.original_name for p in PendingUpload.objects.all()] == ["knee.jpg"]
    assert not stored_path(old).exists()


def test_a_repeat_of_an_earlier_request_drops_them(submit, catalogue, first_attempt):
    assert submit(form_data()).status_code == 302  # The same request, sent from another form first.
    assert submit({**first_attempt, "email": "ana@example.org"}).status_code == 302
    assert QuoteRequest.objects.count() == 1
    assert not QuoteAttachment.objects.exists()
    assert not PendingUpload.objects.exists()
    assert private_files() == []


def test_a_failure_while_sending_leaves_them_where_they_were(submit, first_attempt):
    kept = {p.pk: stored_path(p) for p in PendingUpload.objects.all()}
    with (
        mock.patch("quotes.services.submission.StatusChange.objects.create", side_effect=RuntimeError("boom")),
        pytest.raises(RuntimeError),
    ):
        submit({**first_attempt, "email": "ana@example.org"})
    assert not QuoteRequest.objects.exists()
    assert {p.pk for p in PendingUpload.objects.all()} == set(kept)
    assert all(path.read_bytes() for path in kept.values())
    assert all(path.parent.name == "pending-files" for path in private_files())


def test_the_file_input_carries_the_browser_checks_limits(client, quote_url, settings, catalogue):
    settings.QUOTE_MAX_FILES = 4
    settings.QUOTE_MAX_FILE_BYTES = 1000
    settings.QUOTE_MAX_TOTAL_BYTES = 3000
    html = client.get(quote_url).content.decode()
    files = one(html, "input", name="files")
    assert (files["data-max-files"], files["data-max-file-bytes"], files["data-max-total-bytes"]) == (
        "4",
        "1000",
        "3000",
    )
    assert "{name}" in files["data-message-too-large"]
    assert tags(html, "p", id="id_files_check", **{"aria-live": "polite"})
    script = one(html, "script", src="/static/js/upload-check.js")
    assert "defer" in script
