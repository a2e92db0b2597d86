"""The contact page, the "Contact us" link on every page, and the operator named on the privacy page."""

import os
import re
import subprocess
import sys

import pytest
from django.core.cache import cache
from django.urls import reverse

from tests.factories import make_facility, make_procedure

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(settings):
    settings.CONTACT_EMAIL = "help@clinic-travel.example"
    settings.CONTACT_PHONE = "+44 (0)20 7946-0123"
    settings.CONTACT_WHATSAPP = "+44 7700 900123"
    settings.CONTACT_HOURS = "Monday to Friday, 8:00–17:00 GMT"
    settings.OPERATOR_NAME = "Clinic Travel Example GmbH"
    settings.OPERATOR_ADDRESS = "Beispielweg 5, 10115 Berlin, Germany"
    return settings


def page(client, name: str) -> str:
    response = client.get(reverse(name))
    assert response.status_code == 200
    return response.content.decode()


def test_contact_page_shows_every_way_to_reach_the_operator(client, operator):
    html = page(client, "contact")
    assert '<a href="mailto:help@clinic-travel.example">help@clinic-travel.example</a>' in html
    # Shown as typed, dialled from its digits with the leading "+".
    assert '<a href="tel:+442079460123">+44 (0)20 7946-0123</a>' in html
    assert 'href="https://wa.me/447700900123"' in html
    assert "+44 7700 900123" in html
    assert "Monday to Friday, 8:00–17:00 GMT" in html
    assert "Never send medical files by WhatsApp or e-mail" in html
    assert "reference" in html
    assert f'href="{reverse("quotes:request")}"' in html


@pytest.mark.parametrize(
    "typed, link",
    [
        ("+44 20 7946 0999", "tel:+442079460999"),
        ("020 7946 0999", "tel:02079460999"),
        ("+1 (555) 010-0199", "tel:+15550100199"),
        ("+44 (0)20 7946 0999", "tel:+442079460999"),
    ],
)
def test_the_phone_link_is_made_of_its_digits_and_leading_plus(client, settings, typed, link):
    settings.CONTACT_PHONE = typed
    html = page(client, "contact")
    assert f'<a href="{link}">{typed}</a>' in html


@pytest.mark.parametrize(
    "typed, link",
    [
        ("+44 7700 900123", "https://wa.me/447700900123"),
        ("0044 7700-900123", "https://wa.me/447700900123"),
        ("+49 (0)151 2345 6789", "https://wa.me/4915123456789"),
    ],
)
def test_the_whatsapp_link_takes_the_international_number_as_digits_only(client, settings, typed, link):
    settings.CONTACT_WHATSAPP = typed
    html = page(client, "contact")
    [href] = re.findall(r'href="(https://wa\.me/[^"]*)"', html)
    assert href == link


@pytest.mark.parametrize(
    "setting, shown",
    [
        ("CONTACT_EMAIL", "mailto:"),
        ("CONTACT_PHONE", "tel:"),
        ("CONTACT_WHATSAPP", "wa.me"),
        ("CONTACT_HOURS", "When we answer"),
    ],
)
def test_an_item_not_set_is_left_out(client, operator, setting, shown):
    assert shown in page(client, "contact")
    setattr(operator, setting, "")
    cache.clear()  # The page was cached on the first visit; settings only change on a restart.
    assert shown not in page(client, "contact")


def test_a_phone_without_digits_is_left_out(client, operator):
    operator.CONTACT_PHONE = "ask us"
    operator.CONTACT_WHATSAPP = "-"
    html = page(client, "contact")
    assert "tel:" not in html
    assert "wa.me" not in html
    assert "ask us" not in html


def test_contact_page_with_nothing_set_still_tells_patients_how_to_reach_us(client, operator):
    for name in ("CONTACT_EMAIL", "CONTACT_PHONE", "CONTACT_WHATSAPP", "CONTACT_HOURS"):
        setattr(operator, name, "")
    html = page(client, "contact")
    assert "How to reach us" not in html
    assert "reply to the confirmation e-mail" in html


def test_contact_page_is_served_from_the_cache_to_anonymous_visitors(client, operator, django_assert_num_queries):
    page(client, "contact")
    with django_assert_num_queries(0):
        assert "help@clinic-travel.example" in page(client, "contact")


def test_every_page_links_to_the_contact_page(client):
    facility = make_facility()
    procedure = make_procedure()
    contact_link = f'<a href="{reverse("contact")}"'
    urls = [reverse("home"), reverse("facilities:list"), facility.get_absolute_url(), reverse("quotes:request")]
    urls += [reverse("procedures:list"), procedure.get_absolute_url(), reverse("accreditation"), reverse("privacy")]
    for url in urls + ["/no/such/page/"]:
        html = client.get(url).content.decode()
        assert f"{contact_link}>Contact us</a>" in html, url
    assert f'{contact_link} aria-current="page">Contact us</a>' in page(client, "contact")


def test_privacy_page_names_the_operator_with_its_address_and_e_mail(client, operator):
    html = page(client, "privacy")
    who = html[html.index('id="who"') : html.index('id="collect"')]
    assert "This website is run by Clinic Travel Example GmbH" in who
    assert "Beispielweg 5, 10115 Berlin, Germany" in who
    assert '<a href="mailto:help@clinic-travel.example">help@clinic-travel.example</a>' in who
    assert f'href="{reverse("contact")}"' in who


def test_privacy_page_without_an_operator_set_keeps_its_general_wording(client, operator):
    operator.OPERATOR_NAME = ""
    operator.OPERATOR_ADDRESS = ""
    operator.CONTACT_EMAIL = ""
    html = page(client, "privacy")
    who = html[html.index('id="who"') : html.index('id="collect"')]
    assert "run by the organisation operating this Medtour site" in who
    assert "<address" not in who
    assert "mailto:" not in who


def test_development_defaults_are_plainly_made_up():
    from tourism import settings as project_settings

    assert project_settings.CONTACT_EMAIL.endswith(".localhost")
    # 020 7946 0xxx: numbers Ofcom keeps for drama, which never reach anybody.
    assert project_settings.CONTACT_PHONE.startswith("+44 20 7946 0")
    assert project_settings.CONTACT_WHATSAPP.startswith("+44 20 7946 0")
    assert "Example" in project_settings.OPERATOR_NAME


@pytest.mark.subprocess
def test_production_starts_without_contact_settings_and_invents_none():
    """Production shows no made-up details: whatever the operator has not set is left out."""
    names = ("CONTACT_EMAIL", "CONTACT_PHONE", "CONTACT_WHATSAPP", "CONTACT_HOURS", "OPERATOR_NAME", "OPERATOR_ADDRESS")
    code = "import django; from django.conf import settings; django.setup(); " + (
        f"print([getattr(settings, n) for n in {names!r}])"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "MEDTOUR_"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "tourism.settings",
            "DJANGO_ENV": "production",
            "DJANGO_SECRET_KEY": "s" * 50,
            "DJANGO_ALLOWED_HOSTS": "medtour.example",
            "MEDTOUR_SITE_URL": "https://medtour.example",
        }
    )
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str([""] * len(names))
