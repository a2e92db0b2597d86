"""The status page says whom the patient agreed to share with, and asks about any other hospital."""

import pytest

from quotes.models import Notification, QuoteRequest, SharingConsent
from quotes.services.cases import sharing_consent_ask
from tests.factories import make_facility, make_quote_request, make_staff
from tests.quotes.helpers import status_url_for

S = QuoteRequest.Status
pytestmark = pytest.mark.django_db


def status_url(client, quote_request) -> str:
    return status_url_for(client, quote_request)


def answer_url(client, quote_request) -> str:
    return status_url_for(client, quote_request, "sharing")


@pytest.fixture
def asked():
    coordinator = make_staff(group="Coordinators", email="coord@medtour.localhost")
    quote_request = make_quote_request(status=S.IN_REVIEW, suggest_facilities=False)
    quote_request.preferred_facilities.set([make_facility(name="Chosen Clinic")])
    facility = make_facility(name="Suggested Spine Centre", city="Izmir")
    consent = sharing_consent_ask(quote_request=quote_request, facility=facility, actor=coordinator)
    return quote_request, consent


def test_the_page_says_back_the_sharing_choice(client):
    chosen = make_quote_request(suggest_facilities=False)
    suggested = make_quote_request(suggest_facilities=True)
    assert "only the hospitals you chose" in client.get(status_url(client, chosen)).content.decode()
    page = client.get(status_url(client, suggested)).content.decode()
    assert "the hospitals you chose, and accredited hospitals Medtour suggests" in page


def test_the_patient_says_yes_and_the_coordinators_are_told(client, asked):
    quote_request, consent = asked
    page = client.get(status_url(client, quote_request)).content.decode()
    assert "Suggested Spine Centre" in page and "May we share your request with this hospital?" in page
    response = client.post(answer_url(client, quote_request), {"question": consent.pk, "answer": "yes"})
    assert response.status_code == 303 and response["Location"] == status_url(client, quote_request)
    assert SharingConsent.objects.get(pk=consent.pk).approved is True
    told = Notification.objects.filter(template="coordinator_patient_action").latest("pk")
    assert "agreed to share" in told.context["action"]
    page = client.get(status_url(client, quote_request)).content.decode()
    assert "You agreed that we share your request with Suggested Spine Centre." in page
    assert "May we share" not in page


def test_a_no_is_kept_and_a_second_click_changes_nothing(client, asked):
    quote_request, consent = asked
    client.post(answer_url(client, quote_request), {"question": consent.pk, "answer": "no"})
    client.post(answer_url(client, quote_request), {"question": consent.pk, "answer": "yes"})
    assert SharingConsent.objects.get(pk=consent.pk).approved is False
    assert "You chose not to share" in client.get(status_url(client, quote_request)).content.decode()


@pytest.mark.parametrize(
    "data",
    [{}, {"question": "x", "answer": "yes"}, {"question": "1", "answer": "maybe"}, {"question": "²", "answer": "no"}],
)
def test_a_garbled_answer_gets_a_clear_400_and_changes_nothing(client, asked, data):
    quote_request, consent = asked
    response = client.post(answer_url(client, quote_request), data)
    assert response.status_code == 400
    assert "We could not tell what you answered" in response.content.decode()
    assert SharingConsent.objects.get(pk=consent.pk).approved is None


def test_another_requests_question_cannot_be_answered_from_this_page(client, asked):
    _quote_request, consent = asked
    other = make_quote_request(status=S.IN_REVIEW)
    response = client.post(answer_url(client, other), {"question": consent.pk, "answer": "yes"})
    assert response.status_code == 404
    assert SharingConsent.objects.get(pk=consent.pk).approved is None


def test_answers_are_posted_only(client, asked):
    quote_request, _consent = asked
    assert client.get(answer_url(client, quote_request)).status_code == 405
