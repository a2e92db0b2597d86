"""The site in the visitor's language, in a real browser on a phone.

A visitor whose browser asks for Arabic lands on the Arabic home page (right to left), finds a
hospital, asks for a quote in Arabic and receives the confirmation e-mail in Arabic; the same in
Spanish. axe finds nothing on the main pages in any of the four languages.
"""

import io
import re

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from facilities import demo_translations
from facilities.models import Facility, Procedure
from quotes.models import QuoteRequest
from quotes.services.outbox import notifications_send

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LANGUAGES = [code for code, _name in settings.LANGUAGES]


@pytest.fixture
def demo(transactional_db):
    """The demo directory, with its content in every language (no photos: drawing them is slow)."""
    call_command("load_demo", no_photos=True, no_requests=True, stdout=io.StringIO())
    fusion = Procedure.objects.get(slug="lumbar-spinal-fusion")
    facility = Facility.objects.listed().filter(offered_procedures__procedure=fusion).order_by("slug").first()
    return fusion, facility


def in_language(language: str, text: str, **values) -> str:
    with translation.override(language):
        return gettext(text) % values if values else gettext(text)


def url_in(language: str, name: str, *args) -> str:
    with translation.override(language):
        return reverse(name, args=args)


@pytest.mark.parametrize("viewport", ["phone"])
@pytest.mark.parametrize(("language", "direction"), [("ar", "rtl"), ("es", "ltr")])
def test_a_visitor_asks_for_a_quote_in_their_language(
    new_page, expect, demo, axe_violations, browser_problems, viewport, language, direction
):
    fusion, facility = demo
    page = new_page(locale=language)
    heading = page.get_by_role("heading", level=1)
    content = demo_translations.content(language)
    mail.outbox.clear()

    # The first visit follows the browser's language.
    page.goto("/")
    expect(page).to_have_url(re.compile(rf"/{language}/$"))
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("html")).to_have_attribute("dir", direction)
    expect(heading).to_have_text(in_language(language, "Spine surgery abroad, at hospitals that are accredited today"))
    problems = {"home": axe_violations(page)}

    # The search, with the procedure named in the visitor's language.
    page.locator("#home-procedure").select_option(fusion.slug)
    page.locator("form.hero-search button[type=submit]").click()
    expect(page).to_have_url(re.compile(rf"/{language}/facilities/\?.*procedure={fusion.slug}"))
    expect(heading).to_contain_text(content[f"procedure:{fusion.slug}"]["name"])
    # Each price in the hospital's own currency; beside it, for a Spanish visitor, in euros.
    expect(page.locator(".card-price .money-original").first).to_be_visible()
    if language == "es":
        converted = page.locator(".card-price .money").filter(has=page.locator(".money-converted")).first
        expect(converted.locator(".money-converted")).to_contain_text("€")
        expect(converted).to_contain_text("al cambio del")
        expect(page.locator("#currency-choice")).to_have_value("EUR")
    problems["directory"] = axe_violations(page)

    # A hospital's page, its description in the visitor's language.
    page.goto(url_in(language, "facilities:detail", facility.slug))
    expect(heading).to_have_text(facility.name)
    first_words = content[f"facility:{facility.slug}"]["description"].split()[:4]
    expect(page.locator("main")).to_contain_text(" ".join(first_words))
    if language == "es" and facility.currency != "EUR":
        for price in page.locator(".price-table .money").all():
            expect(price.locator(".money-converted")).to_contain_text("€")
    problems["facility"] = axe_violations(page)

    # The quote form, in that language, replies offered in it.
    page.locator(".quote-band a.button").click()
    expect(page).to_have_url(re.compile(rf"/{language}/quote/\?facility={facility.slug}$"))
    expect(heading).to_have_text(in_language(language, "Request a free quote"))
    expect(page.locator("#id_preferred_language")).to_have_value(language)
    problems["quote form"] = axe_violations(page)
    page.locator("#id_name").fill("Layla Patient")
    page.locator("#id_email").fill(f"layla.{language}@example.org")
    page.locator("#id_phone").fill("+44 20 7946 0000")
    page.locator("#id_country_of_residence").select_option("AE")
    page.locator("#id_procedure").select_option(fusion.slug)
    condition = {"ar": "ألم في أسفل الظهر منذ سنة", "es": "Dolor lumbar desde hace un año."}[language]
    page.locator("#id_condition").fill(condition)
    page.locator("#id_consent_health_data").check()
    page.locator("#id_consent_sharing").check()
    page.locator("form.quote-form button[type=submit]").click()

    # The confirmation, then the e-mail, both in that language.
    expect(heading).to_have_text(in_language(language, "Thank you, we have your request"))
    expect(page.locator("html")).to_have_attribute("dir", direction)
    problems["confirmation"] = axe_violations(page)
    quote_request = QuoteRequest.objects.get(email=f"layla.{language}@example.org")
    assert quote_request.language == language
    notifications_send()
    [patient_mail] = [message for message in mail.outbox if message.to == [quote_request.email]]
    assert patient_mail.body.startswith(in_language(language, "Dear %(name)s,", name="Layla Patient"))
    assert f"/{language}/quote/status/" in patient_mail.body
    assert quote_request.reference in patient_mail.subject

    assert {label: found for label, found in problems.items() if found} == {}
    assert browser_problems == []


@pytest.mark.parametrize("viewport", ["phone"])
def test_the_main_pages_pass_axe_in_every_language(new_page, expect, demo, axe_violations, browser_problems, viewport):
    fusion, facility = demo
    page = new_page()
    found = {}
    for language in LANGUAGES:
        for name, args in [
            ("home", ()),
            ("facilities:list", ()),
            ("facilities:detail", (facility.slug,)),
            ("procedures:list", ()),
            ("procedures:detail", (fusion.slug,)),
            ("quotes:request", ()),
            ("accreditation", ()),
        ]:
            url = url_in(language, name, *args)
            response = page.goto(url)
            assert response.status == 200, url
            expect(page.locator("html")).to_have_attribute("lang", language)
            if violations := axe_violations(page):
                found[url] = violations
    assert found == {}
    assert browser_problems == []
