"""Retention: ``manage.py purge_requests`` and ``quote_request_erase``.

Finished requests lose the patient's details, texts and files after the retention period and keep
anonymous figures; open requests are never touched.
"""

import datetime
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import timezone

from quotes.models import (
    Erasure,
    FacilityQuoteItem,
    Notification,
    PatientMessage,
    QuoteAttachment,
    QuoteRequest,
    StaffNote,
    StatusChange,
)
from quotes.services.errors import ErasureRefusedError
from quotes.services.patient import patient_accept_quote, patient_reply
from quotes.services.retention import quote_request_erase
from quotes.services.staff import staff_note_add
from quotes.services.submission import quote_request_submit
from quotes.services.workflow import quote_request_transition
from quotes.uploads import check_upload
from tests.factories import (
    make_case,
    make_facility,
    make_facility_quote,
    make_language,
    make_offer,
    make_procedure,
    make_staff,
)
from tests.quotes.helpers import OPEN_STATUSES, PDF, jpeg, upload

pytestmark = pytest.mark.django_db

S = QuoteRequest.Status
PERSONAL = {
    "name": "Ana Patient",
    "email": "ana@example.org",
    "phone": "+44 20 7946 0000",
    "condition": "Lower back pain for two years.",
    "diagnosis": "L4-L5 disc herniation.",
    "previous_treatment": "Physiotherapy.",
    "medication": "Ibuprofen.",
    "allergies": "Penicillin.",
}
KEPT = [
    "reference",
    "status",
    "procedure_id",
    "country_of_residence",
    "preferred_countries",
    "created_at",
    "closed_at",
    "closed_reason",
]


def months_ago(months: float) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=round(months * 30.44))


@pytest.fixture
def staff():
    return make_staff(username="coord", email="coord@medtour.localhost")


@pytest.fixture
def world(db):
    language = make_language(code="en", name="English")
    procedure = make_procedure(name="Lumbar fusion")
    facilities = [make_facility(country="TR"), make_facility(country="IN")]
    for facility in facilities:
        make_offer(facility=facility, procedure=procedure)
    return language, procedure, facilities


_keys = iter(range(1, 10_000))


def submit(world, **overrides) -> QuoteRequest:
    language, procedure, facilities = world
    data = {
        **PERSONAL,
        "country_of_residence": "GB",
        "preferred_language": language,
        "procedure": procedure,
        "facilities": facilities,
        "countries": ["TR", "IN"],
        "travel_from": timezone.localdate() + datetime.timedelta(days=30),
        "travel_to": timezone.localdate() + datetime.timedelta(days=60),
        "budget_amount": Decimal("20000"),
        "budget_currency": "USD",
        **overrides,
    }
    files = [
        check_upload(upload("mri report.pdf", PDF, "application/pdf")),
        check_upload(upload("x-ray.jpg", jpeg(), "image/jpeg")),
    ]
    return quote_request_submit(**data, files=files, submission_key=f"retention-{next(_keys)}").quote_request


def finished(world, staff, status: str, *, closed_months_ago: float) -> QuoteRequest:
    """A request walked through the workflow to accepted or closed, with notes, a reply and quotes,
    then dated as if it finished ``closed_months_ago`` months ago."""
    quote_request = submit(world)
    move = {"quote_request": quote_request, "actor": staff}
    quote_request_transition(from_status=S.SUBMITTED, to_status=S.IN_REVIEW, **move)
    staff_note_add(quote_request=quote_request, author=staff, text="Ana says her pain is worse at night.")
    quote_request_transition(
        from_status=S.IN_REVIEW, to_status=S.AWAITING_PATIENT, note="Ana, please send your MRI report.", **move
    )
    patient_reply(quote_request=quote_request, text="Here it is; I also have diabetes.", files=[])
    quote_request.refresh_from_db()
    make_case(quote_request=quote_request)
    quote_request_transition(from_status=S.IN_REVIEW, to_status=S.SENT_TO_FACILITIES, **move)
    _, _, facilities = world
    lines = [("surgeon", 5000), ("anaesthesia", 1200), ("hospital_nights", 800)]
    quotes = [
        make_facility_quote(
            quote_request=quote_request, facility=facility, lines=lines, exclusions="Flights.", created_by=staff
        )
        for facility in facilities
    ]
    quote_request_transition(from_status=S.SENT_TO_FACILITIES, to_status=S.QUOTED, **move)
    if status == S.ACCEPTED:
        patient_accept_quote(quote_request=quote_request, facility_quote_id=quotes[0].pk)
    else:
        quote_request_transition(
            from_status=S.QUOTED,
            to_status=S.CLOSED,
            reason=QuoteRequest.CloseReason.DECLINED,
            note="Ana chose a clinic at home.",
            **move,
        )
    QuoteRequest.objects.filter(pk=quote_request.pk).update(closed_at=months_ago(closed_months_ago))
    quote_request.refresh_from_db()
    assert quote_request.status == status
    return quote_request


def stored_paths(quote_request: QuoteRequest) -> list[Path]:
    return [
        Path(settings.PRIVATE_MEDIA_ROOT) / name
        for name in quote_request.attachments.exclude(file="").values_list("file", flat=True)
    ]


def snapshot(quote_request: QuoteRequest) -> dict:
    """Everything stored about one request, to compare before and after."""
    return {
        "request": QuoteRequest.objects.filter(pk=quote_request.pk).values().get(),
        "facilities": sorted(quote_request.preferred_facilities.values_list("pk", flat=True)),
        "attachments": list(quote_request.attachments.values()),
        "files": [(path, path.exists()) for path in stored_paths(quote_request)],
        "notes": list(quote_request.staff_notes.values()),
        "messages": list(quote_request.patient_messages.values()),
        "changes": list(quote_request.status_changes.values()),
        "notifications": list(quote_request.notifications.values("pk", "recipient", "template", "context")),
        "quotes": list(quote_request.facility_quotes.values()),
        "items": list(FacilityQuoteItem.objects.filter(quote__quote_request=quote_request).values()),
    }


def purge(*args, capture) -> str:
    out = io.StringIO()
    # The files are deleted after the erasure commits: run those callbacks as a real commit would.
    with capture(execute=True):
        call_command("purge_requests", *args, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize("status", [S.CLOSED, S.ACCEPTED])
def test_purge_erases_personal_data_of_requests_finished_long_ago(
    world, staff, status, django_capture_on_commit_callbacks
):
    quote_request = finished(world, staff, status, closed_months_ago=25)
    before = snapshot(quote_request)
    paths = stored_paths(quote_request)
    assert len(paths) == 2 and all(path.exists() for path in paths)
    assert quote_request.notifications.exists()
    totals = {quote.facility_id: quote.total for quote in quote_request.facility_quotes.all()}
    assert len(totals) == 2 and all(total == Decimal(7000) for total in totals.values())

    output = purge("--months", "24", capture=django_capture_on_commit_callbacks)

    assert "Erased the personal data of 1 quote request " in output
    quote_request.refresh_from_db()
    for field in PERSONAL:
        assert getattr(quote_request, field) == "", field
    assert quote_request.budget_amount is None
    assert quote_request.travel_from is None and quote_request.travel_to is None
    assert quote_request.erased_at is not None
    # What stays: anonymous figures.
    after = QuoteRequest.objects.filter(pk=quote_request.pk).values(*KEPT).get()
    assert after == {field: before["request"][field] for field in KEPT}
    assert sorted(country.code for country in quote_request.preferred_countries) == ["IN", "TR"]
    assert quote_request.status == status

    # Files: gone from private storage; the rows stay, emptied and marked.
    assert all(not path.exists() for path in paths)
    attachments = list(QuoteAttachment.objects.filter(quote_request=quote_request))
    assert len(attachments) == 2
    for attachment in attachments:
        assert not attachment.file
        assert attachment.deleted_at is not None
        assert attachment.original_name not in ("mri report.pdf", "x-ray.jpg")

    # Texts: notes, the patient's reply, history notes, mail.
    assert StaffNote.objects.filter(quote_request=quote_request).exists()
    for text in StaffNote.objects.filter(quote_request=quote_request).values_list("text", flat=True):
        assert "Ana" not in text and "pain" not in text
    assert list(PatientMessage.objects.filter(quote_request=quote_request).values_list("text", flat=True)) == [""]
    assert not Notification.objects.filter(quote_request=quote_request).exists()
    for note in quote_request.status_changes.values_list("note", flat=True):
        assert "Ana" not in note and "MRI" not in note

    # The facility quotes and their totals stay.
    assert {quote.facility_id: quote.total for quote in quote_request.facility_quotes.all()} == totals
    assert list(quote_request.facility_quotes.values()) == before["quotes"]
    assert list(FacilityQuoteItem.objects.filter(quote__quote_request=quote_request).values()) == before["items"]

    # The erasure is on the record, as an erasure by nobody in particular (the retention job), and
    # the status history is not touched: nothing moved.
    erasure = Erasure.objects.get(quote_request=quote_request)
    assert erasure.reason == Erasure.Reason.RETENTION
    assert erasure.actor is None
    assert erasure.files_deleted == len(attachments)
    assert quote_request.status_changes.count() == len(before["changes"])


@pytest.mark.parametrize("status", sorted(OPEN_STATUSES))
def test_purge_never_touches_open_requests_however_old(world, staff, status, django_capture_on_commit_callbacks):
    quote_request = submit(world)
    staff_note_add(quote_request=quote_request, author=staff, text="Ana called.")
    ten_years_ago = months_ago(120)
    # Even with (inconsistent) old dates everywhere, the status alone keeps an open request.
    QuoteRequest.objects.filter(pk=quote_request.pk).update(
        status=status, created_at=ten_years_ago, first_reply_due_at=ten_years_ago, closed_at=ten_years_ago
    )
    before = snapshot(quote_request)

    output = purge("--months", "1", capture=django_capture_on_commit_callbacks)

    assert "Erased the personal data of 0 quote requests" in output
    assert snapshot(quote_request) == before
    assert all(exists for _path, exists in before["files"])


def test_purge_leaves_recently_finished_requests_alone(world, staff, django_capture_on_commit_callbacks):
    recent = [
        finished(world, staff, S.CLOSED, closed_months_ago=23),
        finished(world, staff, S.ACCEPTED, closed_months_ago=0),
    ]
    old = finished(world, staff, S.CLOSED, closed_months_ago=30)
    before = [snapshot(quote_request) for quote_request in recent]

    output = purge(capture=django_capture_on_commit_callbacks)  # The default: 24 months.

    assert "Erased the personal data of 1 quote request " in output
    assert [snapshot(quote_request) for quote_request in recent] == before
    old.refresh_from_db()
    assert old.erased_at is not None


def test_purge_twice_erases_nothing_more(world, staff, django_capture_on_commit_callbacks):
    quote_request = finished(world, staff, S.CLOSED, closed_months_ago=36)
    purge("--months", "24", capture=django_capture_on_commit_callbacks)
    after_first = snapshot(quote_request)
    changes = StatusChange.objects.count()

    output = purge("--months", "24", capture=django_capture_on_commit_callbacks)

    assert "Erased the personal data of 0 quote requests" in output
    assert snapshot(quote_request) == after_first
    assert StatusChange.objects.count() == changes
    assert Erasure.objects.filter(quote_request=quote_request).count() == 1


def test_dry_run_counts_and_changes_nothing(world, staff, django_capture_on_commit_callbacks):
    due = [
        finished(world, staff, S.CLOSED, closed_months_ago=26),
        finished(world, staff, S.ACCEPTED, closed_months_ago=40),
    ]
    kept = finished(world, staff, S.CLOSED, closed_months_ago=2)
    every = [*due, kept]
    before = [snapshot(quote_request) for quote_request in every]

    output = purge("--months", "24", "--dry-run", capture=django_capture_on_commit_callbacks)

    assert "2 quote requests" in output and "would be erased" in output
    assert [snapshot(quote_request) for quote_request in every] == before
    assert all(exists for snap in before for _path, exists in snap["files"])


def test_default_months_come_from_the_setting(world, staff, settings, django_capture_on_commit_callbacks):
    settings.QUOTE_RETENTION_MONTHS = 6
    old = finished(world, staff, S.CLOSED, closed_months_ago=7)
    recent = finished(world, staff, S.CLOSED, closed_months_ago=5)

    output = purge(capture=django_capture_on_commit_callbacks)

    assert "1 quote request closed or accepted more than 6 months ago" in output
    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.erased_at is not None
    assert recent.erased_at is None and recent.name == PERSONAL["name"]


@pytest.mark.parametrize("months", ["0", "-3"])
def test_purge_refuses_fewer_than_one_month(world, staff, months, django_capture_on_commit_callbacks):
    quote_request = finished(world, staff, S.CLOSED, closed_months_ago=1)
    before = snapshot(quote_request)
    with pytest.raises(CommandError):
        purge("--months", months, capture=django_capture_on_commit_callbacks)
    assert snapshot(quote_request) == before


def test_purge_refuses_a_setting_below_one_month(world, settings):
    settings.QUOTE_RETENTION_MONTHS = 0
    with pytest.raises(CommandError):
        call_command("purge_requests", stdout=io.StringIO())


# quote_request_erase, called directly (as staff would from the admin) ---------------------------


@pytest.mark.parametrize("status", sorted(OPEN_STATUSES))
def test_erase_refuses_open_requests(world, staff, status):
    quote_request = submit(world)
    QuoteRequest.objects.filter(pk=quote_request.pk).update(status=status)
    quote_request.refresh_from_db()
    before = snapshot(quote_request)
    with pytest.raises(ErasureRefusedError):
        quote_request_erase(quote_request=quote_request, actor=staff, reason=Erasure.Reason.PATIENT_REQUEST)
    assert snapshot(quote_request) == before


def test_erase_records_who_and_why_and_refuses_a_second_time(world, staff, django_capture_on_commit_callbacks):
    quote_request = finished(world, staff, S.CLOSED, closed_months_ago=0)
    paths = stored_paths(quote_request)

    with django_capture_on_commit_callbacks(execute=True):
        quote_request_erase(
            quote_request=quote_request,
            actor=staff,
            reason=Erasure.Reason.PATIENT_REQUEST,
            detail="the patient asked for erasure",
        )

    assert quote_request.erased_at is not None and quote_request.name == ""
    assert all(not path.exists() for path in paths)
    erasure = Erasure.objects.get(quote_request=quote_request)
    assert (erasure.actor, erasure.reason) == (staff, Erasure.Reason.PATIENT_REQUEST)
    assert erasure.detail == "the patient asked for erasure"
    after = snapshot(quote_request)

    with pytest.raises(ErasureRefusedError):
        quote_request_erase(quote_request=quote_request, actor=staff, reason=Erasure.Reason.PATIENT_REQUEST)
    assert snapshot(quote_request) == after
