"""The directory's full-text search (facilities/search.py) on SQLite (FTS5) and PostgreSQL (GIN).

Every test that touches the database runs on whichever database the suite runs on; the few that
look at one engine's machinery (SQLite's triggers and index check, PostgreSQL's query plan) skip
on the other.
"""

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import OuterRef, Subquery
from django.urls import reverse

from facilities.models import Accreditation, Facility
from facilities.search import MAX_TERMS, facility_search, fts5_match, search_terms, tsquery
from tests.factories import make_facility

URL = reverse("facilities:list")


def found(query: str) -> list[str]:
    return sorted(facility_search(Facility.objects.all(), query).values_list("name", flat=True))


def ranked(query: str) -> list[str]:
    results = facility_search(Facility.objects.all(), query).order_by("-search_rank", "name")
    return list(results.values_list("name", flat=True))


def names(response) -> list[str]:
    assert response.status_code == 200
    return [facility.name for facility in response.context["facilities"]]


def sqlite_index_check() -> None:
    """FTS5 compares its index with facilities_facility, row by row, and raises if they differ."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO facilities_facility_fts(facilities_facility_fts, rank) VALUES ('integrity-check', 1)"
        )


def only_on(vendor: str) -> None:
    if connection.vendor != vendor:
        pytest.skip(f"{vendor} only")


# Words out of a query ------------------------------------------------------------------------


def test_search_terms_keep_only_words():
    assert (
        search_terms('  "spine"* AND (clinic OR NEAR(x, y)) {name}: -a_b ')
        == [
            "spine",
            "AND",
            "clinic",
            "OR",
            "NEAR",
            "x",
            "y",
            "name",
            "a",
            "b",
        ][:MAX_TERMS]
    )


def test_search_terms_keep_letters_of_every_script_with_their_marks():
    assert search_terms("Zürich, İstanbul; दिल्ली — กรุงเทพ 3rd") == ["Zürich", "İstanbul", "दिल्ली", "กรุงเทพ", "3rd"]
    # A decomposed accent is joined to its letter first.
    assert search_terms("Zu\u0308rich") == ["Zürich"]


def test_search_terms_of_punctuation_only_is_empty():
    assert search_terms("*** \"\" '' () : ^ - \x00 \\") == []


def test_match_expressions_quote_every_word_and_make_the_last_a_prefix():
    assert fts5_match(["anadolu", "spi"]) == '"anadolu" "spi"*'
    assert tsquery(["anadolu", "spi"]) == "'anadolu' & 'spi':*"
    # Quotes cannot come out of search_terms, but the quoting holds even if they did.
    assert fts5_match(['a"b']) == '"a""b"*'
    assert tsquery(["a'b\\"]) == "'a''b\\\\':*"


# Matching ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_matches_name_city_and_description_case_insensitively():
    make_facility(name="Anadolu Spine", city="Ankara", description="Orthopaedics")
    make_facility(name="Vistula Clinic", city="Krakow", description="Minimally invasive discectomy")
    make_facility(name="Lanna Hospital", city="Chiang Mai", description="General care")
    assert found("ANADOLU") == ["Anadolu Spine"]
    assert found("krakow") == ["Vistula Clinic"]
    assert found("Discectomy") == ["Vistula Clinic"]
    assert found("lanna chiang") == ["Lanna Hospital"]  # Every word must match, in any field.
    assert found("lanna krakow") == []
    assert found("nowhere") == []


@pytest.mark.django_db
def test_last_word_matches_as_a_prefix_while_typing():
    make_facility(name="Vistula Clinic", city="Krakow", description="Minimally invasive discectomy")
    assert found("disc") == ["Vistula Clinic"]
    assert found("krakow disc") == ["Vistula Clinic"]
    assert found("vist kra") == []  # Only the last word is a prefix; earlier words are complete.


@pytest.mark.django_db
def test_whole_words_not_fragments():
    make_facility(name="Bosphorus Spine Centre", city="Istanbul")
    assert found("spine") == ["Bosphorus Spine Centre"]
    assert found("pine centre") == []  # "pine" is not a word of "spine".


@pytest.mark.django_db
def test_names_in_other_scripts_and_with_accents():
    make_facility(name="Klinik Zürich", city="Zürich", country="CH")
    make_facility(name="दिल्ली स्पाइन अस्पताल", city="दिल्ली", country="IN")
    make_facility(name="โรงพยาบาลกรุงเทพ", city="กรุงเทพ", country="TH")
    make_facility(name="Moskva Klinika", city="Москва", country="RU")
    assert found("zürich") == ["Klinik Zürich"]
    assert found("ZÜRICH klinik") == ["Klinik Zürich"]
    assert found("दिल्ली") == ["दिल्ली स्पाइन अस्पताल"]
    assert found("अस्प") == ["दिल्ली स्पाइन अस्पताल"]
    assert found("กรุงเทพ") == ["โรงพยาบาลกรุงเทพ"]
    assert found("москва") == ["Moskva Klinika"]


SPINE = ["Bosphorus Spine Centre"]
BOTH = ["Bosphorus Spine Centre", "Heart Clinic"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ('"', BOTH),
        ("''", BOTH),
        ("*", BOTH),
        ("()", BOTH),
        ('"spine"', SPINE),
        ('"spine', SPINE),
        ("spine'", SPINE),
        ("spine*", SPINE),
        ("spine:*", SPINE),
        ("(spine", SPINE),
        ("spine)", SPINE),
        ("^spine", SPINE),
        ("-spine", SPINE),
        ("+spine", SPINE),
        ("spine & | ! <-> :*", SPINE),
        ("\\spine\\", SPINE),
        ("%spine_", SPINE),
        ("spine\x00", SPINE),
        ("😀 spine 🏥", SPINE),
        ("spine " * 60, SPINE),
        # Operators and column filters are words like any other, so these find nothing.
        ("spine OR heart", []),
        ("heart NOT spine", []),
        ("NEAR(spine surgery)", []),
        ("name:spine", []),
        ("{name}: spine", []),
        ("'; DROP TABLE facilities_facility; --", []),
        ("x" * 5000 + " spine", []),
    ],
)
def test_no_input_breaks_the_query(query, expected):
    make_facility(name="Bosphorus Spine Centre", description="Spine surgery.")
    make_facility(name="Heart Clinic", description="Cardiology.")
    assert found(query) == expected
    assert Facility.objects.count() == 2


@pytest.mark.django_db
def test_query_without_words_changes_nothing_and_ranks_all_alike():
    make_facility(name="A")
    make_facility(name="B")
    results = facility_search(Facility.objects.order_by("name"), " ?! ")
    assert [(facility.name, facility.search_rank) for facility in results] == [("A", 0), ("B", 0)]


@pytest.mark.django_db
def test_at_most_eight_words_are_used():
    make_facility(name="One Two Three Four Five Six Seven Eight")
    assert found("one two three four five six seven eight nine") == ["One Two Three Four Five Six Seven Eight"]


@pytest.mark.django_db
def test_search_works_as_a_subquery_of_another_model():
    wanted = make_facility(name="Anadolu Spine")
    make_facility(name="Marmara Clinic")
    matching = facility_search(Facility.objects.all(), "anadolu").values("pk")
    assert list(Accreditation.objects.filter(facility__in=matching)) == list(wanted.accreditations.all())
    rank = facility_search(Facility.objects.filter(pk=OuterRef("facility")), "anadolu").values("search_rank")
    ranks = dict(Accreditation.objects.annotate(rank=Subquery(rank[:1])).values_list("facility__name", "rank"))
    assert ranks["Anadolu Spine"] > 0
    assert ranks["Marmara Clinic"] is None


# Ranking -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_name_match_ranks_above_city_above_description():
    make_facility(name="Alpha Clinic", city="Ankara", description="A spine surgery team.")
    make_facility(name="Beta Clinic", city="Spine City", description="General care.")
    make_facility(name="Zeta Spine Centre", city="Izmir", description="General care.")
    assert ranked("spine") == ["Zeta Spine Centre", "Beta Clinic", "Alpha Clinic"]


@pytest.mark.django_db
def test_more_words_in_the_name_rank_higher():
    make_facility(name="Ankara Spine Hospital", city="Ankara")
    make_facility(name="Ankara General Hospital", city="Ankara", description="Spine unit.")
    make_facility(name="Spine Hospital", city="Ankara")
    assert ranked("ankara spine hosp")[0] == "Ankara Spine Hospital"


# The directory page --------------------------------------------------------------------------


@pytest.mark.django_db
def test_directory_orders_a_search_by_relevance_and_offers_best_match(client):
    make_facility(name="Alpha Clinic", description="A spine surgery team.")
    make_facility(name="Zeta Spine Centre", description="General care.")
    response = client.get(URL, {"q": "spine"})
    assert names(response) == ["Zeta Spine Centre", "Alpha Clinic"]
    sort_choices = [value for value, _label in response.context["filter"].form.fields["sort"].choices]
    assert sort_choices[0] == "relevance"
    assert '<option value="relevance"' in response.content.decode()
    # Asking for name order still works with a search.
    assert names(client.get(URL, {"q": "spine", "sort": "name"})) == ["Alpha Clinic", "Zeta Spine Centre"]
    assert names(client.get(URL, {"q": "spine", "sort": "relevance"})) == ["Zeta Spine Centre", "Alpha Clinic"]


@pytest.mark.django_db
def test_directory_without_a_search_sorts_by_name_and_hides_best_match(client):
    make_facility(name="Zeta Spine Centre")
    make_facility(name="Alpha Clinic")
    response = client.get(URL)
    assert names(response) == ["Alpha Clinic", "Zeta Spine Centre"]
    assert "relevance" not in dict(response.context["filter"].form.fields["sort"].choices)
    assert 'value="relevance"' not in response.content.decode()
    # Left over from a search box since emptied: sorted by name, without a complaint.
    response = client.get(URL, {"q": "", "sort": "relevance"})
    assert names(response) == ["Alpha Clinic", "Zeta Spine Centre"]
    assert response.context["notes"] == []
    # A query of punctuation only is no search at all.
    response = client.get(URL, {"q": "***"})
    assert names(response) == ["Alpha Clinic", "Zeta Spine Centre"]
    assert "relevance" not in dict(response.context["filter"].form.fields["sort"].choices)


@pytest.mark.django_db
def test_directory_search_combines_with_filters_and_counts(client):
    make_facility(name="Spine Centre Istanbul", country="TR")
    make_facility(name="Spine Centre Bangkok", country="TH", city="Bangkok")
    make_facility(name="Heart Centre", country="TH", city="Bangkok")
    response = client.get(URL, {"q": "spine", "country": "TH"})
    assert names(response) == ["Spine Centre Bangkok"]
    assert response.context["total"] == 1
    options = dict(response.context["filter"].form.fields["country"].choices)
    assert options["TR"] == "Türkiye (1)"  # Facets count the search too.


@pytest.mark.django_db
@pytest.mark.parametrize("query", ['"spine', "NEAR(spine", "spine*)", "'; DROP TABLE facilities_facility; --"])
def test_directory_survives_hostile_queries(client, query):
    make_facility(name="Bosphorus Spine Centre")
    response = client.get(URL, {"q": query})
    assert response.status_code == 200
    assert Facility.objects.count() == 1


# Kept in sync --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_index_follows_creates_edits_and_deletes():
    facility = make_facility(name="Anadolu Spine", city="Ankara", description="Orthopaedics")
    assert found("anadolu") == ["Anadolu Spine"]

    facility.name = "Marmara Spine"
    facility.description = "Neurosurgery"
    facility.save()
    assert found("anadolu") == []
    assert found("marmara neurosurgery") == ["Marmara Spine"]

    Facility.objects.filter(pk=facility.pk).update(city="Bursa")
    assert found("ankara") == []
    assert found("bursa") == ["Marmara Spine"]

    # Changing a column that is not searched leaves the index as it was.
    Facility.objects.filter(pk=facility.pk).update(is_published=False, beds=40)
    assert found("marmara") == ["Marmara Spine"]

    facility.delete()
    assert found("marmara") == []
    if connection.vendor == "sqlite":
        sqlite_index_check()


@pytest.mark.django_db
def test_index_follows_bulk_inserts():
    Facility.objects.bulk_create(
        [Facility(name=f"Bulk Hospital {n}", slug=f"bulk-{n}", country="TR", city="Izmir") for n in range(30)]
    )
    assert len(found("bulk hospital")) == 30
    assert found("bulk hospital 17") == ["Bulk Hospital 17"]
    if connection.vendor == "sqlite":
        sqlite_index_check()


@pytest.mark.django_db
def test_generate_facilities_leaves_the_index_in_step():
    call_command("generate_facilities", count=40, batch_size=15, stdout=io.StringIO())
    generated = Facility.objects.filter(slug__startswith="synthetic-")
    # Every synthetic description says "Synthetic …, generated for load testing".
    assert facility_search(generated, "synthetic generated").count() == 40
    sample = generated.order_by("pk")[17]
    assert sample.pk in facility_search(Facility.objects.all(), sample.name).values_list("pk", flat=True)
    if connection.vendor == "sqlite":
        sqlite_index_check()


@pytest.mark.django_db
def test_sqlite_triggers_are_in_place():
    """Django drops them when it rebuilds facilities_facility; see migration 0003's caution."""
    only_on("sqlite")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'facilities_facility' ORDER BY name"
        )
        triggers = [row[0] for row in cursor.fetchall()]
    assert triggers == [
        "facilities_facility_fts_delete",
        "facilities_facility_fts_insert",
        "facilities_facility_fts_update",
    ]


@pytest.mark.django_db
def test_postgresql_search_uses_the_gin_index():
    only_on("postgresql")
    make_facility(name="Anadolu Spine")
    # Unordered: on a few rows, walking the name index for the default order may look cheaper.
    queryset = facility_search(Facility.objects.all(), "anadolu spi").order_by()
    with connection.cursor() as cursor:
        # On a handful of rows a sequential scan is cheaper; forbid it to see whether the index fits.
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = queryset.explain()
    assert "facility_search_idx" in plan, plan
