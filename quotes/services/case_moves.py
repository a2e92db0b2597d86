"""A facility case's one move: ``case_transition``, the only code that changes a case's status.

Built like ``quote_request_transition``: the allowed moves are ``quotes.models.CASE_TRANSITIONS``;
a move is checked from the status the caller saw and applied only if the row still has it (so of
two people acting at once exactly one wins); one ``FacilityCaseChange`` records who, when, from and
to, in the same transaction as the move and the e-mails it queues. It lives apart from the rest of
the case services because the request's own workflow closes a request's cases with it.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from facilities.models import FacilityMembership
from quotes.models import CASE_TRANSITIONS, FacilityCase, FacilityCaseChange, FacilityQuote, Notification
from quotes.services.errors import CaseTransitionError
from quotes.services.outbox import notifications_queue

C = FacilityCase.Status

# The timestamp each move sets the first time it happens (responsiveness is measured from these).
FIRST_TIME = {
    C.OPENED: "opened_at",
    C.QUOTED: "quoted_at",
    C.DECLINED: "declined_at",
}
ANSWERS = frozenset({C.QUESTION, C.QUOTED, C.DECLINED})
ENDINGS = frozenset({C.DECLINED, C.ACCEPTED, C.WITHDRAWN, C.CLOSED})
# What happens to a quote still with the facility or the coordinator when its case ends.
QUOTES_IN_PROGRESS = [FacilityQuote.Status.SUBMITTED, FacilityQuote.Status.RETURNED, FacilityQuote.Status.DRAFT]


def case_status_label(status: str) -> str:
    return str(C(status).label).lower()


def office_addresses(facility_id: int) -> list[str]:
    """The e-mail addresses of a facility's office: its active facility users, each once."""
    addresses = (
        FacilityMembership.objects.filter(facility_id=facility_id, user__is_active=True)
        .exclude(user__email="")
        .order_by("user__pk")
        .values_list("user__email", flat=True)
    )
    seen, result = set(), []
    for address in addresses:
        if address.lower() not in seen:
            seen.add(address.lower())
            result.append(address)
    return result


def office_mail(case: FacilityCase, template: str, **context) -> list[Notification]:
    """Unsaved outbox rows telling a facility's office about its case.

    The mail names the case by its own reference (its portal link is made when it is sent); it
    never carries the patient's request, reference or details.
    """
    return [
        Notification(
            case=case,
            recipient=address,
            template=template,
            context={"case_reference": case.reference, **context},
            next_attempt_at=timezone.now(),
        )
        for address in office_addresses(case.facility_id)
    ]


def case_transition(
    *, case: FacilityCase, from_status: str, to_status: str, actor=None, note: str = "", mail: list | None = None
) -> FacilityCase:
    """Move ``case`` from ``from_status`` (what the caller saw) to ``to_status``; returns it refreshed.

    ``actor`` is the coordinator or facility user (None: the system). ``mail`` is outbox rows to
    queue with the move. Raises ``CaseTransitionError`` for a move the table does not allow or one
    that lost a race.
    """
    if to_status not in C.values or from_status not in C.values:
        raise CaseTransitionError(_("That is not a status a case can have."))
    if to_status not in CASE_TRANSITIONS[from_status]:
        if not CASE_TRANSITIONS[from_status]:
            raise CaseTransitionError(
                _("This case is %(status)s; it cannot change any more.") % {"status": case_status_label(from_status)}
            )
        raise CaseTransitionError(
            _("A case that is %(from)s cannot become %(to)s.")
            % {"from": case_status_label(from_status), "to": case_status_label(to_status)}
        )
    now = timezone.now()
    updates = {"status": to_status, "updated_at": now}
    with transaction.atomic():
        moved = FacilityCase.objects.filter(pk=case.pk, status=from_status).update(**updates)
        if moved != 1:
            current = FacilityCase.objects.filter(pk=case.pk).values_list("status", flat=True).first()
            raise CaseTransitionError(
                _("This case changed meanwhile: it is now %(status)s. Reload the page to see the latest.")
                % {"status": case_status_label(current or from_status)}
            )
        # First-time stamps: set only where still empty, in the same transaction.
        if to_status in ANSWERS:
            FacilityCase.objects.filter(pk=case.pk, first_answered_at__isnull=True).update(first_answered_at=now)
        field = FIRST_TIME.get(to_status)
        if field:
            FacilityCase.objects.filter(pk=case.pk, **{f"{field}__isnull": True}).update(**{field: now})
        if to_status in ENDINGS:
            FacilityCase.objects.filter(pk=case.pk).update(closed_at=now)
            if to_status != C.ACCEPTED:
                FacilityQuote.objects.filter(case=case, status__in=QUOTES_IN_PROGRESS).update(
                    status=FacilityQuote.Status.WITHDRAWN
                )
        FacilityCaseChange.objects.create(
            case=case, from_status=from_status, to_status=to_status, actor=actor, note=note
        )
        notifications_queue(mail or [])
    case.refresh_from_db()
    return case


def cases_end(*, quote_request_id: int, to_status: str, note: str, template: str, actor=None, exclude_pk=None) -> int:
    """End every open case of a request (the request was closed, or the patient chose another):
    each one moved and its office told, without the patient's identity. Returns how many."""
    ended = 0
    cases = FacilityCase.objects.open().filter(quote_request_id=quote_request_id).exclude(pk=exclude_pk)
    for case in cases.select_for_update().order_by("pk"):
        case_transition(
            case=case,
            from_status=case.status,
            to_status=to_status,
            actor=actor,
            note=note,
            mail=office_mail(case, template),
        )
        ended += 1
    return ended
