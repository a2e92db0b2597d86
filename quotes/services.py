"""Writes for quote requests: submission, and the notification outbox."""

import datetime
import logging
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from quotes import consents
from quotes.models import (
    OPEN_STATUSES,
    TRANSITIONS,
    AttachmentAccess,
    FacilityQuote,
    Notification,
    PatientMessage,
    QuoteAttachment,
    QuoteRequest,
    StaffNote,
    StatusChange,
    hash_token,
    new_reference,
    status_token,
)
from quotes.uploads import CheckedFile

logger = logging.getLogger(__name__)

# A mail stuck in "sending" this long (a worker died mid-send) is tried again.
STALE_SENDING = datetime.timedelta(minutes=10)


@dataclass(frozen=True)
class Submission:
    quote_request: QuoteRequest
    created: bool


def quote_request_submit(*, data: dict, files: list[CheckedFile], submission_key: str, site_url: str) -> Submission:
    """Save a patient's request with its files, its first status and its e-mails, all or nothing.

    The same ``submission_key`` (one per form shown) never makes a second request: a repeated
    POST gets the request the first one made.
    """
    existing = QuoteRequest.objects.filter(submission_key=submission_key).first()
    if existing is not None:
        return Submission(existing, created=False)

    now = timezone.now()
    salt = secrets.token_hex(16)
    token = status_token(salt)
    quote_request = QuoteRequest(
        name=data["name"],
        email=data["email"],
        phone=data["phone"],
        country_of_residence=data["country_of_residence"],
        preferred_language=data["preferred_language"],
        procedure=data.get("procedure"),
        preferred_countries=data.get("countries") or [],
        suggest_facilities=bool(data.get("suggest_facilities")),
        travel_from=data.get("travel_from"),
        travel_to=data.get("travel_to"),
        budget_amount=data.get("budget_amount"),
        budget_currency=data.get("budget_currency") or "" if data.get("budget_amount") is not None else "",
        condition=data["condition"],
        diagnosis=data.get("diagnosis", ""),
        previous_treatment=data.get("previous_treatment", ""),
        medication=data.get("medication", ""),
        allergies=data.get("allergies", ""),
        consent_version=consents.CONSENT_VERSION,
        consent_health_data_at=now,
        consent_sharing_at=now,
        consent_marketing_at=now if data.get("consent_marketing") else None,
        first_reply_due_at=now + datetime.timedelta(hours=settings.QUOTE_FIRST_REPLY_HOURS),
        status_salt=salt,
        status_token_hash=hash_token(token),
        submission_key=submission_key,
    )
    stored: list[QuoteAttachment] = []
    try:
        with transaction.atomic():
            for _attempt in range(5):
                quote_request.reference = new_reference()
                if not QuoteRequest.objects.filter(reference=quote_request.reference).exists():
                    break
            quote_request.save()
            quote_request.preferred_facilities.set(data.get("facilities") or [])
            _store_attachments(quote_request, files, stored=stored)
            StatusChange.objects.create(quote_request=quote_request, from_status="", to_status=quote_request.status)
            notifications = _queue_submission_mail(quote_request, site_url=site_url)
            transaction.on_commit(lambda: notifications_send(ids=[n.pk for n in notifications]))
    except Exception as exc:
        # Nothing was saved: files already written would be orphans, so remove them.
        for attachment in stored:
            attachment.file.storage.delete(attachment.file.name)
        existing = QuoteRequest.objects.filter(submission_key=submission_key).first()
        if isinstance(exc, IntegrityError) and existing is not None:
            return Submission(existing, created=False)
        raise
    return Submission(quote_request, created=True)


def _store_attachments(
    quote_request: QuoteRequest, files: list[CheckedFile], *, stored: list[QuoteAttachment], from_patient_reply=False
) -> None:
    """Write checked files to private storage and record them; ``stored`` collects them for clean-up."""
    for checked in files:
        attachment = QuoteAttachment(
            quote_request=quote_request,
            original_name=checked.original_name,
            kind=checked.kind,
            size=checked.size,
            sha256=checked.sha256,
            from_patient_reply=from_patient_reply,
        )
        attachment.file.save("upload", checked.upload, save=False)
        stored.append(attachment)
        attachment.save()


def _queue_submission_mail(quote_request: QuoteRequest, *, site_url: str) -> list[Notification]:
    common = {
        "reference": quote_request.reference,
        "first_reply_due_at": quote_request.first_reply_due_at.isoformat(),
        "procedure": quote_request.procedure.name if quote_request.procedure else "",
    }
    rows = [
        Notification(
            quote_request=quote_request,
            recipient=quote_request.email,
            template="patient_submitted",
            # The status link is not stored: it is made from the request when the mail is sent.
            context={**common, "name": quote_request.name, "site_url": site_url},
            next_attempt_at=timezone.now(),
        )
    ]
    admin_url = site_url + reverse("admin:quotes_quoterequest_change", args=[quote_request.pk])
    rows += [
        Notification(
            quote_request=quote_request,
            recipient=address,
            template="coordinator_new_request",
            context={**common, "admin_url": admin_url, "country": quote_request.country_of_residence.code},
            next_attempt_at=timezone.now(),
        )
        for address in settings.COORDINATOR_EMAILS
    ]
    return Notification.objects.bulk_create(rows)


# The outbox -------------------------------------------------------------------------------------


def _render(notification: Notification) -> EmailMultiAlternatives:
    context = {**notification.context, "site_name": settings.SITE_NAME}
    if notification.quote_request is not None and "site_url" in context:
        token = notification.quote_request.status_token
        context["status_url"] = context["site_url"] + reverse("quotes:status", kwargs={"token": token})
    if "first_reply_due_at" in context:
        context["first_reply_due_at"] = datetime.datetime.fromisoformat(context["first_reply_due_at"])
    base = f"quotes/email/{notification.template}"
    subject = " ".join(render_to_string(f"{base}_subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"{base}.txt", context),
        to=[notification.recipient],
    )
    message.attach_alternative(render_to_string(f"{base}.html", context), "text/html")
    return message


def _claim(notification_id: int) -> Notification | None:
    """Take one due notification for sending; None if another worker has it or it is not due."""
    now = timezone.now()
    claimed = Notification.objects.filter(
        Q(status=Notification.Status.PENDING, next_attempt_at__lte=now)
        | Q(status=Notification.Status.SENDING, updated_at__lt=now - STALE_SENDING),
        pk=notification_id,
    ).update(status=Notification.Status.SENDING, updated_at=now)
    return Notification.objects.select_related("quote_request").filter(pk=notification_id).first() if claimed else None


def notification_send(*, notification_id: int) -> bool:
    """Send one notification if it is due; returns True when a mail went out."""
    notification = _claim(notification_id)
    if notification is None:
        return False
    try:
        _render(notification).send()
    except Exception as exc:  # Any mail failure: keep the row and try again later.
        attempts = notification.attempts + 1
        gave_up = attempts >= settings.NOTIFICATION_MAX_ATTEMPTS
        delay = datetime.timedelta(minutes=min(2**attempts, 120))
        Notification.objects.filter(pk=notification.pk).update(
            status=Notification.Status.FAILED if gave_up else Notification.Status.PENDING,
            attempts=attempts,
            last_error=f"{type(exc).__name__}: {exc}"[:300],
            next_attempt_at=timezone.now() + delay,
            updated_at=timezone.now(),
        )
        # The error class and row only: the message may quote the patient's address.
        logger.warning("Notification %s not sent (attempt %s): %s", notification.pk, attempts, type(exc).__name__)
        return False
    Notification.objects.filter(pk=notification.pk).update(
        status=Notification.Status.SENT,
        attempts=notification.attempts + 1,
        sent_at=timezone.now(),
        last_error="",
        updated_at=timezone.now(),
    )
    return True


def notifications_send(*, ids: list[int] | None = None, limit: int = 100) -> int:
    """Send due notifications (these ids, or the oldest due ones); returns how many went out."""
    if ids is None:
        now = timezone.now()
        ids = list(
            Notification.objects.filter(
                Q(status=Notification.Status.PENDING, next_attempt_at__lte=now)
                | Q(status=Notification.Status.SENDING, updated_at__lt=now - STALE_SENDING)
            )
            .order_by("next_attempt_at", "pk")
            .values_list("pk", flat=True)[:limit]
        )
    return sum(notification_send(notification_id=pk) for pk in ids)


# The workflow ------------------------------------------------------------------------------------


class TransitionError(Exception):
    """A move the workflow does not allow, or one that lost a race; the message is for people."""


# E-mails each move sends: to the patient, and to the coordinators when the patient acted.
PATIENT_MAIL = {
    QuoteRequest.Status.AWAITING_PATIENT: "patient_information_needed",
    QuoteRequest.Status.QUOTED: "patient_quotes_ready",
}
COORDINATOR_MAIL_ON_PATIENT_MOVE = "coordinator_patient_action"


def _label(status: str) -> str:
    return str(QuoteRequest.Status(status).label).lower()


def quote_request_transition(
    *,
    quote_request: QuoteRequest,
    to_status: str,
    actor=None,
    note: str = "",
    reason: str = "",
    site_url: str = "",
) -> QuoteRequest:
    """Make one move of the workflow: the only way a request's status changes.

    The move is checked against ``TRANSITIONS`` from the status the caller saw; the row is then
    updated only if it still has that status, so when two people act at once exactly one wins and
    the other gets a TransitionError. One StatusChange and the move's e-mails are written in the
    same transaction. ``actor`` is the member of staff, or None for the patient.
    """
    from_status = quote_request.status
    if to_status not in QuoteRequest.Status.values:
        raise TransitionError("That is not a status a request can have.")
    if to_status == QuoteRequest.Status.ACCEPTED and actor is not None:
        raise TransitionError("Only the patient can accept a quote, from their status page.")
    if to_status not in TRANSITIONS.get(from_status, frozenset()):
        if from_status in (QuoteRequest.Status.CLOSED, QuoteRequest.Status.ACCEPTED):
            raise TransitionError(f"This request is {_label(from_status)}; it cannot be moved any more.")
        raise TransitionError(f"A request that is {_label(from_status)} cannot be moved to {_label(to_status)}.")
    note = (note or "").strip()
    if to_status == QuoteRequest.Status.CLOSED and reason not in QuoteRequest.CloseReason.values:
        raise TransitionError("Choose why the request is being closed.")
    if to_status == QuoteRequest.Status.AWAITING_PATIENT and not note:
        raise TransitionError("Write what the patient should send us: they will see your note.")
    if to_status == QuoteRequest.Status.QUOTED and not _sendable_quotes(quote_request).exists():
        raise TransitionError("Add at least one facility quote with its lines, valid today or later, before sending.")

    now = timezone.now()
    updates = {"status": to_status, "updated_at": now}
    if to_status == QuoteRequest.Status.CLOSED:
        updates["closed_reason"] = reason
    if to_status in (QuoteRequest.Status.CLOSED, QuoteRequest.Status.ACCEPTED):
        updates["closed_at"] = now
    if from_status == QuoteRequest.Status.SUBMITTED and actor is not None:
        updates["first_replied_at"] = now
    with transaction.atomic():
        moved = QuoteRequest.objects.filter(pk=quote_request.pk, status=from_status).update(**updates)
        if moved != 1:
            current = QuoteRequest.objects.filter(pk=quote_request.pk).values_list("status", flat=True).first()
            raise TransitionError(
                f"Someone else changed this request first: it is now {_label(current or from_status)}. "
                "Reload the page to see the latest."
            )
        StatusChange.objects.create(
            quote_request=quote_request, from_status=from_status, to_status=to_status, actor=actor, note=note
        )
        if to_status == QuoteRequest.Status.QUOTED:
            _sendable_quotes(quote_request).update(status=FacilityQuote.Status.SENT, sent_at=now)
        notifications = _queue_move_mail(quote_request, from_status, to_status, actor=actor, reason=reason,
                                          site_url=site_url)  # fmt: skip
        transaction.on_commit(lambda: notifications_send(ids=[n.pk for n in notifications]))
    quote_request.refresh_from_db()
    return quote_request


def _sendable_quotes(quote_request: QuoteRequest):
    return FacilityQuote.objects.filter(
        quote_request=quote_request,
        status=FacilityQuote.Status.DRAFT,
        valid_until__gte=timezone.localdate(),
        items__isnull=False,
    ).distinct()


def _queue_move_mail(
    quote_request: QuoteRequest, from_status: str, to_status: str, *, actor, reason: str, site_url: str
) -> list[Notification]:
    common = {"reference": quote_request.reference, "site_url": site_url or settings.SITE_URL}
    rows = []
    template = PATIENT_MAIL.get(to_status)
    if to_status == QuoteRequest.Status.CLOSED and actor is not None and reason != QuoteRequest.CloseReason.SPAM:
        template = "patient_closed"
    if template and quote_request.email:
        context = {**common, "name": quote_request.name, "reason": reason}
        rows.append(notification_new(quote_request, quote_request.email, template, context))
    if actor is None:
        action = {
            QuoteRequest.Status.IN_REVIEW: "sent the information you asked for",
            QuoteRequest.Status.ACCEPTED: "accepted a quote",
            QuoteRequest.Status.CLOSED: "declined the quotes"
            if reason == QuoteRequest.CloseReason.DECLINED
            else "withdrew the request",
        }.get(to_status, f"moved the request to {_label(to_status)}")
        admin_path = reverse("admin:quotes_quoterequest_change", args=[quote_request.pk])
        for address in _coordinator_addresses(quote_request):
            context = {**common, "action": action, "admin_url": common["site_url"] + admin_path}
            rows.append(notification_new(quote_request, address, COORDINATOR_MAIL_ON_PATIENT_MOVE, context))
    return Notification.objects.bulk_create(rows)


def notification_new(quote_request: QuoteRequest | None, recipient: str, template: str, context: dict) -> Notification:
    """An unsaved outbox row, due now; save it (or bulk_create) inside the causing transaction."""
    return Notification(
        quote_request=quote_request,
        recipient=recipient,
        template=template,
        context=context,
        next_attempt_at=timezone.now(),
    )


def _coordinator_addresses(quote_request: QuoteRequest) -> list[str]:
    """The assignee if there is one, otherwise the coordinators' shared addresses."""
    if quote_request.assignee_id and quote_request.assignee.email:
        return [quote_request.assignee.email]
    return list(settings.COORDINATOR_EMAILS)


# Staff actions -----------------------------------------------------------------------------------


def quote_request_assign(*, quote_request: QuoteRequest, assignee, actor) -> QuoteRequest:
    """Give a request to a coordinator (or to nobody); recorded as an internal note."""
    QuoteRequest.objects.filter(pk=quote_request.pk).update(assignee=assignee, updated_at=timezone.now())
    who = assignee.get_full_name() or assignee.get_username() if assignee else "nobody"
    StaffNote.objects.create(quote_request=quote_request, author=actor, text=f"Assigned to {who}.")
    quote_request.refresh_from_db()
    return quote_request


def staff_note_add(*, quote_request: QuoteRequest, author, text: str) -> StaffNote:
    text = (text or "").strip()
    if not text:
        raise TransitionError("Write something in the note.")
    return StaffNote.objects.create(quote_request=quote_request, author=author, text=text[:5000])


def attachment_open(*, attachment: QuoteAttachment, user) -> AttachmentAccess:
    """Record that a member of staff opened a medical file (call before sending it)."""
    return AttachmentAccess.objects.create(attachment=attachment, user=user)


# The patient's actions (from the private status page) -------------------------------------------


def patient_reply(*, quote_request: QuoteRequest, text: str, files: list[CheckedFile], site_url: str) -> QuoteRequest:
    """The patient answers a request for information: their message and files, then back to review."""
    text = (text or "").strip()
    if not text or len(text) > 5000:
        raise TransitionError("Write your reply (at most 5,000 characters).")
    stored: list[QuoteAttachment] = []
    try:
        with transaction.atomic():
            if quote_request.status != QuoteRequest.Status.AWAITING_PATIENT:
                raise TransitionError("We are not waiting for information on this request.")
            PatientMessage.objects.create(quote_request=quote_request, text=text)
            _store_attachments(quote_request, files, stored=stored, from_patient_reply=True)
            return quote_request_transition(
                quote_request=quote_request,
                to_status=QuoteRequest.Status.IN_REVIEW,
                note="The patient replied.",
                site_url=site_url,
            )
    except Exception:
        for attachment in stored:
            attachment.file.storage.delete(attachment.file.name)
        raise


def patient_accept_quote(*, quote_request: QuoteRequest, facility_quote_id: int, site_url: str) -> QuoteRequest:
    """The patient accepts one sent, still valid quote; the others are declined."""
    chosen = FacilityQuote.objects.filter(
        pk=facility_quote_id, quote_request=quote_request, status=FacilityQuote.Status.SENT
    ).first()
    if chosen is None:
        raise TransitionError("That quote is not one you can accept.")
    if chosen.valid_until < timezone.localdate():
        raise TransitionError("That quote has expired. Reply to our e-mail and we will ask the hospital for a new one.")
    with transaction.atomic():
        moved = quote_request_transition(
            quote_request=quote_request,
            to_status=QuoteRequest.Status.ACCEPTED,
            note=f"The patient accepted the quote from {chosen.facility.name}.",
            site_url=site_url,
        )
        # Conditional, like the move itself: a quote changed meanwhile is not accepted.
        taken = FacilityQuote.objects.filter(pk=chosen.pk, status=FacilityQuote.Status.SENT).update(
            status=FacilityQuote.Status.ACCEPTED
        )
        if taken != 1:
            raise TransitionError("That quote changed while you were choosing. Please reload the page.")
        FacilityQuote.objects.filter(quote_request=quote_request, status=FacilityQuote.Status.SENT).update(
            status=FacilityQuote.Status.DECLINED
        )
    return moved


def patient_decline_quotes(*, quote_request: QuoteRequest, site_url: str) -> QuoteRequest:
    if quote_request.status != QuoteRequest.Status.QUOTED:
        raise TransitionError("There are no quotes to decline.")
    with transaction.atomic():
        moved = quote_request_transition(
            quote_request=quote_request,
            to_status=QuoteRequest.Status.CLOSED,
            reason=QuoteRequest.CloseReason.DECLINED,
            note="The patient declined the quotes.",
            site_url=site_url,
        )
        FacilityQuote.objects.filter(quote_request=quote_request, status=FacilityQuote.Status.SENT).update(
            status=FacilityQuote.Status.DECLINED
        )
    return moved


def patient_withdraw(*, quote_request: QuoteRequest, site_url: str) -> QuoteRequest:
    return quote_request_transition(
        quote_request=quote_request,
        to_status=QuoteRequest.Status.CLOSED,
        reason=QuoteRequest.CloseReason.WITHDRAWN,
        note="The patient withdrew the request.",
        site_url=site_url,
    )


# Retention and erasure ---------------------------------------------------------------------------

PERSONAL_TEXT_FIELDS = ["name", "email", "phone", "condition", "diagnosis", "previous_treatment", "medication",
                        "allergies"]  # fmt: skip


def quote_request_erase(*, quote_request: QuoteRequest, actor=None, why: str) -> QuoteRequest:
    """Delete a finished request's files and personal details, keeping anonymous figures.

    Refuses open requests: close the request first. The erasure itself is recorded as a
    StatusChange note (status unchanged), with who did it and why.
    """
    with transaction.atomic():
        locked = QuoteRequest.objects.select_for_update().get(pk=quote_request.pk)
        if locked.status in OPEN_STATUSES:
            raise TransitionError("Only closed or accepted requests can be erased. Close the request first.")
        if locked.erased_at:
            raise TransitionError("This request's personal data has already been erased.")
        files = list(locked.attachments.exclude(file=""))
        now = timezone.now()
        QuoteRequest.objects.filter(pk=locked.pk).update(
            **{field: "" for field in PERSONAL_TEXT_FIELDS},
            budget_amount=None,
            travel_from=None,
            travel_to=None,
            erased_at=now,
            updated_at=now,
        )
        locked.preferred_facilities.clear()
        QuoteAttachment.objects.filter(quote_request=locked).update(file="", original_name="(deleted)", deleted_at=now)
        PatientMessage.objects.filter(quote_request=locked).update(text="")
        StaffNote.objects.filter(quote_request=locked).update(text="(erased)")
        Notification.objects.filter(quote_request=locked).delete()
        StatusChange.objects.filter(quote_request=locked).update(note="")
        StatusChange.objects.create(
            quote_request=locked, from_status=locked.status, to_status=locked.status, actor=actor,
            note=f"Personal data and files erased ({why}).",
        )  # fmt: skip
        names = [attachment.file.name for attachment in files]
        storage = QuoteAttachment._meta.get_field("file").storage

        def delete_files() -> None:
            for name in names:
                storage.delete(name)

        transaction.on_commit(delete_files)
    quote_request.refresh_from_db()
    return quote_request


def quote_requests_due_for_purge(*, months: int, now: datetime.datetime | None = None):
    """Requests closed or accepted more than ``months`` months ago and not yet erased."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=round(months * 30.44))
    return QuoteRequest.objects.filter(
        status__in=[QuoteRequest.Status.CLOSED, QuoteRequest.Status.ACCEPTED],
        closed_at__lt=cutoff,
        erased_at__isnull=True,
    )


def quote_requests_purge(*, months: int, now: datetime.datetime | None = None) -> int:
    """Erase every request closed or accepted more than ``months`` months ago; returns how many."""
    count = 0
    for quote_request in quote_requests_due_for_purge(months=months, now=now).iterator():
        quote_request_erase(quote_request=quote_request, why=f"retention period of {months} months")
        count += 1
    return count
