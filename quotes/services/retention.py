"""Erasure of a finished request's personal data and files: on the patient's request, or when the
retention period is over (``manage.py purge_requests``). Anonymous figures stay; an ``Erasure``
row records when, by whom and why."""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from quotes.models import (
    Erasure,
    FacilityCase,
    Message,
    Notification,
    PatientMessage,
    QuoteAttachment,
    QuoteRequest,
    StaffNote,
    StatusChange,
)
from quotes.services.errors import ErasureRefusedError

PERSONAL_TEXT_FIELDS = ["name", "email", "phone", "condition", "diagnosis", "previous_treatment", "medication",
                        "allergies"]  # fmt: skip


def quote_request_erase(*, quote_request: QuoteRequest, actor=None, reason: str, detail: str = "") -> Erasure:
    """Delete a finished request's files and personal details, keeping anonymous figures.

    Refuses open requests (close the request first) and requests already erased, with
    ``ErasureRefusedError``. ``reason`` is an ``Erasure.Reason``. Files are deleted from storage
    once the erasure has committed.
    """
    if reason not in Erasure.Reason.values:
        raise ValueError(f"Unknown erasure reason {reason!r}")
    with transaction.atomic():
        locked = QuoteRequest.objects.select_for_update().get(pk=quote_request.pk)
        if locked.is_open:
            raise ErasureRefusedError(_("Only closed or accepted requests can be erased. Close the request first."))
        if locked.erased_at:
            raise ErasureRefusedError(_("This request's personal data has already been erased."))
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
        # What was written with facilities may quote the patient's health: erased too.
        Message.objects.filter(quote_request=locked).update(text="")
        FacilityCase.objects.filter(quote_request=locked).update(summary="", decline_reason="")
        StaffNote.objects.filter(quote_request=locked).update(text="(erased)")
        Notification.objects.filter(quote_request=locked).delete()
        StatusChange.objects.filter(quote_request=locked).update(note="")
        erasure = Erasure.objects.create(
            quote_request=locked, reason=reason, detail=detail[:200], actor=actor, files_deleted=len(files)
        )
        names = [attachment.file.name for attachment in files]
        storage = QuoteAttachment._meta.get_field("file").storage

        def delete_files() -> None:
            for name in names:
                storage.delete(name)

        transaction.on_commit(delete_files)
    quote_request.refresh_from_db()
    return erasure


def quote_requests_purge(*, months: int, now: datetime.datetime | None = None) -> int:
    """Erase every request finished more than ``months`` months ago; returns how many."""
    count = 0
    for quote_request in QuoteRequest.objects.due_for_purge(months=months, now=now).iterator():
        quote_request_erase(
            quote_request=quote_request,
            reason=Erasure.Reason.RETENTION,
            detail=f"retention period of {months} months",
        )
        count += 1
    return count
