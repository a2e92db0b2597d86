"""Shared fixtures for the quote tests: a clean rate-limit cache, known settings, a small catalogue."""

import datetime
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from facilities.models import Accreditation
from quotes.services.outbox import notifications_send
from tests.factories import make_accreditation, make_facility, make_language, make_procedure


@pytest.fixture(autouse=True)
def _quote_settings(settings):
    # Known values whatever the environment says; tests that need others override them.
    settings.QUOTE_MIN_FILL_SECONDS = 0
    settings.QUOTE_RATE_PER_HOUR = 100
    settings.QUOTE_RATE_PER_DAY = 1000
    settings.TRUSTED_PROXY_COUNT = 0
    settings.QUOTE_FIRST_REPLY_HOURS = 48
    settings.QUOTE_MAX_FILES = 10
    settings.QUOTE_MAX_FILE_BYTES = 20 * 1024 * 1024
    settings.QUOTE_MAX_TOTAL_BYTES = 50 * 1024 * 1024
    settings.QUOTE_MAX_IMAGE_PIXELS = 80_000_000
    settings.NOTIFICATION_MAX_ATTEMPTS = 8
    settings.COORDINATOR_EMAILS = ["coordinators@medtour.localhost"]
    settings.SITE_URL = ""
    # Rate-limit counters live in the default cache.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def quote_url() -> str:
    return reverse("quotes:request")


@pytest.fixture
def submit(client, quote_url, django_capture_on_commit_callbacks):
    """POST the quote form as a real request would (after-commit callbacks run), then let the mail
    worker send what it queued, as the worker beside the web server does."""

    def _submit(data, *, using=None, **extra):
        with django_capture_on_commit_callbacks(execute=True):
            response = (using or client).post(quote_url, data, **extra)
        notifications_send()
        return response

    return _submit


@pytest.fixture
def catalogue(db):
    """Listed hospitals in four countries, one that is not listed, and published/unpublished procedures."""
    today = timezone.localdate()
    english = make_language(code="en", name="English")
    german = make_language(code="de", name="German")
    listed = [
        make_facility(name="Anadolu Spine Hospital", slug="anadolu-spine", country="TR", city="Istanbul"),
        make_facility(name="Berlin Heart Centre", slug="berlin-heart", country="DE", city="Berlin"),
        make_facility(name="Chennai Eye Institute", slug="chennai-eye", country="IN", city="Chennai"),
        make_facility(name="Bangkok Joint Clinic", slug="bangkok-joint", country="TH", city="Bangkok"),
    ]
    unlisted = make_facility(name="Paris Unpublished Clinic", slug="paris-unpublished", country="FR", city="Paris")
    unlisted.is_published = False
    unlisted.save()
    lapsed = make_facility(
        name="Madrid Lapsed Clinic", slug="madrid-lapsed", country="ES", city="Madrid", accredited=False
    )
    make_accreditation(
        facility=lapsed,
        awarded_on=today - datetime.timedelta(days=800),
        expires_on=today - datetime.timedelta(days=1),
        status=Accreditation.Status.ACTIVE,
    )
    procedure = make_procedure(name="Knee replacement", slug="knee-replacement")
    hidden = make_procedure(name="Draft procedure", slug="draft-procedure", is_published=False)
    return SimpleNamespace(
        english=english,
        german=german,
        listed=listed,
        unlisted=unlisted,
        lapsed=lapsed,
        procedure=procedure,
        hidden=hidden,
    )
