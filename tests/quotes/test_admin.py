"""The staff's read-only view of quote requests (the workflow comes with the staff issue)."""

import pytest
from django.urls import reverse

from quotes.forms import new_form_stamp
from quotes.services import quote_request_submit
from tests.factories import make_facility, make_language, make_procedure

pytestmark = pytest.mark.django_db


def submit() -> object:
    facility = make_facility()
    data = {
        "name": "Ana Patient",
        "email": "ana@example.org",
        "phone": "+44 20 7946 0000",
        "country_of_residence": "GB",
        "preferred_language": make_language(code="en", name="English"),
        "procedure": make_procedure(),
        "facilities": [facility],
        "condition": "Back pain",
    }
    return quote_request_submit(
        data=data, files=[], submission_key=new_form_stamp()[:32], site_url="http://x"
    ).quote_request


def test_quote_request_pages_render_read_only(admin_client):
    quote_request = submit()
    html = admin_client.get(reverse("admin:quotes_quoterequest_changelist")).content.decode()
    assert quote_request.reference in html
    response = admin_client.get(reverse("admin:quotes_quoterequest_change", args=[quote_request.pk]))
    assert response.status_code == 200
    assert "Back pain" in response.content.decode()
    assert admin_client.get(reverse("admin:quotes_quoterequest_add")).status_code == 403
    assert admin_client.get(reverse("admin:quotes_notification_changelist")).status_code == 200
    for params in [{"q": "MT-"}, {"status__exact": "submitted"}, {"status__exact": "zzz"}]:
        assert admin_client.get(reverse("admin:quotes_quoterequest_changelist"), params).status_code < 500


def test_anonymous_users_cannot_see_requests(client):
    quote_request = submit()
    response = client.get(reverse("admin:quotes_quoterequest_change", args=[quote_request.pk]))
    assert response.status_code == 302
    assert "login" in response["Location"]
