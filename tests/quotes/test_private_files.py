"""Medical files have no public address: not by URL, not under the public folders, not in pages."""

from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from quotes.models import QuoteAttachment, QuoteRequest
from quotes.storage import private_storage
from tests.factories import form_data
from tests.quotes.helpers import PDF, jpeg, status_url_for, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def attachment(submit, catalogue) -> QuoteAttachment:
    response = submit(form_data(files=[upload("knee-mri.pdf", PDF), upload("knee.jpg", jpeg())]))
    assert response.status_code == 302
    return QuoteAttachment.objects.first()


def test_a_medical_file_has_no_url(attachment):
    with pytest.raises(ValueError, match="no URL"):
        attachment.file.url  # noqa: B018
    with pytest.raises(ValueError):
        private_storage().url(attachment.file.name)


def test_the_private_folder_is_outside_the_public_ones(attachment):
    location = Path(private_storage().location).resolve()
    assert location == Path(settings.PRIVATE_MEDIA_ROOT).resolve()
    assert Path(attachment.file.path).resolve().is_relative_to(location)
    for public in (settings.MEDIA_ROOT, settings.STATIC_ROOT, *settings.STATICFILES_DIRS):
        public = Path(public).resolve()
        assert not location.is_relative_to(public)
        assert not public.is_relative_to(location)


def test_the_configured_folders_are_apart():
    """The real settings (not the test ones) keep medical files out of the public folders."""
    from tourism import settings as configured

    private = Path(configured.PRIVATE_MEDIA_ROOT).resolve()
    for public in (configured.MEDIA_ROOT, configured.STATIC_ROOT, *configured.STATICFILES_DIRS):
        public = Path(public).resolve()
        assert not private.is_relative_to(public)
        assert not public.is_relative_to(private)
    assert configured.STORAGES["private"]["BACKEND"] == "quotes.storage.PrivateStorage"


def test_medical_files_are_not_served_at_any_guessable_address(client, attachment):
    name = attachment.file.name
    basename = Path(name).name
    private_root = Path(settings.PRIVATE_MEDIA_ROOT)
    paths = [
        f"/media/{name}",
        f"/media/{basename}",
        f"/media/private/{name}",
        f"/private/{name}",
        f"/private/{basename}",
        f"/quote/files/{name}",
        f"/quote/files/{basename}",
        f"/quote/{name}",
        f"/static/{name}",
        f"/static/../var/private/{name}",
        f"/static/../../{private_root.name}/{name}",
        f"/media/../private/{name}",
        f"/{name}",
    ]
    for path in paths:
        response = client.get(path)
        # 404; or 400 where a development media route refuses the "..".
        assert response.status_code in (400, 404), path
        assert PDF not in response.content


def test_pages_about_the_request_never_show_the_stored_file_name(client, attachment):
    stored = [Path(a.file.name).name for a in QuoteAttachment.objects.all()]
    thanks = client.get(reverse("quotes:thanks")).content.decode()
    status = client.get(status_url_for(client, QuoteRequest.objects.get())).content.decode()
    assert "knee-mri.pdf" in status  # The patient's own name for the file is shown...
    for page in (thanks, status):
        for name in stored:
            assert name not in page  # ...never where it is kept.
        assert "quote-files/" not in page
