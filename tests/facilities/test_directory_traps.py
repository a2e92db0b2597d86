"""Two traps of the public directory (issue 12, points 11 and 12).

11: a search finds procedures by name and other name, countries by their English name and their
own, and accreditation bodies, not only words of the facility's own text; on either database.
12: "Any country" once; a page past the end is the last page; the active filters are summarised
under the folded panel, each with a link that drops it.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from facilities.models import Facility
from facilities.search import facility_search, fold, search_units
from tests.factories import make_accreditation, make_body, make_facility, make_language, make_offer, make_procedure

URL = reverse("facilities:list")
TODAY = timezone.localdate()


def found(query: str) -> list[str]:
    return sorted(facility_search(Facility.objects.all(), query).values_list("name", flat=True))


def names(response) -> list[str]:
    assert response.status_code == 200
    return [facility.name for facility in response.context["facilities"]]


@pytest.fixture
def spinal_fusion():
    return make_procedure(
        name="Lumbar spinal fusion", slug="lumbar-spinal-fusion", also_known_as="Lower back fusion; lumbar arthrodesis"
    )


@pytest.fixture
def directory(spinal_fusion):
    """Descriptions that never name the procedure, the country or the body."""
    jci = make_body(name="Joint Commission International", abbreviation="JCI", slug="jci")
    anadolu = make_facility(name="Anadolu Hospital", city="Ankara", country="TR", description="Orthopaedics.")
    make_offer(facility=anadolu, procedure=spinal_fusion)
    make_accreditation(facility=anadolu, body=jci)
    make_offer(
        facility=make_facility(name="Angeles Clinic", city="Tijuana", country="MX", description="Surgery."),
        procedure=spinal_fusion,
    )
    make_facility(name="Marmara Heart", city="Izmir", country="TR", description="Cardiology.")
    make_facility(name="Vistula Clinic", city="Krakow", country="PL", description="Spinal fusion and more.")
    lapsed = make_facility(name="Lapsed Clinic", city="Berlin", country="DE", description="General care.")
    make_accreditation(
        facility=lapsed,
        body=jci,
        awarded_on=TODAY - datetime.timedelta(days=900),
        expires_on=TODAY - datetime.timedelta(days=1),
    )


# 11. What a search finds --------------------------------------------------------------------


def test_fold_ignores_case_and_accents_but_keeps_the_marks_of_other_scripts():
    assert fold("TÜRKIYE") == fold("turkiye") == fold("Türkiye")
    assert fold("México") == "mexico"
    assert fold("Magyarország") == fold("MAGYARORSZAG")
    assert fold("İstanbul") == "istanbul"
    assert fold("Łódź") == "lodz"
    assert fold("ประเทศไทย") == "ประเทศไทย"  # Thai vowel signs are marks, and part of the word.


@pytest.mark.django_db
def test_words_are_grouped_into_what_they_name(spinal_fusion):
    units = search_units(["spinal", "fusion", "turkey", "anadolu"], procedures=[spinal_fusion], bodies=[])
    assert [(unit.terms, unit.procedures, unit.countries) for unit in units] == [
        (("spinal", "fusion"), {spinal_fusion.pk}, set()),
        (("turkey",), set(), {"TR"}),
        (("anadolu",), set(), set()),
    ]
    assert [unit.prefix_last for unit in units] == [False, False, True]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # A procedure by its name, by an other name, while typing; or in a facility's own words.
        ("spinal fusion", ["Anadolu Hospital", "Angeles Clinic", "Vistula Clinic"]),
        ("Lumbar Spinal Fusion", ["Anadolu Hospital", "Angeles Clinic"]),
        ("arthrodesis", ["Anadolu Hospital", "Angeles Clinic"]),
        ("spinal fus", ["Anadolu Hospital", "Angeles Clinic", "Vistula Clinic"]),
        # A country in English (django-countries and common names) and in its own language.
        ("Turkey", ["Anadolu Hospital", "Marmara Heart"]),
        ("Türkiye", ["Anadolu Hospital", "Marmara Heart"]),
        ("turkiye", ["Anadolu Hospital", "Marmara Heart"]),
        ("TÜRKİYE", ["Anadolu Hospital", "Marmara Heart"]),
        ("Mexico", ["Angeles Clinic"]),
        ("México", ["Angeles Clinic"]),
        ("polska", ["Vistula Clinic"]),
        ("Deutschland", ["Lapsed Clinic"]),
        ("turk", ["Anadolu Hospital", "Marmara Heart"]),
        # A body by abbreviation or name, only while the accreditation is current.
        ("JCI", ["Anadolu Hospital"]),
        ("joint commission international", ["Anadolu Hospital"]),
        # Each word, or group of words, must be found somewhere.
        ("spinal fusion turkey", ["Anadolu Hospital"]),
        ("turkey spinal fusion jci", ["Anadolu Hospital"]),
        ("spinal fusion mexico", ["Angeles Clinic"]),
        ("spinal fusion poland", ["Vistula Clinic"]),
        ("spinal fusion germany", []),
        ("anadolu turkey", ["Anadolu Hospital"]),
        ("marmara jci", []),
        ("spinal fusion nowhere", []),
        # Cities were and stay searchable.
        ("tijuana", ["Angeles Clinic"]),
        ("ankara spinal fusion", ["Anadolu Hospital"]),
    ],
)
def test_search_finds_procedures_countries_and_bodies(directory, query, expected):
    assert found(query) == expected


@pytest.mark.django_db
def test_search_names_other_scripts():
    make_facility(name="Bumrungrad", city="Bangkok", country="TH")
    make_facility(name="Medanta", city="Gurugram", country="IN")
    make_facility(name="Semmelweis", city="Budapest", country="HU")
    assert found("ประเทศไทย") == found("thailand") == ["Bumrungrad"]
    assert found("भारत") == found("india") == ["Medanta"]
    assert found("magyarorszag") == ["Semmelweis"]


@pytest.mark.django_db
def test_unpublished_procedure_names_nothing():
    hidden = make_procedure(name="Secret graft", slug="secret-graft", is_published=False)
    make_offer(facility=make_facility(name="Offers it"), procedure=hidden)
    assert found("secret graft") == []


@pytest.mark.django_db
def test_the_search_reads_names_in_the_reference_lists_not_per_facility(directory, django_assert_num_queries):
    # Two small reference lists, then the search itself; no query for each facility.
    with django_assert_num_queries(3):
        assert found("spinal fusion turkey jci") == ["Anadolu Hospital"]


@pytest.mark.django_db
def test_named_matches_rank_above_a_passing_mention(directory):
    results = facility_search(Facility.objects.all(), "spinal fusion").order_by("-search_rank", "name")
    assert list(results.values_list("name", flat=True))[-1] == "Vistula Clinic"


@pytest.mark.django_db
def test_directory_page_search_keeps_its_query_count(client, settings, directory, django_assert_num_queries):
    settings.DIRECTORY_CACHE = False
    # The same eight as tests/facilities/test_directory.py pins: names resolve from lists it reads anyway.
    with django_assert_num_queries(8):
        response = client.get(URL, {"q": "spinal fusion turkey jci"})
    assert names(response) == ["Anadolu Hospital"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        "😀 türkiye 🏥",
        "'; DROP TABLE facilities_facility; -- turkey",
        "turkey " * 500,
        "é" * 3000,
        "JCI OR 1=1",
        "ประเทศไทย" * 30,
    ],
)
def test_hostile_queries_give_a_normal_page(client, directory, query):
    response = client.get(URL, {"q": query})
    assert response.status_code == 200
    assert Facility.objects.count() == 5


@pytest.mark.django_db
def test_a_nul_is_only_a_separator_to_the_search(directory):
    # The page itself answers 400 to any URL with a NUL (tourism.middleware); the search copes anyway.
    assert found("spinal fusion\x00 turkey") == ["Anadolu Hospital"]


# 12. The country list, pages past the end, the summary of active filters ----------------------


@pytest.mark.django_db
def test_any_country_is_offered_once(client):
    make_facility(country="TR")
    html = client.get(URL).content.decode()
    assert html.count(">Any country</option>") == 1
    html = client.get(URL, {"country": "TR"}).content.decode()
    assert html.count(">Any country</option>") == 1


@pytest.mark.django_db
def test_a_page_past_the_end_is_the_last_page(client, settings):
    settings.DIRECTORY_PAGE_SIZE = 2
    for n in range(3):
        make_facility(name=f"Hospital {n}")
    for page in ("3", "99", "9" * 40):
        response = client.get(URL, {"page": page})
        assert names(response) == ["Hospital 2"], page
        assert response.context["page_obj"].number == 2
    response = client.get(URL, {"page": "abc"})
    assert names(response) == ["Hospital 0", "Hospital 1"]
    # An empty directory has its one empty page.
    response = client.get(URL, {"q": "nothing matches", "page": "5"})
    assert names(response) == []


@pytest.mark.django_db
def test_active_filters_are_summarised_with_a_link_to_drop_each(client, spinal_fusion):
    english = make_language(code="en", name="English")
    facility = make_facility(name="Anadolu Hospital", country="TR", has_interpreter=True)
    facility.languages.add(english)
    make_offer(facility=facility, procedure=spinal_fusion, price_from=9_000, price_to=12_000)
    params = {
        "procedure": "lumbar-spinal-fusion",
        "country": "TR",
        "language": "en",
        "services": "interpreter",
        "price_max": "20000",
        "sort": "price",
        "page": "1",
    }
    response = client.get(URL, params)
    summary = [(active.label, active.query_without) for active in response.context["active_filters"]]
    base = "procedure=lumbar-spinal-fusion&country=TR&language=en&services=interpreter&price_max=20000&sort=price"
    assert [label for label, _query in summary] == [
        "Lumbar spinal fusion",
        "Türkiye",
        "English",
        "up to US$20,000",
        "Medical interpreter",
        "sorted by price",
    ]
    without = dict(summary)
    assert without["Türkiye"] == "?" + base.replace("&country=TR", "")
    assert without["sorted by price"] == "?" + base.replace("&sort=price", "")
    html = response.content.decode()
    nav = html.split('<nav class="active-filters"')[1].split("</nav>")[0]
    assert 'aria-labelledby="active-filters-heading"' in nav
    assert "Remove filter: Türkiye" in nav
    assert f'href="{URL}?{base.replace("&amp;", "&").replace("&language=en", "")}"'.replace("&", "&amp;") in nav
    assert f'href="{URL}">Clear all filters</a>' in nav


@pytest.mark.django_db
def test_summary_leaves_out_defaults_and_ignored_values(client):
    make_facility(name="Anadolu Hospital")
    response = client.get(URL)
    assert response.context["active_filters"] == []
    assert 'class="active-filters"' not in response.content.decode()
    # A price without a procedure and an unknown country are ignored, so not in force; best match
    # is the default order of a search.
    response = client.get(URL, {"q": "anadolu", "price_max": "100", "country": "XX", "sort": "relevance"})
    assert [active.label for active in response.context["active_filters"]] == ["“anadolu”"]
    assert response.context["active_filters"][0].query_without == "?price_max=100&country=XX&sort=relevance"
