"""The coordinator's side of facility cases in the admin: the thread and the answer, sending a
quote back or releasing it, cases overdue on the dashboard, and the worker's reminders."""

import datetime
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from quotes.models import FacilityCase, FacilityQuote, Message, Notification, QuoteRequest
from quotes.services import cases as case_services
from quotes.services.cases import CaseShare, QuoteDraft, QuoteLine
from quotes.services.workflow import quote_request_transition
from tests.factories import FULL_QUOTE_LINES, make_facility, make_facility_user, make_quote_request, make_staff

S = QuoteRequest.Status
C = FacilityCase.Status


def draft() -> QuoteDraft:
    from decimal import Decimal

    return QuoteDraft(
        currency="EUR",
        valid_until=timezone.localdate() + datetime.timedelta(days=30),
        lines=[QuoteLine(category=c, state=s, amount=Decimal(a) if a else None) for c, s, a in FULL_QUOTE_LINES],
    )


def share(quote_request, coordinator, *facilities):
    return case_services.cases_send(
        quote_request=quote_request,
        from_status=quote_request.status,
        shares=[CaseShare(facility_id=f.pk) for f in facilities],
        actor=coordinator,
    )


@pytest.fixture
def world(db, client):
    coordinator = make_staff(username="cora", email="cora@medtour.localhost", group="Coordinators")
    facility = make_facility(name="Istanbul Spine")
    office = make_facility_user(facility=facility, email="office@istanbul.example")
    quote_request = quote_request_transition(
        quote_request=make_quote_request(),
        from_status=S.SUBMITTED,
        to_status=S.IN_REVIEW,
        actor=coordinator,
    )
    [case] = share(quote_request, coordinator, facility)
    client.force_login(coordinator)
    return SimpleNamespace(
        client=client, coordinator=coordinator, facility=facility, office=office, request=quote_request, case=case
    )


def url(world, view, case=None):
    case = case or world.case
    return reverse(f"admin:quotes_quoterequest_{view}", args=[world.request.pk, case.pk])


def page(world) -> str:
    return world.client.get(reverse("admin:quotes_quoterequest_change", args=[world.request.pk])).content.decode()


def test_the_coordinator_reads_the_facilitys_question_and_answers_it_from_the_request_page(world):
    case_services.case_message_post(case=world.case, author=world.office, text="Is there a recent MRI?")
    html = page(world)
    assert f'id="case-{world.case.reference}"' in html
    assert "Is there a recent MRI?" in html
    assert "Answer the facility&#x27;s question" in html or "Answer the facility's question" in html
    Notification.objects.all().delete()
    response = world.client.post(url(world, "case_message"), {"text": "Yes, from March; it is attached."})
    assert response.status_code == 302 and response["Location"].endswith(f"#case-{world.case.reference}")
    world.case.refresh_from_db()
    assert world.case.status == C.OPENED
    answer = Message.objects.filter(author=world.coordinator).get()
    assert answer.author_kind == "staff" and answer.case == world.case
    mail = Notification.objects.get(template="facility_case_message")
    assert mail.recipient == "office@istanbul.example" and "MRI" not in str(mail.context)


def test_an_empty_answer_or_a_case_of_another_request_changes_nothing(world):
    response = world.client.post(url(world, "case_message"), {"text": "   "}, follow=True)
    assert response.status_code == 200
    assert "Write the message" in response.content.decode()
    assert not Message.objects.exists()
    other = quote_request_transition(
        quote_request=make_quote_request(), from_status=S.SUBMITTED, to_status=S.IN_REVIEW, actor=world.coordinator
    )
    [other_case] = share(other, world.coordinator, world.facility)
    for view in ("case_message", "case_quote_return", "case_quote_release"):
        assert world.client.post(url(world, view, other_case), {"text": "x", "comment": "x"}).status_code == 404
    assert world.client.get(url(world, "case_message")).status_code == 405


def test_a_facility_user_or_a_directory_editor_cannot_work_cases_in_the_admin(world, client):
    editor = make_staff(username="eddie", group="Directory editors")
    client.force_login(editor)
    assert client.post(url(world, "case_message"), {"text": "Hello"}).status_code in (403, 404)
    client.force_login(world.office)
    response = client.post(url(world, "case_message"), {"text": "Hello"})
    assert response.status_code == 302 and "login" in response["Location"]
    assert not Message.objects.exists()


def test_the_coordinator_sends_a_quote_back_then_releases_the_correction(world):
    quote = case_services.case_quote_submit(case=world.case, actor=world.office, draft=draft())
    html = page(world)
    assert "Release this quote to the patient" in html and "Send back for correction" in html
    response = world.client.post(url(world, "case_quote_return"), {"comment": ""}, follow=True)
    assert "Write the comment" in response.content.decode()
    quote.refresh_from_db()
    assert quote.status == "submitted"
    world.client.post(url(world, "case_quote_return"), {"comment": "Please price the hotel nights."})
    quote.refresh_from_db()
    world.case.refresh_from_db()
    assert quote.status == "returned" and quote.review_comment == "Please price the hotel nights."
    assert world.case.status == C.OPENED
    assert Notification.objects.filter(template="facility_quote_returned", recipient="office@istanbul.example").exists()
    assert "Release this quote to the patient" not in page(world)
    # Releasing a returned quote is refused: it is with the facility.
    response = world.client.post(url(world, "case_quote_release"), follow=True)
    assert "not waiting for review" in response.content.decode()
    case_services.case_quote_submit(case=world.case, actor=world.office, draft=draft(), seen_revision=quote.revision)
    response = world.client.post(url(world, "case_quote_release"))
    assert response.status_code == 302
    quote.refresh_from_db()
    world.request.refresh_from_db()
    assert quote.status == FacilityQuote.Status.SENT and quote.released_by == world.coordinator
    assert world.request.status == S.QUOTED


def _overdue(world, n):
    past = timezone.now() - datetime.timedelta(days=1)
    for _ in range(n):
        quote_request = quote_request_transition(
            quote_request=make_quote_request(), from_status=S.SUBMITTED, to_status=S.IN_REVIEW, actor=world.coordinator
        )
        share(quote_request, world.coordinator, world.facility)
    FacilityCase.objects.update(due_at=past)


def test_the_dashboard_lists_cases_overdue_at_facilities_in_fixed_queries(world):
    index = reverse("admin:index")
    html = world.client.get(index).content.decode()
    assert "No case is overdue at a facility." in html
    _overdue(world, 1)
    with CaptureQueriesContext(connection) as few:
        html = world.client.get(index).content.decode()
    assert "2 cases have not been answered by their due time." in html
    assert world.case.reference in html
    _overdue(world, 12)
    with CaptureQueriesContext(connection) as many:
        html = world.client.get(index).content.decode()
    assert "14 cases have not been answered by their due time." in html
    assert html.count('href="/admin/quotes/quoterequest/') >= 10
    assert len(many) == len(few)
    # An answered case is no longer overdue.
    case_services.case_decline(case=world.case, from_status=C.SENT, actor=world.office, reason="Full.")
    assert "13 cases have not" in world.client.get(index).content.decode()


def test_the_mail_worker_sends_each_due_reminder_once(world):
    FacilityCase.objects.update(remind_at=timezone.now() - datetime.timedelta(minutes=1))
    call_command("send_notifications")
    assert Notification.objects.filter(template="facility_case_reminder").count() == 1
    call_command("send_notifications")
    assert Notification.objects.filter(template="facility_case_reminder").count() == 1
    world.case.refresh_from_db()
    assert world.case.reminded_at is not None


def test_the_request_page_lists_who_opened_its_files_staff_and_facility_users_alike(world):
    from quotes.services.staff import attachment_open
    from tests.factories import make_attachment

    attachment = make_attachment(quote_request=world.request, name="mri.pdf")
    html = page(world)
    assert "Nobody has opened them yet." in html
    attachment_open(attachment=attachment, user=world.coordinator)
    attachment_open(attachment=attachment, user=world.office, case=world.case)
    html = page(world)
    table = html.split('id="file-accesses"')[1].split("</table>")[0]
    assert "mri.pdf" in table and "Medtour staff" in table
    assert f"Istanbul Spine, case {world.case.reference}" in table
    assert world.office.get_username() in table


def test_a_quote_cannot_be_typed_in_for_a_facility_that_answers_through_its_case(world):
    data = {
        "quote_request": world.request.pk,
        "facility": world.facility.pk,
        "currency": "USD",
        "valid_until": (timezone.localdate() + datetime.timedelta(days=30)).isoformat(),
        "items-TOTAL_FORMS": "1",
        "items-INITIAL_FORMS": "0",
        "items-0-category": "surgeon",
        "items-0-state": "included",
        "items-0-amount": "5000",
    }
    response = world.client.post(reverse("admin:quotes_facilityquote_add"), data)
    assert response.status_code == 200
    assert "its office sends its quote through Medtour" in response.content.decode()
    assert not FacilityQuote.objects.exists()
    # Once its case has ended (it declined), the coordinator may record what it said elsewhere.
    case_services.case_decline(case=world.case, from_status=C.SENT, actor=world.office, reason="Full.")
    response = world.client.post(reverse("admin:quotes_facilityquote_add"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert FacilityQuote.objects.get().created_by == world.coordinator
