"""A patient's new quote request: saved with its files, first status and e-mails, all or nothing."""

import datetime
import hashlib
import os
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from facilities.models import Facility, Language, Procedure
from quotes import consents
from quotes.models import (
    PendingUpload,
    QuoteAttachment,
    QuoteRequest,
    StatusChange,
    attachment_upload_to,
    hash_token,
    new_reference,
    status_token,
)
from quotes.selectors import coordinator_addresses
from quotes.services.outbox import notification_new, notifications_queue
from quotes.time_zones import valid_time_zone
from quotes.uploads import CheckedFile


@dataclass(frozen=True)
class Submission:
    quote_request: QuoteRequest
    created: bool


def patient_language(preferred_language: Language, browsing_language: str) -> str:
    """The site language to write to a patient in: the one they asked replies in, if the site has
    it; else the one they browsed in when they submitted; else the site's own."""
    site_languages = {code for code, _name in settings.LANGUAGES}
    for code in (preferred_language.code, browsing_language):
        if code in site_languages:
            return code
    return settings.LANGUAGE_CODE


def quote_request_submit(
    *,
    submission_key: str,
    name: str,
    email: str,
    phone: str,
    country_of_residence: str,
    preferred_language: Language,
    age_band: str = "",
    condition: str,
    procedure: Procedure | None = None,
    facilities: Iterable[Facility] = (),
    countries: Iterable[str] = (),
    suggest_facilities: bool = False,
    travel_from: datetime.date | None = None,
    travel_to: datetime.date | None = None,
    budget_amount: Decimal | None = None,
    budget_currency: str = "",
    diagnosis: str = "",
    previous_treatment: str = "",
    medication: str = "",
    allergies: str = "",
    consent_marketing: bool = False,
    files: Iterable[CheckedFile] = (),
    pending_uploads: Iterable[PendingUpload] = (),
    time_zone: str = "",
    browsing_language: str = "",
) -> Submission:
    """Save a patient's request with its files, its first status and its e-mails, all or nothing.

    The same ``submission_key`` (one per form shown) never makes a second request: a repeated
    POST gets the request the first one made. Nor does the same request sent again from a new
    form (reloaded, or "back" then "send"): the same e-mail, procedure and condition within
    ``QUOTE_REPEAT_MINUTES`` of an open request get that request, and its files and e-mails are
    not made again. Either way the result says ``created=False``. The e-mails are queued, not sent
    (the outbox). ``pending_uploads``, the files kept from the form's earlier attempts, become the
    new request's attachments before ``files``; a request not created leaves them to the caller.

    A ``DatabaseError`` (a locked or read-only database, a lost connection) is raised with nothing
    saved: the transaction is rolled back, files written for it are deleted and kept files moved
    back. Call it outside any transaction: it then commits here, and a commit that fails is cleaned
    up too.
    """
    existing = QuoteRequest.objects.filter(submission_key=submission_key).first()
    if existing is not None:
        return Submission(existing, created=False)

    now = timezone.now()
    salt = secrets.token_hex(16)
    quote_request = QuoteRequest(
        name=name,
        email=email,
        phone=phone,
        country_of_residence=country_of_residence,
        age_band=age_band if age_band in QuoteRequest.AgeBand.values else "",
        preferred_language=preferred_language,
        procedure=procedure,
        preferred_countries=list(countries),
        suggest_facilities=suggest_facilities,
        travel_from=travel_from,
        travel_to=travel_to,
        budget_amount=budget_amount,
        budget_currency=(budget_currency or "") if budget_amount is not None else "",
        condition=condition,
        diagnosis=diagnosis,
        previous_treatment=previous_treatment,
        medication=medication,
        allergies=allergies,
        # Checked here too: only a real zone name is stored (dates are shown to the patient in it).
        time_zone=valid_time_zone(time_zone),
        language=patient_language(preferred_language, browsing_language),
        consent_version=consents.CONSENT_VERSION,
        consent_language=browsing_language if browsing_language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE,
        consent_health_data_at=now,
        consent_sharing_at=now,
        consent_marketing_at=now if consent_marketing else None,
        first_reply_due_at=now + datetime.timedelta(hours=settings.QUOTE_FIRST_REPLY_HOURS),
        status_salt=salt,
        status_token_hash=hash_token(status_token(salt)),
        submission_key=submission_key,
    )
    stored: list[QuoteAttachment] = []
    moved: list[tuple[str, str]] = []
    try:
        with transaction.atomic():
            _lock_same_patient(email=email)
            earlier = _earlier_same_request(email=email, procedure=procedure, condition=condition, now=now)
            if earlier is not None:
                return Submission(earlier, created=False)
            for _attempt in range(5):
                quote_request.reference = new_reference()
                if not QuoteRequest.objects.filter(reference=quote_request.reference).exists():
                    break
            quote_request.save()
            quote_request.preferred_facilities.set(list(facilities))
            attachments_from_pending(quote_request=quote_request, pending_uploads=pending_uploads, moved=moved)
            attachments_store(quote_request=quote_request, files=files, stored=stored)
            StatusChange.objects.create(quote_request=quote_request, from_status="", to_status=quote_request.status)
            notifications_queue(_submission_mail(quote_request))
    except Exception as exc:
        # Nothing was saved: files already written would be orphans, so remove them.
        for attachment in stored:
            attachment.file.storage.delete(attachment.file.name)
        # Kept files moved for the request go back where their (still existing) rows expect them.
        for new_name, old_name in reversed(moved):
            _move_private_file(new_name, old_name)
        if isinstance(exc, IntegrityError):
            # The same form sent twice at once: the other send saved it first.
            existing = QuoteRequest.objects.filter(submission_key=submission_key).first()
            if existing is not None:
                return Submission(existing, created=False)
        # Anything else (a locked or read-only database among them) goes to the caller, with
        # nothing left behind: no rows (one transaction) and no files.
        raise
    return Submission(quote_request, created=True)


def _same_text(text: str) -> str:
    return " ".join(text.split())


def _lock_same_patient(*, email: str) -> None:
    """Make two sends from one e-mail address at the same moment wait for each other.

    So the second finds the request the first made. SQLite needs nothing here: its IMMEDIATE
    transactions (settings) already take the write lock before the first read. On PostgreSQL a
    transaction-scoped advisory lock on the address does it; other databases go without, and at
    worst make two requests (never an error).
    """
    if connection.vendor != "postgresql":
        return
    digest = hashlib.sha256(f"quote-request:{email.strip().lower()}".encode()).digest()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [int.from_bytes(digest[:8], "big", signed=True)])


def _earlier_same_request(
    *, email: str, procedure: Procedure | None, condition: str, now: datetime.datetime
) -> QuoteRequest | None:
    """An open request sent lately with the same e-mail, procedure and condition, if there is one."""
    minutes = settings.QUOTE_REPEAT_MINUTES
    if minutes <= 0:
        return None
    candidates = (
        QuoteRequest.objects.open()
        .filter(
            email__iexact=email.strip(),
            procedure=procedure,
            created_at__gte=now - datetime.timedelta(minutes=minutes),
        )
        .order_by("created_at")[:20]
    )
    wanted = _same_text(condition)
    return next((earlier for earlier in candidates if _same_text(earlier.condition) == wanted), None)


def attachments_store(
    *,
    quote_request: QuoteRequest,
    files: Iterable[CheckedFile],
    stored: list[QuoteAttachment],
    from_patient_reply: bool = False,
    **message,
) -> None:
    """Write checked files to private storage and record them; ``stored`` collects them for clean-up.

    Call inside a transaction; if it fails, delete the files in ``stored``.
    """
    for checked in files:
        attachment = QuoteAttachment(
            quote_request=quote_request,
            original_name=checked.original_name,
            kind=checked.kind,
            size=checked.size,
            sha256=checked.sha256,
            from_patient_reply=from_patient_reply,
            **message,  # patient_message= or message=: what it was sent with.
        )
        attachment.file.save("upload", checked.upload, save=False)
        stored.append(attachment)
        attachment.save()


def attachments_from_pending(
    *, quote_request: QuoteRequest, pending_uploads: Iterable[PendingUpload], moved: list[tuple[str, str]]
) -> None:
    """Make files kept for the form the request's attachments: moved, not copied; their rows deleted.

    Call inside a transaction; ``moved`` collects (new name, old name) to move back if it fails.
    Rows deleted meanwhile (expired and purged) are skipped.
    """
    chosen = [pending.pk for pending in pending_uploads]
    if not chosen:
        return
    for pending in PendingUpload.objects.select_for_update().filter(pk__in=chosen).order_by("created_at", "pk"):
        attachment = QuoteAttachment(
            quote_request=quote_request,
            original_name=pending.original_name,
            kind=pending.kind,
            size=pending.size,
            sha256=pending.sha256,
        )
        new_name = _move_private_file(pending.file.name, attachment_upload_to(attachment, "upload"))
        moved.append((new_name, pending.file.name))
        attachment.file.name = new_name
        attachment.save()
        pending.delete()


def _move_private_file(old_name: str, new_name: str) -> str:
    """Move a file within private storage: a rename on a file system, else a copy and a delete."""
    storage = QuoteAttachment._meta.get_field("file").storage
    try:
        source, target = storage.path(old_name), storage.path(new_name)
    except NotImplementedError:
        with storage.open(old_name) as content:
            saved = storage.save(new_name, content)
        storage.delete(old_name)
        return saved
    os.makedirs(os.path.dirname(target), exist_ok=True)
    os.replace(source, target)
    return new_name


def _submission_mail(quote_request: QuoteRequest) -> list:
    common = {
        "reference": quote_request.reference,
        "first_reply_due_at": quote_request.first_reply_due_at.isoformat(),
        "procedure": quote_request.procedure.name if quote_request.procedure else "",
    }
    rows = [
        notification_new(
            quote_request, quote_request.email, "patient_submitted", {**common, "name": quote_request.name}
        )
    ]
    admin_path = reverse("admin:quotes_quoterequest_change", args=[quote_request.pk])
    coordinator_context = {**common, "admin_path": admin_path, "country": quote_request.country_of_residence.code}
    rows += [
        notification_new(quote_request, address, "coordinator_new_request", coordinator_context)
        for address in coordinator_addresses(quote_request=quote_request)
    ]
    return rows
