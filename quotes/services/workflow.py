"""The quote workflow's one move: ``quote_request_transition``, the only code that changes a status.

The allowed moves are ``quotes.models.TRANSITIONS``. A move is checked from the status the caller
*saw* (``from_status``, what the coordinator's page or the patient's page showed), and the row is
updated only if it still has that status: when two people act at once exactly one wins and the
other gets a ``TransitionError``. The audit row and the move's e-mails are written in the same
transaction.
"""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from quotes.models import TRANSITIONS, FacilityCase, FacilityQuote, QuoteRequest, StatusChange
from quotes.selectors import coordinator_addresses, quotes_ready_for_patient, sendable_quotes
from quotes.services.case_moves import cases_end
from quotes.services.errors import MoveIncompleteError, TransitionError
from quotes.services.outbox import notification_new, notifications_queue
from tourism.text import visible_text

S = QuoteRequest.Status
# Moves the patient is told about: each is a reply to them.
PATIENT_SEES = frozenset({S.AWAITING_PATIENT, S.SENT_TO_FACILITIES, S.QUOTED, S.CLOSED})

# E-mails each move sends: to the patient, and to the coordinators when the patient acted.
PATIENT_MAIL = {
    S.AWAITING_PATIENT: "patient_information_needed",
    S.QUOTED: "patient_quotes_ready",
}
COORDINATOR_MAIL_ON_PATIENT_MOVE = "coordinator_patient_action"


def status_label(status: str) -> str:
    return str(S(status).label).lower()


def quote_request_transition(
    *,
    quote_request: QuoteRequest,
    from_status: str,
    to_status: str,
    actor=None,
    note: str = "",
    reason: str = "",
) -> QuoteRequest:
    """Move ``quote_request`` from ``from_status`` (the status the caller saw) to ``to_status``.

    ``actor`` is the member of staff, or None for the patient. Raises ``TransitionError`` for a
    move the table does not allow or one that lost a race, ``MoveIncompleteError`` for an allowed
    move missing what it needs. Returns the request as it is after the move.
    """
    if to_status not in S.values or from_status not in S.values:
        raise TransitionError(_("That is not a status a request can have."))
    if to_status == S.ACCEPTED and actor is not None:
        raise TransitionError(_("Only the patient can accept a quote, from their status page."))
    if to_status not in TRANSITIONS.get(from_status, frozenset()):
        if from_status in (S.CLOSED, S.ACCEPTED):
            raise TransitionError(
                _("This request is %(status)s; it cannot be moved any more.") % {"status": status_label(from_status)}
            )
        raise TransitionError(
            _("A request that is %(from)s cannot be moved to %(to)s.")
            % {"from": status_label(from_status), "to": status_label(to_status)}
        )
    note = visible_text(note)
    if to_status == S.CLOSED and reason not in QuoteRequest.CloseReason.values:
        raise MoveIncompleteError(_("Choose why the request is being closed."))
    if to_status == S.AWAITING_PATIENT and not note:
        raise MoveIncompleteError(_("Write what the patient should send us: they will see your note."))
    if (
        to_status == S.SENT_TO_FACILITIES
        and not FacilityCase.objects.open().filter(quote_request=quote_request).exists()
    ):
        # Sending is sharing: ``cases_send`` makes the cases and then this move, in one transaction.
        raise MoveIncompleteError(
            _("Share the request with at least one facility (“Share the case with facilities”); that sends it.")
        )
    if to_status == S.QUOTED and not quotes_ready_for_patient(quote_request).exists():
        raise MoveIncompleteError(
            _(
                "Add at least one facility quote with its lines, valid today or later (or release one a facility "
                "sent), before sending."
            )
        )

    now = timezone.now()
    updates = {"status": to_status, "updated_at": now}
    if to_status == S.CLOSED:
        updates["closed_reason"] = reason
    if to_status in (S.CLOSED, S.ACCEPTED):
        updates["closed_at"] = now
    with transaction.atomic():
        moved = QuoteRequest.objects.filter(pk=quote_request.pk, status=from_status).update(**updates)
        if moved != 1:
            current = QuoteRequest.objects.filter(pk=quote_request.pk).values_list("status", flat=True).first()
            raise TransitionError(
                _("Someone else changed this request first: it is now %(status)s. Reload the page to see the latest.")
                % {"status": status_label(current or from_status)}
            )
        if actor is not None and to_status in PATIENT_SEES:
            # The first-reply clock stops at the first thing the patient hears from us (a move here,
            # or a message: ``conversation.staff_message_post``), not at an internal "start review".
            QuoteRequest.objects.filter(pk=quote_request.pk, first_replied_at__isnull=True).update(first_replied_at=now)
        StatusChange.objects.create(
            quote_request=quote_request, from_status=from_status, to_status=to_status, actor=actor, note=note
        )
        if to_status == S.QUOTED:
            sendable_quotes(quote_request).update(status=FacilityQuote.Status.SENT, sent_at=now)
        if to_status == S.CLOSED:
            # Every hospital still holding the case is told it is over (never who or why).
            cases_end(
                quote_request_id=quote_request.pk,
                to_status=FacilityCase.Status.CLOSED,
                note="The request was closed.",
                template="facility_case_closed",
                actor=actor,
            )
        quote_request.refresh_from_db()
        notifications_queue(_move_mail(quote_request, to_status, actor=actor, reason=reason))
    return quote_request


# What the coordinators' mail says the patient did: ``action`` in English (kept in the row, for
# the record), ``what`` the code the mail's templates word it by, as whole sentences.
PATIENT_ACTIONS = {
    S.IN_REVIEW: ("information_sent", "sent the information you asked for"),
    S.ACCEPTED: ("accepted", "accepted a quote"),
}


def _move_mail(quote_request: QuoteRequest, to_status: str, *, actor, reason: str) -> list:
    common = {"reference": quote_request.reference}
    rows = []
    template = PATIENT_MAIL.get(to_status)
    if to_status == S.CLOSED and actor is not None and reason != QuoteRequest.CloseReason.SPAM:
        template = "patient_closed"
    if template and quote_request.email:
        context = {**common, "name": quote_request.name, "reason": reason}
        rows.append(notification_new(quote_request, quote_request.email, template, context))
    if actor is None:
        if to_status == S.CLOSED:
            declined = reason == QuoteRequest.CloseReason.DECLINED
            what, action = ("declined", "declined the quotes") if declined else ("withdrew", "withdrew the request")
        else:
            what, action = PATIENT_ACTIONS.get(to_status, ("", f"moved the request to {status_label(to_status)}"))
        admin_path = reverse("admin:quotes_quoterequest_change", args=[quote_request.pk])
        for address in coordinator_addresses(quote_request=quote_request):
            context = {**common, "what": what, "action": action, "admin_path": admin_path}
            rows.append(notification_new(quote_request, address, COORDINATOR_MAIL_ON_PATIENT_MOVE, context))
    return rows
