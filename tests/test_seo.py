"""Being findable: sitemap, robots.txt, titles, descriptions, canonical links, JSON-LD and Open Graph."""

import json
import re
import xml.etree.ElementTree as ET  # noqa: S405 (parses our own sitemap)

import pytest
from django.urls import reverse

from tests.factories import make_facility, make_language, make_offer, make_photo, make_procedure

pytestmark = pytest.mark.django_db

NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def sitemap_locations(client) -> set[str]:
    index = ET.fromstring(client.get("/sitemap.xml").content)  # noqa: S314
    locations = set()
    for sitemap in index.findall("sm:sitemap/sm:loc", NS):
        path = sitemap.text.split("testserver", 1)[1]
        response = client.get(path)
        assert response.status_code == 200
        entries = ET.fromstring(response.content)  # noqa: S314
        locations |= {loc.text for loc in entries.findall("sm:url/sm:loc", NS)}
    return {location.split("testserver", 1)[1] for location in locations}


def test_sitemap_lists_listed_facilities_published_procedures_and_pages(client):
    listed = make_facility()
    unlisted = make_facility(is_published=False)
    published = make_procedure()
    hidden = make_procedure(is_published=False)
    paths = sitemap_locations(client)
    assert listed.get_absolute_url() in paths
    assert published.get_absolute_url() in paths
    assert unlisted.get_absolute_url() not in paths
    assert hidden.get_absolute_url() not in paths
    for name in ["home", "facilities:list", "procedures:list", "accreditation", "privacy"]:
        assert reverse(name) in paths


def test_robots_txt_points_at_the_sitemap_and_keeps_out_of_the_quote_form(client):
    response = client.get("/robots.txt")
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in text
    disallowed = [line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("Disallow:")]
    assert reverse("quotes:request") in disallowed  # tests/test_i18n.py: and in every other language


def test_robots_txt_does_not_reveal_the_admin(client):
    # Anyone can read robots.txt: listing the admin there would tell them where to knock.
    # (tests/test_security.py checks the same with a custom DJANGO_ADMIN_PATH.)
    admin_path = reverse("admin:index")
    text = client.get("/robots.txt").content.decode()
    assert admin_path not in text
    assert admin_path.strip("/") not in text


def head(html: str, pattern: str) -> list[str]:
    return re.findall(pattern, html.split("</head>")[0])


def json_ld(html: str) -> list[dict]:
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return [json.loads(block) for block in blocks]


@pytest.fixture
def pages():
    facility = make_facility(name="Ege Spine Hospital", city="Izmir", address="1 Kordon Street")
    facility.languages.add(make_language(name="Turkish", code="tr"))
    make_photo(facility=facility)
    procedure = make_procedure(name="Kyphoplasty", slug="kyphoplasty", summary="Balloon and cement for fractures.")
    make_offer(facility=facility, procedure=procedure)
    return {
        "home": reverse("home"),
        "directory": reverse("facilities:list"),
        "directory page 2": reverse("facilities:list") + "?procedure=kyphoplasty",
        "facility": facility.get_absolute_url(),
        "procedures": reverse("procedures:list"),
        "procedure": procedure.get_absolute_url(),
        "accreditation": reverse("accreditation"),
        "privacy": reverse("privacy"),
        "quote": reverse("quotes:request"),
    }


def test_every_page_has_a_unique_title_description_and_a_canonical_url(client, pages):
    titles, descriptions = set(), set()
    for name, url in pages.items():
        html = client.get(url).content.decode()
        [title] = head(html, r"<title>(.*?)</title>")
        [description] = head(html, r'<meta name="description" content="([^"]*)">')
        [canonical] = head(html, r'<link rel="canonical" href="([^"]*)">')
        assert description.strip(), name
        assert canonical == "http://testserver" + url.split("?")[0], name
        titles.add(title)
        descriptions.add(description)
    assert len(titles) == len(pages)
    assert len(descriptions) >= len(pages) - 1  # The filtered directory may share the directory's description.


def test_canonical_url_uses_the_configured_site_address(client, settings, pages):
    settings.SITE_URL = "https://medtour.example"
    html = client.get(pages["facility"]).content.decode()
    assert f'<link rel="canonical" href="https://medtour.example{pages["facility"]}">' in html


def test_directory_pages_beyond_the_first_are_their_own_canonical(client, settings):
    settings.DIRECTORY_PAGE_SIZE = 1
    make_facility()
    make_facility()
    html = client.get(reverse("facilities:list"), {"page": "2", "country": "TR"}).content.decode()
    assert '<link rel="canonical" href="http://testserver/facilities/?page=2">' in html


def test_facility_json_ld_is_a_hospital_with_address_and_accreditations(client, pages):
    html = client.get(pages["facility"]).content.decode()
    [data] = json_ld(html)
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "Hospital"
    assert data["name"] == "Ege Spine Hospital"
    assert data["address"] == {
        "@type": "PostalAddress",
        "streetAddress": "1 Kordon Street",
        "addressLocality": "Izmir",
        "addressCountry": "TR",
    }
    [credential] = data["hasCredential"]
    assert credential["@type"] == "EducationalOccupationalCredential"
    assert credential["expires"]
    assert data["knowsLanguage"] == ["Turkish"]
    assert data["availableService"] == [{"@type": "MedicalProcedure", "name": "Kyphoplasty"}]
    assert data["image"].startswith("http://testserver/")


def test_clinic_json_ld_is_a_medical_clinic(client):
    clinic = make_facility(kind="clinic")
    [data] = json_ld(client.get(clinic.get_absolute_url()).content.decode())
    assert data["@type"] == "MedicalClinic"


def test_procedure_json_ld_is_a_medical_procedure(client, pages):
    [data] = json_ld(client.get(pages["procedure"]).content.decode())
    assert data["@type"] == "MedicalProcedure"
    assert data["name"] == "Kyphoplasty"
    assert data["url"] == "http://testserver" + pages["procedure"]


def test_json_ld_cannot_be_broken_out_of(client):
    facility = make_facility(name="</script><script>alert(1)</script>", description="a & b < c")
    html = client.get(facility.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in html
    [data] = json_ld(html)
    assert data["name"] == "</script><script>alert(1)</script>"
    assert data["description"] == "a & b < c"


def test_open_graph_tags_on_detail_pages(client, pages):
    html = client.get(pages["facility"]).content.decode()
    assert '<meta property="og:title" content="Ege Spine Hospital, Izmir">' in html
    assert head(html, r'<meta property="og:image" content="(http://testserver/[^"]+)">')
    assert f'<meta property="og:url" content="http://testserver{pages["facility"]}">' in html
    html = client.get(pages["procedure"]).content.decode()
    assert '<meta property="og:type" content="article">' in html
    assert '<meta property="og:description" content="Balloon and cement for fractures.">' in html


def test_breadcrumbs_on_detail_pages(client, pages):
    for name in ["facility", "procedure"]:
        html = client.get(pages[name]).content.decode()
        assert 'aria-label="Breadcrumb"' in html
        assert '<span aria-current="page">' in html


def test_sitemap_entries_use_the_configured_site_address(client, settings):
    settings.SITE_URL = "https://medtour.example"
    procedure = make_procedure()
    xml = client.get("/sitemap-procedures.xml").content.decode()
    assert f"<loc>https://medtour.example{procedure.get_absolute_url()}</loc>" in xml
    assert "Sitemap: https://medtour.example/sitemap.xml" in client.get("/robots.txt").content.decode()


def test_unknown_sitemap_section_is_404(client):
    assert client.get("/sitemap-nope.xml").status_code == 404
    assert client.get("/sitemap-facilities.xml", {"p": "abc"}).status_code == 404
    assert client.get("/sitemap-facilities.xml", {"p": "99"}).status_code == 404
