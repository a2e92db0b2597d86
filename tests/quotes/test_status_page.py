"""The patient's private status page: what it shows, what it hides, and who can open it."""

import datetime
import hashlib

import pytest
from django.urls import reverse
from django.utils import timezone

from quotes.models import QuoteAttachment, QuoteRequest, StatusChange
from tests.factories import make_attachment, make_quote_request
from tests.quotes.helpers import PDF, status_url_for

pytestmark = pytest.mark.django_db


def status_url(token: str) -> str:
    """The link in our e-mails."""
    return reverse("quotes:status", args=[token])


def status_page(client, token: str):
    """The page as the patient sees it, once their browser has followed the e-mail link."""
    return client.get(status_url_for(client, token))


@pytest.fixture
def quote_request(catalogue):
    quote_request = make_quote_request(
        procedure=catalogue.procedure,
        facilities=catalogue.listed[:2],
        preferred_countries=["IN"],
        preferred_language=catalogue.german,
        travel_from=datetime.date(2031, 3, 1),
        travel_to=datetime.date(2031, 4, 15),
        budget_amount=12500,
        budget_currency="EUR",
        name="Zanzibar Quixote",
        email="zq.patient@example.org",
        phone="+44 20 7946 0321",
        condition="Distinctive-condition-text",
        diagnosis="Distinctive-diagnosis-text",
        previous_treatment="Distinctive-treatment-text",
        medication="Distinctive-medication-text",
        allergies="Distinctive-allergy-text",
    )
    make_attachment(quote_request=quote_request, name="knee-mri.pdf", content=PDF)
    return quote_request


def test_the_status_page_shows_the_reference_status_timeline_and_summary(client, quote_request):
    response = status_page(client, quote_request.status_token)
    html = response.content.decode()
    assert response.status_code == 200
    assert response.templates[0].name == "quotes/status.html"
    assert quote_request.reference in html
    assert 'class="status-badge status-submitted">Submitted</strong>' in html
    assert "We aim to reply by" in html
    timeline = html.split('<ol class="timeline">')[1].split("</ol>")[0]
    assert timeline.count("<li>") == 1
    assert "Submitted" in timeline
    for shown in (
        "Knee replacement",
        "Anadolu Spine Hospital",
        "Berlin Heart Centre",
        "India",
        "1 Mar 2031 to 15 Apr 2031",
        "12,500 EUR",
        "German",
        "knee-mri.pdf",
    ):
        assert shown in html, shown


def test_the_status_page_never_shows_medical_or_contact_details(client, quote_request):
    html = status_page(client, quote_request.status_token).content.decode()
    for private in (
        "Distinctive-condition-text",
        "Distinctive-diagnosis-text",
        "Distinctive-treatment-text",
        "Distinctive-medication-text",
        "Distinctive-allergy-text",
        "zq.patient@example.org",
        "+44 20 7946 0321",
        "7946",
        "Zanzibar",
    ):
        assert private not in html, private


def test_the_timeline_follows_the_workflow(client, quote_request):
    QuoteRequest.objects.filter(pk=quote_request.pk).update(status=QuoteRequest.Status.IN_REVIEW)
    StatusChange.objects.create(quote_request=quote_request, from_status="submitted", to_status="in_review")
    html = status_page(client, quote_request.status_token).content.decode()
    timeline = html.split('<ol class="timeline">')[1].split("</ol>")[0]
    assert timeline.index("Submitted") < timeline.index("In review")
    assert "status-in_review" in html
    assert "We aim to reply by" not in html


def test_a_late_first_reply_is_admitted(client, quote_request):
    QuoteRequest.objects.filter(pk=quote_request.pk).update(
        first_reply_due_at=timezone.now() - datetime.timedelta(hours=1)
    )
    html = status_page(client, quote_request.status_token).content.decode()
    assert "We are late replying to you" in html


def test_a_reply_on_time_is_not_called_late(client, quote_request):
    html = status_page(client, quote_request.status_token).content.decode()
    assert "We are late replying to you" not in html


def test_the_status_page_sends_no_cache_and_no_index_headers(client, quote_request):
    response = status_page(client, quote_request.status_token)
    assert "no-store" in response["Cache-Control"]
    assert "noindex" in response["X-Robots-Tag"]
    assert response["Referrer-Policy"] == "same-origin"


def test_a_file_name_with_html_is_shown_escaped(client, quote_request):
    QuoteAttachment.objects.filter(quote_request=quote_request).update(original_name="<img src=x onerror=alert(1)>.pdf")
    html = status_page(client, quote_request.status_token).content.decode()
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;.pdf" in html


def test_a_wrong_token_of_the_right_shape_is_not_found(client, quote_request):
    token = quote_request.status_token
    wrong = ("A" if token[0] != "A" else "B") + token[1:]
    assert len(wrong) == 43
    response = client.get(status_url(wrong))
    assert response.status_code == 404
    assert quote_request.reference not in response.content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/quote/status/abc/",
        "/quote/status/" + "A" * 44 + "/",
        "/quote/status/" + "A" * 42 + "/",
        "/quote/status/../",
        "/quote/status/..%2F..%2Fadmin/",
        "/quote/status/" + "é" * 43 + "/",
        "/quote/status/" + "A" * 42 + "=/",
        "/quote/status/" + "A" * 42 + "%20/",
        "/quote/status/" + "A" * 10_000 + "/",
        "/quote/status//",
    ],
)
def test_malformed_tokens_are_not_found(client, quote_request, path):
    response = client.get(path)
    assert response.status_code == 404


def test_the_token_case_matters(client, quote_request):
    token = quote_request.status_token
    if token.swapcase() != token:
        assert client.get(status_url(token.swapcase())).status_code == 404


def test_the_token_is_not_stored_only_its_hash(quote_request):
    token = quote_request.status_token
    stored = QuoteRequest.objects.filter(pk=quote_request.pk).values().get()
    assert stored["status_token_hash"] == hashlib.sha256(token.encode()).hexdigest()
    assert not any(token in str(value) for value in stored.values())


def test_each_request_has_its_own_token(catalogue):
    first, second = make_quote_request(), make_quote_request()
    assert first.status_token != second.status_token
    assert len(first.status_token) == 43


@pytest.mark.parametrize("method", ["post", "put", "delete", "patch"])
def test_the_status_page_refuses_other_methods(client, quote_request, method):
    response = getattr(client, method)(status_url(quote_request.status_token))
    assert response.status_code == 405
    page = getattr(client, method)(status_url_for(client, quote_request))
    assert page.status_code == 405
