"""Accreditation running out soon: the directory's cards and the facility page say so within the
warning window (``ACCREDITATION_WARNING_DAYS``, the admin's "expiring" window), from data they
already load."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_accreditation, make_body, make_facility, make_language, make_photo

pytestmark = pytest.mark.django_db

URL = reverse("facilities:list")
TODAY = timezone.localdate()
NOTICE_RE = re.compile(r'<p class="notice accreditation-expiry">([^<]*)</p>')


@pytest.fixture(autouse=True)
def _window(settings):
    settings.ACCREDITATION_WARNING_DAYS = 60
    settings.DIRECTORY_CACHE = False


def expiring_facility(days: int, **overrides):
    """A listed facility whose only accreditation ends ``days`` from today."""
    facility = make_facility(accredited=False, **overrides)
    make_accreditation(
        facility=facility,
        body=make_body(abbreviation=f"EX{days}"),
        expires_on=TODAY + datetime.timedelta(days=days),
    )
    return facility


def card_of(html: str, name: str) -> str:
    start = html.index(f">{name}</a></h3>")
    return html[start : html.index("</article>", start)]


def notices(html: str) -> list[str]:
    return [" ".join(text.split()) for text in NOTICE_RE.findall(html)]


@pytest.mark.parametrize(
    ("days", "shown"),
    [
        (0, "Accreditation expires today"),
        (1, "Accreditation expires in 1 day"),
        (12, "Accreditation expires in 12 days"),
        (60, "Accreditation expires in 60 days"),
    ],
)
def test_a_card_within_the_window_says_when_the_accreditation_expires(client, days, shown):
    expiring_facility(days, name="Soon Hospital")
    html = client.get(URL).content.decode()
    assert notices(card_of(html, "Soon Hospital")) == [shown]


def test_a_card_outside_the_window_says_nothing(client):
    expiring_facility(61, name="Later Hospital")
    make_facility(name="Settled Hospital")  # A year of accreditation left.
    html = client.get(URL).content.decode()
    assert notices(html) == []
    assert "Later Hospital" in html


def test_the_window_is_the_setting(client, settings):
    expiring_facility(20, name="Soon Hospital")
    settings.ACCREDITATION_WARNING_DAYS = 19
    assert notices(client.get(URL).content.decode()) == []
    settings.ACCREDITATION_WARNING_DAYS = 20
    assert notices(client.get(URL).content.decode()) == ["Accreditation expires in 20 days"]


def test_a_renewal_that_follows_without_a_gap_is_no_warning_on_the_card(client):
    facility = expiring_facility(10, name="Renewed Hospital")
    make_accreditation(
        facility=facility,
        awarded_on=TODAY + datetime.timedelta(days=11),
        expires_on=TODAY + datetime.timedelta(days=1000),
    )
    facility.refresh_from_db()
    assert facility.listed_until == TODAY + datetime.timedelta(days=1000)
    assert notices(card_of(client.get(URL).content.decode(), "Renewed Hospital")) == []


def test_only_the_expiring_facility_card_warns(client):
    expiring_facility(5, name="Soon Hospital")
    make_facility(name="Settled Hospital")
    html = client.get(URL).content.decode()
    assert notices(card_of(html, "Soon Hospital")) == ["Accreditation expires in 5 days"]
    assert notices(card_of(html, "Settled Hospital")) == []


def page_parts(html: str) -> tuple[list[str], dict[str, list[str]]]:
    """The notices in the page's header, and in each accreditation of its panel by body."""
    start = html.index('<header class="facility-head">')
    header = html[start : html.index("</header>", start)]
    panel = html[html.index('id="accreditation-heading"') :]
    panel = panel[: panel.index("</section>")]
    blocks = panel.split('<div class="accreditation">')[1:]
    return notices(header), {re.search(r"\((\w+)\)</h3>", block).group(1): notices(block) for block in blocks}


def test_the_facility_page_warns_in_the_header_and_on_each_expiring_accreditation(client):
    facility = expiring_facility(3, name="Soon Hospital")
    make_accreditation(
        facility=facility, body=make_body(abbreviation="LATER"), expires_on=TODAY + datetime.timedelta(days=40)
    )
    header, panel = page_parts(client.get(facility.get_absolute_url()).content.decode())
    # The facility stays accredited until the later one ends.
    assert header == ["Accreditation expires in 40 days"]
    assert panel == {"EX3": ["Accreditation expires in 3 days"], "LATER": ["Accreditation expires in 40 days"]}


def test_an_accreditation_expiring_beside_a_lasting_one_is_marked_in_the_panel_only(client):
    facility = expiring_facility(3, name="Soon Hospital")
    make_accreditation(facility=facility, body=make_body(abbreviation="LONG"))  # Current for a year.
    header, panel = page_parts(client.get(facility.get_absolute_url()).content.decode())
    assert header == []
    assert panel == {"EX3": ["Accreditation expires in 3 days"], "LONG": []}


def test_the_facility_page_says_nothing_outside_the_window(client):
    facility = make_facility(name="Settled Hospital")
    html = client.get(facility.get_absolute_url()).content.decode()
    assert "accreditation-expiry" not in html
    assert 'class="accreditation"' in html


def test_the_warnings_add_no_query_to_the_directory(client, settings, django_assert_num_queries):
    settings.DIRECTORY_PAGE_SIZE = 20
    language = make_language()
    for n in range(2):
        make_photo(facility=make_facility(name=f"Settled {n}")).facility.languages.add(language)
    with django_assert_num_queries(8) as settled:  # As tests/facilities/test_directory.py pins.
        client.get(URL)
    for n in range(6):
        make_photo(facility=expiring_facility(n + 1, name=f"Soon {n}")).facility.languages.add(language)
    with django_assert_num_queries(len(settled.captured_queries)):
        html = client.get(URL).content.decode()
    assert len(notices(html)) == 6


def test_the_warnings_add_no_query_to_the_facility_page(
    client, django_assert_num_queries, django_assert_max_num_queries
):
    settled = make_facility(name="Settled Hospital")
    with django_assert_max_num_queries(10) as few:
        client.get(settled.get_absolute_url())
    soon = expiring_facility(4, name="Soon Hospital")
    for _ in range(3):
        make_accreditation(facility=soon, expires_on=TODAY + datetime.timedelta(days=30))
    with django_assert_num_queries(len(few.captured_queries)):
        html = client.get(soon.get_absolute_url()).content.decode()
    assert len(notices(html)) == 5  # The header, and each of the four accreditations.
