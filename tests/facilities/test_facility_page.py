"""A facility's public page: what it shows, escaping, and its query count."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from facilities.models import Accreditation
from tests.factories import (
    make_accreditation,
    make_body,
    make_facility,
    make_language,
    make_offer,
    make_photo,
    make_procedure,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


def test_page_shows_everything_a_patient_needs(client):
    facility = make_facility(
        name="Vistula Spine Hospital",
        city="Kraków",
        country="PL",
        description="A spine centre.\n\nSecond paragraph.",
        has_interpreter=True,
        has_visa_letters=True,
        year_established=1998,
        beds=120,
    )
    jci = make_body(name="Joint Commission International", abbreviation="JCI", slug="jci")
    make_accreditation(
        facility=facility,
        body=jci,
        programme="Hospital Accreditation Program",
        level="Gold Seal",
        awarded_on=datetime.date(2025, 3, 14),
        expires_on=TODAY + 400 * DAY,
        verification_url="https://jci.example/verify/123",
    )
    lapsed = make_body(abbreviation="OLDBODY")
    make_accreditation(facility=facility, body=lapsed, awarded_on=TODAY - 900 * DAY, expires_on=TODAY - DAY)
    fusion = make_procedure(name="Lumbar spinal fusion")
    make_offer(
        facility=facility, procedure=fusion, price_from=11_000, price_to=16_500, includes="Four nights, implants"
    )
    hidden = make_procedure(name="Unpublished thing", is_published=False)
    make_offer(facility=facility, procedure=hidden)
    facility.languages.add(make_language(name="Polish", code="pl"))
    make_photo(facility=facility, alt_text="Main entrance", caption="The new wing")

    response = client.get(reverse("facilities:detail", args=[facility.slug]))
    assert response.status_code == 200
    html = response.content.decode()
    for text in [
        "Vistula Spine Hospital",
        "Kraków, Poland",
        "<p>A spine centre.</p>",
        "Joint Commission International (JCI)",
        "Hospital Accreditation Program",
        "Gold Seal",
        "14 Mar 2025",
        (TODAY + 400 * DAY).strftime("%-d %b %Y"),
        'href="https://jci.example/verify/123"',
        "Lumbar spinal fusion",
        "US$11,000–16,500",
        "Four nights, implants",
        "Polish",
        "Medical interpreter",
        "Visa invitation letter",
        'alt="Main entrance"',
        "The new wing",
        "1998",
        f'href="{reverse("quotes:request")}?facility={facility.slug}"',
    ]:
        assert text in html, text
    assert "OLDBODY" not in html
    assert "Unpublished thing" not in html
    assert "Airport transfer" not in html


def test_staff_entered_text_is_escaped(client):
    facility = make_facility(name="<script>alert(1)</script> Clinic", description='<img src=x onerror="alert(2)">')
    make_offer(facility=facility, includes="<b>bold</b>")
    html = client.get(facility.get_absolute_url()).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Clinic" in html
    assert "<img src=x" not in html
    assert "<b>bold</b>" not in html


def test_unknown_slug_is_404(client):
    assert client.get("/facilities/no-such-place/").status_code == 404
    assert client.get("/facilities/%E2%9C%93/").status_code == 404


def test_suspended_facility_page_is_404(client):
    facility = make_facility(accredited=False)
    make_accreditation(facility=facility, status=Accreditation.Status.SUSPENDED)
    assert client.get(facility.get_absolute_url()).status_code == 404


def _enrich(facility, n: int) -> None:
    for i in range(n):
        make_accreditation(facility=facility)
        make_photo(facility=facility, position=i)
        make_offer(facility=facility)
        facility.languages.add(make_language())


def test_query_count_is_fixed(client, settings, django_assert_num_queries, django_assert_max_num_queries):
    settings.DIRECTORY_CACHE = False  # What the page costs to build (a cached one costs none).
    facility = make_facility()
    _enrich(facility, 1)
    with django_assert_max_num_queries(10) as few:
        client.get(facility.get_absolute_url())
    _enrich(facility, 6)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(facility.get_absolute_url())
    assert response.content.decode().count('class="accreditation"') == 8


def test_head_is_allowed_post_is_not(client):
    facility = make_facility()
    assert client.head(facility.get_absolute_url()).status_code == 200
    assert client.post(facility.get_absolute_url()).status_code == 405
    assert client.post(reverse("facilities:list")).status_code == 405
