"""Medical files leave the site only through the staff download view: permission checked, sent as
an opaque download that is never cached, and every download recorded."""

import pytest
from django.urls import reverse

from facilities.roles import DIRECTORY_EDITORS
from quotes.models import AttachmentAccess, Erasure, QuoteRequest
from quotes.roles import COORDINATORS
from quotes.services.retention import quote_request_erase
from tests.factories import make_attachment, make_quote_request, make_staff
from tests.quotes.helpers import PDF, jpeg

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator():
    return make_staff(username="cora", group=COORDINATORS)


@pytest.fixture
def quote_request():
    return make_quote_request()


@pytest.fixture
def attachment(quote_request):
    return make_attachment(quote_request=quote_request, name="mri report.pdf", content=PDF)


def download_url(quote_request_id: int, attachment_id: int) -> str:
    return reverse("admin:quotes_quoterequest_file", args=[quote_request_id, attachment_id])


def test_a_coordinator_downloads_the_file_with_safe_headers(client, coordinator, quote_request, attachment):
    client.force_login(coordinator)
    response = client.get(download_url(quote_request.pk, attachment.pk))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"] == 'attachment; filename="mri report.pdf"'
    assert response["Content-Type"] == "application/octet-stream"
    assert response["X-Content-Type-Options"] == "nosniff"
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"no-store", "private"} <= cache_control
    assert "public" not in cache_control
    assert int(response["Content-Length"]) == len(PDF)
    access = AttachmentAccess.objects.get()
    assert (access.attachment, access.user) == (attachment, coordinator)


def test_every_download_is_recorded(client, coordinator, quote_request, attachment):
    client.force_login(coordinator)
    for expected in (1, 2):
        response = client.get(download_url(quote_request.pk, attachment.pk))
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF  # Not response.close(): that ends the test's DB connection.
        assert AttachmentAccess.objects.filter(attachment=attachment, user=coordinator).count() == expected


def test_the_patients_type_is_never_sent(client, coordinator, quote_request):
    # Even an image is an opaque download: the browser must not render what the patient uploaded.
    image = make_attachment(quote_request=quote_request, name="<script>.jpg", content=jpeg(), kind="jpeg")
    client.force_login(coordinator)
    response = client.get(download_url(quote_request.pk, image.pk))
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content) == jpeg()


def test_an_awkward_file_name_is_quoted_safely(client, coordinator, quote_request):
    awkward = make_attachment(quote_request=quote_request, name='röntgen "spine".pdf')
    client.force_login(coordinator)
    response = client.get(download_url(quote_request.pk, awkward.pk))
    assert b"".join(response.streaming_content) == PDF
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; filename*=utf-8''")
    assert '"spine"' not in disposition and "\n" not in disposition


def test_superusers_may_download(client, admin_user, quote_request, attachment):
    client.force_login(admin_user)
    response = client.get(download_url(quote_request.pk, attachment.pk))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert AttachmentAccess.objects.get().user == admin_user


def test_a_file_of_another_request_is_not_found(client, coordinator, attachment):
    other = make_quote_request()
    client.force_login(coordinator)
    assert client.get(download_url(other.pk, attachment.pk)).status_code == 404
    assert client.get(download_url(attachment.quote_request_id, attachment.pk + 1000)).status_code == 404
    assert not AttachmentAccess.objects.exists()


def test_an_erased_file_is_not_found(client, coordinator, quote_request, attachment):
    QuoteRequest.objects.filter(pk=quote_request.pk).update(status=QuoteRequest.Status.CLOSED, closed_reason="spam")
    quote_request.refresh_from_db()
    quote_request_erase(quote_request=quote_request, reason=Erasure.Reason.PATIENT_REQUEST)
    client.force_login(coordinator)
    assert client.get(download_url(quote_request.pk, attachment.pk)).status_code == 404
    assert not AttachmentAccess.objects.exists()


def test_a_file_missing_from_storage_is_not_found(client, coordinator, quote_request, attachment):
    attachment.file.storage.delete(attachment.file.name)
    client.force_login(coordinator)
    assert client.get(download_url(quote_request.pk, attachment.pk)).status_code == 404
    assert not AttachmentAccess.objects.exists()


@pytest.mark.parametrize("group", [DIRECTORY_EDITORS, None])
def test_staff_without_the_file_permission_get_403(client, group, quote_request, attachment):
    client.force_login(make_staff(username="someone", group=group))
    response = client.get(download_url(quote_request.pk, attachment.pk))
    assert response.status_code == 403
    assert b"%PDF" not in response.content
    assert not AttachmentAccess.objects.exists()


def test_anonymous_visitors_are_sent_to_the_login(client, quote_request, attachment):
    response = client.get(download_url(quote_request.pk, attachment.pk))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    assert not AttachmentAccess.objects.exists()


def test_downloads_are_get_only(client, coordinator, quote_request, attachment):
    client.force_login(coordinator)
    assert client.post(download_url(quote_request.pk, attachment.pk)).status_code == 405
    assert not AttachmentAccess.objects.exists()


def test_the_file_is_not_reachable_by_any_media_url(client, attachment):
    # Private storage has no URL at all: the download view is the only way out.
    with pytest.raises(ValueError, match="no URL"):
        _ = attachment.file.url
