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
    Notification,
    QuoteAttachment,
    QuoteRequest,
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
            for checked in files:
                attachment = QuoteAttachment(
                    quote_request=quote_request,
                    original_name=checked.original_name,
                    kind=checked.kind,
                    size=checked.size,
                    sha256=checked.sha256,
                )
                attachment.file.save("upload", checked.upload, save=False)
                stored.append(attachment)
                attachment.save()
            StatusChange.objects.create(quote_request=quote_request, from_status="", to_status=quote_request.status)
            notifications = _queue_submission_mail(quote_request, site_url=site_url)
            transaction.on_commit(lambda: notifications_send(ids=[n.pk for n in notifications]))
    except IntegrityError:
        # Files written before the rollback would be orphans: remove them.
        for attachment in stored:
            attachment.file.storage.delete(attachment.file.name)
        existing = QuoteRequest.objects.filter(submission_key=submission_key).first()
        if existing is None:
            raise
        return Submission(existing, created=False)
    return Submission(quote_request, created=True)


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
