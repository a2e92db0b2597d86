"""The home page: search, popular procedures, destinations, and a fixed number of queries."""

import pytest
from django.urls import reverse

from tests.factories import make_accreditation, make_facility, make_offer, make_photo, make_procedure, page_text

pytestmark = pytest.mark.django_db


def test_search_form_lands_on_the_filtered_directory(client):
    make_facility(country="TH")
    procedure = make_procedure(name="Kyphoplasty", slug="kyphoplasty")
    html = client.get(reverse("home")).content.decode()
    assert f'action="{reverse("facilities:list")}"' in html
    assert 'name="procedure"' in html and f'<option value="{procedure.slug}">Kyphoplasty</option>' in html
    assert 'name="country"' in html and '<option value="TH">Thailand (1)</option>' in html
    # And the directory understands exactly those parameters.
    response = client.get(reverse("facilities:list"), {"procedure": "kyphoplasty", "country": "TH"})
    assert response.status_code == 200
    assert not response.context["notes"]


def test_popular_procedures_are_those_most_offered_by_listed_facilities(client):
    common = make_procedure(name="Common procedure")
    rare = make_procedure(name="Rare procedure")
    unoffered = make_procedure(name="Unoffered procedure")
    for _ in range(3):
        make_offer(procedure=common, price_from=5_000, price_to=6_000)
    make_offer(procedure=rare, price_from=4_000, price_to=6_000)
    make_offer(procedure=rare, facility=make_facility(is_published=False))
    response = client.get(reverse("home"))
    popular = response.context["popular"]
    assert [p.name for p in popular] == ["Common procedure", "Rare procedure"]
    assert [p.facility_count for p in popular] == [3, 1]
    assert unoffered not in popular
    assert "from US$5,000" in page_text(response.content.decode())


def test_destinations_count_only_listed_facilities(client):
    make_facility(country="TR")
    make_facility(country="TR")
    make_facility(country="IN")
    make_facility(country="IN", is_published=False)
    response = client.get(reverse("home"))
    assert [(c.code, n) for c, n in response.context["destinations"]] == [("TR", 2), ("IN", 1)]
    html = response.content.decode()
    assert f'href="{reverse("facilities:list")}?country=TR"' in html
    assert "How Medtour works" in html
    assert "Why accreditation matters" in html


def test_home_query_count_is_fixed(client, settings, django_assert_num_queries, django_assert_max_num_queries):
    # Counts the queries of rendering: the second request would otherwise be a cache hit (none at all).
    settings.DIRECTORY_CACHE = False
    make_offer()
    with django_assert_max_num_queries(8) as few:
        client.get(reverse("home"))
    for country in ["TR", "IN", "TH", "PL", "MX"] * 3:
        facility = make_facility(country=country)
        make_accreditation(facility=facility)
        make_photo(facility=facility)
        make_offer(facility=facility)
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(reverse("home"))
