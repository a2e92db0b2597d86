"""The conversation between a patient and Medtour on a request, beyond the coordinator's questions.

The patient writes from the status page at any open status, with files checked as the form's
are; a coordinator writes from the request page in the admin. Each side is e-mailed only that a
message is waiting, with a link: never what it says. A coordinator's message is the first reply
the patient sees if nothing came before it, so it stops the first-reply clock.

The coordinator's questions (a move to "waiting for your information", with its note) and the
patient's answers to them (``patient.patient_reply``) are part of the same thread
(``quotes.selectors.patient_thread``).
"""

from collections.abc import Iterable

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from quotes.models import OPEN_STATUSES, Message, QuoteAttachment, QuoteRequest
from quotes.selectors import coordinator_addresses
from quotes.services.errors import InvalidTextError, PatientActionRefused, Refusal
from quotes.services.outbox import notification_new, notifications_queue
from quotes.services.submission import attachments_store
from quotes.uploads import CheckedFile
from tourism.text import visible_text

S = QuoteRequest.Status
MAX_MESSAGE_LENGTH = 5000


def _clean(text: str) -> str:
    text = visible_text(text)
    if not text or len(text) > MAX_MESSAGE_LENGTH or "\x00" in text:
        raise InvalidTextError(_("Write your message (at most 5,000 characters)."))
    return text


def patient_can_write(quote_request: QuoteRequest) -> bool:
    """A free message while the request is open (while we wait for an answer, the answer form is it)."""
    return quote_request.status in OPEN_STATUSES and quote_request.status != S.AWAITING_PATIENT


def patient_message_post(*, quote_request: QuoteRequest, text: str, files: Iterable[CheckedFile] = ()) -> Message:
    """The patient writes to their coordinator; the coordinators are told a message is waiting."""
    text = _clean(text)
    if not patient_can_write(quote_request):
        raise PatientActionRefused(
            Refusal(_("This request is closed, so messages can no longer be sent here."))
            if quote_request.status not in OPEN_STATUSES
            else Refusal(_("Please use the answer form above: your coordinator is waiting for your answer."))
        )
    stored: list[QuoteAttachment] = []
    try:
        with transaction.atomic():
            message = Message.objects.create(
                quote_request=quote_request,
                channel=Message.Channel.PATIENT,
                author_kind=Message.Author.PATIENT,
                text=text,
            )
            attachments_store(
                quote_request=quote_request, files=files, stored=stored, from_patient_reply=True, message=message
            )
            admin_path = reverse("admin:quotes_quoterequest_change", args=[quote_request.pk]) + "#conversation"
            notifications_queue(
                [
                    notification_new(
                        None,
                        address,
                        "coordinator_patient_message",
                        {"reference": quote_request.reference, "files": len(stored), "admin_path": admin_path},
                    )
                    for address in coordinator_addresses(quote_request=quote_request)
                ]
            )
    except Exception:
        for attachment in stored:
            attachment.file.storage.delete(attachment.file.name)
        raise
    return message


def staff_message_post(*, quote_request: QuoteRequest, author, text: str) -> Message:
    """A coordinator writes to the patient; the patient is e-mailed that a message is waiting."""
    text = _clean(text)
    if quote_request.erased_at is not None:
        raise InvalidTextError(_("This request's personal data was erased; the patient cannot be written to."))
    with transaction.atomic():
        message = Message.objects.create(
            quote_request=quote_request,
            channel=Message.Channel.PATIENT,
            author_kind=Message.Author.STAFF,
            author=author,
            text=text,
        )
        # The first thing the patient hears from us stops the first-reply clock.
        QuoteRequest.objects.filter(pk=quote_request.pk, first_replied_at__isnull=True).update(
            first_replied_at=timezone.now()
        )
        if quote_request.email:
            notifications_queue(
                [
                    notification_new(
                        quote_request,
                        quote_request.email,
                        "patient_new_message",
                        {"reference": quote_request.reference, "name": quote_request.name},
                    )
                ]
            )
    quote_request.refresh_from_db()
    return message
