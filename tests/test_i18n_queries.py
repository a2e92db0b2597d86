"""Every public page costs the same queries in every language (content translations are columns of
the same rows, facilities/translation.py), cold (nothing cached) and warm (served from the cache)."""

import io

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from facilities.models import Facility, Procedure

LANGUAGES = [code for code, _name in settings.LANGUAGES]


@pytest.fixture
def demo(db):
    call_command("load_demo", no_photos=True, no_requests=True, stdout=io.StringIO())


def pages() -> list[tuple[str, tuple, dict]]:
    facility = Facility.objects.listed().order_by("slug").first()
    procedure = Procedure.objects.published().order_by("slug").first()
    return [
        ("home", (), {}),
        ("facilities:list", (), {}),
        ("facilities:list", (), {"q": "spine", "sort": "price", "procedure": procedure.slug}),
        ("facilities:detail", (facility.slug,), {}),
        ("procedures:list", (), {}),
        ("procedures:list", (), {"q": "fusion"}),
        ("procedures:detail", (procedure.slug,), {}),
        ("accreditation", (), {}),
        ("privacy", (), {}),
        ("quotes:request", (), {}),
    ]


def queries(client, name, args, params, language) -> tuple[int, int]:
    with translation.override(language):
        url = reverse(name, args=args)
    cache.clear()
    with CaptureQueriesContext(connection) as cold:
        response = client.get(url, params)
    assert response.status_code == 200, url
    with CaptureQueriesContext(connection) as warm:
        client.get(url, params)
    return len(cold), len(warm)


def test_each_page_costs_the_same_queries_in_every_language(client, demo):
    counts = {}
    for name, args, params in pages():
        per_language = {language: queries(client, name, args, params, language) for language in LANGUAGES}
        counts[(name, tuple(params))] = per_language
        assert len(set(per_language.values())) == 1, (name, params, per_language)
    # Cached public pages are served without a query in every language.
    assert counts[("home", ())]["ar"][1] == 0
    assert counts[("procedures:detail", ())]["es"][1] == 0
