"""Plain ``make_*`` factories: each makes one valid object, with any field overridable."""

import datetime
import io
import itertools
import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from facilities.models import (
    Accreditation,
    AccreditationBody,
    Facility,
    FacilityPhoto,
    FacilityProcedure,
    Language,
    Procedure,
    ProcedureCategory,
)
from facilities.services import facility_photo_add

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


# Quote requests ------------------------------------------------------------------------------------


def make_quote_request(*, facilities=(), **overrides):
    """A submitted quote request with its first status change, made directly (no form, no mail).

    Its status-page token is ``quote_request.status_token``.
    """
    import secrets

    from quotes.consents import CONSENT_VERSION
    from quotes.models import QuoteRequest, StatusChange, hash_token, new_reference, status_token

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
    if "preferred_language" not in fields:
        fields["preferred_language"] = Language.objects.get_or_create(code="en", defaults={"name": "English"})[0]
    quote_request = QuoteRequest.objects.create(**fields)
    quote_request.preferred_facilities.set(facilities)
    StatusChange.objects.create(quote_request=quote_request, from_status="", to_status=quote_request.status)
    return quote_request


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
