"""A chosen hospital whose accreditation ends before the patient's travel window: the thanks page,
the status page and the coordinator's request page say so, worked out from the directory as it is
(``quotes.selectors.accreditation_warnings``), nothing stored."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import dateformat, timezone

from facilities.models import Accreditation
from facilities.services import facility_listing_refresh
from quotes.models import QuoteRequest
from quotes.roles import COORDINATORS
from quotes.selectors import accreditation_warnings
from tests.factories import form_data, make_accreditation, make_facility, make_quote_request, make_staff
from tests.quotes.helpers import status_url_for

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


def long_date(day: datetime.date) -> str:
    return dateformat.format(day, "j F Y")


def covered_until(last_day: datetime.date, **overrides):
    """A listed facility whose only accreditation ends on ``last_day``."""
    facility = make_facility(accredited=False, **overrides)
    make_accreditation(facility=facility, awarded_on=TODAY - datetime.timedelta(days=300), expires_on=last_day)
    return facility


def status_html(client, quote_request) -> str:
    response = client.get(status_url_for(client, quote_request))
    assert response.status_code == 200
    return response.content.decode()


def warning_block(html: str, marker: str = 'id="accreditation-warning"') -> str:
    if marker not in html:
        return ""
    start = html.index(marker)
    return " ".join(html[start : html.index("</div>", start)].split())


# The rule ------------------------------------------------------------------------------------------


def test_a_hospital_covered_past_the_latest_travel_date_gives_no_warning(db):
    fine = covered_until(days(90))
    quote_request = make_quote_request(facilities=[fine], travel_from=days(30), travel_to=days(90))
    assert accreditation_warnings(quote_request) == []


def test_a_hospital_whose_cover_ends_inside_the_window_is_named_with_its_last_day(db):
    short = covered_until(days(60), name="Short Cover Clinic")
    fine = covered_until(days(400))
    quote_request = make_quote_request(facilities=[short, fine], travel_from=days(30), travel_to=days(90))
    [warning] = accreditation_warnings(quote_request)
    assert (warning.facility, warning.ends_on, warning.before_travel_starts, warning.has_ended) == (
        short,
        days(60),
        False,
        False,
    )


def test_a_cover_ending_before_the_earliest_travel_date_says_so(db):
    short = covered_until(days(20))
    with_window = make_quote_request(facilities=[short], travel_from=days(30), travel_to=days(90))
    only_start = make_quote_request(facilities=[short], travel_from=days(30))
    assert [w.before_travel_starts for w in accreditation_warnings(with_window)] == [True]
    assert [w.before_travel_starts for w in accreditation_warnings(only_start)] == [True]


def test_without_travel_dates_there_is_nothing_to_compare(db):
    short = covered_until(days(5))
    assert accreditation_warnings(make_quote_request(facilities=[short])) == []


def test_a_hospital_that_lost_its_accreditation_has_ended(db):
    lapsed = covered_until(days(200))
    Accreditation.objects.filter(facility=lapsed).update(status=Accreditation.Status.SUSPENDED)
    facility_listing_refresh(facility_ids=[lapsed.pk])  # What an update without signals needs.
    quote_request = make_quote_request(facilities=[lapsed], travel_from=days(30), travel_to=days(90))
    [warning] = accreditation_warnings(quote_request)
    assert warning.ends_on is None and warning.has_ended


def test_a_renewal_recorded_since_clears_the_warning(db):
    short = covered_until(days(60))
    quote_request = make_quote_request(facilities=[short], travel_from=days(30), travel_to=days(90))
    assert len(accreditation_warnings(quote_request)) == 1
    make_accreditation(facility=short, awarded_on=days(61), expires_on=days(800))
    assert accreditation_warnings(QuoteRequest.objects.get(pk=quote_request.pk)) == []


# The patient's pages -------------------------------------------------------------------------------


def test_the_thanks_page_warns_after_sending_the_form(client, submit, catalogue):
    covered_until(days(60), name="Short Cover Clinic", slug="short-cover")
    data = form_data(
        facilities=["short-cover", "anadolu-spine"],
        travel_from=days(30).isoformat(),
        travel_to=days(90).isoformat(),
    )
    response = submit(data)
    assert response.status_code == 302
    block = warning_block(client.get(response["Location"]).content.decode())
    assert "<strong>Short Cover Clinic</strong>" in block
    assert (
        f"Its accreditation ends on {long_date(days(60))}, before your latest travel date; "
        "your coordinator will check it is renewed."
    ) in block
    assert "Anadolu Spine Hospital" not in block  # Accredited for a year.


def test_the_thanks_page_says_nothing_when_every_hospital_is_covered(client, submit, catalogue):
    data = form_data(facilities=["anadolu-spine"], travel_from=days(30).isoformat(), travel_to=days(90).isoformat())
    html = client.get(submit(data)["Location"]).content.decode()
    assert "Thank you, we have your request" in html
    assert warning_block(html) == ""


def test_the_status_page_warns_with_the_hospital_and_the_date(client):
    short = covered_until(days(20), name="Early End Hospital")
    later = covered_until(days(60), name="Mid Window Hospital")
    fine = covered_until(days(400), name="Covered Hospital")
    quote_request = make_quote_request(facilities=[short, later, fine], travel_from=days(30), travel_to=days(90))
    block = warning_block(status_html(client, quote_request))
    assert f"ends on {long_date(days(20))}, before your earliest travel date" in block
    assert f"ends on {long_date(days(60))}, before your latest travel date" in block
    assert "Early End Hospital" in block and "Mid Window Hospital" in block
    assert "Covered Hospital" not in block


def test_the_status_page_says_nothing_when_the_hospitals_are_covered(client):
    quote_request = make_quote_request(facilities=[covered_until(days(400))], travel_from=days(30), travel_to=days(90))
    assert warning_block(status_html(client, quote_request)) == ""


def test_the_warning_adds_no_query_to_the_status_page(client, django_assert_num_queries):
    covered = make_quote_request(facilities=[covered_until(days(400))], travel_from=days(30), travel_to=days(90))
    with CaptureQueriesContext(connection) as none_warned:
        status_html(client, covered)
    short = [covered_until(days(40 + n)) for n in range(4)]
    warned = make_quote_request(facilities=short, travel_from=days(30), travel_to=days(90))
    with django_assert_num_queries(len(none_warned)):
        html = status_html(client, warned)
    assert warning_block(html).count("<li>") == 4


# The coordinator's request page --------------------------------------------------------------------


@pytest.fixture
def coordinator_client(client):
    client.force_login(make_staff(username="cora", group=COORDINATORS))
    return client


def test_the_request_page_warns_the_coordinator(coordinator_client):
    short = covered_until(days(60), name="Short Cover Clinic")
    quote_request = make_quote_request(facilities=[short], travel_from=days(30), travel_to=days(90))
    response = coordinator_client.get(reverse("admin:quotes_quoterequest_change", args=[quote_request.pk]))
    html = " ".join(response.content.decode().split())
    assert response.status_code == 200
    start = html.index('id="workflow-accreditation-warning"')
    block = html[start : html.index("</ul>", start)]
    assert '<li class="warning">' in block
    assert (
        f"The accreditation of Short Cover Clinic, chosen by the patient, ends on {long_date(days(60))}, "
        f"before the patient's latest travel date ({long_date(days(90))}): check it is renewed."
    ) in block.replace("&#x27;", "'")


def test_the_request_page_has_no_warning_for_covered_hospitals(coordinator_client):
    quote_request = make_quote_request(facilities=[covered_until(days(400))], travel_from=days(30), travel_to=days(90))
    response = coordinator_client.get(reverse("admin:quotes_quoterequest_change", args=[quote_request.pk]))
    assert response.status_code == 200
    assert "workflow-accreditation-warning" not in response.content.decode()
