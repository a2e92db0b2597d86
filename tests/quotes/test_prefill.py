"""The quote form opened from a hospital or procedure page: what is preselected, and hostile links."""

import re
from html import unescape

import pytest
from django.urls import reverse

from quotes.models import QuoteRequest
from tests.factories import make_offer
from tests.quotes.helpers import error_codes, one, tags

pytestmark = pytest.mark.django_db


def selected_options(html: str, name: str) -> list[str]:
    select = re.search(rf'<select name="{name}".*?</select>', html, re.S).group(0)
    return [option["value"] for option in tags(select, "option") if "selected" in option]


def checked_facilities(html: str) -> list[str]:
    return sorted(box["value"] for box in tags(html, "input", name="facilities") if "checked" in box)


def test_procedure_and_hospital_from_the_link_are_preselected(client, quote_url, catalogue):
    response = client.get(quote_url, {"procedure": "knee-replacement", "facility": "anadolu-spine"})
    html = response.content.decode()
    assert response.status_code == 200
    assert selected_options(html, "procedure") == ["knee-replacement"]
    assert checked_facilities(html) == ["anadolu-spine"]
    assert "checked" not in one(html, "input", name="suggest_facilities")
    assert "You chose <strong>Knee replacement</strong> at <strong>Anadolu Spine Hospital</strong>." in html
    assert selected_options(html, "preferred_language") == ["en"]


def test_without_a_hospital_suggestions_are_ticked_and_not_sure_is_selected(client, quote_url, catalogue):
    html = client.get(quote_url).content.decode()
    assert "checked" in one(html, "input", name="suggest_facilities")
    assert selected_options(html, "procedure") == [""]
    assert tags(html, "input", name="facilities") == []
    assert "You chose" not in html


def test_at_most_three_hospitals_are_prefilled(client, quote_url, catalogue):
    slugs = [facility.slug for facility in catalogue.listed]
    html = client.get(quote_url, {"facility": slugs}).content.decode()
    assert len(checked_facilities(html)) == 3
    assert set(checked_facilities(html)) < set(slugs)


@pytest.mark.parametrize("slug", ["paris-unpublished", "madrid-lapsed", "no-such-hospital"])
def test_a_hospital_that_is_not_listed_is_not_offered(client, quote_url, catalogue, slug):
    html = client.get(quote_url, {"facility": slug}).content.decode()
    assert tags(html, "input", name="facilities") == []
    assert slug not in html
    assert "Paris Unpublished Clinic" not in html
    assert "Madrid Lapsed Clinic" not in html


def test_an_unpublished_procedure_is_not_offered(client, quote_url, catalogue):
    html = client.get(quote_url, {"procedure": "draft-procedure"}).content.decode()
    assert selected_options(html, "procedure") == [""]
    assert "draft-procedure" not in html
    assert "Draft procedure" not in html


@pytest.mark.parametrize(
    "value",
    [
        "<script>alert(1)</script>",
        "x" * 5000,
        "../../etc/passwd",
        "anadolu-spine' OR '1'='1",
        "%00",
        "ünïcödé",
        "",
    ],
)
def test_hostile_query_values_are_ignored(client, quote_url, catalogue, value):
    response = client.get(quote_url, {"procedure": value, "facility": [value, "anadolu-spine"]})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<script>alert(1)" not in html
    assert "etc/passwd" not in html
    assert selected_options(html, "procedure") == [""]
    assert checked_facilities(html) == ["anadolu-spine"]


@pytest.mark.parametrize("query", ["?procedure=%00", "?facility=anadolu-spine%00", "?%00=1"])
def test_a_nul_character_in_the_query_is_a_bad_request(client, quote_url, catalogue, query):
    response = client.get(quote_url + query)
    assert response.status_code == 400
    assert not QuoteRequest.objects.exists()


def follow_quote_link(client, page_url: str, link_text: str) -> str:
    html = client.get(page_url).content.decode()
    hrefs = re.findall(rf'<a class="button[^"]*" href="([^"]+)">{re.escape(link_text)}</a>', html)
    assert hrefs, f"no “{link_text}” link on {page_url}"
    return unescape(hrefs[0])


def send_prefilled_form(client, submit, url: str):
    """Send the form with what the page shows pre-filled, as a browser would (from the HTML alone)."""
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    data = {
        "stamp": re.search(r'name="stamp" value="([^"]+)"', html)[1],
        "facilities": checked_facilities(html),
        "procedure": selected_options(html, "procedure")[0],
        "preferred_language": selected_options(html, "preferred_language")[0],
    }
    if [box for box in tags(html, "input", name="suggest_facilities") if "checked" in box]:
        data["suggest_facilities"] = "on"
    data.update(
        name="Ana Patient",
        email="ana@example.org",
        phone="+44 20 7946 0000",
        country_of_residence="GB",
        condition="Knee pain when walking.",
        consent_health_data="on",
        consent_sharing="on",
    )
    response = submit(data)
    assert response.status_code == 302, error_codes(response)
    return QuoteRequest.objects.get()


def test_the_quote_link_on_a_hospital_page_opens_a_working_form(client, submit, catalogue):
    hospital = catalogue.listed[0]
    url = follow_quote_link(client, reverse("facilities:detail", args=[hospital.slug]), "Request a free quote")
    assert checked_facilities(client.get(url).content.decode()) == [hospital.slug]
    quote_request = send_prefilled_form(client, submit, url)
    assert list(quote_request.preferred_facilities.all()) == [hospital]
    assert quote_request.suggest_facilities is False


def test_the_quote_links_on_a_procedure_page_open_a_working_form(client, submit, catalogue):
    hospital = catalogue.listed[1]
    make_offer(facility=hospital, procedure=catalogue.procedure)
    page = reverse("procedures:detail", args=[catalogue.procedure.slug])

    url = follow_quote_link(client, page, "Quote from this hospital")
    html = client.get(url).content.decode()
    assert selected_options(html, "procedure") == [catalogue.procedure.slug]
    assert checked_facilities(html) == [hospital.slug]

    url = follow_quote_link(client, page, "Get a free quote")
    quote_request = send_prefilled_form(client, submit, url)
    assert quote_request.procedure == catalogue.procedure
    assert quote_request.suggest_facilities is True
