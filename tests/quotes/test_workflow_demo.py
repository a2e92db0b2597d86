"""The demo quote requests that ``manage.py load_demo`` adds: fictional patients at every step of
the workflow, loaded once."""

import datetime
import hashlib
import io
import re
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from facilities.models import Facility, FacilityProcedure
from quotes.demo_requests import COORDINATOR_EMAIL, COORDINATOR_USERNAME, DEMO_REQUESTS, demo_pdf
from quotes.models import (
    FacilityQuote,
    FacilityQuoteItem,
    Notification,
    PatientMessage,
    QuoteAttachment,
    QuoteRequest,
    StaffNote,
    StatusChange,
)
from quotes.roles import COORDINATORS
from quotes.services.outbox import notifications_send
from quotes.services.workflow import quote_request_transition
from quotes.uploads import check_upload

pytestmark = pytest.mark.django_db

S = QuoteRequest.Status
Item = FacilityQuoteItem.Category
KEYS = [demo.key for demo in DEMO_REQUESTS]
PHONE_RE = re.compile(r"^\+44 20 7946 0\d{3}$")
STATUS_URL_RE = re.compile(r"(http://127\.0\.0\.1:8000)(/quote/status/[A-Za-z0-9_-]{43}/)")
COUNTED = [QuoteRequest, StatusChange, FacilityQuote, FacilityQuoteItem, Notification, StaffNote, PatientMessage,
           QuoteAttachment, get_user_model()]  # fmt: skip


def load_demo(*args) -> str:
    out = io.StringIO()
    call_command("load_demo", "--no-photos", *args, stdout=out)
    return out.getvalue()


def demo(status: str) -> QuoteRequest:
    return QuoteRequest.objects.filter(submission_key__in=KEYS).get(status=status)


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


def test_sent_to_facilities_has_one_draft_quote_ready(loaded):
    quote_request = demo(S.SENT_TO_FACILITIES)
    quote = quote_request.facility_quotes.get()
    assert quote.status == FacilityQuote.Status.DRAFT
    assert 3 <= quote.items.count() <= 6
    assert quote.valid_until >= timezone.localdate()
    assert quote.facility in quote_request.preferred_facilities.all()


ITEMISED = {Item.SURGEON, Item.ANAESTHESIA, Item.IMPLANTS, Item.HOSPITAL_NIGHTS, Item.TESTS, Item.PHYSIOTHERAPY,
            Item.FOLLOW_UP, Item.HOTEL, Item.TRANSFERS}  # fmt: skip


def test_quoted_has_two_sent_itemised_quotes_side_by_side(loaded):
    quote_request = demo(S.QUOTED)
    quotes = list(quote_request.facility_quotes.select_related("facility"))
    assert len(quotes) == 2
    assert quotes[0].facility != quotes[1].facility
    assert quotes[0].facility.country != quotes[1].facility.country
    listed = Facility.objects.listed()
    for quote in quotes:
        assert quote.status == FacilityQuote.Status.SENT and quote.sent_at is not None
        assert quote.currency == "USD"
        assert quote.valid_until == timezone.localdate() + datetime.timedelta(days=30)
        assert set(quote.items.values_list("category", flat=True)) == ITEMISED
        assert all(item.amount > 0 for item in quote.items.all())
        assert quote.exclusions.strip()
        assert listed.filter(pk=quote.facility_id).exists()
        assert FacilityProcedure.objects.filter(facility=quote.facility, procedure=quote_request.procedure).exists()
    assert quotes[0].total != quotes[1].total
    assert Notification.objects.filter(quote_request=quote_request, template="patient_quotes_ready").exists()


def test_quoted_status_page_is_printed_and_opens(loaded, client):
    quote_request = demo(S.QUOTED)
    match = STATUS_URL_RE.search(loaded)
    assert match, loaded
    assert quote_request.status_token in match.group(2)
    response = client.get(match.group(2))
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
        "files": sorted(str(path) for path in Path(settings.PRIVATE_MEDIA_ROOT).rglob("*") if path.is_file()),
    }


def test_load_demo_twice_changes_nothing(loaded):
    before = snapshot()
    output = load_demo()
    assert snapshot() == before
    assert "Demo quote requests: 0 created, 8 unchanged" in output
    assert "changepassword" not in output  # The coordinator already exists.


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
    notifications_send()  # Also sends the demo's own queued mail: look at the reminders.
    reminders = [mail for mail in mailoutbox if "past the first-reply target" in mail.subject]
    recipients = sorted(address for mail in reminders for address in mail.to)
    assert recipients == sorted([*settings.COORDINATOR_EMAILS, COORDINATOR_EMAIL])
    assert all(late.reference in mail.body for mail in reminders)
