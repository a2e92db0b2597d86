"""The e-mail outbox: rows queued inside the transaction that causes them, sent by a worker.

Web requests only queue (``notification_new`` + ``notifications_queue``): a slow or dead mail
server never holds a patient's request. ``manage.py send_notifications --loop`` is the sender: it
claims due rows (``FOR UPDATE SKIP LOCKED`` where the database has it, so several workers on
several machines never take the same row; SQLite's write lock serialises the claim instead),
renders and sends them, and retries failures with a growing delay. A mail whose template cannot
be rendered fails for good at once, with the reason in ``last_error``: trying again would not help.

Links in mails are made from ``MEDTOUR_SITE_URL`` when the mail is sent (``tourism.seo``), never
from the Host header of the request that caused them.
"""

import datetime
import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.db.models import Q
from django.template import TemplateDoesNotExist, TemplateSyntaxError
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation

from quotes.models import Notification, QuoteRequest
from quotes.time_zones import patient_time_zone
from tourism.seo import mail_base_url

logger = logging.getLogger(__name__)

# A mail stuck in "sending" this long (a worker died mid-send) is tried again.
STALE_SENDING = datetime.timedelta(minutes=10)
# Raised while rendering: a fault in the template or its context, not in the mail server.
TEMPLATE_FAULTS = (
    TemplateDoesNotExist,
    TemplateSyntaxError,
    NoReverseMatch,
    KeyError,
    ValueError,
    TypeError,
    AttributeError,
)


class TemplateFault(Exception):
    """The mail cannot be rendered; sending it again would fail the same way."""


def notification_new(quote_request: QuoteRequest | None, recipient: str, template: str, context: dict) -> Notification:
    """An unsaved outbox row, due now; queue it inside the causing transaction.

    ``context`` holds what the template needs and nothing secret: the status link is made from
    the request when the mail is sent, and links are paths (``admin_path``), joined to the site's
    address at sending time.
    """
    return Notification(
        quote_request=quote_request,
        recipient=recipient,
        template=template,
        context=context,
        next_attempt_at=timezone.now(),
    )


def notifications_queue(rows: list[Notification]) -> list[Notification]:
    """Save outbox rows; the worker sends them. Call inside the transaction of the change."""
    return Notification.objects.bulk_create(rows) if rows else []


def _due(now: datetime.datetime) -> Q:
    return Q(status=Notification.Status.PENDING, next_attempt_at__lte=now) | Q(
        status=Notification.Status.SENDING, updated_at__lt=now - STALE_SENDING
    )


def notifications_claim(*, limit: int = 100, ids: list[int] | None = None) -> list[int]:
    """Mark up to ``limit`` due rows (of ``ids``, if given) as being sent by this worker; their ids.

    A row claimed here is claimed by nobody else: the rows are locked while they are marked
    (others skip them), and only rows still due are marked.
    """
    now = timezone.now()
    with transaction.atomic():
        due = Notification.objects.filter(_due(now)).order_by("next_attempt_at", "pk")
        if ids is not None:
            due = due.filter(pk__in=ids)
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        claimed = list(due.values_list("pk", flat=True)[:limit])
        if claimed:
            Notification.objects.filter(pk__in=claimed).update(status=Notification.Status.SENDING, updated_at=now)
    return claimed


def mail_language(notification: Notification) -> str:
    """The language a mail is written in: a patient's, the one their request records (what they
    chose on the form, or browsed in); a facility's, its office's; the coordinators', the site's."""
    if notification.template.startswith("patient_") and notification.quote_request is not None:
        return notification.quote_request.language
    if notification.case_id is not None:
        return notification.case.facility.office_language
    if notification.invitation_id is not None:
        return notification.invitation.facility.office_language
    return settings.LANGUAGE_CODE


def render_notification(notification: Notification) -> EmailMultiAlternatives:
    """The mail for an outbox row; raises ``TemplateFault`` if it cannot be rendered.

    Written in ``mail_language``, links included (a patient's status page, an office's portal).
    """
    with translation.override(mail_language(notification)):
        return _render(notification)


def _render(notification: Notification) -> EmailMultiAlternatives:
    try:
        base_url = mail_base_url()
        context = {**notification.context, "site_name": settings.SITE_NAME, "site_url": base_url}
        if notification.quote_request is not None:
            token = notification.quote_request.status_token
            context["status_url"] = base_url + reverse("quotes:status", kwargs={"token": token})
        if notification.case_id is not None:
            # A facility's mail links to its case in the portal, never to the patient's page.
            reference = notification.context["case_reference"]
            context["case_url"] = base_url + reverse("partners:case", kwargs={"reference": reference})
        if notification.invitation_id is not None:
            # Made from the invitation's salt now: the link itself is stored nowhere.
            token = notification.invitation.token
            context["invitation_url"] = base_url + reverse("partners:join_link", kwargs={"token": token})
        # Links to the site are stored as paths (``admin_path``, ``unassigned_path``): made whole here.
        for name, value in list(context.items()):
            if name.endswith("_path") and isinstance(value, str) and value.startswith("/"):
                context[name.removesuffix("_path") + "_url"] = base_url + value
        for name in ("first_reply_due_at", "due_at", "expires_at"):
            if name in context:
                context[name] = datetime.datetime.fromisoformat(context[name])
        if "valid_until" in context:
            context["valid_until"] = datetime.date.fromisoformat(context["valid_until"])
        base = f"quotes/email/{notification.template}"
        # A patient reads times in their own zone (UTC, named, if none is known); staff and
        # facilities in the site's.
        patient_mail = notification.quote_request is not None and notification.template.startswith("patient_")
        with timezone.override(patient_time_zone(notification.quote_request) if patient_mail else None):
            subject = " ".join(render_to_string(f"{base}_subject.txt", context).split())
            message = EmailMultiAlternatives(
                subject=subject, body=render_to_string(f"{base}.txt", context), to=[notification.recipient]
            )
            message.attach_alternative(render_to_string(f"{base}.html", context), "text/html")
    except TEMPLATE_FAULTS as exc:
        raise TemplateFault(f"{type(exc).__name__}: {exc}") from exc
    return message


def _finish(notification: Notification, **fields) -> None:
    Notification.objects.filter(pk=notification.pk).update(updated_at=timezone.now(), **fields)


def notification_send(*, notification_id: int) -> bool:
    """Render and send one claimed row; True when the mail went out.

    A mail-server failure leaves the row pending with a growing delay (failed for good after
    ``NOTIFICATION_MAX_ATTEMPTS``); a template fault fails it for good at once.
    """
    notification = (
        Notification.objects.select_related("quote_request", "case", "invitation").filter(pk=notification_id).first()
    )
    if notification is None or notification.status != Notification.Status.SENDING:
        return False
    attempts = notification.attempts + 1
    try:
        message = render_notification(notification)
    except TemplateFault as exc:
        _finish(
            notification,
            status=Notification.Status.FAILED,
            attempts=attempts,
            last_error=f"Template error, not retried: {exc}"[:300],
        )
        logger.error("Notification %s cannot be rendered; marked failed: %s", notification.pk, exc)
        return False
    try:
        message.send()
    except Exception as exc:  # Any mail failure: keep the row and try again later.
        gave_up = attempts >= settings.NOTIFICATION_MAX_ATTEMPTS
        _finish(
            notification,
            status=Notification.Status.FAILED if gave_up else Notification.Status.PENDING,
            attempts=attempts,
            last_error=f"{type(exc).__name__}: {exc}"[:300],
            next_attempt_at=timezone.now() + datetime.timedelta(minutes=min(2**attempts, 120)),
        )
        # The error class and row only: the message may quote the patient's address.
        logger.warning("Notification %s not sent (attempt %s): %s", notification.pk, attempts, type(exc).__name__)
        return False
    _finish(notification, status=Notification.Status.SENT, attempts=attempts, sent_at=timezone.now(), last_error="")
    return True


def notifications_send(*, ids: list[int] | None = None, limit: int = 100) -> int:
    """Claim and send due notifications (of ``ids``, if given); returns how many went out.

    The worker's one step; tests call it too, to deliver what a request queued.
    """
    return sum(notification_send(notification_id=pk) for pk in notifications_claim(limit=limit, ids=ids))
