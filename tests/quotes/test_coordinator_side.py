"""The coordinator's side of the patient journey: the most urgent requests first, a patient found by
phone however it is typed, the medical-file access log for superusers, and the facility quote form
warning about a procedure the facility does not offer, with a running total."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from quotes.models import AttachmentAccess, QuoteRequest
from quotes.services.staff import attachment_open
from tests.factories import (
    make_attachment,
    make_facility,
    make_offer,
    make_procedure,
    make_quote_request,
    make_staff,
)

S = QuoteRequest.Status
LIST = reverse("admin:quotes_quoterequest_changelist")


@pytest.fixture
def coordinator_client(client, db):
    client.force_login(make_staff(username="cora", group="Coordinators"))
    return client


def listed(client, **params) -> list[str]:
    response = client.get(LIST, params)
    assert response.status_code == 200
    return [row.reference for row in response.context["cl"].result_list]


def test_the_list_puts_the_most_urgent_first(coordinator_client):
    now = timezone.now()
    finished = make_quote_request(
        status=S.CLOSED, closed_reason="spam", first_reply_due_at=now - datetime.timedelta(days=9)
    )
    answered = make_quote_request(
        status=S.IN_REVIEW, first_reply_due_at=now - datetime.timedelta(days=3), first_replied_at=now
    )
    later = make_quote_request(first_reply_due_at=now + datetime.timedelta(hours=30))
    sooner = make_quote_request(first_reply_due_at=now + datetime.timedelta(hours=2))
    overdue = make_quote_request(status=S.IN_REVIEW, first_reply_due_at=now - datetime.timedelta(hours=1))
    assert listed(coordinator_client) == [
        overdue.reference, sooner.reference, later.reference, answered.reference, finished.reference,
    ]  # fmt: skip
    # A column the coordinator clicks still sorts by it.
    assert listed(coordinator_client, o="1")[0] in {r.reference for r in QuoteRequest.objects.all()}


@pytest.mark.parametrize("typed", ["0034 612 345 678", "612-345-678", "+34612345678", "(0034) 612.345.678"])
def test_a_patient_is_found_by_phone_however_it_is_typed(coordinator_client, typed):
    wanted = make_quote_request(phone="+34612345678", name="Lucía Ejemplo")
    make_quote_request(phone="+441234567890")
    assert listed(coordinator_client, q=typed) == [wanted.reference]


def test_a_phone_search_keeps_the_lists_filters(coordinator_client):
    make_quote_request(phone="+34612345678", status=S.CLOSED, closed_reason="spam")
    assert listed(coordinator_client, q="612 345 678", status="open") == []


def test_short_numbers_do_not_search_phones(coordinator_client):
    make_quote_request(phone="+34612345678", name="Lucía Ejemplo")
    assert listed(coordinator_client, q="612") == []


def test_superusers_read_the_medical_file_access_log_and_coordinators_do_not(client, coordinator_client, admin_user):
    attachment = make_attachment(name="mri.pdf")
    attachment_open(attachment=attachment, user=admin_user)
    url = reverse("admin:quotes_attachmentaccess_changelist")
    assert coordinator_client.get(url).status_code == 403
    client.force_login(admin_user)
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "mri.pdf" in html and attachment.quote_request.reference in html and "Medtour staff" in html
    access = AttachmentAccess.objects.get()
    assert client.post(reverse("admin:quotes_attachmentaccess_delete", args=[access.pk])).status_code == 403
    assert AttachmentAccess.objects.exists()


def test_a_quote_for_a_procedure_the_facility_does_not_offer_is_saved_with_a_warning(coordinator_client):
    fusion, discectomy = make_procedure(name="Lumbar fusion"), make_procedure(name="Discectomy")
    facility = make_facility(name="Istanbul Spine")
    make_offer(facility=facility, procedure=discectomy)
    quote_request = make_quote_request(procedure=fusion, status=S.SENT_TO_FACILITIES)
    add = reverse("admin:quotes_facilityquote_add")
    page = coordinator_client.get(add).content.decode()
    assert 'id="quote-running-total"' in page and "admin/js/quote-total" in page
    data = {
        "quote_request": quote_request.pk,
        "facility": facility.pk,
        "currency": "USD",
        "valid_until": (timezone.localdate() + datetime.timedelta(days=30)).isoformat(),
        "items-TOTAL_FORMS": "1",
        "items-INITIAL_FORMS": "0",
        "items-0-category": "surgeon",
        "items-0-state": "included",
        "items-0-amount": "5000",
    }
    response = coordinator_client.post(add, data, follow=True)
    assert response.status_code == 200
    warnings = [str(m) for m in response.context["messages"] if m.level_tag == "warning"]
    assert warnings and "does not list Lumbar fusion" in warnings[0]
    # Offered: no warning.
    make_offer(facility=(other := make_facility(name="Bangkok Back")), procedure=fusion)
    response = coordinator_client.post(add, {**data, "facility": other.pk}, follow=True)
    assert not [m for m in response.context["messages"] if m.level_tag == "warning"]
