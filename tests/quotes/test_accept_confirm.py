"""Accepting a quote is two steps and leaves a receipt: the first press names the hospital and the
total and asks once more; only "yes" accepts; the patient is e-mailed what they accepted."""

import datetime

import pytest
from django.utils import timezone

from quotes.models import FacilityQuote, Notification, QuoteRequest
from quotes.services.outbox import render_notification
from tests.factories import make_staff
from tests.quotes.test_patient_actions import action_url, request_in, sent_quotes

S = QuoteRequest.Status


@pytest.fixture
def quoted(db):
    return request_in(S.QUOTED, make_staff(username="cora"))


def test_the_first_press_asks_once_more_naming_the_hospital_and_the_total(client, quoted):
    chosen = sent_quotes(quoted)[0]
    response = client.post(action_url(client, "accept", quoted), {"quote": chosen.pk})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Accept this quote?" in html and chosen.facility.name in html
    assert f"{chosen.total:,.0f}" in html or f"{chosen.total:,.2f}" in html
    assert 'name="confirm" value="yes"' in html
    assert response["Cache-Control"] and "no-cache" in response["Cache-Control"]
    quoted.refresh_from_db()
    assert quoted.status == S.QUOTED
    assert FacilityQuote.objects.filter(quote_request=quoted, status="accepted").count() == 0


def test_yes_accepts_and_the_patient_gets_a_receipt(client, quoted):
    chosen = sent_quotes(quoted)[0]
    response = client.post(action_url(client, "accept", quoted), {"quote": chosen.pk, "confirm": "yes"})
    assert response.status_code == 303
    quoted.refresh_from_db()
    assert quoted.status == S.ACCEPTED
    [receipt] = Notification.objects.filter(template="patient_accepted")
    assert receipt.recipient == quoted.email
    mail = render_notification(receipt)
    assert chosen.facility.name in mail.subject and chosen.facility.name in mail.body
    assert f"{chosen.total:,.2f}" in mail.body and chosen.currency in mail.body
    assert "/quote/status/" in mail.body


def test_the_confirmation_refuses_what_cannot_be_accepted(client, quoted):
    expired = sent_quotes(quoted)[1]
    FacilityQuote.objects.filter(pk=expired.pk).update(valid_until=timezone.localdate() - datetime.timedelta(days=1))
    response = client.post(action_url(client, "accept", quoted), {"quote": expired.pk})
    assert response.status_code == 409
    assert "Accept this quote?" not in response.content.decode()
    other = request_in(S.QUOTED, make_staff(username="otto"))
    response = client.post(action_url(client, "accept", quoted), {"quote": sent_quotes(other)[0].pk})
    assert response.status_code == 409
    for junk in ("", "abc", "-1"):
        assert client.post(action_url(client, "accept", quoted), {"quote": junk}).status_code == 400
    quoted.refresh_from_db()
    assert quoted.status == S.QUOTED
