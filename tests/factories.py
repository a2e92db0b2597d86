"""Plain ``make_*`` factories: each makes one valid object, with any field overridable."""

import datetime
import hashlib
import io
import itertools
import secrets
import struct
import zlib
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser, Group
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from facilities.models import (
    Accreditation,
    AccreditationBody,
    Facility,
    FacilityMembership,
    FacilityPhoto,
    FacilityProcedure,
    Language,
    Procedure,
    ProcedureCategory,
)
from facilities.services import facility_photo_add
from quotes.consents import CONSENT_VERSION
from quotes.models import (
    OPEN_STATUSES,
    FacilityCase,
    FacilityQuote,
    FacilityQuoteItem,
    QuoteAttachment,
    QuoteRequest,
    StatusChange,
    hash_token,
    new_case_reference,
    new_reference,
    status_token,
)

_seq = itertools.count(1)


def _n() -> int:
    return next(_seq)


def make_body(**overrides) -> AccreditationBody:
    n = _n()
    fields = {"name": f"Accreditation Council {n}", "abbreviation": f"AC{n}", "slug": f"ac{n}"}
    fields.update(overrides)
    return AccreditationBody.objects.create(**fields)


def make_language(**overrides) -> Language:
    n = _n()
    fields = {"code": f"l{n}", "name": f"Language {n}"}
    fields.update(overrides)
    return Language.objects.create(**fields)


def make_facility(*, accredited: bool = True, **overrides) -> Facility:
    """A facility; published and currently accredited (so listed) unless told otherwise."""
    n = _n()
    fields = {
        "name": f"Facility {n}",
        "slug": f"facility-{n}",
        "country": "TR",
        "city": "Istanbul",
        "description": "A hospital for tests.",
        "is_published": True,
    }
    fields.update(overrides)
    facility = Facility.objects.create(**fields)
    if accredited:
        make_accreditation(facility=facility)
    return facility


def make_accreditation(**overrides) -> Accreditation:
    today = timezone.localdate()
    fields = {
        "programme": "Hospital Accreditation",
        "level": "Gold",
        "awarded_on": today - datetime.timedelta(days=365),
        "expires_on": today + datetime.timedelta(days=365),
        "status": Accreditation.Status.ACTIVE,
        "verification_url": "https://example.org/verify",
    }
    fields.update(overrides)
    if "facility" not in fields:
        fields["facility"] = make_facility(accredited=False)
    if "body" not in fields:
        fields["body"] = make_body()
    return Accreditation.objects.create(**fields)


def make_category(**overrides) -> ProcedureCategory:
    n = _n()
    fields = {"name": f"Category {n}", "slug": f"category-{n}"}
    fields.update(overrides)
    return ProcedureCategory.objects.create(**fields)


def make_procedure(**overrides) -> Procedure:
    n = _n()
    fields = {"name": f"Procedure {n}", "slug": f"procedure-{n}"}
    fields.update(overrides)
    if "category" not in fields:
        fields["category"] = make_category()
    return Procedure.objects.create(**fields)


def make_offer(**overrides) -> FacilityProcedure:
    fields = {"price_from": 10_000, "price_to": 15_000, "includes": "Surgery and three nights."}
    fields.update(overrides)
    if "facility" not in fields:
        fields["facility"] = make_facility()
    if "procedure" not in fields:
        fields["procedure"] = make_procedure()
    return FacilityProcedure.objects.create(**fields)


def image_bytes(*, size=(800, 600), fmt="JPEG", color=(30, 120, 160), exif: bytes | None = None) -> bytes:
    buffer = io.BytesIO()
    image = Image.new("RGB", size, color)
    kwargs = {"exif": exif} if exif is not None else {}
    image.save(buffer, format=fmt, **kwargs)
    return buffer.getvalue()


def make_upload(name: str = "photo.jpg", content: bytes | None = None, content_type: str = "image/jpeg"):
    return SimpleUploadedFile(name, content if content is not None else image_bytes(), content_type=content_type)


def make_photo(**overrides) -> FacilityPhoto:
    fields = {"alt_text": "The hospital entrance", "caption": "", "position": 0}
    fields.update(overrides)
    if "facility" not in fields:
        fields["facility"] = make_facility()
    upload = fields.pop("upload", None) or make_upload()
    return facility_photo_add(upload=upload, **fields)


def png_claiming_size(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims a huge canvas: the classic decompression bomb shape."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    row = b"\x00" + b"\x00" * ((width + 7) // 8)
    body = zlib.compress(row * 8)  # Only a few rows: enough for Pillow to identify the file.
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


# Quote requests, their files, staff and facility quotes --------------------------------------------

# The smallest file that the upload checks accept as a PDF.
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
STAFF_PASSWORD = "a long staff passphrase"


def build_quote_request(**overrides) -> QuoteRequest:
    """An unsaved, valid quote request as a patient submits it (``bulk_create`` takes a list of them).

    Its status-page token is ``quote_request.status_token``.
    """
    now = timezone.now()
    salt = overrides.pop("status_salt", None) or secrets.token_hex(16)
    fields = {
        "reference": new_reference(),
        "name": "Ana Patient",
        "email": "ana@example.org",
        "phone": "+44 20 7946 0000",
        "country_of_residence": "GB",
        "suggest_facilities": True,
        "condition": "Lower back pain for two years.",
        "consent_version": CONSENT_VERSION,
        "consent_health_data_at": now,
        "consent_sharing_at": now,
        "first_reply_due_at": now + datetime.timedelta(hours=48),
        "status_salt": salt,
        "status_token_hash": hash_token(status_token(salt)),
        "submission_key": secrets.token_hex(16),
    }
    fields.update(overrides)
    if fields.get("status", QuoteRequest.Status.SUBMITTED) not in OPEN_STATUSES:
        fields.setdefault("closed_at", now)  # As the move to accepted or closed stamps it.
    if "preferred_language" not in fields:
        fields["preferred_language"] = Language.objects.get_or_create(code="en", defaults={"name": "English"})[0]
    return QuoteRequest(**fields)


def make_quote_request(*, facilities=(), created_at: datetime.datetime | None = None, **overrides) -> QuoteRequest:
    """A saved quote request with its first status change, made directly (no form, no service, no mail).

    ``status`` may be any status: the request is then as if it had been moved there.
    """
    quote_request = build_quote_request(**overrides)
    quote_request.save()
    quote_request.preferred_facilities.set(facilities)
    StatusChange.objects.create(quote_request=quote_request, from_status="", to_status=quote_request.status)
    if created_at is not None:
        # auto_now_add overwrites whatever create() is given.
        QuoteRequest.objects.filter(pk=quote_request.pk).update(created_at=created_at)
        quote_request.refresh_from_db()
    return quote_request


def make_attachment(
    *, quote_request: QuoteRequest | None = None, name="mri report.pdf", content=PDF, kind="pdf", **overrides
) -> QuoteAttachment:
    """A patient's file on a quote request, written to private storage as an upload would be."""
    fields = {
        "original_name": name,
        "kind": kind,
        "size": len(content),
        "sha256": hashlib.sha256(content).hexdigest(),
    }
    fields.update(overrides)
    attachment = QuoteAttachment(quote_request=quote_request or make_quote_request(), **fields)
    attachment.file.save("upload", ContentFile(content), save=False)
    attachment.save()
    return attachment


def make_staff(
    *, username: str | None = None, group: str | None = None, password: str = STAFF_PASSWORD, **overrides
) -> AbstractUser:
    """A member of staff (may sign in to the admin), in ``group`` if named (the apps' migrations make them)."""
    fields = {"username": username or f"staff{_n()}", "password": password, "is_staff": True}
    fields.update(overrides)
    user = get_user_model().objects.create_user(**fields)
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


def make_facility_quote(
    *,
    quote_request: QuoteRequest | None = None,
    facility: Facility | None = None,
    lines=(("surgeon", "5000.00", "Lead surgeon and assistant"),),
    valid_days: int = 30,
    **overrides,
) -> FacilityQuote:
    """A facility's itemised quote (a draft unless told otherwise), one item per ``(category, amount[,
    description])`` line, valid for ``valid_days`` days from today."""
    fields = {"valid_until": timezone.localdate() + datetime.timedelta(days=valid_days)}
    fields.update(overrides)
    quote = FacilityQuote.objects.create(
        quote_request=quote_request or make_quote_request(), facility=facility or make_facility(), **fields
    )
    for category, amount, *rest in lines:
        description = rest[0] if rest else ""
        FacilityQuoteItem.objects.create(
            quote=quote, category=category, amount=Decimal(str(amount)), description=description
        )
    return quote


def form_data(**overrides) -> dict:
    """A valid POST for the quote form (with a fresh signed stamp); an override of None drops the key."""
    from quotes.forms import new_form_stamp

    Language.objects.get_or_create(code="en", defaults={"name": "English"})
    data = {
        "name": "Ana Patient",
        "email": "ana@example.org",
        "phone": "+44 20 7946 0000",
        "country_of_residence": "GB",
        "preferred_language": "en",
        "procedure": "",
        "suggest_facilities": "on",
        "budget_currency": "USD",
        "condition": "Lower back pain for two years.",
        "consent_health_data": "on",
        "consent_sharing": "on",
        "website": "",
        "stamp": new_form_stamp(),
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def make_facility_user(*, facility: Facility | None = None, role: str = "case_handler", **overrides) -> AbstractUser:
    """A person of a facility's international-patient office (not staff), with an e-mail address."""
    n = _n()
    fields = {"username": f"office{n}", "email": f"office{n}@hospital.example", "password": STAFF_PASSWORD}
    fields.update(overrides)
    user = get_user_model().objects.create_user(**fields)
    FacilityMembership.objects.create(user=user, facility=facility or make_facility(), role=role)
    return user


# A complete answer for every item of a facility's quote: (category, state, amount).
FULL_QUOTE_LINES = [
    ("surgeon", "included", "5000.00"),
    ("anaesthesia", "included", "900.00"),
    ("implants", "included", "2100.00"),
    ("hospital_nights", "included_free", None),
    ("tests", "included", "300.00"),
    ("medication", "included_free", None),
    ("physiotherapy", "not_included", None),
    ("follow_up", "included_free", None),
    ("hotel", "not_included", None),
    ("transfers", "included_free", None),
    ("other", "not_applicable", None),
]


def make_case(*, quote_request: QuoteRequest, facility: Facility | None = None, **overrides) -> FacilityCase:
    """A case of ``quote_request`` with ``facility`` (a new one, with an office user, by default),
    made directly: what sharing leaves before the request is moved to "sent to facilities"."""
    if facility is None:
        facility = make_facility()
        make_facility_user(facility=facility)
    now = timezone.now()
    fields = {"due_at": now + datetime.timedelta(days=3), "remind_at": now + datetime.timedelta(days=2)}
    fields.update(overrides)
    return FacilityCase.objects.create(
        reference=new_case_reference(), quote_request=quote_request, facility=facility, **fields
    )


def page_text(html: str) -> str:
    """What a reader sees of ``html``: the text without tags, entities decoded, spaces collapsed.

    For checking words that markup may interrupt (a price is ``from <span class="money">…``).
    """
    import html as html_module
    import re

    text = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S | re.I)
    text = re.sub(r"<[^>]+>", "", text)
    return re.sub(r"\s+", " ", html_module.unescape(text))
