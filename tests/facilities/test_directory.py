"""The public directory page: filters, sorting, pagination, bad input and query counts."""

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

URL = reverse("facilities:list")
TODAY = timezone.localdate()


def names(response) -> list[str]:
    assert response.status_code == 200
    return [facility.name for facility in response.context["facilities"]]


def test_empty_directory_shows_a_clear_empty_state(client):
    response = client.get(URL)
    assert names(response) == []
    assert "No facility matches these filters" in response.content.decode()


def test_result_card_shows_photo_place_badges_languages(client):
    facility = make_facility(name="Bosphorus Spine Centre", city="Istanbul", country="TR")
    body = facility.accreditations.get().body
    facility.languages.add(make_language(name="Turkish", code="tr"), make_language(name="Arabic", code="ar"))
    photo = make_photo(facility=facility)
    html = client.get(URL).content.decode()
    assert "Bosphorus Spine Centre" in html
    assert "Istanbul, Türkiye" in html
    assert photo.thumbnail.url in html
    assert body.abbreviation in html
    assert f"to {facility.accreditations.get().expires_on.year}" in html
    assert "Arabic, Turkish" in html


def test_only_current_accreditations_appear_as_badges(client):
    facility = make_facility()
    expired_body = make_body(abbreviation="OLDX")
    make_accreditation(
        facility=facility,
        body=expired_body,
        awarded_on=TODAY - datetime.timedelta(days=900),
        expires_on=TODAY - datetime.timedelta(days=1),
    )
    html = client.get(URL).content.decode()
    assert "OLDX" not in html.split('id="results-heading"')[1]


def test_text_search_matches_name_city_and_description(client):
    make_facility(name="Anadolu Spine", city="Ankara", description="Orthopaedics")
    make_facility(name="Vistula Clinic", city="Krakow", description="Minimally invasive discectomy")
    make_facility(name="Lanna Hospital", city="Chiang Mai", description="General care")
    assert names(client.get(URL, {"q": "anadolu"})) == ["Anadolu Spine"]
    assert names(client.get(URL, {"q": "krakow"})) == ["Vistula Clinic"]
    assert names(client.get(URL, {"q": "DISCECTOMY"})) == ["Vistula Clinic"]
    assert names(client.get(URL, {"q": "lanna chiang"})) == ["Lanna Hospital"]
    assert names(client.get(URL, {"q": "nowhere"})) == []


def test_country_filter_and_country_counts(client):
    make_facility(name="A", country="TR")
    make_facility(name="B", country="TR")
    make_facility(name="C", country="TH")
    response = client.get(URL, {"country": "TR"})
    assert names(response) == ["A", "B"]
    assert response.context["total"] == 2
    options = dict(response.context["filter"].form.fields["country"].choices)
    assert options["TR"] == "Türkiye (2)"
    assert options["TH"] == "Thailand (1)"
    assert "DE" not in options  # Only destinations with results are offered.


def test_city_filter_is_case_insensitive(client):
    make_facility(name="A", city="Bangkok", country="TH")
    make_facility(name="B", city="Phuket", country="TH")
    assert names(client.get(URL, {"city": "bangkok"})) == ["A"]


def test_accreditation_body_filter_counts_only_current_accreditations(client):
    jci = make_body(abbreviation="JCI", slug="jci")
    current = make_facility(name="Current JCI")
    make_accreditation(facility=current, body=jci)
    lapsed = make_facility(name="Lapsed JCI")  # Listed through another body, JCI expired.
    make_accreditation(
        facility=lapsed,
        body=jci,
        awarded_on=TODAY - datetime.timedelta(days=900),
        expires_on=TODAY - datetime.timedelta(days=2),
    )
    make_facility(name="Other body")
    assert names(client.get(URL, {"body": "jci"})) == ["Current JCI"]


def test_procedure_filter_shows_price_for_that_procedure(client):
    fusion = make_procedure(name="Lumbar fusion", slug="lumbar-fusion")
    other = make_procedure(name="Kyphoplasty", slug="kyphoplasty")
    offering = make_facility(name="Offers fusion")
    make_offer(facility=offering, procedure=fusion, price_from=12_500, price_to=18_000)
    make_offer(facility=make_facility(name="Offers other"), procedure=other)
    response = client.get(URL, {"procedure": "lumbar-fusion"})
    assert names(response) == ["Offers fusion"]
    html = response.content.decode()
    assert "US$12,500–18,000" in html
    assert response.context["chosen_procedure"] == fusion
    assert f'href="{fusion.get_absolute_url()}"' in html


def test_unpublished_procedure_is_not_a_valid_filter(client):
    make_procedure(slug="hidden-procedure", is_published=False)
    make_facility(name="A")
    response = client.get(URL, {"procedure": "hidden-procedure"})
    assert names(response) == ["A"]
    assert response.context["notes"]


def test_language_filter(client):
    german = make_language(code="de", name="German")
    speaks = make_facility(name="Speaks German")
    speaks.languages.add(german, make_language(code="en", name="English"))
    make_facility(name="Silent")
    assert names(client.get(URL, {"language": "de"})) == ["Speaks German"]


def test_price_range_filter_uses_the_chosen_procedure(client):
    fusion = make_procedure(slug="fusion")
    make_offer(facility=make_facility(name="Cheap"), procedure=fusion, price_from=8_000, price_to=11_000)
    make_offer(facility=make_facility(name="Middle"), procedure=fusion, price_from=14_000, price_to=19_000)
    make_offer(facility=make_facility(name="Dear"), procedure=fusion, price_from=30_000, price_to=42_000)
    assert names(client.get(URL, {"procedure": "fusion", "price_max": "15000"})) == ["Cheap", "Middle"]
    assert names(client.get(URL, {"procedure": "fusion", "price_min": "20000"})) == ["Dear"]
    assert names(client.get(URL, {"procedure": "fusion", "price_min": "12000", "price_max": "20000"})) == ["Middle"]


def test_price_without_procedure_is_ignored_with_a_message(client):
    make_facility(name="A")
    response = client.get(URL, {"price_max": "100"})
    assert names(response) == ["A"]
    assert "Choose a procedure to filter by price" in response.content.decode()


def test_services_filter_requires_every_chosen_service(client):
    make_facility(name="Both", has_interpreter=True, has_airport_transfer=True)
    make_facility(name="Interpreter only", has_interpreter=True)
    make_facility(name="None")
    assert names(client.get(URL, {"services": ["interpreter"]})) == ["Both", "Interpreter only"]
    assert names(client.get(URL, {"services": ["interpreter", "airport_transfer"]})) == ["Both"]


def test_sort_by_name_is_the_default(client, settings):
    settings.DIRECTORY_CACHE = False  # The same page asked twice: read the context both times.
    for name in ["Charlie", "alpha", "Bravo"]:
        make_facility(name=name)
    assert names(client.get(URL)) == ["alpha", "Bravo", "Charlie"]
    assert names(client.get(URL, {"sort": "name"})) == names(client.get(URL))


def test_sort_by_lowest_price_for_the_chosen_procedure(client):
    fusion = make_procedure(slug="fusion")
    make_offer(facility=make_facility(name="Dear"), procedure=fusion, price_from=30_000, price_to=40_000)
    make_offer(facility=make_facility(name="Cheap"), procedure=fusion, price_from=9_000, price_to=12_000)
    make_offer(facility=make_facility(name="Middle"), procedure=fusion, price_from=15_000, price_to=16_000)
    assert names(client.get(URL, {"procedure": "fusion", "sort": "price"})) == ["Cheap", "Middle", "Dear"]


def test_sort_by_price_without_procedure_falls_back_to_name(client):
    make_facility(name="B")
    make_facility(name="A")
    response = client.get(URL, {"sort": "price"})
    assert names(response) == ["A", "B"]
    assert "Choose a procedure to sort by price" in response.content.decode()


def test_sort_by_newest(client):
    old = make_facility(name="Old")
    new = make_facility(name="New")
    type(old).objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=30))
    assert names(client.get(URL, {"sort": "newest"})) == [new.name, old.name]


def test_filters_combine(client):
    fusion = make_procedure(slug="fusion")
    match = make_facility(name="Match", country="TH", has_interpreter=True)
    make_offer(facility=match, procedure=fusion, price_from=10_000, price_to=12_000)
    wrong_country = make_facility(name="Wrong country", country="TR", has_interpreter=True)
    make_offer(facility=wrong_country, procedure=fusion)
    params = {"procedure": "fusion", "country": "TH", "services": "interpreter", "price_max": "11000"}
    assert names(client.get(URL, params)) == ["Match"]


@pytest.mark.parametrize(
    "params",
    [
        {"country": "XX"},
        {"country": "<script>"},
        {"body": "no-such-body"},
        {"procedure": "../../etc/passwd"},
        {"language": "zz"},
        {"price_min": "cheap"},
        {"price_max": "-5"},
        {"price_min": "1e400"},
        {"price_max": "99999999999999999999999"},
        {"services": "spa"},
        {"sort": "DROP TABLE"},
        {"q": "x" * 500},
        {"page": "abc"},
        {"page": "1.5"},
        {"page": "-1"},
        {"page": "9" * 50},
        {"page": "0"},
        {"page": "2"},
        {"page": "²"},
        {"page": "٣"},
        {"unknown": "ignored"},
    ],
)
def test_bad_query_strings_give_a_normal_page_with_a_message(client, params):
    make_facility(name="Still here")
    response = client.get(URL, params)
    assert response.status_code == 200
    assert names(response) == ["Still here"]
    if "unknown" not in params:
        assert response.context["notes"], params


def test_page_out_of_range_shows_the_last_or_first_page(client, settings):
    settings.DIRECTORY_PAGE_SIZE = 2
    for n in range(5):
        make_facility(name=f"Hospital {n}")
    response = client.get(URL, {"page": "7"})
    assert names(response) == ["Hospital 4"]
    assert response.context["page_obj"].number == 3
    assert "There is no page 7: these results fit on 3 pages, so here is the last one." in response.context["notes"]
    assert response.context["canonical_url"].endswith("?page=3")
    response = client.get(URL, {"page": "0"})
    assert names(response) == ["Hospital 0", "Hospital 1"]
    assert response.context["page_obj"].number == 1


def test_pagination_links_keep_the_filters(client, settings):
    settings.DIRECTORY_PAGE_SIZE = 2
    for n in range(5):
        make_facility(name=f"Hospital {n}", country="TH", has_interpreter=True)
    make_facility(name="Elsewhere", country="TR")
    response = client.get(URL, {"country": "TH", "services": "interpreter", "page": "2"})
    assert names(response) == ["Hospital 2", "Hospital 3"]
    assert response.context["total"] == 5
    html = response.content.decode()
    assert 'href="?country=TH&amp;services=interpreter&amp;page=3"' in html
    assert 'href="?country=TH&amp;services=interpreter&amp;page=1"' in html
    assert client.get(URL, {"country": "TH", "services": "interpreter", "page": "3"}).status_code == 200
    past_the_end = client.get(URL, {"country": "TH", "services": "interpreter", "page": "4"})
    assert names(past_the_end) == ["Hospital 4"]


def _populate(count: int, procedure, language) -> None:
    for n in range(count):
        facility = make_facility(name=f"Facility {n:03d}", has_interpreter=n % 2 == 0)
        make_accreditation(facility=facility)  # A second current accreditation.
        make_offer(facility=facility, procedure=procedure, price_from=1000 + n, price_to=2000 + n)
        facility.languages.add(language)
        make_photo(facility=facility)
        make_photo(facility=facility, position=1)


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"procedure": "fusion", "sort": "price", "price_max": "900000"},
        {"q": "facility", "country": "TR", "language": "de", "services": "interpreter", "page": "2"},
    ],
)
def test_list_query_count_is_fixed(client, settings, django_assert_num_queries, params):
    settings.DIRECTORY_PAGE_SIZE = 2
    settings.DIRECTORY_CACHE = False  # What a page costs to build (a cached one costs none).
    procedure = make_procedure(slug="fusion")
    language = make_language(code="de", name="German")
    _populate(5, procedure, language)
    # Reference lists (3), country facets, the page's ids, its cards, their accreditations, and the
    # exchange rates its prices are converted at (tourism.money; cached with the directory).
    with django_assert_num_queries(8) as small:
        assert client.get(URL, params).status_code == 200
    _populate(9, procedure, language)
    settings.DIRECTORY_PAGE_SIZE = 5
    with django_assert_num_queries(len(small.captured_queries)):
        assert client.get(URL, params).status_code == 200


def test_accreditation_mixing_current_and_suspended_shows_only_current(client):
    facility = make_facility()
    make_accreditation(facility=facility, body=make_body(abbreviation="SUSP"), status=Accreditation.Status.SUSPENDED)
    html = client.get(URL).content.decode()
    assert "SUSP" not in html.split('id="results-heading"')[1]


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"sort": "newest"},
        {"procedure": "fusion", "sort": "price"},
        {"q": "hospital"},
        {"country": "DE"},
    ],
)
def test_every_page_together_is_the_whole_ordered_result(client, settings, params):
    """Deep pages are read from the far end; walking all pages must still give each facility once, in order."""
    settings.DIRECTORY_PAGE_SIZE = 3
    procedure = make_procedure(slug="fusion")
    for n in range(11):
        # Equal names and prices, so the ordering relies on its tie-breakers.
        facility = make_facility(name=f"Hospital {n % 4}", country="DE" if n % 3 else "TR")
        make_offer(facility=facility, procedure=procedure, price_from=1000 * (n % 5), price_to=9000)
    first = client.get(URL, params)
    total, pages = first.context["total"], first.context["page_obj"].paginator.num_pages
    assert total == (7 if params.get("country") else 11)
    seen = []
    for number in range(1, pages + 1):
        response = client.get(URL, {**params, "page": number})
        seen.extend(facility.pk for facility in response.context["facilities"])
    expected = list(response.context["filter"].results.values_list("pk", flat=True))
    assert seen == expected
    assert len(seen) == len(set(seen)) == total


def test_page_links_centre_on_the_current_page(client, settings):
    settings.DIRECTORY_PAGE_SIZE = 1
    for n in range(30):
        make_facility(name=f"Hospital {n:02}")
    html = client.get(URL, {"page": 15}).content.decode()
    assert '<span aria-current="page">15</span>' in html
    assert "page=14" in html and "page=16" in html
