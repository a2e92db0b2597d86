"""The staff's read-only view of quote requests (the workflow comes with the staff issue)."""

import pytest
from django.urls import reverse

from tests.factories import make_facility, make_procedure, make_quote_request

pytestmark = pytest.mark.django_db


def test_quote_request_pages_render_read_only(admin_client):
    quote_request = make_quote_request(procedure=make_procedure(), facilities=[make_facility()], condition="Back pain")
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
    quote_request = make_quote_request(procedure=make_procedure(), facilities=[make_facility()], condition="Back pain")
    response = client.get(reverse("admin:quotes_quoterequest_change", args=[quote_request.pk]))
    assert response.status_code == 302
    assert "login" in response["Location"]
