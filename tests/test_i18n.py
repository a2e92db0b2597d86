"""Languages: addresses per language, the first visit, the switcher, hreflang, sitemaps, caching."""

import re
import xml.etree.ElementTree as ET  # noqa: S405 (parses our own sitemap)

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tests.factories import make_facility, make_offer, make_procedure

pytestmark = pytest.mark.django_db

LANGUAGES = [code for code, _name in settings.LANGUAGES]
NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9", "xhtml": "http://www.w3.org/1999/xhtml"}


def in_language(name: str, language: str, *args) -> str:
    with translation.override(language):
        return reverse(name, args=args)


def html_tag(html: str) -> str:
    return re.search(r"<html[^>]*>", html).group(0)


def test_the_four_languages_are_configured_with_english_unprefixed():
    assert LANGUAGES == ["en", "es", "de", "ar"]
    assert [in_language("facilities:list", code) for code in LANGUAGES] == [
        "/facilities/",
        "/es/facilities/",
        "/de/facilities/",
        "/ar/facilities/",
    ]


@pytest.mark.parametrize(("language", "direction"), [("en", "ltr"), ("es", "ltr"), ("de", "ltr"), ("ar", "rtl")])
def test_each_page_says_its_language_and_direction(client, language, direction):
    response = client.get(in_language("home", language))
    assert response.status_code == 200
    assert html_tag(response.content.decode()) == f'<html lang="{language}" dir="{direction}">'
    assert response.headers["Content-Language"] == language


def test_admin_and_machine_addresses_have_no_language_versions(client):
    assert client.get("/es/healthz").status_code == 404
    assert client.get("/es/robots.txt").status_code == 404
    assert client.get("/es" + reverse("admin:index")).status_code == 404


# The first visit follows Accept-Language.


@pytest.mark.parametrize("language", ["es", "de", "ar"])
def test_a_first_visit_goes_to_the_page_in_the_browsers_language(client, language):
    response = client.get("/facilities/?country=TR", headers={"accept-language": f"{language},en;q=0.5"})
    assert response.status_code == 302
    assert response["Location"] == f"/{language}/facilities/?country=TR"
    vary = {part.strip().lower() for part in response["Vary"].split(",")}
    assert {"accept-language", "cookie"} <= vary


def test_a_regional_variant_finds_its_language(client):
    response = client.get("/", headers={"accept-language": "es-MX,es;q=0.9"})
    assert response["Location"] == "/es/"


def test_english_or_an_unknown_language_or_none_stays_in_english(client):
    for header in ["en-GB,en;q=0.9", "fr-FR,fr;q=0.9", "", "zz;q=1, *;q=0.1", "x" * 300]:
        response = client.get("/", headers={"accept-language": header})
        assert response.status_code == 200, header
        assert html_tag(response.content.decode()).startswith('<html lang="en"'), header


def test_someone_who_chose_english_is_not_sent_away_again(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/", headers={"accept-language": "ar"})
    assert response.status_code == 200
    assert 'lang="en"' in html_tag(response.content.decode())


def test_the_remembered_choice_wins_over_the_browser(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"
    response = client.get("/procedures/", headers={"accept-language": "es"})
    assert response["Location"] == "/de/procedures/"


def test_only_reading_is_redirected(client):
    # A form sent to an English address is handled there, not bounced (and so not lost).
    response = client.post(reverse("quotes:request"), {}, headers={"accept-language": "es"})
    assert response.status_code != 302


def test_unknown_pages_and_untranslated_addresses_are_not_redirected(client):
    assert client.get("/no-such-page/", headers={"accept-language": "es"}).status_code == 404
    assert client.get("/healthz", headers={"accept-language": "es"}).status_code in (200, 503)
    admin = client.get(reverse("admin:index"), headers={"accept-language": "es"})
    assert admin.status_code == 302
    assert "/es/" not in admin["Location"]


# The switcher.


def switcher_links(html: str) -> dict[str, str]:
    nav = re.search(r'<nav class="language-switcher".*?</nav>', html, re.S).group(0)
    return dict(re.findall(r'<a href="([^"]+)" lang="([a-z]+)"', nav)[i][::-1] for i in range(len(LANGUAGES)))


def test_every_page_has_a_switcher_naming_each_language_in_itself(client):
    facility = make_facility()
    for path in ["/", facility.get_absolute_url(), reverse("quotes:request"), in_language("contact", "ar")]:
        html = client.get(path).content.decode()
        nav = re.search(r'<nav class="language-switcher".*?</nav>', html, re.S).group(0)
        for name in ["English", "Español", "Deutsch", "العربية"]:
            assert f">{name}</a>" in nav, path
        assert nav.count('aria-current="true"') == 1


def test_the_switcher_keeps_the_visitor_on_the_same_page(client):
    facility = make_facility()
    html = client.get(facility.get_absolute_url() + "?utm_source=x").content.decode()
    link = switcher_links(html)["ar"]
    response = client.get(link.replace("&amp;", "&"))
    assert response.status_code == 302
    assert response["Location"] == in_language("facilities:detail", "ar", facility.slug)
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ar"
    page = client.get(response["Location"])
    assert 'lang="ar" dir="rtl"' in html_tag(page.content.decode())


def test_the_switcher_keeps_the_query_of_a_search(client):
    response = client.get(reverse("switch_language", args=["de"]), {"next": "/facilities/?country=TR&page=2"})
    assert response["Location"] == "/de/facilities/?country=TR&page=2"


def test_switching_back_to_english_is_remembered(client):
    response = client.get(reverse("switch_language", args=["en"]), {"next": "/es/procedures/"})
    assert response["Location"] == "/procedures/"
    assert client.get("/procedures/", headers={"accept-language": "es"}).status_code == 200


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)", ""]
)
def test_the_switcher_never_leaves_the_site(client, next_url):
    response = client.get(reverse("switch_language", args=["es"]), {"next": next_url})
    assert response.status_code == 302
    assert response["Location"] == "/es/"


def test_an_unknown_language_is_not_found(client):
    response = client.get(reverse("switch_language", args=["en"]).replace("/en/", "/fr/"))
    assert response.status_code == 404
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


# hreflang, canonical links and sitemaps.


def alternates(html: str) -> dict[str, str]:
    head = html.split("</head>")[0]
    return dict(re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', head))


def test_pages_name_their_versions_in_every_language_and_their_own_canonical(client):
    procedure = make_procedure(slug="kyphoplasty")
    for language in LANGUAGES:
        path = in_language("procedures:detail", language, procedure.slug)
        html = client.get(path).content.decode()
        assert f'<link rel="canonical" href="http://testserver{path}">' in html
        assert alternates(html) == {
            "en": "http://testserver/procedures/kyphoplasty/",
            "es": "http://testserver/es/procedures/kyphoplasty/",
            "de": "http://testserver/de/procedures/kyphoplasty/",
            "ar": "http://testserver/ar/procedures/kyphoplasty/",
            "x-default": "http://testserver/procedures/kyphoplasty/",
        }


def test_later_pages_of_a_list_name_the_same_page_in_each_language(client, settings):
    settings.DIRECTORY_PAGE_SIZE = 1
    make_facility()
    make_facility()
    html = client.get("/es/facilities/", {"page": "2"}).content.decode()
    assert '<link rel="canonical" href="http://testserver/es/facilities/?page=2">' in html
    assert alternates(html)["de"] == "http://testserver/de/facilities/?page=2"


def test_a_page_not_found_names_no_alternates(client):
    html = client.get("/es/no-such-page/").content.decode()
    assert alternates(html) == {}


def test_there_is_a_sitemap_per_language_with_alternates(client):
    facility = make_facility()
    index = ET.fromstring(client.get("/sitemap.xml").content)  # noqa: S314
    sections = {loc.text.split("testserver", 1)[1] for loc in index.findall("sm:sitemap/sm:loc", NS)}
    for section in ["pages", "procedures", "facilities"]:
        assert f"/sitemap-{section}.xml" in sections
        for language in ["es", "de", "ar"]:
            assert f"/sitemap-{section}-{language}.xml" in sections
    spanish = ET.fromstring(client.get("/sitemap-facilities-es.xml").content)  # noqa: S314
    [entry] = spanish.findall("sm:url", NS)
    assert entry.find("sm:loc", NS).text == f"http://testserver/es/facilities/{facility.slug}/"
    links = {link.get("hreflang"): link.get("href") for link in entry.findall("xhtml:link", NS)}
    assert links == {
        "en": f"http://testserver/facilities/{facility.slug}/",
        "es": f"http://testserver/es/facilities/{facility.slug}/",
        "de": f"http://testserver/de/facilities/{facility.slug}/",
        "ar": f"http://testserver/ar/facilities/{facility.slug}/",
        "x-default": f"http://testserver/facilities/{facility.slug}/",
    }


def test_robots_txt_keeps_every_language_out_of_the_quote_form_and_the_switcher(client):
    text = client.get("/robots.txt").content.decode()
    disallowed = {line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("Disallow:")}
    assert disallowed == {in_language("quotes:request", code) for code in LANGUAGES} | {"/language/", "/currency/"}


# The page cache and the cached figures are per language.


def test_a_spanish_visitor_never_receives_a_cached_english_page(client, settings):
    settings.DIRECTORY_CACHE = True
    cache.clear()
    procedure = make_procedure()
    make_offer(facility=make_facility(), procedure=procedure)
    for path in ["/", "/facilities/", "/procedures/", procedure.get_absolute_url()]:
        english = Client().get(path)
        assert 'lang="en"' in html_tag(english.content.decode())
        for language in ["es", "de", "ar"]:
            translated = Client().get(f"/{language}{path}")
            assert translated.status_code == 200
            assert f'lang="{language}"' in html_tag(translated.content.decode()), (language, path)
        # And the English page, asked for again, is the cached English one.
        assert Client().get(path).content == english.content


def test_figures_are_cached_per_language():
    from tourism.pagecache import data_key

    keys = set()
    for language in LANGUAGES:
        with translation.override(language):
            keys.add(data_key("destinations"))
    assert len(keys) == len(LANGUAGES)


@pytest.mark.parametrize(
    "translate",
    [
        lambda: translation.gettext("%(low)s–%(high)s hours"),
        lambda: translation.ngettext("%(low)s–%(high)s week", "%(low)s–%(high)s weeks", 5),
        lambda: translation.ngettext("%(low)s–%(high)s week", "%(low)s–%(high)s weeks", 12),
    ],
)
def test_arabic_keeps_a_range_of_numbers_in_reading_order(translate):
    # Inside right-to-left text "2–5" would show as "5–2": the range is isolated left to right
    # (U+2066 ... U+2069), so it reads as written.
    with translation.override("ar"):
        text = translate() % {"low": "2", "high": "5"}
    assert "\u20662–5\u2069" in text


@pytest.mark.parametrize(
    ("language", "weeks", "expected"),
    [("en", 1, "1 week"), ("en", 6, "6 weeks"), ("de", 1, "1 Woche"), ("es", 1, "1 semana"), ("ar", 2, "أسبوعان")],
)
def test_a_number_of_weeks_agrees_with_its_noun(language, weeks, expected):
    with translation.override(language):
        text = translation.ngettext("%(counter)s week", "%(counter)s weeks", weeks) % {"counter": weeks}
    assert expected in text


@pytest.mark.parametrize(
    ("language", "name", "expected"),
    [
        ("en", "Lumbar spinal fusion", "lumbar spinal fusion"),
        ("es", "Fusión lumbar", "fusión lumbar"),
        ("de", "Lendenwirbelversteifung", "Lendenwirbelversteifung"),
        ("de", "Krankenhaus", "Krankenhaus"),
        ("ar", "تثبيت الفقرات القطنية", "تثبيت الفقرات القطنية"),
        ("en", "MIS lumbar discectomy", "MIS lumbar discectomy"),
        ("en", "", ""),
    ],
)
def test_names_inside_sentences_keep_the_languages_capitals(language, name, expected):
    from tourism.templatetags.site_tags import in_sentence

    with translation.override(language):
        assert in_sentence(name) == expected


def test_request_references_are_isolated_inside_sentences_of_every_html_template():
    """MT-7KQ2 inside an Arabic sentence must not be reordered: every HTML page and e-mail passes it
    through ``bdi`` (titles excepted: no markup there)."""
    import re
    from pathlib import Path

    from tourism.templatetags.site_tags import bdi

    assert bdi("MT-7KQ2<") == "<bdi>MT-7KQ2&lt;</bdi>"
    bare = []
    for path in Path(settings.BASE_DIR, "templates").rglob("*.html"):
        if "admin" in path.parts:
            continue
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if "{% block title %}" in line:
                continue
            for found in re.finditer(r"\breference=[\w.]*reference(\|\w+)?", line):
                # In a mailto: subject (an attribute) it is URL-encoded instead.
                if found.group(1) not in ("|bdi", "|urlencode"):
                    bare.append(f"{path.name}:{number}")
    assert bare == []
