"""Cases shared with facilities: sending (consent, minimum necessary, own references, due times),
every case move audited, the facility's question, decline and itemised quote, the coordinator's
return and release, the patient's choice, closure, reminders and responsiveness figures."""

import datetime
import itertools
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from facilities.models import FacilityResponsiveness
from quotes.models import (
    CASE_TRANSITIONS,
    Erasure,
    FacilityCase,
    FacilityCaseChange,
    FacilityQuote,
    Message,
    Notification,
    QuoteRequest,
    SharingConsent,
)
from quotes.selectors import case_candidates, inbox_counts, portal_case, sharing_allowed
from quotes.services import cases as case_services
from quotes.services.case_moves import case_transition
from quotes.services.cases import CaseShare, QuoteDraft, QuoteLine
from quotes.services.errors import (
    CaseError,
    CaseTransitionError,
    InvalidTextError,
    QuoteSubmissionError,
    SharingNotAllowedError,
)
from quotes.services.outbox import notifications_send
from quotes.services.patient import patient_accept_quote, patient_withdraw
from quotes.services.retention import quote_request_erase
from quotes.services.workflow import quote_request_transition
from tests.factories import (
    FULL_QUOTE_LINES,
    make_attachment,
    make_facility,
    make_facility_user,
    make_quote_request,
    make_staff,
)
from tourism.dates import add_working_days

S = QuoteRequest.Status
C = FacilityCase.Status

# A case's moves as designed (DESIGN.md, "Hospitals in the loop"), spelled out: the tests take
# their expectations from here, never from quotes.models.CASE_TRANSITIONS.
CASE_STATUSES = ("sent", "opened", "question", "quoted", "declined", "accepted", "withdrawn", "closed")
CASE_MOVES = {
    ("sent", "opened"), ("sent", "question"), ("sent", "quoted"), ("sent", "declined"), ("sent", "withdrawn"),
    ("sent", "closed"), ("opened", "question"), ("opened", "quoted"), ("opened", "declined"),
    ("opened", "withdrawn"), ("opened", "closed"), ("question", "opened"), ("question", "quoted"),
    ("question", "declined"), ("question", "withdrawn"), ("question", "closed"), ("quoted", "opened"),
    ("quoted", "accepted"), ("quoted", "withdrawn"), ("quoted", "closed"),
}  # fmt: skip


def draft(lines=FULL_QUOTE_LINES, *, valid_days=30, currency="EUR") -> QuoteDraft:
    return QuoteDraft(
        currency=currency,
        valid_until=timezone.localdate() + datetime.timedelta(days=valid_days),
        lines=[QuoteLine(category=c, state=s, amount=Decimal(a) if a else None) for c, s, a in lines],
        exclusions="Flights and hotel.",
    )


@pytest.fixture
def coordinator(db):
    return make_staff(username="coord", email="coord@medtour.localhost", group="Coordinators")


@pytest.fixture
def hospitals(db):
    """Two listed facilities with an office user each, and one listed facility with nobody on Medtour."""
    istanbul, bangkok, lonely = (
        make_facility(name="Istanbul Spine"),
        make_facility(name="Bangkok Back"),
        make_facility(),
    )
    return {
        "istanbul": istanbul,
        "bangkok": bangkok,
        "lonely": lonely,
        "istanbul_user": make_facility_user(facility=istanbul, email="office@istanbul.example"),
        "bangkok_user": make_facility_user(facility=bangkok, email="office@bangkok.example"),
    }


def request_in_review(coordinator, **overrides):
    quote_request = make_quote_request(**overrides)
    return quote_request_transition(
        quote_request=quote_request, from_status=S.SUBMITTED, to_status=S.IN_REVIEW, actor=coordinator
    )


def send(quote_request, coordinator, *facilities, **share):
    return case_services.cases_send(
        quote_request=quote_request,
        from_status=quote_request.status,
        shares=[CaseShare(facility_id=f.pk, **share) for f in facilities],
        actor=coordinator,
    )


def test_the_code_has_the_designed_case_moves():
    assert sorted(C.values) == sorted(CASE_STATUSES)
    assert {(a, b) for a, moves in CASE_TRANSITIONS.items() for b in moves} == CASE_MOVES


@pytest.mark.django_db
@pytest.mark.parametrize("from_status, to_status", sorted(itertools.product(CASE_STATUSES, CASE_STATUSES)))
def test_every_case_move_is_allowed_or_refused_as_designed_and_audited(coordinator, hospitals, from_status, to_status):
    quote_request = request_in_review(coordinator)
    (case,) = send(quote_request, coordinator, hospitals["istanbul"])
    FacilityCase.objects.filter(pk=case.pk).update(status=from_status)
    case.refresh_from_db()
    before = FacilityCaseChange.objects.filter(case=case).count()
    if (from_status, to_status) in CASE_MOVES:
        moved = case_transition(case=case, from_status=from_status, to_status=to_status, actor=coordinator)
        assert moved.status == to_status
        change = FacilityCaseChange.objects.filter(case=case).latest("pk")
        assert (change.from_status, change.to_status, change.actor) == (from_status, to_status, coordinator)
        assert FacilityCaseChange.objects.filter(case=case).count() == before + 1
    else:
        with pytest.raises(CaseTransitionError):
            case_transition(case=case, from_status=from_status, to_status=to_status, actor=coordinator)
        assert FacilityCase.objects.get(pk=case.pk).status == from_status
        assert FacilityCaseChange.objects.filter(case=case).count() == before


@pytest.mark.django_db
def test_a_move_from_a_status_the_case_no_longer_has_loses(coordinator, hospitals):
    quote_request = request_in_review(coordinator)
    (case,) = send(quote_request, coordinator, hospitals["istanbul"])
    case_transition(case=case, from_status=C.SENT, to_status=C.OPENED)
    with pytest.raises(CaseTransitionError, match="changed meanwhile"):
        case_transition(case=case, from_status=C.SENT, to_status=C.DECLINED, note="stale")
    assert FacilityCase.objects.get(pk=case.pk).status == C.OPENED


@pytest.mark.django_db
def test_sending_makes_one_case_per_facility_with_its_own_reference_due_time_and_office_mail(coordinator, hospitals):
    quote_request = request_in_review(coordinator, name="Ana Patient", email="ana@example.org")
    report = make_attachment(quote_request=quote_request)
    make_attachment(quote_request=quote_request, name="not shared.pdf")
    before = timezone.now()
    cases = send(quote_request, coordinator, hospitals["istanbul"], hospitals["bangkok"], attachment_ids=[report.pk])
    quote_request.refresh_from_db()
    assert quote_request.status == S.SENT_TO_FACILITIES
    assert len({case.reference for case in cases}) == 2
    assert all(case.reference != quote_request.reference and case.reference.startswith("HC-") for case in cases)
    for case in cases:
        assert case.status == C.SENT
        assert list(case.shared_attachments.all()) == [report]
        assert "condition" in case.shared_fields and "age_band" in case.shared_fields
        assert case.due_at >= add_working_days(before, 3) - datetime.timedelta(seconds=5)
        assert case.due_at.weekday() < 5
        assert case.changes.get().to_status == C.SENT
    mails = Notification.objects.filter(template="facility_new_case")
    assert sorted(mails.values_list("recipient", flat=True)) == ["office@bangkok.example", "office@istanbul.example"]
    for mail in mails:
        # Never the patient's identity, reference or status link: only the case's own reference.
        assert mail.quote_request_id is None
        assert "Ana" not in str(mail.context) and quote_request.reference not in str(mail.context)
        assert mail.context["case_reference"] == mail.case.reference


@pytest.mark.django_db
def test_only_facilities_the_patient_agreed_to_can_be_sent_the_case(coordinator, hospitals):
    chosen, other = hospitals["istanbul"], hospitals["bangkok"]
    quote_request = request_in_review(coordinator, suggest_facilities=False)
    quote_request.preferred_facilities.set([chosen])
    assert sharing_allowed(quote_request, chosen.pk) and not sharing_allowed(quote_request, other.pk)
    with pytest.raises(SharingNotAllowedError, match="has not agreed"):
        send(quote_request, coordinator, chosen, other)
    assert not FacilityCase.objects.exists()  # All or nothing.
    assert QuoteRequest.objects.get(pk=quote_request.pk).status == S.IN_REVIEW

    # The coordinator asks; a yes on the status page opens the way, and is recorded.
    consent = case_services.sharing_consent_ask(quote_request=quote_request, facility=other, actor=coordinator)
    assert Notification.objects.filter(template="patient_sharing_question", recipient=quote_request.email).exists()
    with pytest.raises(SharingNotAllowedError):
        send(quote_request, coordinator, other)
    case_services.sharing_consent_answer(quote_request=quote_request, consent_id=consent.pk, approved=True)
    assert SharingConsent.objects.get(pk=consent.pk).approved is True
    assert len(send(quote_request, coordinator, chosen, other)) == 2


@pytest.mark.django_db
def test_a_patient_no_stands_and_a_second_answer_changes_nothing(coordinator, hospitals):
    quote_request = request_in_review(coordinator, suggest_facilities=False)
    consent = case_services.sharing_consent_ask(
        quote_request=quote_request, facility=hospitals["bangkok"], actor=coordinator
    )
    case_services.sharing_consent_answer(quote_request=quote_request, consent_id=consent.pk, approved=False)
    case_services.sharing_consent_answer(quote_request=quote_request, consent_id=consent.pk, approved=True)
    assert SharingConsent.objects.get(pk=consent.pk).approved is False
    with pytest.raises(CaseError):
        case_services.sharing_consent_ask(quote_request=quote_request, facility=hospitals["bangkok"], actor=coordinator)
    other_request = request_in_review(coordinator)
    with pytest.raises(CaseError):  # Another request's question is not this patient's to answer.
        case_services.sharing_consent_answer(quote_request=other_request, consent_id=consent.pk, approved=True)


@pytest.mark.django_db
def test_facilities_without_office_unlisted_or_already_holding_the_case_are_refused(coordinator, hospitals):
    quote_request = request_in_review(coordinator)
    with pytest.raises(SharingNotAllowedError, match="no one on Medtour"):
        send(quote_request, coordinator, hospitals["lonely"])
    unlisted = make_facility(accredited=False)
    make_facility_user(facility=unlisted)
    with pytest.raises(SharingNotAllowedError, match="listed"):
        send(quote_request, coordinator, unlisted)
    send(quote_request, coordinator, hospitals["istanbul"])
    quote_request.refresh_from_db()
    with pytest.raises(SharingNotAllowedError):
        send(quote_request, coordinator, hospitals["istanbul"])
    with pytest.raises(CaseError):  # Another request's file cannot ride along.
        send(quote_request, coordinator, hospitals["bangkok"], attachment_ids=[make_attachment().pk])
    with pytest.raises(CaseError):
        send(quote_request, coordinator, hospitals["bangkok"], fields=["name", "email"])
    assert FacilityCase.objects.count() == 1


@pytest.mark.django_db
def test_candidates_put_the_patients_choice_first_and_say_what_blocks_each(coordinator, hospitals):
    quote_request = request_in_review(coordinator, suggest_facilities=False)
    quote_request.preferred_facilities.set([hospitals["bangkok"]])
    candidates = case_candidates(quote_request)
    first = candidates[0]
    assert first.facility == hospitals["bangkok"] and first.preferred and first.can_send


@pytest.mark.django_db
def test_the_facilitys_question_the_coordinators_answer_and_the_thread(coordinator, hospitals):
    quote_request = request_in_review(coordinator)
    (case,) = send(quote_request, coordinator, hospitals["istanbul"])
    office = hospitals["istanbul_user"]
    case_services.case_open(case=case, actor=office)
    assert FacilityCase.objects.get(pk=case.pk).opened_at is not None
    case_services.case_message_post(case=case, author=office, text="Is there a recent MRI?")
    case.refresh_from_db()
    assert case.status == C.QUESTION and case.first_answered_at is not None
    asked = Notification.objects.filter(template="coordinator_case_update").latest("pk")
    assert "MRI" not in str(asked.context)  # Only that something happened, never what.
    case_services.case_message_post(case=case, author=coordinator, text="Yes, from March; attached.")
    case.refresh_from_db()
    assert case.status == C.OPENED
    assert Notification.objects.filter(template="facility_case_message", recipient=office.email).exists()
    authors = list(Message.objects.filter(case=case).values_list("author_kind", flat=True))
    assert authors == [Message.Author.FACILITY, Message.Author.STAFF]
    with pytest.raises(InvalidTextError):
        case_services.case_message_post(case=case, author=office, text="   ")


@pytest.mark.django_db
def test_a_decline_needs_a_reason_and_ends_the_case(coordinator, hospitals):
    quote_request = request_in_review(coordinator)
    (case,) = send(quote_request, coordinator, hospitals["bangkok"])
    office = hospitals["bangkok_user"]
    with pytest.raises(InvalidTextError):
        case_services.case_decline(case=case, from_status=C.SENT, actor=office, reason="")
    case = case_services.case_decline(case=case, from_status=C.SENT, actor=office, reason="No surgeon free in May.")
    assert case.status == C.DECLINED and case.decline_reason == "No surgeon free in May."
    assert case.declined_at is not None and case.closed_at is not None


@pytest.mark.django_db
@pytest.mark.parametrize(
    "lines, field",
    [
        (FULL_QUOTE_LINES[:-1], "line-other"),
        ([("surgeon", "included", None), *FULL_QUOTE_LINES[1:]], "line-surgeon"),
        ([("surgeon", "not_included", "10"), *FULL_QUOTE_LINES[1:]], "line-surgeon"),
        ([("surgeon", "included", "-1"), *FULL_QUOTE_LINES[1:]], "line-surgeon"),
        ([("surgeon", "included", "1.234"), *FULL_QUOTE_LINES[1:]], "line-surgeon"),
        ([("surgeon", "maybe", None), *FULL_QUOTE_LINES[1:]], "line-surgeon"),
    ],
)
def test_an_incomplete_quote_is_refused_line_by_line_and_nothing_changes(coordinator, hospitals, lines, field):
    quote_request = request_in_review(coordinator)
    (case,) = send(quote_request, coordinator, hospitals["istanbul"])
    with pytest.raises(QuoteSubmissionError) as refused:
        case_services.case_quote_submit(case=case, actor=hospitals["istanbul_user"], draft=draft(lines))
    assert field in refused.value.errors
    assert not FacilityQuote.objects.exists()
    assert FacilityCase.objects.get(pk=case.pk).status == C.SENT


@pytest.mark.django_db
def test_a_quote_submitted_then_a_second_first_submission_loses(coordinator, hospitals):
    quote_request = request_in_review(coordinator)
    (case,) = send(quote_request, coordinator, hospitals["istanbul"])
    stale = FacilityCase.objects.get(pk=case.pk)  # What a colleague's open page saw.
    quote = case_services.case_quote_submit(case=case, actor=hospitals["istanbul_user"], draft=draft())
    assert quote.status == FacilityQuote.Status.SUBMITTED and quote.items.count() == 11
    assert quote.total == Decimal("8300.00")
    assert FacilityCase.objects.get(pk=case.pk).status == C.QUOTED
    with pytest.raises(QuoteSubmissionError):
        case_services.case_quote_submit(case=stale, actor=hospitals["istanbul_user"], draft=draft(currency="USD"))
    assert FacilityQuote.objects.get().currency == "EUR"


@pytest.mark.django_db
def test_corrections_need_the_revision_they_were_made_from(coordinator, hospitals):
    quote_request = request_in_review(coordinator)
    (case,) = send(quote_request, coordinator, hospitals["istanbul"])
    office = hospitals["istanbul_user"]
    quote = case_services.case_quote_submit(case=case, actor=office, draft=draft())
    corrected = case_services.case_quote_submit(
        case=case, actor=office, draft=draft(currency="USD"), seen_revision=quote.revision
    )
    assert (corrected.revision, corrected.currency) == (quote.revision + 1, "USD")
    with pytest.raises(QuoteSubmissionError, match="changed this quote meanwhile"):
        case_services.case_quote_submit(case=case, actor=office, draft=draft(currency="GBP"), seen_revision=1)
    assert FacilityQuote.objects.get().currency == "USD"


@pytest.mark.django_db
def test_return_correct_release_accept_and_the_others_are_told(coordinator, hospitals):
    quote_request = request_in_review(coordinator, name="Ana Patient")
    istanbul_case, bangkok_case = send(quote_request, coordinator, hospitals["istanbul"], hospitals["bangkok"])
    office = hospitals["istanbul_user"]
    quote = case_services.case_quote_submit(case=istanbul_case, actor=office, draft=draft())

    # Sent back with a comment: the case waits for the facility again, which corrects it.
    case_services.facility_quote_return(quote=quote, actor=coordinator, comment="Please price the physiotherapy.")
    assert FacilityCase.objects.get(pk=istanbul_case.pk).status == C.OPENED
    assert Notification.objects.filter(template="facility_quote_returned", recipient=office.email).exists()
    quote.refresh_from_db()
    with pytest.raises(CaseError):  # Not releasable while it is with the facility.
        case_services.facility_quote_release(quote=quote, actor=coordinator)
    lines = [
        ("physiotherapy", "included", "400.00") if c == "physiotherapy" else (c, s, a) for c, s, a in FULL_QUOTE_LINES
    ]
    quote = case_services.case_quote_submit(
        case=istanbul_case, actor=office, draft=draft(lines), seen_revision=quote.revision
    )
    assert FacilityCase.objects.get(pk=istanbul_case.pk).status == C.QUOTED

    # Released: the request is quoted and the patient e-mailed.
    case_services.facility_quote_release(quote=quote, actor=coordinator)
    quote_request.refresh_from_db()
    assert quote_request.status == S.QUOTED
    assert FacilityQuote.objects.get(pk=quote.pk).status == FacilityQuote.Status.SENT
    assert Notification.objects.filter(template="patient_quotes_ready").exists()
    with pytest.raises(QuoteSubmissionError):  # Released quotes are no longer corrected.
        case_services.case_quote_submit(case=istanbul_case, actor=office, draft=draft(), seen_revision=quote.revision)

    # The patient accepts: the chosen facility now sees the contact; the other is told, anonymously.
    patient_accept_quote(quote_request=quote_request, facility_quote_id=quote.pk)
    chosen, other = FacilityCase.objects.get(pk=istanbul_case.pk), FacilityCase.objects.get(pk=bangkok_case.pk)
    assert chosen.status == C.ACCEPTED and chosen.contact_shared_at is not None
    assert other.status == C.CLOSED and other.contact_shared_at is None
    assert Notification.objects.filter(template="facility_case_chosen", recipient=office.email).exists()
    not_chosen = Notification.objects.get(template="facility_case_not_chosen")
    assert not_chosen.recipient == "office@bangkok.example" and "Ana" not in str(not_chosen.context)


@pytest.mark.django_db
def test_a_later_release_while_the_patient_chooses_adds_the_quote_and_tells_them(coordinator, hospitals):
    quote_request = request_in_review(coordinator)
    first, second = send(quote_request, coordinator, hospitals["istanbul"], hospitals["bangkok"])
    q1 = case_services.case_quote_submit(case=first, actor=hospitals["istanbul_user"], draft=draft())
    case_services.facility_quote_release(quote=q1, actor=coordinator)
    q2 = case_services.case_quote_submit(case=second, actor=hospitals["bangkok_user"], draft=draft())
    case_services.facility_quote_release(quote=q2, actor=coordinator)
    assert QuoteRequest.objects.get(pk=quote_request.pk).status == S.QUOTED
    assert Notification.objects.filter(template="patient_new_quote").count() == 1
    assert set(FacilityQuote.objects.values_list("status", flat=True)) == {FacilityQuote.Status.SENT}


@pytest.mark.django_db
def test_withdrawal_or_closure_ends_every_open_case_and_tells_the_facilities(coordinator, hospitals):
    quote_request = request_in_review(coordinator)
    istanbul_case, bangkok_case = send(quote_request, coordinator, hospitals["istanbul"], hospitals["bangkok"])
    case_services.case_quote_submit(case=istanbul_case, actor=hospitals["istanbul_user"], draft=draft())
    case_services.case_decline(case=bangkok_case, from_status=C.SENT, actor=hospitals["bangkok_user"], reason="Full.")
    quote_request.refresh_from_db()
    patient_withdraw(quote_request=quote_request)
    assert FacilityCase.objects.get(pk=istanbul_case.pk).status == C.CLOSED
    assert FacilityCase.objects.get(pk=bangkok_case.pk).status == C.DECLINED  # Already over: untouched.
    assert FacilityQuote.objects.get().status == FacilityQuote.Status.WITHDRAWN
    closed = Notification.objects.filter(template="facility_case_closed")
    assert list(closed.values_list("recipient", flat=True)) == ["office@istanbul.example"]


@pytest.mark.django_db
def test_the_coordinator_withdraws_one_case_and_can_send_to_another(coordinator, hospitals):
    quote_request = request_in_review(coordinator)
    (case,) = send(quote_request, coordinator, hospitals["istanbul"])
    case_services.case_withdraw(case=case, from_status=C.SENT, actor=coordinator, note="Wrong speciality.")
    assert FacilityCase.objects.get(pk=case.pk).status == C.WITHDRAWN
    assert Notification.objects.filter(template="facility_case_withdrawn").count() == 1
    quote_request.refresh_from_db()
    (again,) = send(quote_request, coordinator, hospitals["istanbul"])  # A withdrawn case is no longer live.
    assert again.reference != case.reference


@pytest.mark.django_db
def test_reminders_go_once_to_cases_still_unanswered(coordinator, hospitals):
    quote_request = request_in_review(coordinator)
    waiting, answered = send(quote_request, coordinator, hospitals["istanbul"], hospitals["bangkok"])
    case_services.case_decline(case=answered, from_status=C.SENT, actor=hospitals["bangkok_user"], reason="No.")
    assert case_services.cases_remind(now=timezone.now()) == 0  # Not yet two working days.
    later = waiting.remind_at + datetime.timedelta(minutes=1)
    assert case_services.cases_remind(now=later) == 1
    assert case_services.cases_remind(now=later) == 0
    reminders = Notification.objects.filter(template="facility_case_reminder")
    assert list(reminders.values_list("recipient", flat=True)) == ["office@istanbul.example"]
    assert list(FacilityCase.objects.overdue(waiting.due_at + datetime.timedelta(minutes=1))) == [waiting]


@pytest.mark.django_db
def test_responsiveness_is_measured_from_the_case_timestamps(
    coordinator, hospitals, django_capture_on_commit_callbacks
):
    facility, office = hospitals["istanbul"], hospitals["istanbul_user"]
    for n in range(3):
        quote_request = request_in_review(coordinator)
        (case,) = send(quote_request, coordinator, facility)
        sent = timezone.now() - datetime.timedelta(hours=10 * (n + 1))
        FacilityCase.objects.filter(pk=case.pk).update(created_at=sent, due_at=sent + datetime.timedelta(hours=25))
        case.refresh_from_db()
        with django_capture_on_commit_callbacks(execute=True):
            if n == 2:
                case_services.case_decline(case=case, from_status=C.SENT, actor=office, reason="Full.")
            else:
                case_services.case_quote_submit(case=case, actor=office, draft=draft())
    figures = FacilityResponsiveness.objects.get(facility=facility)
    assert (figures.cases_received, figures.cases_answered, figures.cases_quoted, figures.cases_declined) == (
        3,
        3,
        2,
        1,
    )
    assert figures.answered_in_time == 2  # The one sent 30 hours ago was due after 25.
    assert datetime.timedelta(hours=9) < figures.median_first_answer < datetime.timedelta(hours=21)
    assert not figures.is_public  # Fewer than five answered cases.


@pytest.mark.django_db
def test_a_facility_sees_only_its_own_cases(coordinator, hospitals):
    quote_request = request_in_review(coordinator)
    istanbul_case, bangkok_case = send(quote_request, coordinator, hospitals["istanbul"], hospitals["bangkok"])
    istanbul = hospitals["istanbul"].pk
    assert portal_case(istanbul, istanbul_case.reference) == istanbul_case
    assert portal_case(istanbul, bangkok_case.reference) is None
    assert portal_case(istanbul, "HC-NOTHERE") is None
    assert inbox_counts(istanbul) == {"new": 1, "todo": 0, "answered": 0, "closed": 0}


def test_working_days_skip_weekends():
    friday = timezone.make_aware(datetime.datetime(2026, 12, 4, 15, 0))
    assert add_working_days(friday, 1).date() == datetime.date(2026, 12, 7)
    assert add_working_days(friday, 3).date() == datetime.date(2026, 12, 9)
    saturday = friday + datetime.timedelta(days=1)
    assert add_working_days(saturday, 1).date() == datetime.date(2026, 12, 7)


@pytest.mark.django_db
def test_erasure_also_erases_what_was_written_on_the_cases(coordinator, hospitals):
    quote_request = request_in_review(coordinator)
    (case,) = send(quote_request, coordinator, hospitals["istanbul"], summary="Pain since 2019.")
    case_services.case_message_post(case=case, author=hospitals["istanbul_user"], text="Any scoliosis?")
    quote_request.refresh_from_db()
    patient_withdraw(quote_request=quote_request)
    quote_request_erase(quote_request=quote_request, actor=coordinator, reason=Erasure.Reason.PATIENT_REQUEST)
    assert FacilityCase.objects.get(pk=case.pk).summary == ""
    assert list(Message.objects.filter(case=case).values_list("text", flat=True)) == [""]


@pytest.mark.django_db
def test_the_patients_and_coordinators_mails_about_cases_are_sent_without_medical_content(
    coordinator, hospitals, mailoutbox
):
    quote_request = request_in_review(coordinator, suggest_facilities=False, condition="Sciatica since May.")
    quote_request.preferred_facilities.set([hospitals["istanbul"]])
    case_services.sharing_consent_ask(quote_request=quote_request, facility=hospitals["bangkok"], actor=coordinator)
    (case,) = send(quote_request, coordinator, hospitals["istanbul"])
    case_services.case_message_post(case=case, author=hospitals["istanbul_user"], text="Sciatica on which side?")
    ids = list(
        Notification.objects.filter(template__in=["patient_sharing_question", "coordinator_case_update"]).values_list(
            "pk", flat=True
        )
    )
    assert notifications_send(ids=ids) == len(ids) >= 2
    question = next(m for m in mailoutbox if m.to == [quote_request.email])
    assert quote_request.status_token in question.body and quote_request.reference in question.subject
    update = next(m for m in mailoutbox if m.to == ["coord@medtour.localhost"])
    assert case.reference in update.subject and "asked a question" in update.body
    for mail in mailoutbox:
        assert "Sciatica" not in mail.body and "Sciatica" not in mail.alternatives[0][0]


@pytest.mark.skipif(
    connection.vendor == "sqlite", reason="threads need a server database; the stale-page test covers SQLite"
)
@pytest.mark.django_db(transaction=True)
def test_two_colleagues_submitting_the_first_quote_at_once_exactly_one_wins(hospitals):
    # A transactional test may run on a flushed database (no staff groups): plain staff will do.
    coordinator = make_staff(username="race-coordinator")
    quote_request = request_in_review(coordinator)
    (case,) = send(quote_request, coordinator, hospitals["istanbul"])
    colleague = make_facility_user(facility=hospitals["istanbul"])
    barrier = threading.Barrier(2)
    results: dict[str, str] = {}

    def submit(name: str, user, currency: str) -> None:
        try:
            copy = FacilityCase.objects.get(pk=case.pk)
            barrier.wait(timeout=10)
            case_services.case_quote_submit(case=copy, actor=user, draft=draft(currency=currency))
            results[name] = "won"
        except QuoteSubmissionError:
            results[name] = "lost"
        finally:
            connection.close()

    threads = [
        threading.Thread(target=submit, args=("first", hospitals["istanbul_user"], "EUR")),
        threading.Thread(target=submit, args=("second", colleague, "USD")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results.values()) == ["lost", "won"]
    quote = FacilityQuote.objects.get(case=case)
    assert quote.currency == ("EUR" if results["first"] == "won" else "USD")
    assert quote.items.count() == 11
    assert FacilityCaseChange.objects.filter(case=case, to_status=C.QUOTED).count() == 1
