"""What the patient does from the private status page: reply, accept a quote, decline, withdraw.

Each action has one rule for when it can be done (``PATIENT_ACTIONS``: the statuses it fits) and
one explanation for when it cannot (``patient_action_refusal``), used by the status page to
decide what to offer and by the services to refuse. A refusal for something the patient already
did (a double click, a second tab) is marked ``already_done``, so the page answers calmly.
"""

from collections.abc import Iterable

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from quotes.models import OPEN_STATUSES, FacilityQuote, PatientMessage, QuoteAttachment, QuoteRequest, StatusChange
from quotes.selectors import coordinator_addresses, with_totals
from quotes.services.cases import case_chosen
from quotes.services.errors import InvalidTextError, PatientActionRefused, Refusal, TransitionError
from quotes.services.outbox import notification_new, notifications_queue
from quotes.services.submission import attachments_store
from quotes.services.workflow import quote_request_transition
from quotes.uploads import CheckedFile
from tourism.text import visible_text

S = QuoteRequest.Status
MAX_REPLY_LENGTH = 5000

REPLY, ACCEPT, DECLINE, WITHDRAW = "reply", "accept", "decline", "withdraw"
# The statuses in which the patient can take each action.
PATIENT_ACTIONS: dict[str, frozenset[str]] = {
    REPLY: frozenset({S.AWAITING_PATIENT}),
    ACCEPT: frozenset({S.QUOTED}),
    DECLINE: frozenset({S.QUOTED}),
    WITHDRAW: OPEN_STATUSES,
}


def patient_can(quote_request: QuoteRequest, action: str) -> bool:
    return quote_request.status in PATIENT_ACTIONS[action]


def patient_action_refusal(*, quote_request: QuoteRequest, action: str, quote_id: int | None = None) -> Refusal | None:
    """None when ``action`` fits the request's status now; otherwise what to tell the patient."""
    if patient_can(quote_request, action):
        return None
    state = quote_request.status
    ask_us = _("If you need to change something, reply to any of our e-mails quoting %(reference)s.") % {
        "reference": quote_request.reference
    }
    reasons = QuoteRequest.CloseReason
    if action == REPLY:
        asked_at = (
            StatusChange.objects.filter(quote_request=quote_request, to_status=S.AWAITING_PATIENT)
            .order_by("-created_at", "-pk")
            .values_list("created_at", flat=True)
            .first()
        )
        if asked_at and PatientMessage.objects.filter(quote_request=quote_request, created_at__gte=asked_at).exists():
            return Refusal(_("We already have your answer, thank you. There is nothing more to send."), True)
        return Refusal(_("We are not waiting for information from you at the moment.") + " " + ask_us)
    if action == ACCEPT:
        if state == S.ACCEPTED:
            accepted = (
                FacilityQuote.objects.filter(quote_request=quote_request, status=FacilityQuote.Status.ACCEPTED)
                .select_related("facility")
                .first()
            )
            if accepted is not None and accepted.pk == quote_id:
                return Refusal(
                    _("You have already accepted this quote. There is nothing more you need to do here."), True
                )
            if accepted is not None:
                chosen = _("You have already accepted the quote from %(facility)s, so you cannot accept another one.")
                return Refusal(chosen % {"facility": accepted.facility.name} + " " + ask_us)
            return Refusal(_("You have already accepted a quote, so you cannot accept another one.") + " " + ask_us)
        if state == S.CLOSED:
            return Refusal(_("This request is closed, so its quotes can no longer be accepted.") + " " + ask_us)
        return Refusal(_("Your quotes are not ready yet. We will send you an e-mail as soon as they are."))
    if action == DECLINE:
        if state == S.CLOSED and quote_request.closed_reason == reasons.DECLINED:
            return Refusal(_("You have already declined the quotes. Your request is closed."), True)
        if state == S.CLOSED:
            return Refusal(_("This request is already closed, so there is nothing to decline."), True)
        if state == S.ACCEPTED:
            return Refusal(_("You have already accepted a quote, so the others were declined for you.") + " " + ask_us)
        return Refusal(_("Your quotes are not ready yet. We will send you an e-mail as soon as they are."))
    if action == WITHDRAW:
        if state == S.CLOSED and quote_request.closed_reason == reasons.WITHDRAWN:
            return Refusal(_("You have already withdrawn this request. It is closed."), True)
        if state == S.CLOSED:
            return Refusal(_("This request is already closed, so there is nothing to withdraw."), True)
        return Refusal(_("You have accepted a quote, so this request can no longer be withdrawn here.") + " " + ask_us)
    raise ValueError(f"Unknown action {action!r}")


def _refuse_unless_allowed(quote_request: QuoteRequest, action: str, quote_id: int | None = None) -> None:
    refusal = patient_action_refusal(quote_request=quote_request, action=action, quote_id=quote_id)
    if refusal is not None:
        raise PatientActionRefused(refusal)


def _explain_lost_race(quote_request: QuoteRequest, action: str, error: TransitionError, quote_id=None):
    """A move that lost a race (often the same patient clicking twice): say what the request is now."""
    quote_request.refresh_from_db()
    refusal = patient_action_refusal(quote_request=quote_request, action=action, quote_id=quote_id)
    return PatientActionRefused(refusal or Refusal(str(error)))


def patient_reply(*, quote_request: QuoteRequest, text: str, files: Iterable[CheckedFile] = ()) -> QuoteRequest:
    """The patient answers a request for information: their message and files, then back to review."""
    text = visible_text(text)
    if not text or len(text) > MAX_REPLY_LENGTH:
        raise InvalidTextError(_("Write your reply (at most 5,000 characters)."))
    _refuse_unless_allowed(quote_request, REPLY)
    stored: list[QuoteAttachment] = []
    try:
        with transaction.atomic():
            answer = PatientMessage.objects.create(quote_request=quote_request, text=text)
            attachments_store(
                quote_request=quote_request, files=files, stored=stored, from_patient_reply=True, patient_message=answer
            )
            return quote_request_transition(
                quote_request=quote_request,
                from_status=S.AWAITING_PATIENT,
                to_status=S.IN_REVIEW,
                note="The patient replied.",
            )
    except TransitionError as exc:
        for attachment in stored:
            attachment.file.storage.delete(attachment.file.name)
        raise _explain_lost_race(quote_request, REPLY, exc) from exc
    except Exception:
        for attachment in stored:
            attachment.file.storage.delete(attachment.file.name)
        raise


def patient_accept_quote(*, quote_request: QuoteRequest, facility_quote_id: int) -> QuoteRequest:
    """The patient accepts one sent, still valid quote; the others are declined."""
    _refuse_unless_allowed(quote_request, ACCEPT, facility_quote_id)
    chosen = (
        FacilityQuote.objects.filter(
            pk=facility_quote_id, quote_request=quote_request, status=FacilityQuote.Status.SENT
        )
        .select_related("facility")
        .first()
    )
    if chosen is None:
        # Perhaps accepted a moment ago (a second click): if so, say that rather than "not yours".
        quote_request.refresh_from_db()
        _refuse_unless_allowed(quote_request, ACCEPT, facility_quote_id)
        raise PatientActionRefused(Refusal(_("That quote is not one you can accept.")))
    if chosen.valid_until < timezone.localdate():
        raise PatientActionRefused(
            Refusal(_("That quote has expired. Reply to our e-mail and we will ask the hospital for a new one."))
        )
    try:
        with transaction.atomic():
            moved = quote_request_transition(
                quote_request=quote_request,
                from_status=S.QUOTED,
                to_status=S.ACCEPTED,
                note=f"The patient accepted the quote from {chosen.facility.name}.",
            )
            # Conditional, like the move itself: a quote changed meanwhile is not accepted.
            taken = FacilityQuote.objects.filter(pk=chosen.pk, status=FacilityQuote.Status.SENT).update(
                status=FacilityQuote.Status.ACCEPTED
            )
            if taken != 1:
                raise TransitionError(_("That quote changed while you were choosing. Please reload the page."))
            FacilityQuote.objects.filter(quote_request=quote_request, status=FacilityQuote.Status.SENT).update(
                status=FacilityQuote.Status.DECLINED
            )
            case_chosen(quote=chosen)
            # A receipt for the patient: what they accepted, from whom, for how much.
            if quote_request.email:
                total = with_totals(FacilityQuote.objects.filter(pk=chosen.pk)).values_list("total_amount", flat=True)
                notifications_queue(
                    [
                        notification_new(
                            quote_request,
                            quote_request.email,
                            "patient_accepted",
                            {
                                "reference": quote_request.reference,
                                "name": quote_request.name,
                                "facility": chosen.facility.name,
                                "total": f"{total[0]:,.2f}",
                                "currency": chosen.currency,
                                "valid_until": chosen.valid_until.isoformat(),
                            },
                        )
                    ]
                )
    except TransitionError as exc:
        raise _explain_lost_race(quote_request, ACCEPT, exc, facility_quote_id) from exc
    return moved


def patient_decline_quotes(*, quote_request: QuoteRequest) -> QuoteRequest:
    _refuse_unless_allowed(quote_request, DECLINE)
    try:
        with transaction.atomic():
            moved = quote_request_transition(
                quote_request=quote_request,
                from_status=S.QUOTED,
                to_status=S.CLOSED,
                reason=QuoteRequest.CloseReason.DECLINED,
                note="The patient declined the quotes.",
            )
            FacilityQuote.objects.filter(quote_request=quote_request, status=FacilityQuote.Status.SENT).update(
                status=FacilityQuote.Status.DECLINED
            )
    except TransitionError as exc:
        raise _explain_lost_race(quote_request, DECLINE, exc) from exc
    return moved


def patient_withdraw(*, quote_request: QuoteRequest) -> QuoteRequest:
    _refuse_unless_allowed(quote_request, WITHDRAW)
    try:
        return quote_request_transition(
            quote_request=quote_request,
            from_status=quote_request.status,
            to_status=S.CLOSED,
            reason=QuoteRequest.CloseReason.WITHDRAWN,
            note="The patient withdrew the request.",
        )
    except TransitionError as exc:
        raise _explain_lost_race(quote_request, WITHDRAW, exc) from exc


ERASURE_ANSWER_DAYS = 30


def patient_erasure_request(*, quote_request: QuoteRequest) -> QuoteRequest:
    """The patient asks for their personal data to be erased: recorded once (asking again changes
    nothing), and the coordinators are told; staff erase it with the admin's erasure action within
    ``ERASURE_ANSWER_DAYS`` days (an open request is closed first)."""
    if quote_request.erased_at is not None:
        raise PatientActionRefused(Refusal(_("Your personal data has already been erased."), True))
    with transaction.atomic():
        asked = QuoteRequest.objects.filter(pk=quote_request.pk, erasure_requested_at__isnull=True).update(
            erasure_requested_at=timezone.now()
        )
        if asked:
            admin_path = reverse("admin:quotes_quoterequest_change", args=[quote_request.pk])
            notifications_queue(
                [
                    notification_new(
                        None,
                        address,
                        "coordinator_erasure_request",
                        {"reference": quote_request.reference, "days": ERASURE_ANSWER_DAYS, "admin_path": admin_path},
                    )
                    for address in coordinator_addresses(quote_request=quote_request)
                ]
            )
    quote_request.refresh_from_db()
    return quote_request
