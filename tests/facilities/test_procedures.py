"""Procedure information pages: content, facts, cost by country, escaping, preview and query counts."""

import datetime
import decimal

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from facilities.models import Procedure
from facilities.selectors import cost_by_country
from tests.factories import (
    make_accreditation,
    make_category,
    make_facility,
    make_offer,
    make_photo,
    make_procedure,
    make_staff,
    page_text,
)
from tourism.templatetags.site_tags import prose

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def full_procedure(**overrides) -> Procedure:
    fields = {
        "name": "Lumbar spinal fusion",
        "slug": "lumbar-spinal-fusion",
        "also_known_as": "spondylodesis",
        "summary": "Joins two or more vertebrae so they heal into one bone.",
        "overview": "First paragraph of the overview.\n\nSecond paragraph.",
        "indications": "People with:\n- spondylolisthesis\n- instability after injury",
        "contraindications": "Not for people with active infection.",
        "techniques": "Open or minimally invasive.",
        "benefits": "Less pain from movement.",
        "risks": "- Infection: roughly 1 to 4 in 100\n- Blood clots",
        "recovery": "Walking the day after surgery.",
        "aftercare": "See your own doctor at two weeks.",
        "questions": "- How many fusions do you do a year?",
        "operation_hours_min": decimal.Decimal("2.5"),
        "operation_hours_max": decimal.Decimal("4"),
        "hospital_nights_min": 3,
        "hospital_nights_max": 5,
        "days_before_flying": 12,
        "return_to_normal_weeks_min": 12,
        "return_to_normal_weeks_max": 26,
        "anaesthesia": Procedure.Anaesthesia.GENERAL,
        "medical_reviewer": "Demo reviewer",
        "last_reviewed_on": datetime.date(2026, 11, 1),
    }
    fields.update(overrides)
    return make_procedure(**fields)


def test_page_shows_every_section_and_fact(client):
    procedure = full_procedure()
    html = client.get(procedure.get_absolute_url()).content.decode()
    for text in [
        "<h1>Lumbar spinal fusion</h1>",
        "Also called: spondylodesis",
        "<p>First paragraph of the overview.</p>",
        "<p>Second paragraph.</p>",
        "<li>spondylolisthesis</li>",
        "Who should not have it",
        "Not for people with active infection.",
        "How it is done",
        "<li>Infection: roughly 1 to 4 in 100</li>",
        "Recovery timeline",
        "Aftercare back home",
        "<li>How many fusions do you do a year?</li>",
        "2.5–4 hours",
        "General anaesthesia",
        "3–5 nights",
        "about 12 days",
        "12–26 weeks",
        "Information, not medical advice.",
        "1 November 2026",
        "Demo reviewer",
        f'href="{reverse("quotes:request")}?procedure=lumbar-spinal-fusion"',
    ]:
        assert text in html, text


def test_unpublished_procedure_is_404_for_the_public(client):
    procedure = full_procedure(is_published=False)
    assert client.get(procedure.get_absolute_url()).status_code == 404
    assert procedure.name not in client.get(reverse("procedures:list")).content.decode()


def test_editors_can_preview_an_unpublished_procedure(client):
    procedure = full_procedure(is_published=False)
    editor = make_staff(username="editor")
    editor.user_permissions.add(Permission.objects.get(codename="change_procedure"))
    client.force_login(editor)
    response = client.get(procedure.get_absolute_url())
    assert response.status_code == 200
    assert "Preview: this page is not published" in response.content.decode()
    assert '<meta name="robots" content="noindex">' in response.content.decode()


def test_unknown_procedure_is_404(client):
    assert client.get("/procedures/no-such-thing/").status_code == 404


def test_procedure_offered_by_no_listed_facility_says_so_and_offers_a_quote(client):
    procedure = full_procedure()
    make_offer(facility=make_facility(is_published=False), procedure=procedure)
    html = client.get(procedure.get_absolute_url()).content.decode()
    assert "No accredited facility on Medtour lists lumbar spinal fusion" in html
    assert f"{reverse('quotes:request')}?procedure={procedure.slug}" in html
    assert "Cost by country" not in html


def test_listed_facilities_with_prices_accreditations_and_quote_links(client):
    procedure = full_procedure()
    facility = make_facility(name="Ege Spine Hospital", city="Izmir")
    body = facility.accreditations.get().body
    make_offer(facility=facility, procedure=procedure, price_from=9_800, price_to=14_000, includes="Five nights")
    hidden = make_facility(name="Lapsed Hospital", accredited=False)
    make_accreditation(
        facility=hidden, awarded_on=TODAY - datetime.timedelta(days=900), expires_on=TODAY - datetime.timedelta(days=1)
    )
    make_offer(facility=hidden, procedure=procedure)
    html = client.get(procedure.get_absolute_url()).content.decode()
    assert "Ege Spine Hospital" in html
    assert facility.get_absolute_url() in html
    assert "US$9,800–14,000" in html
    assert body.abbreviation in html
    assert "Five nights" in html
    assert f"?procedure={procedure.slug}&amp;facility={facility.slug}" in html
    assert "Lapsed Hospital" not in html


def costs(procedure) -> dict:
    return {
        cost.country.code: (cost.lowest, cost.median, cost.facilities) for cost in cost_by_country(procedure=procedure)
    }


def test_cost_by_country_figures_follow_live_prices_and_listing(django_capture_on_commit_callbacks):
    """The figures are cached; every staff change below turns the cache over when it commits."""
    procedure = full_procedure()
    turkey = [make_facility(country="TR") for _ in range(3)]
    for facility, price in zip(turkey, [9_000, 12_000, 20_000], strict=True):
        make_offer(facility=facility, procedure=procedure, price_from=price, price_to=price + 5_000)
    india = [make_facility(country="IN") for _ in range(2)]
    for facility, price in zip(india, [7_000, 8_000], strict=True):
        make_offer(facility=facility, procedure=procedure, price_from=price, price_to=price + 1_000)
    assert costs(procedure) == {"TR": (9_000, 12_000, 3), "IN": (7_000, 7_500, 2)}

    # Staff lower a price: the figures change at once.
    offer = turkey[2].offered_procedures.get()
    offer.price_from, offer.price_to = 8_000, 10_000
    with django_capture_on_commit_callbacks(execute=True):
        offer.save()
    assert costs(procedure)["TR"] == (8_000, 9_000, 3)

    # A facility drops out of the listing (its accreditation is suspended): its price no longer counts.
    with django_capture_on_commit_callbacks(execute=True):
        for accreditation in turkey[0].accreditations.all():
            accreditation.status = "suspended"
            accreditation.save()
    assert costs(procedure)["TR"] == (8_000, 10_000, 2)
    india[0].is_published = False
    with django_capture_on_commit_callbacks(execute=True):
        india[0].save()
    assert costs(procedure)["IN"] == (8_000, 8_000, 1)

    # The figures are kept in the writing transaction itself (facilities.figures): no commit,
    # cache or visitor needed for them to follow.
    offer.price_from = 1_000
    offer.save()
    assert costs(procedure)["TR"] == (1_000, 6_500, 2)


def test_cost_table_on_the_page_is_sorted_cheapest_country_first(client):
    procedure = full_procedure()
    make_offer(facility=make_facility(country="DE"), procedure=procedure, price_from=30_000, price_to=35_000)
    make_offer(facility=make_facility(country="IN"), procedure=procedure, price_from=7_000, price_to=9_000)
    html = client.get(procedure.get_absolute_url()).content.decode()
    table = html.split('class="price-table cost-table"')[1].split("</table>")[0]
    assert table.index("India") < table.index("Germany")
    assert "US$7,000" in table and "US$30,000" in table


def test_related_procedures_are_linked_when_published(client):
    procedure = full_procedure()
    related = make_procedure(name="Laminectomy", slug="laminectomy")
    hidden = make_procedure(name="Hidden related", slug="hidden-related", is_published=False)
    procedure.related.add(related, hidden)
    html = client.get(procedure.get_absolute_url()).content.decode()
    assert f'href="{related.get_absolute_url()}"' in html
    assert "Hidden related" not in html
    # Related is symmetrical: the other page links back.
    assert procedure.get_absolute_url() in client.get(related.get_absolute_url()).content.decode()


def test_staff_entered_text_is_escaped(client):
    procedure = full_procedure(
        name="Fusion <script>alert(1)</script>",
        overview='<img src=x onerror="alert(2)">\n\n- <b>bold</b>',
        summary="</script><script>alert(3)</script>",
    )
    html = client.get(procedure.get_absolute_url()).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "<img src=x" not in html
    assert "<b>bold</b>" not in html
    assert "<li>&lt;b&gt;bold&lt;/b&gt;</li>" in html
    assert "</script><script>alert(3)" not in html


def test_prose_filter_makes_paragraphs_and_lists_and_escapes():
    html = prose("Intro & <b>\nsecond line\n\n- one\n- two <i>\nafter\n\n\n* three")
    assert html == (
        "<p>Intro &amp; &lt;b&gt;<br>second line</p>\n<ul><li>one</li><li>two &lt;i&gt;</li></ul>\n"
        "<p>after</p>\n<ul><li>three</li></ul>"
    )
    assert prose("") == ""
    assert prose(None) == ""


def test_facility_page_links_to_procedure_pages(client):
    procedure = full_procedure()
    facility = make_facility()
    make_offer(facility=facility, procedure=procedure)
    html = client.get(facility.get_absolute_url()).content.decode()
    assert f'href="{procedure.get_absolute_url()}"' in html


def test_list_groups_by_category_with_counts_and_search(client):
    spine = make_category(name="Spine surgery", slug="spine-surgery", position=0)
    pain = make_category(name="Pain management", slug="pain-management", position=1)
    fusion = full_procedure(category=spine)
    make_procedure(name="Pain programme", slug="pain-programme", category=pain, summary="After surgery")
    make_offer(facility=make_facility(), procedure=fusion, price_from=9_000, price_to=12_000)
    make_offer(facility=make_facility(), procedure=fusion, price_from=11_000, price_to=12_000)
    html = client.get(reverse("procedures:list")).content.decode()
    assert html.index("Spine surgery") < html.index("Pain management")
    assert "2 accredited facilities" in html
    assert "from US$9,000" in page_text(html)
    assert "No listed facility yet" in html

    response = client.get(reverse("procedures:list"), {"q": "spondylodesis"})
    assert response.context["found"] == 1
    assert "Pain programme" not in response.content.decode()
    response = client.get(reverse("procedures:list"), {"q": "zzzz"})
    assert "No procedure matches" in response.content.decode()


@pytest.mark.parametrize("q", ["x" * 1000, "<script>", "'; DROP TABLE", "%"])
def test_list_search_with_odd_input(client, q):
    full_procedure()
    assert client.get(reverse("procedures:list"), {"q": q}).status_code == 200


def test_procedure_page_query_count_is_fixed(
    client, settings, django_assert_num_queries, django_assert_max_num_queries
):
    settings.DIRECTORY_CACHE = False  # What the page costs to build (a cached one costs none).
    procedure = full_procedure()
    procedure.related.add(make_procedure())
    make_offer(facility=make_facility(), procedure=procedure)
    with django_assert_max_num_queries(10) as few:
        client.get(procedure.get_absolute_url())
    for country in ["TR", "IN", "TH", "PL", "MX", "DE"] * 2:
        facility = make_facility(country=country)
        make_accreditation(facility=facility)
        make_photo(facility=facility)
        make_offer(facility=facility, procedure=procedure)
        procedure.related.add(make_procedure())
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(procedure.get_absolute_url())
    # The twelve cheapest are listed; the cost table and the count cover all thirteen.
    assert len(response.context["offers"]) == 12
    assert response.context["offer_total"] == 13
    assert sum(cost.facilities for cost in response.context["costs"]) == 13
    assert "See all 13 hospitals" in response.content.decode()


def test_procedure_list_query_count_is_fixed(
    client, settings, django_assert_num_queries, django_assert_max_num_queries
):
    settings.DIRECTORY_CACHE = False  # What the page costs to build (a cached one costs none).
    full_procedure()
    with django_assert_max_num_queries(5) as few:
        client.get(reverse("procedures:list"))
    for _ in range(10):
        make_offer(procedure=make_procedure(category=make_category()))
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(reverse("procedures:list"))
