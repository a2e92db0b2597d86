"""The patient asks, from the status page, for their data to be erased: recorded once, the
coordinators told, shown to staff as due in 30 days with the erasure action already there."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from quotes.models import Notification, QuoteRequest
from quotes.services.outbox import render_notification
from tests.factories import make_quote_request, make_staff
from tests.quotes.helpers import patient_url, status_link, status_url_for

S = QuoteRequest.Status


def url(client, quote_request, name="status"):
    return status_url_for(client, quote_request, name)


@pytest.mark.django_db
def test_the_patient_asks_once_and_the_coordinators_are_told(client):
    quote_request = make_quote_request(name="Ana Patient")
    page = client.get(url(client, quote_request)).content.decode()
    assert "Ask Medtour to erase my data" in page
    response = client.post(url(client, quote_request, "erasure"), {})
    assert response.status_code == 400  # Not ticked: nothing recorded.
    quote_request.refresh_from_db()
    assert quote_request.erasure_requested_at is None
    response = client.post(url(client, quote_request, "erasure"), {"erase-confirm": "on"})
    assert response.status_code == 303
    quote_request.refresh_from_db()
    asked = quote_request.erasure_requested_at
    assert asked is not None
    mails = Notification.objects.filter(template="coordinator_erasure_request")
    assert mails.exists()
    for row in mails:
        mail = render_notification(row)
        assert quote_request.reference in mail.subject and "Ana Patient" not in mail.body
    # Asking again changes nothing and sends nothing more.
    count = mails.count()
    client.post(url(client, quote_request, "erasure"), {"erase-confirm": "on"})
    quote_request.refresh_from_db()
    assert quote_request.erasure_requested_at == asked and mails.count() == count
    assert 'id="erasure-asked"' in client.get(url(client, quote_request)).content.decode()


@pytest.mark.django_db
def test_staff_see_it_with_its_due_date_and_find_it_in_the_list(client):
    quote_request = make_quote_request()
    client.post(url(client, quote_request, "erasure"), {"erase-confirm": "on"})
    quote_request.refresh_from_db()
    make_quote_request()  # Not asked.
    client.force_login(make_staff(username="cora", group="Coordinators"))
    page = client.get(reverse("admin:quotes_quoterequest_change", args=[quote_request.pk])).content.decode()
    due = (quote_request.erasure_requested_at + datetime.timedelta(days=30)).strftime("%-d %b %Y")
    assert 'id="workflow-erasure-asked"' in page and due in page
    listing = client.get(reverse("admin:quotes_quoterequest_changelist"), {"erasure": "asked"})
    assert [r.reference for r in listing.context["cl"].result_list] == [quote_request.reference]


@pytest.mark.django_db
def test_get_is_not_allowed_and_an_unknown_link_is_not_found(client):
    quote_request = make_quote_request()
    assert client.get(url(client, quote_request, "erasure")).status_code == 405
    assert client.get(status_link("A" * 43)).status_code == 404
    assert Client().post(patient_url("erasure"), {"erase-confirm": "on"}).status_code == 403
    quote_request.refresh_from_db()
    assert quote_request.erasure_requested_at is None
