"""The demo quote requests that ``manage.py load_demo`` adds: fictional patients at every step of
the workflow, the facility users who answer their cases, cases in every state and one facility's
answer history, loaded once."""

import datetime
import hashlib
import io
import itertools
import re
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from facilities.models import Facility, FacilityMembership, FacilityProcedure, FacilityResponsiveness
from quotes.demo_cases import ANSWER_HISTORY, DEMO_OFFICES, HISTORY_FACILITY
from quotes.demo_requests import COORDINATOR_EMAIL, COORDINATOR_USERNAME, DEMO_REQUESTS, demo_pdf
from quotes.models import (
    FacilityCase,
    FacilityCaseChange,
    FacilityQuote,
    FacilityQuoteItem,
    Message,
    Notification,
    PatientMessage,
    QuoteAttachment,
    QuoteRequest,
    StaffNote,
    StatusChange,
)
from quotes.roles import COORDINATORS
from quotes.selectors import INBOX_FOLDERS, dashboard_figures
from quotes.services.outbox import notifications_send
from quotes.services.workflow import quote_request_transition
from quotes.uploads import check_upload

pytestmark = pytest.mark.django_db

S = QuoteRequest.Status
C = FacilityCase.Status
Item = FacilityQuoteItem.Category
State = FacilityQuoteItem.State
KEYS = [demo.key for demo in DEMO_REQUESTS]
HISTORY_KEYS = [past.key for past in ANSWER_HISTORY]
PHONE_RE = re.compile(r"^\+44 20 7946 0\d{3}$")
STATUS_URL_RE = re.compile(r"(http://127\.0\.0\.1:8000)(/quote/status/[A-Za-z0-9_-]{43}/)")
COUNTED = [QuoteRequest, StatusChange, FacilityQuote, FacilityQuoteItem, Notification, StaffNote, PatientMessage,
           QuoteAttachment, get_user_model(), FacilityCase, FacilityCaseChange, Message, FacilityMembership,
           FacilityResponsiveness]  # fmt: skip


def load_demo(*args) -> str:
    out = io.StringIO()
    call_command("load_demo", "--no-photos", *args, stdout=out)
    return out.getvalue()


def demo(status: str) -> QuoteRequest:
    return QuoteRequest.objects.filter(submission_key__in=KEYS).get(status=status)


def case_statuses(quote_request: QuoteRequest) -> Counter:
    return Counter(quote_request.cases.values_list("status", flat=True))


def office_user(username: str):
    return get_user_model().objects.select_related("facility_membership__facility").get(username=username)


@pytest.fixture
def loaded() -> str:
    return load_demo()


def test_demo_requests_cover_every_status(loaded):
    statuses = Counter(QuoteRequest.objects.filter(submission_key__in=KEYS).values_list("status", flat=True))
    assert statuses == {
        S.SUBMITTED: 2,
        S.IN_REVIEW: 1,
        S.AWAITING_PATIENT: 1,
        S.SENT_TO_FACILITIES: 1,
        S.QUOTED: 1,
        S.ACCEPTED: 1,
        S.CLOSED: 1,
    }
    assert "Demo quote requests: 8 created, 0 unchanged" in loaded


def test_one_submitted_demo_request_is_overdue(loaded):
    now = timezone.now()
    submitted = QuoteRequest.objects.filter(submission_key__in=KEYS, status=S.SUBMITTED)
    overdue = [quote_request for quote_request in submitted if quote_request.first_reply_due_at < now]
    assert len(overdue) == 1
    (late,) = overdue
    assert late.created_at < late.first_reply_due_at < now
    assert late.first_reply_due_at - late.created_at == datetime.timedelta(hours=settings.QUOTE_FIRST_REPLY_HOURS)
    assert late.status_changes.get().created_at == late.created_at
    assert late.first_replied_at is None
    fresh = submitted.exclude(pk=late.pk).get()
    assert fresh.first_reply_due_at > now


def test_demo_coordinator(loaded):
    user = get_user_model().objects.get(username=COORDINATOR_USERNAME)
    assert user.is_staff and user.is_active and not user.is_superuser
    assert user.email == COORDINATOR_EMAIL
    assert not user.has_usable_password()
    assert list(user.groups.values_list("name", flat=True)) == [COORDINATORS]
    assert user.has_perm("quotes.change_quoterequest")
    assert "changepassword coordinator" in loaded


def test_moves_are_made_by_the_coordinator(loaded):
    coordinator = get_user_model().objects.get(username=COORDINATOR_USERNAME)
    in_review = demo(S.IN_REVIEW)
    assert in_review.assignee == coordinator
    assert in_review.first_replied_at is not None
    for quote_request in QuoteRequest.objects.filter(submission_key__in=KEYS).exclude(status=S.SUBMITTED):
        first_move = quote_request.status_changes.order_by("created_at", "pk")[1]
        assert first_move.from_status == S.SUBMITTED and first_move.actor == coordinator


def test_awaiting_patient_has_a_question(loaded):
    quote_request = demo(S.AWAITING_PATIENT)
    change = quote_request.status_changes.order_by("-created_at", "-pk").first()
    assert change.to_status == S.AWAITING_PATIENT
    assert "?" in change.note
    assert Notification.objects.filter(quote_request=quote_request, template="patient_information_needed").exists()


def test_sent_to_facilities_has_a_question_an_opened_case_and_an_overdue_one(loaded):
    quote_request = demo(S.SENT_TO_FACILITIES)
    assert case_statuses(quote_request) == {C.QUESTION: 1, C.OPENED: 1, C.SENT: 1}
    assert not quote_request.facility_quotes.exists()
    cases = {case.status: case for case in quote_request.cases.select_related("facility")}
    preferred = set(quote_request.preferred_facilities.all())
    assert {case.facility for case in cases.values()} == preferred
    # The facility asked; the coordinator has not answered yet.
    thread = list(cases[C.QUESTION].messages.all())
    assert [message.author_kind for message in thread] == [Message.Author.FACILITY]
    assert "?" in thread[0].text
    assert thread[0].author.facility_membership.facility == cases[C.QUESTION].facility
    # The demo PDF was ticked for one facility only.
    (report,) = quote_request.attachments.all()
    assert [case.pk for case in report.cases.all()] == [cases[C.QUESTION].pk]
    # Only the case nobody opened is past its answer time; the one sent yesterday is not.
    now = timezone.now()
    late = cases[C.SENT]
    assert late.opened_at is None and late.created_at < late.remind_at < late.due_at < now
    assert late.is_overdue()
    assert not cases[C.OPENED].is_overdue() and cases[C.OPENED].due_at > now
    assert cases[C.OPENED].created_at > late.created_at
    # Each case's moves happened in order, after the request came in.
    for case in cases.values():
        times = list(case.changes.values_list("created_at", flat=True))
        assert times == sorted(times) and case.created_at > quote_request.created_at
        assert abs(times[0] - case.created_at) < datetime.timedelta(seconds=5)
    assert quote_request.staff_notes.exists()


def test_the_overdue_case_shows_on_the_dashboard_and_in_its_facilitys_inbox(loaded, client):
    late = FacilityCase.objects.get(quote_request__submission_key__in=KEYS, status=C.SENT)
    assert list(FacilityCase.objects.overdue().filter(quote_request__submission_key__in=KEYS + HISTORY_KEYS)) == [late]
    coordinator = get_user_model().objects.get(username=COORDINATOR_USERNAME)
    figures = dashboard_figures(user=coordinator)
    assert figures.overdue_case_count == 1
    assert [case.pk for case in figures.overdue_cases] == [late.pk]
    office = late.facility.memberships.get(role=FacilityMembership.Role.MANAGER).user
    client.force_login(office)
    html = client.get(reverse("partners:inbox") + "?folder=new").content.decode()
    assert late.reference in html
    assert "Overdue:" in html


def test_quoted_has_two_sent_itemised_quotes_side_by_side(loaded):
    quote_request = demo(S.QUOTED)
    quotes = list(quote_request.facility_quotes.select_related("facility"))
    assert len(quotes) == 2
    assert quotes[0].facility != quotes[1].facility
    assert quotes[0].facility.country != quotes[1].facility.country
    listed = Facility.objects.listed()
    for quote in quotes:
        assert quote.status == FacilityQuote.Status.SENT and quote.sent_at is not None
        assert quote.currency == quote.facility.currency  # The demo hospitals quote in their own.
        assert quote.valid_until == timezone.localdate() + datetime.timedelta(days=30)
        items = list(quote.items.all())
        assert sorted(item.category for item in items) == sorted(Item.values)  # Every item answered.
        assert all(item.amount > 0 for item in items if item.state == State.INCLUDED)
        assert all(item.amount is None for item in items if item.state != State.INCLUDED)
        assert quote.case.status == C.QUOTED and quote.case.facility_id == quote.facility_id
        assert quote.exclusions.strip()
        assert listed.filter(pk=quote.facility_id).exists()
        assert FacilityProcedure.objects.filter(facility=quote.facility, procedure=quote_request.procedure).exists()
    assert quotes[0].total != quotes[1].total
    states = Counter(FacilityQuoteItem.objects.filter(quote__in=quotes).values_list("state", flat=True))
    assert set(states) == set(State.values)
    assert Notification.objects.filter(quote_request=quote_request, template="patient_quotes_ready").exists()


def test_quoted_came_from_the_facilities_one_quote_corrected_and_one_facility_declined(loaded):
    quote_request = demo(S.QUOTED)
    coordinator = get_user_model().objects.get(username=COORDINATOR_USERNAME)
    assert case_statuses(quote_request) == {C.QUOTED: 2, C.DECLINED: 1}
    for quote in quote_request.facility_quotes.select_related("case__facility"):
        assert quote.released_by == coordinator
        assert quote.created_by.facility_membership.facility == quote.case.facility
        assert quote.submitted_at < quote.sent_at
    corrected = quote_request.facility_quotes.get(revision=2)
    returned = corrected.case.changes.get(from_status=C.QUOTED, to_status=C.OPENED)
    assert returned.actor == coordinator and returned.note.strip()
    assert corrected.review_comment == ""  # Cleared by the correction.
    declined = quote_request.cases.get(status=C.DECLINED)
    assert declined.decline_reason.strip()
    assert declined.declined_at == declined.first_answered_at
    # The first release moved the request to quoted.
    release = quote_request.status_changes.get(to_status=S.QUOTED)
    assert release.actor == coordinator


def test_quoted_status_page_is_printed_and_opens(loaded, client):
    quote_request = demo(S.QUOTED)
    match = STATUS_URL_RE.search(loaded)
    assert match, loaded
    assert quote_request.status_token in match.group(2)
    response = client.get(match.group(2), follow=True)  # The link sets the status cookie, then the page opens.
    assert response.status_code == 200
    assert quote_request.reference in response.content.decode()


def test_status_url_uses_the_site_url_setting(settings):
    settings.SITE_URL = "https://medtour.example"
    output = load_demo()
    token = demo(S.QUOTED).status_token
    assert f"https://medtour.example/quote/status/{token}/" in output


def test_accepted_and_closed(loaded):
    accepted = demo(S.ACCEPTED)
    assert accepted.closed_at is not None
    assert Counter(accepted.facility_quotes.values_list("status", flat=True)) == {
        FacilityQuote.Status.ACCEPTED: 1,
        FacilityQuote.Status.DECLINED: 1,
    }
    assert accepted.patient_messages.exists()
    assert accepted.attachments.filter(from_patient_reply=True).exists()
    assert case_statuses(accepted) == {C.ACCEPTED: 1, C.CLOSED: 1, C.WITHDRAWN: 1}
    chosen = accepted.cases.get(status=C.ACCEPTED)
    assert chosen.contact_shared_at is not None
    assert chosen.quote.status == FacilityQuote.Status.ACCEPTED
    assert accepted.cases.get(status=C.CLOSED).contact_shared_at is None
    withdrawn = accepted.cases.get(status=C.WITHDRAWN)
    assert withdrawn.opened_at is None
    assert not FacilityQuote.objects.filter(case=withdrawn).exists()
    assert withdrawn.changes.get(to_status=C.WITHDRAWN).note.strip()

    closed = demo(S.CLOSED)
    assert closed.closed_reason == QuoteRequest.CloseReason.NO_SUITABLE_FACILITY
    assert closed.closed_at is not None
    assert not closed.facility_quotes.exists()


def test_demo_patients_are_clearly_fictional(loaded):
    requests = QuoteRequest.objects.filter(submission_key__in=KEYS)
    assert requests.count() == len(KEYS) == 8
    assert len(set(requests.values_list("name", flat=True))) == 8
    for quote_request in requests:
        assert quote_request.email.endswith("@example.org")
        assert PHONE_RE.match(quote_request.phone), quote_request.phone
        assert quote_request.condition.startswith("Demo request (fictional patient).")
    # Every demo mail to a patient goes to the reserved example.org domain.
    patient_mail = Notification.objects.filter(quote_request__in=requests, template__startswith="patient_")
    assert patient_mail.exists()
    assert all(recipient.endswith("@example.org") for recipient in patient_mail.values_list("recipient", flat=True))


def test_demo_files_are_valid_pdfs_in_private_storage(loaded):
    attachments = QuoteAttachment.objects.filter(quote_request__submission_key__in=KEYS)
    assert attachments.count() >= 3
    for attachment in attachments:
        assert attachment.kind == QuoteAttachment.Kind.PDF
        path = Path(settings.PRIVATE_MEDIA_ROOT) / attachment.file.name
        content = path.read_bytes()
        assert content.startswith(b"%PDF-") and content.rstrip().endswith(b"%%EOF")
        assert hashlib.sha256(content).hexdigest() == attachment.sha256
        assert attachment.size == len(content)
        assert attachment.original_name.endswith(".pdf")


def test_demo_pdf_cross_reference_table_points_at_its_objects():
    content = demo_pdf("Report (demo)", ["A line with (brackets) and a backslash \\."])
    assert check_upload(SimpleUploadedFile("r.pdf", content)).kind == QuoteAttachment.Kind.PDF
    start = int(re.search(rb"startxref\n(\d+)\n", content).group(1))
    assert content[start:].startswith(b"xref\n0 6\n")
    offsets = [int(line[:10]) for line in content[start:].split(b"\n")[3:8]]
    for number, offset in enumerate(offsets, start=1):
        assert content[offset:].startswith(b"%d 0 obj" % number)
    length = int(re.search(rb"/Length (\d+)", content).group(1))
    stream = content.split(b"stream\n", 1)[1].split(b"\nendstream", 1)[0]
    assert len(stream) == length


def snapshot() -> dict:
    return {
        "counts": {model._meta.label: model.objects.count() for model in COUNTED},
        "requests": list(QuoteRequest.objects.order_by("pk").values()),
        "quotes": list(FacilityQuote.objects.order_by("pk").values()),
        "cases": list(FacilityCase.objects.order_by("pk").values()),
        "responsiveness": list(FacilityResponsiveness.objects.order_by("pk").values()),
        "users": list(get_user_model().objects.order_by("pk").values()),
        "files": sorted(str(path) for path in Path(settings.PRIVATE_MEDIA_ROOT).rglob("*") if path.is_file()),
    }


def test_load_demo_twice_changes_nothing(loaded):
    before = snapshot()
    output = load_demo()
    assert snapshot() == before
    assert "Demo quote requests: 0 created, 8 unchanged" in output
    assert "0 past requests created, 6 unchanged" in output
    assert "changepassword" not in output  # The coordinator and the facility users already exist.
    assert "second_factor" not in output


def test_a_coordinators_later_moves_are_kept(loaded):
    coordinator = get_user_model().objects.get(username=COORDINATOR_USERNAME)
    quote_request_transition(quote_request=demo(S.IN_REVIEW), from_status=S.IN_REVIEW, to_status=S.CLOSED,
                             actor=coordinator, reason=QuoteRequest.CloseReason.DUPLICATE)  # fmt: skip
    before = snapshot()
    load_demo()
    assert snapshot() == before


def test_an_existing_coordinator_account_is_left_alone():
    user = get_user_model().objects.create_user(COORDINATOR_USERNAME, "me@medtour.localhost", "a long passphrase")
    load_demo()
    user.refresh_from_db()
    assert user.email == "me@medtour.localhost"
    assert user.check_password("a long passphrase")
    assert demo(S.IN_REVIEW).assignee == user


def test_no_requests_option():
    output = load_demo("--no-requests")
    assert not QuoteRequest.objects.exists()
    assert not get_user_model().objects.filter(username=COORDINATOR_USERNAME).exists()
    assert "Demo quote requests" not in output
    assert "Demo facilities:" in output


def test_the_overdue_demo_request_gets_a_reminder(loaded, mailoutbox):
    late = QuoteRequest.objects.get(submission_key__in=KEYS, status=S.SUBMITTED, first_reply_due_at__lt=timezone.now())
    out = io.StringIO()
    call_command("remind_overdue", stdout=out)
    assert "1 overdue quote request" in out.getvalue()
    # Also sends the demo's own queued mail (more than one batch): look at the reminders.
    notifications_send(limit=1000)
    reminders = [mail for mail in mailoutbox if "past the first-reply target" in mail.subject]
    recipients = sorted(address for mail in reminders for address in mail.to)
    assert recipients == sorted([*settings.COORDINATOR_EMAILS, COORDINATOR_EMAIL])
    assert all(late.reference in mail.body for mail in reminders)


# Hospitals in the loop --------------------------------------------------------------------------


def test_every_case_status_appears(loaded):
    statuses = set(FacilityCase.objects.filter(quote_request__submission_key__in=KEYS).values_list("status", flat=True))
    assert statuses == set(C.values)
    assert "Demo facility cases: " in loaded and "(1 overdue)" in loaded


def test_every_case_was_moved_by_the_services_and_audited(loaded):
    for case in FacilityCase.objects.all():
        changes = list(case.changes.all())
        assert changes[0].from_status == "" and changes[0].to_status == C.SENT
        assert changes[-1].to_status == case.status
        assert all(earlier.to_status == later.from_status for earlier, later in itertools.pairwise(changes))


def test_demo_facility_users(loaded):
    assert len({office.facility for office in DEMO_OFFICES}) >= 2
    for office in DEMO_OFFICES:
        user = office_user(office.username)
        assert user.is_active and not user.is_staff and not user.is_superuser
        assert not user.has_usable_password()
        assert not user.groups.exists()
        assert user.email == office.email and user.email.endswith(f"@{office.facility}.example")
        assert user.facility_membership.facility.slug == office.facility
        assert user.facility_membership.role == office.role
    roles = Counter(FacilityMembership.objects.filter(facility__slug=HISTORY_FACILITY).values_list("role", flat=True))
    assert roles == {FacilityMembership.Role.MANAGER: 1, FacilityMembership.Role.CASE_HANDLER: 1}
    # Every facility a demo case went to has someone to answer it.
    with_cases = Facility.objects.filter(cases__isnull=False).distinct()
    assert with_cases.count() >= 2
    assert not with_cases.filter(memberships__isnull=True).exists()
    assert "changepassword marmara-office" in loaded
    assert "second_factor marmara-office" in loaded
    assert "--code" in loaded


def test_facility_users_see_only_their_own_cases_in_the_portal(loaded, client):
    every_case = {case.reference: case.facility_id for case in FacilityCase.objects.all()}
    for office in DEMO_OFFICES:
        user = office_user(office.username)
        client.force_login(user)
        html = "".join(
            client.get(reverse("partners:inbox") + f"?folder={folder}").content.decode() for folder in INBOX_FOLDERS
        )
        shown = {reference for reference in every_case if reference in html}
        own = {
            reference
            for reference, facility_id in every_case.items()
            if facility_id == user.facility_membership.facility_id
        }
        assert shown == own, office.username
        assert own
        # The inbox names neither patients nor the requests' own references.
        for name, reference in QuoteRequest.objects.values_list("name", "reference"):
            assert name not in html and reference not in html, office.username


def test_the_history_facility_has_public_responsiveness(loaded, client):
    facility = Facility.objects.get(slug=HISTORY_FACILITY)
    figures = FacilityResponsiveness.objects.get(facility=facility)
    assert figures.is_public
    assert figures.cases_answered >= 6 and figures.cases_declined == 1
    assert figures.cases_answered - 1 <= figures.answered_in_time < figures.cases_answered
    assert datetime.timedelta(hours=2) < figures.median_first_answer <= datetime.timedelta(days=1)
    assert datetime.timedelta(days=1) < figures.median_quote <= datetime.timedelta(days=2)
    html = client.get(reverse("facilities:detail", kwargs={"slug": facility.slug})).content.decode()
    assert "Usually quotes within 2 days" in html
    assert "usually quotes within 2 days" in loaded


def test_the_answer_history_is_finished_past_requests_apart_from_the_demo_requests(loaded):
    history = QuoteRequest.objects.filter(submission_key__in=HISTORY_KEYS)
    assert history.count() == len(HISTORY_KEYS) == 6
    assert set(history.values_list("status", flat=True)) == {S.CLOSED}
    assert "Answer history of Marmara Crescent Hospital: 6 past requests created, 0 unchanged" in loaded
    facility = Facility.objects.get(slug=HISTORY_FACILITY)
    for quote_request in history:
        assert quote_request.condition.startswith("Demo request (fictional patient).")
        assert quote_request.email.endswith("@example.org") and PHONE_RE.match(quote_request.phone)
        assert list(quote_request.preferred_facilities.all()) == [facility]
        assert quote_request.created_at < timezone.now() - datetime.timedelta(days=30)
        assert not quote_request.cases.open().exists()
    assert not FacilityQuote.objects.filter(quote_request__in=history, valid_until__gte=timezone.localdate()).exists()
    # Their names are not among the demo requests', and a facility never saw them (no acceptance).
    assert not FacilityCase.objects.filter(quote_request__in=history, contact_shared_at__isnull=False).exists()


def test_a_facility_users_password_is_kept_on_a_second_load(loaded):
    user = office_user("marmara-office")
    user.set_password("a long passphrase for the demo")
    user.save()
    load_demo()
    user.refresh_from_db()
    assert user.check_password("a long passphrase for the demo")


def test_an_existing_account_with_a_demo_facility_username_keeps_its_details():
    user = get_user_model().objects.create_user("marmara-office", "me@example.org", "a long passphrase")
    load_demo()
    user.refresh_from_db()
    assert user.email == "me@example.org" and user.check_password("a long passphrase")
    assert user.facility_membership.facility.slug == HISTORY_FACILITY  # It answers the demo cases.
