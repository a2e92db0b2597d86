"""The facility portal (/partners/): a hospital's office sees only its own cases and what was
shared, asks, declines and quotes; anything of another facility is the same 404 as nothing."""

import datetime
import io
import json
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from facilities.models import FacilityMembership
from quotes.models import (
    AttachmentAccess,
    FacilityCase,
    FacilityCaseChange,
    FacilityQuote,
    Message,
    Notification,
    QuoteRequest,
)
from quotes.services import cases as case_services
from quotes.services.cases import CaseShare
from quotes.services.outbox import render_notification
from quotes.services.workflow import quote_request_transition
from tests.factories import (
    FULL_QUOTE_LINES,
    PDF,
    make_attachment,
    make_facility,
    make_facility_user,
    make_procedure,
    make_quote_request,
    make_staff,
)
from tests.quotes.helpers import EXE, jpeg

S = QuoteRequest.Status
C = FacilityCase.Status


def quote_form(lines=FULL_QUOTE_LINES, **overrides) -> dict:
    data = {
        "currency": "EUR",
        "valid_until": (timezone.localdate() + datetime.timedelta(days=30)).isoformat(),
        "exclusions": "Flights.",
        "notes": "",
    }
    for category, state, amount in lines:
        data[f"state-{category}"] = state
        data[f"amount-{category}"] = amount or ""
        data[f"details-{category}"] = ""
    data.update(overrides)
    return data


@pytest.fixture
def world(db):
    coordinator = make_staff(
        username="zeynep", first_name="Zeynep", email="coord@medtour.localhost", group="Coordinators"
    )
    istanbul, bangkok = make_facility(name="Istanbul Spine"), make_facility(name="Bangkok Back")
    quote_request = make_quote_request(
        name="Ana Secretname",
        email="ana.secret@example.org",
        phone="+44 20 7946 0999",
        procedure=make_procedure(name="Lumbar fusion"),
        diagnosis="L4-L5 spondylolisthesis",
        medication="Secret-medication-name",
        age_band=QuoteRequest.AgeBand.FROM_50,
    )
    istanbul_user = make_facility_user(facility=istanbul, email="office@istanbul.example", first_name="Ayse")
    bangkok_user = make_facility_user(facility=bangkok, email="office@bangkok.example")
    quote_request = quote_request_transition(
        quote_request=quote_request, from_status=S.SUBMITTED, to_status=S.IN_REVIEW, actor=coordinator
    )
    shared_file = make_attachment(quote_request=quote_request, name="mri.pdf")
    private_file = make_attachment(quote_request=quote_request, name="passport.pdf")
    cases = case_services.cases_send(
        quote_request=quote_request,
        from_status=quote_request.status,
        shares=[
            CaseShare(facility_id=istanbul.pk, attachment_ids=[shared_file.pk], summary="Please check the MRI."),
            CaseShare(facility_id=bangkok.pk, attachment_ids=[shared_file.pk, private_file.pk]),
        ],
        actor=coordinator,
    )
    by_facility = {case.facility_id: case for case in cases}
    return SimpleNamespace(
        coordinator=coordinator,
        istanbul=istanbul,
        bangkok=bangkok,
        istanbul_user=istanbul_user,
        bangkok_user=bangkok_user,
        request=quote_request,
        shared_file=shared_file,
        private_file=private_file,
        case=by_facility[istanbul.pk],
        other_case=by_facility[bangkok.pk],
    )


@pytest.fixture
def office(client, world):
    client.force_login(world.istanbul_user)
    return client


def case_url(case, name="partners:case", **kwargs):
    return reverse(name, kwargs={"reference": case.reference, **kwargs})


# Who gets in -------------------------------------------------------------------------------------


def test_the_portal_asks_visitors_to_sign_in_and_tells_staff_it_is_for_facility_offices(client, world):
    response = client.get(reverse("partners:inbox"))
    assert response.status_code == 302
    assert "next=/partners/" in response["Location"]
    client.force_login(world.coordinator)
    response = client.get(reverse("partners:inbox"))
    assert response.status_code == 403
    assert "portal for hospitals" in response.content.decode()
    assert client.get(case_url(world.case)).status_code == 403


def test_a_facility_user_past_the_password_only_is_sent_to_the_second_factor(client, world, unverified_login):
    unverified_login(client, world.istanbul_user)
    for url in (reverse("partners:inbox"), case_url(world.case), reverse("partners:team")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith((reverse("account:second_factor"), reverse("account:setup")))
    response = client.post(case_url(world.case, "partners:case_message"), {"text": "Hello"})
    assert response.status_code == 302 and not Message.objects.exists()
    world.case.refresh_from_db()
    assert world.case.status == C.SENT  # Not even opened.


def test_the_inbox_lists_only_the_facilitys_own_cases_by_folder_with_due_times(office, world):
    response = office.get(reverse("partners:inbox"))
    assert response.status_code == 200
    html = response.content.decode()
    assert world.case.reference in html
    assert world.other_case.reference not in html
    assert world.request.reference not in html  # The request's own reference never reaches a facility.
    assert "Ana Secretname" not in html
    assert world.case.due_at.isoformat()[:16] in html
    assert response["Cache-Control"].startswith("max-age=0") or "no-cache" in response["Cache-Control"]
    # After answering, the case is in "answered", not in "new".
    office.get(case_url(world.case))
    office.post(case_url(world.case, "partners:case_message"), {"text": "Is there a CT?"})
    assert world.case.reference not in office.get(reverse("partners:inbox") + "?folder=new").content.decode()
    assert world.case.reference in office.get(reverse("partners:inbox") + "?folder=answered").content.decode()
    # An unknown folder or page is not an error.
    assert office.get(reverse("partners:inbox") + "?folder=bogus&page=abc").status_code == 200


def test_the_case_page_shows_only_what_was_shared_and_opening_it_is_audited(office, world):
    response = office.get(case_url(world.case))
    assert response.status_code == 200
    html = response.content.decode()
    assert "L4-L5 spondylolisthesis" in html  # Diagnosis is shared by default.
    assert "Lumbar fusion" in html
    assert "Please check the MRI." in html
    assert "mri.pdf" in html
    for secret in ("Secret-medication-name", "passport.pdf", "Ana Secretname", "ana.secret@example.org", "7946 0999"):
        assert secret not in html, secret
    assert world.request.reference not in html
    world.case.refresh_from_db()
    assert world.case.status == C.OPENED and world.case.opened_at is not None
    change = FacilityCaseChange.objects.get(case=world.case, to_status=C.OPENED)
    assert change.actor == world.istanbul_user and change.from_status == C.SENT
    office.get(case_url(world.case))  # Opening again moves nothing.
    assert FacilityCaseChange.objects.filter(case=world.case, to_status=C.OPENED).count() == 1


def test_anything_of_another_facility_is_the_same_404_as_nothing(office, world):
    other, missing = world.other_case, SimpleNamespace(reference="HC-ZZZZZZZZ")
    quote = FacilityQuote.objects.create(
        quote_request=world.request, facility=world.bangkok, case=other, valid_until=timezone.localdate()
    )
    assert quote.pk
    before = (FacilityCaseChange.objects.count(), Message.objects.count(), FacilityQuote.objects.count())
    for target in (other, missing):
        assert office.get(case_url(target)).status_code == 404
        assert office.get(case_url(target, "partners:case_quote")).status_code == 404
        assert office.get(case_url(target, "partners:case_quote_pdf")).status_code == 404
        assert office.post(case_url(target, "partners:case_message"), {"text": "Hello"}).status_code == 404
        assert office.post(case_url(target, "partners:case_decline"), {"reason": "No"}).status_code == 404
        assert office.post(case_url(target, "partners:case_quote"), quote_form()).status_code == 404
        assert office.get(case_url(target, "partners:case_file", attachment_id=world.shared_file.pk)).status_code == 404
    # A file of this very request that was not shared with this case is absent too.
    unshared = case_url(world.case, "partners:case_file", attachment_id=world.private_file.pk)
    assert office.get(unshared).status_code == 404
    assert office.get(case_url(world.case, "partners:case_file", attachment_id=999999)).status_code == 404
    assert office.get("/partners/cases/" + "X" * 300 + "/").status_code == 404
    assert (FacilityCaseChange.objects.count(), Message.objects.count(), FacilityQuote.objects.count()) == before
    assert not AttachmentAccess.objects.exists()
    other.refresh_from_db()
    assert other.status == C.SENT


def test_every_download_of_a_shared_file_is_logged_with_the_facility_user_and_case(office, world):
    response = office.get(case_url(world.case, "partners:case_file", attachment_id=world.shared_file.pk))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/octet-stream"
    assert "attachment" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    access = AttachmentAccess.objects.get()
    assert (access.user, access.case, access.attachment) == (world.istanbul_user, world.case, world.shared_file)
    office.get(case_url(world.case, "partners:case_file", attachment_id=world.shared_file.pk))
    assert AttachmentAccess.objects.count() == 2
    # Once the case is withdrawn, its files are gone from the facility.
    case = FacilityCase.objects.get(pk=world.case.pk)
    case_services.case_withdraw(case=case, from_status=case.status, actor=world.coordinator)
    assert office.get(case_url(world.case, "partners:case_file", attachment_id=world.shared_file.pk)).status_code == 404


# Question, decline ------------------------------------------------------------------------------


def test_a_question_goes_on_the_thread_moves_the_case_and_tells_the_coordinators(office, world):
    office.get(case_url(world.case))
    Notification.objects.all().delete()
    response = office.post(case_url(world.case, "partners:case_message"), {"text": "Do you have a CT scan?"})
    assert response.status_code == 302
    world.case.refresh_from_db()
    assert world.case.status == C.QUESTION
    message = Message.objects.get()
    assert (message.author, message.author_kind, message.case) == (world.istanbul_user, "facility", world.case)
    mails = Notification.objects.filter(template="coordinator_case_update")
    assert mails.exists()
    assert all("CT scan" not in str(mail.context) for mail in mails)
    # The coordinator answers: the office sees the answer on the page, without the coordinator's name.
    case_services.case_message_post(case=world.case, author=world.coordinator, text="Yes, attached soon.")
    html = office.get(case_url(world.case)).content.decode()
    assert "Do you have a CT scan?" in html and "Yes, attached soon." in html
    assert "Medtour coordinator" in html and "Zeynep" not in html and "zeynep" not in html


@pytest.mark.parametrize("text", ["", "   ", "a\x00b", "x" * 5001])
def test_an_empty_or_hostile_message_is_refused_with_a_message_and_changes_nothing(office, world, text):
    response = office.post(case_url(world.case, "partners:case_message"), {"text": text})
    assert response.status_code == 400
    assert 'class="field-error"' in response.content.decode()
    assert not Message.objects.exists()
    world.case.refresh_from_db()
    assert world.case.status == C.SENT


def test_a_decline_needs_a_reason_then_ends_the_case(office, world):
    response = office.post(case_url(world.case, "partners:case_decline"), {"reason": " "})
    assert response.status_code == 400
    world.case.refresh_from_db()
    assert world.case.status == C.SENT
    response = office.post(case_url(world.case, "partners:case_decline"), {"reason": "No surgeon free in May."})
    assert response.status_code == 302
    world.case.refresh_from_db()
    assert world.case.status == C.DECLINED and world.case.decline_reason == "No surgeon free in May."
    html = office.get(case_url(world.case)).content.decode()
    assert 'id="decline"' not in html and "start-quote" not in html
    # A second decline (a stale tab) is refused with a message, not an error page.
    response = office.post(case_url(world.case, "partners:case_decline"), {"reason": "Again"}, follow=True)
    assert response.status_code == 200
    assert "cannot change any more" in response.content.decode()


# The itemised quote -----------------------------------------------------------------------------


def test_a_complete_quote_is_sent_line_by_line_and_can_be_corrected_until_released(office, world):
    assert office.get(case_url(world.case, "partners:case_quote")).status_code == 200
    response = office.post(case_url(world.case, "partners:case_quote"), quote_form())
    assert response.status_code == 302, response.content.decode()[:2000]
    quote = FacilityQuote.objects.get(case=world.case)
    assert quote.status == "submitted" and quote.revision == 1 and quote.currency == "EUR"
    states = dict(quote.items.values_list("category", "state"))
    assert states == {category: state for category, state, _amount in FULL_QUOTE_LINES}
    world.case.refresh_from_db()
    assert world.case.status == C.QUOTED
    html = office.get(case_url(world.case)).content.decode()
    assert "Not included" in html and "5,000" in html
    # Correction: the form carries the revision it was made from.
    form = office.get(case_url(world.case, "partners:case_quote")).content.decode()
    assert 'name="revision" value="1"' in form
    response = office.post(case_url(world.case, "partners:case_quote"), quote_form(revision="1", currency="USD"))
    assert response.status_code == 302
    quote.refresh_from_db()
    assert quote.revision == 2 and quote.currency == "USD"
    # A stale tab (revision 1 again) loses and says so.
    response = office.post(case_url(world.case, "partners:case_quote"), quote_form(revision="1", currency="GBP"))
    assert response.status_code == 400
    assert "changed this quote meanwhile" in response.content.decode()
    quote.refresh_from_db()
    assert quote.currency == "USD"
    # Released to the patient: no more changes.
    case_services.facility_quote_release(quote=quote, actor=world.coordinator)
    response = office.post(case_url(world.case, "partners:case_quote"), quote_form(revision="2", currency="GBP"))
    assert response.status_code == 302
    quote.refresh_from_db()
    assert quote.currency == "USD" and quote.status == "sent"


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"state-implants": ""}, "state-implants"),
        ({"state-implants": "maybe"}, "state-implants"),
        ({"amount-surgeon": ""}, "state-surgeon"),
        ({"amount-surgeon": "-5"}, "state-surgeon"),
        ({"amount-surgeon": "NaN"}, "amount-surgeon"),
        ({"amount-surgeon": "1e999"}, "state-surgeon"),
        ({"amount-surgeon": "12.345"}, "state-surgeon"),
        ({"amount-surgeon": "five thousand"}, "amount-surgeon"),
        ({"amount-hotel": "100"}, "state-hotel"),  # An amount on a line that is not included.
        ({"details-surgeon": "a\x00b"}, "details-surgeon"),
        ({"currency": "XXX"}, "currency"),
        ({"valid_until": "2020-01-01"}, "valid_until"),
        ({"valid_until": "not a date"}, "valid_until"),
        ({"valid_until": "9999-12-31"}, "valid_until"),
        ({"revision": "-1"}, "revision"),
    ],
)
def test_an_incomplete_or_hostile_quote_is_refused_on_its_line_and_changes_nothing(office, world, overrides, field):
    response = office.post(case_url(world.case, "partners:case_quote"), quote_form(**overrides))
    assert response.status_code == 400
    html = response.content.decode()
    assert "The quote was not sent" in html
    assert response.context["form"].errors.get(field), response.context["form"].errors
    assert not FacilityQuote.objects.exists()
    world.case.refresh_from_db()
    assert world.case.status == C.SENT


@pytest.mark.parametrize(
    "name, content", [("quote.pdf", EXE), ("quote.pdf", b""), ("scan.jpg", jpeg()), ("quote.pdf", b"%PDF-1.4 short")]
)
def test_a_pdf_that_is_not_a_pdf_is_refused_and_nothing_is_kept(office, world, name, content):
    from tests.quotes.helpers import private_files

    before = set(private_files())
    upload = SimpleUploadedFile(name, content, content_type="application/pdf")
    response = office.post(case_url(world.case, "partners:case_quote"), {**quote_form(), "pdf": upload})
    if response.status_code == 302:  # A tiny PDF header is a PDF to the checks: then it is kept, once.
        assert content.startswith(b"%PDF")
        return
    assert response.status_code == 400
    assert response.context["form"].errors.get("pdf")
    assert not FacilityQuote.objects.exists()
    assert set(private_files()) == before


def test_the_hospitals_own_pdf_is_kept_privately_and_only_its_facility_downloads_it(office, client, world):
    upload = SimpleUploadedFile("Our offer.pdf", PDF, content_type="application/pdf")
    response = office.post(case_url(world.case, "partners:case_quote"), {**quote_form(), "pdf": upload})
    assert response.status_code == 302
    quote = FacilityQuote.objects.get()
    assert quote.pdf_name == "Our offer.pdf"
    response = office.get(case_url(world.case, "partners:case_quote_pdf"))
    assert b"".join(response.streaming_content) == PDF
    office.force_login(world.bangkok_user)
    assert office.get(case_url(world.case, "partners:case_quote_pdf")).status_code == 404


def test_the_patients_contact_reaches_only_the_chosen_facility_after_acceptance(office, world):
    office.post(case_url(world.case, "partners:case_quote"), quote_form())
    quote = FacilityQuote.objects.get()
    assert 'id="patient-contact"' not in office.get(case_url(world.case)).content.decode()
    case_services.facility_quote_release(quote=quote, actor=world.coordinator)
    quote.refresh_from_db()
    case_services.case_chosen(quote=quote)
    html = office.get(case_url(world.case)).content.decode()
    assert 'id="patient-contact"' in html
    assert "Ana Secretname" in html and "ana.secret@example.org" in html
    office.force_login(world.bangkok_user)
    html = office.get(case_url(world.other_case)).content.decode()
    assert "Ana Secretname" not in html and "ana.secret@example.org" not in html


# The office's mail -------------------------------------------------------------------------------


def test_every_mail_to_a_facility_links_to_its_case_and_carries_no_patient_details(world):
    templates = {
        "facility_new_case", "facility_case_reminder", "facility_case_message", "facility_case_withdrawn",
        "facility_case_closed", "facility_case_chosen", "facility_case_not_chosen", "facility_quote_returned",
    }  # fmt: skip
    for template in templates:
        row = Notification(
            case=world.case,
            recipient="office@istanbul.example",
            template=template,
            context={"case_reference": world.case.reference, "due_at": world.case.due_at.isoformat()},
        )
        mail = render_notification(row)
        body = mail.body + mail.alternatives[0][0]
        assert f"/partners/cases/{world.case.reference}/" in body, template
        assert world.case.reference in mail.subject
        for secret in ("Ana Secretname", world.request.reference, "spondylolisthesis"):
            assert secret not in body + mail.subject, (template, secret)
    # What sending actually queued renders too.
    new_case = Notification.objects.filter(template="facility_new_case", case=world.case).get()
    assert "partners/cases" in render_notification(new_case).body


# Queries stay fixed -----------------------------------------------------------------------------


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _more_cases(world, n):
    for _ in range(n):
        quote_request = make_quote_request(status=S.IN_REVIEW, procedure=world.request.procedure)
        case_services.cases_send(
            quote_request=quote_request,
            from_status=S.IN_REVIEW,
            shares=[CaseShare(facility_id=world.istanbul.pk)],
            actor=world.coordinator,
        )


# session, user, the session's second-factor device, membership, folder counts, page count, page of cases
INBOX_QUERIES = 7
CASE_QUERIES = 8  # session, user, second-factor device, membership, case, quote, files, thread


def test_the_inbox_costs_the_same_queries_for_one_case_or_many(office, world):
    url = reverse("partners:inbox") + "?folder=new"
    office.get(url)
    few = _queries(office, url)
    _more_cases(world, 30)
    assert _queries(office, url) == few == INBOX_QUERIES


def test_the_case_page_costs_the_same_queries_whatever_it_holds(office, world):
    url = case_url(world.case)
    office.get(url)
    few = _queries(office, url)
    for n in range(4):
        case = FacilityCase.objects.get(pk=world.case.pk)
        case_services.case_message_post(case=case, author=world.coordinator, text=f"Note {n}")
        world.case.shared_attachments.add(make_attachment(quote_request=world.request, name=f"scan{n}.pdf"))
    assert _queries(office, url) == few == CASE_QUERIES


def test_a_facility_user_belongs_to_one_facility_only(world):
    assert FacilityMembership.objects.get(user=world.istanbul_user).facility == world.istanbul


def test_the_portal_benchmark_runs_and_finds_the_queries_fixed(db, tmp_path):
    out, figures = io.StringIO(), tmp_path / "portal.json"
    call_command("bench_portal", "--repeat=2", "--sizes=8,20", f"--json={figures}", stdout=out)
    small, large = json.loads(figures.read_text())
    assert (small["cases"], large["cases"]) == (8, 20)  # Every status at least once.
    assert all(page["status"] == 200 for page in small["pages"] + large["pages"])
    assert [p["queries"] for p in small["pages"]] == [p["queries"] for p in large["pages"]]
    assert "queries differ" not in out.getvalue()
