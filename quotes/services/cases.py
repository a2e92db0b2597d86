"""Sharing a request with facilities and everything that happens on a case: the facility opens it,
asks a question, declines or quotes; the coordinator answers, returns or releases the quote, sends
the request to another facility or withdraws a case; reminders when an answer is late.

Every case move goes through ``case_moves.case_transition`` (one audit row each, in the same
transaction); the request's own moves through ``workflow.quote_request_transition``. Whom a case
may go to is ``quotes.selectors.sharing_allowed``: the patient's consent, nothing else.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from facilities.models import Facility, FacilityMembership
from quotes.models import (
    CASE_WAITING_FOR_FACILITY,
    FacilityCase,
    FacilityQuote,
    FacilityQuoteItem,
    Message,
    QuoteAttachment,
    QuoteRequest,
    SharingConsent,
    new_case_reference,
)
from quotes.selectors import coordinator_addresses, sharing_allowed
from quotes.services.case_moves import case_transition, cases_end, office_addresses, office_mail
from quotes.services.errors import (
    CaseError,
    CaseTransitionError,
    InvalidTextError,
    MoveIncompleteError,
    QuoteSubmissionError,
    SharingNotAllowedError,
)
from quotes.services.outbox import notification_new, notifications_queue
from quotes.services.responsiveness import facility_responsiveness_refresh_later
from quotes.services.workflow import quote_request_transition
from quotes.uploads import CheckedFile
from tourism.dates import add_working_days
from tourism.text import visible_text

S = QuoteRequest.Status
C = FacilityCase.Status
Q_ = FacilityQuote.Status
State = FacilityQuoteItem.State

MAX_MESSAGE_LENGTH = 5000
MAX_SUMMARY_LENGTH = 5000
# Statuses of the request in which it can be shared with (more) facilities.
SHAREABLE_REQUEST_STATUSES = frozenset({S.IN_REVIEW, S.SENT_TO_FACILITIES, S.QUOTED})
# Shared unless the coordinator unticks them: what a hospital needs to judge the case, no more.
DEFAULT_SHARED_FIELDS = [
    FacilityCase.SharedField.AGE_BAND,
    FacilityCase.SharedField.COUNTRY,
    FacilityCase.SharedField.CONDITION,
    FacilityCase.SharedField.DIAGNOSIS,
    FacilityCase.SharedField.PREVIOUS_TREATMENT,
]


# What happened on a case, as the coordinators' mail names it (the template words each one).
COORDINATOR_NEWS = frozenset({"question", "declined", "quoted", "corrected"})


def _coordinator_mail(case: FacilityCase, what: str) -> list:
    """Tell the request's coordinators something happened on a case (no medical content);
    ``what`` is one of ``COORDINATOR_NEWS``."""
    if what not in COORDINATOR_NEWS:
        raise ValueError(what)
    quote_request = case.quote_request
    admin_path = reverse("admin:quotes_quoterequest_change", args=[quote_request.pk])
    context = {
        "reference": quote_request.reference,
        "case_reference": case.reference,
        "facility": case.facility.name,
        "what": what,
        "admin_path": admin_path,
    }
    return [
        notification_new(None, address, "coordinator_case_update", context)
        for address in coordinator_addresses(quote_request=quote_request)
    ]


# Each kind of text a case takes: what to say when it is missing, and when it is too long (whole
# sentences, so that each translates as one).
TEXT_MESSAGES = {
    "note": (_lazy("Write the note."), _lazy("The note can be at most %(n)d characters.")),
    "message": (_lazy("Write the message."), _lazy("The message can be at most %(n)d characters.")),
    "reason": (_lazy("Write the reason."), _lazy("The reason can be at most %(n)d characters.")),
    "comment": (_lazy("Write the comment."), _lazy("The comment can be at most %(n)d characters.")),
}


def _clean_text(text: str, *, required: bool, limit: int, what: str) -> str:
    """``text`` made visible and checked; ``what`` is a key of ``TEXT_MESSAGES``."""
    missing, too_long = TEXT_MESSAGES[what]
    text = visible_text(text)
    if required and not text:
        raise InvalidTextError(str(missing))
    if len(text) > limit or "\x00" in text:
        raise InvalidTextError(too_long % {"n": limit})
    return text


# Sending ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseShare:
    """What one facility is sent: which details (``FacilityCase.SharedField``), which files, a note."""

    facility_id: int
    fields: list[str] = field(default_factory=lambda: list(DEFAULT_SHARED_FIELDS))
    attachment_ids: list[int] = field(default_factory=list)
    summary: str = ""


def cases_send(*, quote_request: QuoteRequest, from_status: str, shares: list[CaseShare], actor) -> list[FacilityCase]:
    """Share a request with facilities: one case each, its office e-mailed, its answer due in
    ``MEDTOUR_FACILITY_REPLY_WORKING_DAYS`` working days. From "in review" this also moves the
    request to "sent to facilities". All or nothing, in one transaction.

    Raises ``SharingNotAllowedError`` for a facility the patient did not agree to (or one that is
    not listed, has no office users or already holds a live case), ``MoveIncompleteError`` for an
    empty choice and ``TransitionError`` if the request moved meanwhile.
    """
    if not shares:
        raise MoveIncompleteError(_("Choose at least one facility to send the case to."))
    if from_status not in SHAREABLE_REQUEST_STATUSES:
        raise CaseError(_("A request can be sent to facilities only while it is in review, sent or quoted."))
    if len({share.facility_id for share in shares}) != len(shares):
        raise CaseError(_("Each facility can be chosen once."))
    facilities = {f.pk: f for f in Facility.objects.listed().filter(pk__in=[s.facility_id for s in shares])}
    usable_files = set(
        QuoteAttachment.objects.filter(quote_request=quote_request, deleted_at__isnull=True)
        .exclude(file="")
        .values_list("pk", flat=True)
    )
    for share in shares:
        facility = facilities.get(share.facility_id)
        if facility is None:
            raise SharingNotAllowedError(_("Cases can be sent only to facilities listed in the directory."))
        if not sharing_allowed(quote_request, facility.pk):
            raise SharingNotAllowedError(
                _("The patient has not agreed to share their request with %(facility)s. Ask them first.")
                % {"facility": facility.name}
            )
        if not office_addresses(facility.pk):
            raise SharingNotAllowedError(
                _("%(facility)s has no one on Medtour to answer cases yet. Invite its office first.")
                % {"facility": facility.name}
            )
        unknown = set(share.fields) - set(FacilityCase.SharedField.values)
        if unknown:
            raise CaseError(_("That is not a detail a case can share."))
        if set(share.attachment_ids) - usable_files:
            raise CaseError(_("Only this request's own files can be shared."))
    now = timezone.now()
    due = add_working_days(now, settings.FACILITY_REPLY_WORKING_DAYS)
    remind = add_working_days(now, settings.FACILITY_REMINDER_WORKING_DAYS)
    cases = []
    try:
        with transaction.atomic():
            for share in shares:
                summary = _clean_text(share.summary, required=False, limit=MAX_SUMMARY_LENGTH, what="note")
                case = FacilityCase.objects.create(
                    reference=new_case_reference(),
                    quote_request=quote_request,
                    facility=facilities[share.facility_id],
                    shared_fields=[f for f in FacilityCase.SharedField.values if f in share.fields],
                    summary=summary,
                    created_by=actor,
                    due_at=due,
                    remind_at=remind,
                )
                case.shared_attachments.set(share.attachment_ids)
                case.changes.create(from_status="", to_status=C.SENT, actor=actor)
                notifications_queue(office_mail(case, "facility_new_case", due_at=due.isoformat()))
                cases.append(case)
            if from_status == S.IN_REVIEW:
                quote_request_transition(
                    quote_request=quote_request,
                    from_status=S.IN_REVIEW,
                    to_status=S.SENT_TO_FACILITIES,
                    actor=actor,
                    note=", ".join(f"{case.facility.name} ({case.reference})" for case in cases),
                )
            elif not QuoteRequest.objects.filter(pk=quote_request.pk, status=from_status).exists():
                raise CaseTransitionError(_("Someone else changed this request first. Reload the page."))
    except IntegrityError as exc:
        raise SharingNotAllowedError(_("One of these facilities already has this case. Reload the page.")) from exc
    return cases


def case_withdraw(*, case: FacilityCase, from_status: str, actor, note: str = "") -> FacilityCase:
    """The coordinator takes a case back from a facility (its office is told; its quote is withdrawn)."""
    with transaction.atomic():
        case = case_transition(
            case=case,
            from_status=from_status,
            to_status=C.WITHDRAWN,
            actor=actor,
            note=(note or "").strip()[:MAX_SUMMARY_LENGTH],
            mail=office_mail(case, "facility_case_withdrawn"),
        )
    return case


# What the facility does ------------------------------------------------------------------------


def case_open(*, case: FacilityCase, actor) -> FacilityCase:
    """A facility user opens a new case: it becomes "opened" (once; a race changes nothing)."""
    if case.status != C.SENT:
        return case
    try:
        return case_transition(case=case, from_status=C.SENT, to_status=C.OPENED, actor=actor)
    except CaseTransitionError:
        case.refresh_from_db()
        return case


def _author_kind(case: FacilityCase, author) -> str:
    if FacilityMembership.objects.filter(user=author, facility_id=case.facility_id).exists():
        return Message.Author.FACILITY
    return Message.Author.STAFF


def case_message_post(*, case: FacilityCase, author, text: str) -> Message:
    """A message on a case's thread, from its facility or from a coordinator.

    A facility's message on a case it has not answered yet is its question: the case moves to
    "question" and the coordinators are told. A coordinator's message answers it: back to
    "opened", and the office is told. Neither mail says what the message says.
    """
    text = _clean_text(text, required=True, limit=MAX_MESSAGE_LENGTH, what="message")
    if not case.is_open:
        raise CaseError(_("This case has ended; no more messages can be added."))
    kind = _author_kind(case, author)
    with transaction.atomic():
        message = Message.objects.create(
            quote_request_id=case.quote_request_id,
            channel=Message.Channel.CASE,
            case=case,
            author_kind=kind,
            author=author,
            text=text,
        )
        if kind == Message.Author.FACILITY:
            mail = _coordinator_mail(case, "question")
            if case.status in CASE_WAITING_FOR_FACILITY:
                case_transition(case=case, from_status=case.status, to_status=C.QUESTION, actor=author, mail=mail)
            else:
                notifications_queue(mail)
        else:
            mail = office_mail(case, "facility_case_message")
            if case.status == C.QUESTION:
                case_transition(case=case, from_status=C.QUESTION, to_status=C.OPENED, actor=author, mail=mail)
            else:
                notifications_queue(mail)
        if kind == Message.Author.FACILITY:
            facility_responsiveness_refresh_later(case.facility_id)
    case.refresh_from_db()
    return message


def case_decline(*, case: FacilityCase, from_status: str, actor, reason: str) -> FacilityCase:
    """The facility declines the case, saying why (the coordinator reads it; the patient never)."""
    reason = _clean_text(reason, required=True, limit=MAX_SUMMARY_LENGTH, what="reason")
    with transaction.atomic():
        case = case_transition(
            case=case,
            from_status=from_status,
            to_status=C.DECLINED,
            actor=actor,
            note=reason,
            mail=_coordinator_mail(case, "declined"),
        )
        FacilityCase.objects.filter(pk=case.pk).update(decline_reason=reason)
        facility_responsiveness_refresh_later(case.facility_id)
    case.refresh_from_db()
    return case


@dataclass(frozen=True)
class QuoteLine:
    category: str
    state: str
    amount: Decimal | None = None
    description: str = ""


@dataclass(frozen=True)
class QuoteDraft:
    """A facility's itemised quote: one line for every item category, none left blank."""

    currency: str
    valid_until: datetime.date
    lines: list[QuoteLine]
    exclusions: str = ""
    notes: str = ""


MAX_AMOUNT = Decimal("9999999999.99")


def quote_draft_errors(draft: QuoteDraft) -> dict[str, str]:
    """What is wrong with a quote, by field (``line-<category>`` for a line); empty when it is complete."""
    errors: dict[str, str] = {}
    if draft.currency not in QuoteRequest.Currency.values:
        errors["currency"] = _("Choose the currency of the quote.")
    if draft.valid_until is None or draft.valid_until < timezone.localdate():
        errors["valid_until"] = _("A quote must be valid until today or later.")
    for name, limit in (("exclusions", 5000), ("notes", 5000)):
        if len(getattr(draft, name) or "") > limit:
            errors[name] = _("At most %(n)d characters.") % {"n": limit}
    by_category = {}
    for line in draft.lines:
        if line.category in by_category or line.category not in FacilityQuoteItem.Category.values:
            errors["lines"] = _("Each item can appear once.")
            continue
        by_category[line.category] = line
    for category, label in FacilityQuoteItem.Category.choices:
        line = by_category.get(category)
        key = f"line-{category}"
        if line is None or line.state not in State.values:
            errors[key] = _("Say for “%(item)s” whether it is included, at what price, or not.") % {"item": label}
        elif line.state == State.INCLUDED:
            if line.amount is None:
                errors[key] = _("Give the amount for “%(item)s”, or choose another answer.") % {"item": label}
            elif not (Decimal(0) <= line.amount <= MAX_AMOUNT) or line.amount.as_tuple().exponent < -2:
                errors[key] = _("Give the amount for “%(item)s” as a positive number with at most two decimals.") % {
                    "item": label
                }
        elif line.amount is not None:
            errors[key] = _("“%(item)s” has an amount only when it is included at that price.") % {"item": label}
        if line is not None and len(line.description) > 300:
            errors[key] = _("At most 300 characters of details.")
    return errors


def parse_amount(raw: str) -> Decimal | None:
    """An amount as typed ("1,250.50", "1250"), or None; raises ValueError when it is not a number."""
    raw = (raw or "").strip().replace(",", "").replace(" ", "")
    if not raw:
        return None
    try:
        amount = Decimal(raw)
    except InvalidOperation as exc:
        raise ValueError(raw) from exc
    if not amount.is_finite():
        raise ValueError(raw)
    return amount


def _write_lines(quote: FacilityQuote, draft: QuoteDraft) -> None:
    quote.items.all().delete()
    order = {category: position for position, category in enumerate(FacilityQuoteItem.Category.values)}
    FacilityQuoteItem.objects.bulk_create(
        FacilityQuoteItem(
            quote=quote,
            category=line.category,
            state=line.state,
            amount=line.amount if line.state == State.INCLUDED else None,
            description=line.description.strip(),
        )
        for line in sorted(draft.lines, key=lambda line: order[line.category])
    )


def case_quote_submit(
    *,
    case: FacilityCase,
    actor,
    draft: QuoteDraft,
    pdf: CheckedFile | None = None,
    seen_revision: int | None = None,
) -> FacilityQuote:
    """The facility submits its itemised quote, or corrects it (``seen_revision``: the revision the
    correction was made from). A quote can be corrected until a coordinator releases it.

    Of two submissions at once exactly one wins (the case moves once; a correction updates only
    the revision it saw); the other gets ``QuoteSubmissionError``, and nothing of it is kept.
    """
    errors = quote_draft_errors(draft)
    if errors:
        raise QuoteSubmissionError(_("The quote is not complete yet; see the marked lines."), errors)
    existing = FacilityQuote.objects.filter(case=case).first()
    written_pdf = ""  # Removed again if the submission fails after writing it.
    try:
        with transaction.atomic():
            now = timezone.now()
            fields = {
                "currency": draft.currency,
                "valid_until": draft.valid_until,
                "exclusions": draft.exclusions.strip(),
                "notes": draft.notes.strip(),
                "submitted_at": now,
            }
            if existing is None:
                if seen_revision is not None:
                    raise QuoteSubmissionError(_("This quote changed meanwhile. Reload the page."))
                if case.status not in (C.SENT, C.OPENED, C.QUESTION):
                    raise QuoteSubmissionError(_("This case can no longer be quoted."))
                # The move first: it is what admits exactly one first submission.
                case_transition(
                    case=case,
                    from_status=case.status,
                    to_status=C.QUOTED,
                    actor=actor,
                    mail=_coordinator_mail(case, "quoted"),
                )
                quote = FacilityQuote.objects.create(
                    quote_request_id=case.quote_request_id,
                    facility_id=case.facility_id,
                    case=case,
                    status=Q_.SUBMITTED,
                    created_by=actor,
                    **fields,
                )
            else:
                if seen_revision is None or existing.status not in (Q_.SUBMITTED, Q_.RETURNED):
                    raise QuoteSubmissionError(
                        _("This quote can no longer be changed: it has been released to the patient or withdrawn.")
                    )
                updated = FacilityQuote.objects.filter(
                    pk=existing.pk, revision=seen_revision, status__in=[Q_.SUBMITTED, Q_.RETURNED]
                ).update(status=Q_.SUBMITTED, revision=F("revision") + 1, review_comment="", **fields)
                if updated != 1:
                    raise QuoteSubmissionError(
                        _("Someone changed this quote meanwhile. Reload the page to see the latest, then correct it.")
                    )
                quote = FacilityQuote.objects.get(pk=existing.pk)
                case.refresh_from_db()
                if case.status == C.OPENED:  # It had been returned: submitted again.
                    case_transition(
                        case=case,
                        from_status=C.OPENED,
                        to_status=C.QUOTED,
                        actor=actor,
                        mail=_coordinator_mail(case, "corrected"),
                    )
                elif case.status != C.QUOTED:
                    raise QuoteSubmissionError(_("This case can no longer be quoted."))
                else:
                    notifications_queue(_coordinator_mail(case, "corrected"))
            _write_lines(quote, draft)
            if pdf is not None:
                replaced = quote.pdf.name if quote.pdf else ""
                quote.pdf.save("quote", pdf.upload, save=False)
                written_pdf = quote.pdf.name
                quote.pdf_name = pdf.original_name
                quote.save(update_fields=["pdf", "pdf_name"])
                if replaced:
                    transaction.on_commit(lambda: quote.pdf.storage.delete(replaced))
            facility_responsiveness_refresh_later(case.facility_id)
    except BaseException as exc:
        if written_pdf:
            FacilityQuote._meta.get_field("pdf").storage.delete(written_pdf)
        if isinstance(exc, CaseTransitionError):
            raise QuoteSubmissionError(
                _("This case changed meanwhile (perhaps a colleague sent a quote). Reload the page to see it.")
            ) from exc
        if isinstance(exc, IntegrityError):
            raise QuoteSubmissionError(
                _("A quote for this case was sent meanwhile. Reload the page to see it.")
            ) from exc
        raise
    case.refresh_from_db()
    return quote


# What the coordinator does with a facility's quote ----------------------------------------------


def facility_quote_return(*, quote: FacilityQuote, actor, comment: str) -> FacilityQuote:
    """Send a submitted quote back to its facility with a comment; it can correct and resubmit."""
    comment = _clean_text(comment, required=True, limit=MAX_SUMMARY_LENGTH, what="comment")
    if quote.case_id is None:
        raise CaseError(_("Only quotes a facility sent through Medtour can be returned."))
    with transaction.atomic():
        updated = FacilityQuote.objects.filter(pk=quote.pk, status=Q_.SUBMITTED).update(
            status=Q_.RETURNED, review_comment=comment
        )
        if updated != 1:
            raise CaseError(_("This quote is no longer waiting for review. Reload the page."))
        case_transition(
            case=quote.case,
            from_status=C.QUOTED,
            to_status=C.OPENED,
            actor=actor,
            note=comment,
            mail=office_mail(quote.case, "facility_quote_returned"),
        )
    quote.refresh_from_db()
    return quote


def facility_quote_release(*, quote: FacilityQuote, actor) -> FacilityQuote:
    """Release a facility's submitted quote to the patient.

    The first release moves the request to "quoted" (the patient is e-mailed their quotes); a
    later one, while the patient is still choosing, adds the quote and tells them.
    """
    quote_request = QuoteRequest.objects.get(pk=quote.quote_request_id)
    if quote_request.status not in (S.SENT_TO_FACILITIES, S.QUOTED):
        raise CaseError(_("Quotes can be released only while the request is with facilities or quoted."))
    if quote.valid_until < timezone.localdate():
        raise CaseError(_("This quote has expired. Return it to the facility for a new date."))
    with transaction.atomic():
        now = timezone.now()
        updated = FacilityQuote.objects.filter(pk=quote.pk, status=Q_.SUBMITTED, items__isnull=False).update(
            status=Q_.SENT, released_by=actor, sent_at=now
        )
        if updated != 1:
            raise CaseError(_("This quote is not waiting for review any more. Reload the page."))
        if quote_request.status == S.SENT_TO_FACILITIES:
            quote_request_transition(
                quote_request=quote_request,
                from_status=S.SENT_TO_FACILITIES,
                to_status=S.QUOTED,
                actor=actor,
                note=f"Released the quote of {quote.facility.name}.",
            )
        else:
            if not QuoteRequest.objects.filter(pk=quote_request.pk, status=S.QUOTED).exists():
                raise CaseError(_("Someone else changed this request first. Reload the page."))
            notifications_queue(
                [
                    notification_new(
                        quote_request,
                        quote_request.email,
                        "patient_new_quote",
                        {"reference": quote_request.reference, "name": quote_request.name},
                    )
                ]
                if quote_request.email
                else []
            )
    quote.refresh_from_db()
    return quote


# After the patient chose -------------------------------------------------------------------------


def case_chosen(*, quote: FacilityQuote) -> None:
    """The patient accepted this quote: its facility is told and now sees the patient's contact
    details (the patient agreed to that by accepting); every other open case ends, its office told
    only that the patient chose another hospital. Call inside the accepting transaction."""
    if quote.case_id is not None:
        case = FacilityCase.objects.get(pk=quote.case_id)
        case_transition(
            case=case,
            from_status=C.QUOTED,
            to_status=C.ACCEPTED,
            note="The patient accepted this quote.",
            mail=office_mail(case, "facility_case_chosen"),
        )
        FacilityCase.objects.filter(pk=case.pk).update(contact_shared_at=timezone.now())
    cases_end(
        quote_request_id=quote.quote_request_id,
        to_status=C.CLOSED,
        note="The patient chose another facility.",
        template="facility_case_not_chosen",
        exclude_pk=quote.case_id,
    )


# Asking the patient about another facility -------------------------------------------------------


def sharing_consent_ask(*, quote_request: QuoteRequest, facility: Facility, actor) -> SharingConsent:
    """Ask the patient, on their status page, whether the request may go to one more facility."""
    if sharing_allowed(quote_request, facility.pk):
        raise CaseError(_("The patient has already agreed to share with %(f)s.") % {"f": facility.name})
    if not quote_request.is_open:
        raise CaseError(_("This request is finished."))
    with transaction.atomic():
        consent, created = SharingConsent.objects.get_or_create(
            quote_request=quote_request, facility=facility, defaults={"asked_by": actor}
        )
        if not created and consent.approved is None:
            raise CaseError(_("The patient has been asked already and has not answered yet."))
        if not created:
            raise CaseError(_("The patient has answered already: they did not agree."))
        if quote_request.email:
            notifications_queue(
                [
                    notification_new(
                        quote_request,
                        quote_request.email,
                        "patient_sharing_question",
                        {"reference": quote_request.reference, "name": quote_request.name},
                    )
                ]
            )
    return consent


def sharing_consent_answer(*, quote_request: QuoteRequest, consent_id: int, approved: bool) -> SharingConsent:
    """The patient's yes or no, from the status page; the coordinators are told."""
    with transaction.atomic():
        updated = SharingConsent.objects.filter(
            pk=consent_id, quote_request=quote_request, approved__isnull=True
        ).update(approved=approved, answered_at=timezone.now())
        consent = SharingConsent.objects.select_related("facility").filter(pk=consent_id, quote_request=quote_request)
        consent = consent.first()
        if consent is None:
            raise CaseError(_("There is no such question on your request."))
        if updated != 1:
            return consent  # Answered already (a second click): the first answer stands.
        admin_path = reverse("admin:quotes_quoterequest_change", args=[quote_request.pk])
        # ``what`` words the mail (quotes/email/coordinator_patient_action*); ``action`` is the record.
        facility = consent.facility.name
        what = "shared" if approved else "not_shared"
        action = (
            f"agreed to share the request with {facility}"
            if approved
            else f"did not agree to share the request with {facility}"
        )
        notifications_queue(
            [
                notification_new(
                    quote_request,
                    address,
                    "coordinator_patient_action",
                    {
                        "reference": quote_request.reference,
                        "what": what,
                        "facility": facility,
                        "action": action,
                        "admin_path": admin_path,
                    },
                )
                for address in coordinator_addresses(quote_request=quote_request)
            ]
        )
    return consent


# Reminders ------------------------------------------------------------------------------------------


def cases_remind(*, now: datetime.datetime | None = None) -> int:
    """Remind each office once about a case it has not answered by its reminder time; how many."""
    now = now or timezone.now()
    reminded = 0
    due = FacilityCase.objects.filter(
        status__in=CASE_WAITING_FOR_FACILITY, remind_at__lte=now, reminded_at__isnull=True
    ).select_related("facility")
    for case in due.iterator():
        with transaction.atomic():
            if FacilityCase.objects.filter(pk=case.pk, reminded_at__isnull=True).update(reminded_at=now) != 1:
                continue  # Another worker took it.
            notifications_queue(office_mail(case, "facility_case_reminder", due_at=case.due_at.isoformat()))
        reminded += 1
    return reminded
