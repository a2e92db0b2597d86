"""Checking a patient's medical files before anything is stored.

The type is decided from the file's content, never from its name or the browser's claim.
Images Pillow can read are opened to check their pixel count (decompression bombs); a ZIP must
hold only DICOM files, and its declared sizes are checked before anything is read (zip bombs).
"""

import hashlib
import re
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from PIL import Image, UnidentifiedImageError

from quotes.models import QuoteAttachment

Kind = QuoteAttachment.Kind

HEIC_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1", b"avif"}
ZIP_MAX_MEMBERS = 5000
ZIP_MAX_UNCOMPRESSED = 2 * 1024 * 1024 * 1024
ZIP_MAX_RATIO = 200
PILLOW_KINDS = {Kind.JPEG: "JPEG", Kind.PNG: "PNG", Kind.WEBP: "WEBP"}
ACCEPTED_DESCRIPTION = "PDF, JPEG, PNG, HEIC, WebP, DICOM or a ZIP of DICOM files"


@dataclass(frozen=True)
class CheckedFile:
    upload: UploadedFile
    original_name: str
    kind: str
    size: int
    sha256: str


def clean_file_name(name: str) -> str:
    """The last part of a path, without control characters, at most 200 characters."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip().strip(".")
    return name[-200:] or "file"


def _is_dicom(head: bytes) -> bool:
    return len(head) >= 132 and head[128:132] == b"DICM"


def sniff(head: bytes) -> str | None:
    """The file's type from its first bytes, or None if it is not one we accept."""
    if head.startswith(b"%PDF-"):
        return Kind.PDF
    if head.startswith(b"\xff\xd8\xff"):
        return Kind.JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return Kind.PNG
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return Kind.WEBP
    if head[4:8] == b"ftyp" and head[8:12] in HEIC_BRANDS:
        return Kind.HEIC
    if _is_dicom(head):
        return Kind.DICOM
    if head.startswith(b"PK\x03\x04"):
        return Kind.DICOM_ZIP  # Confirmed by ``_check_zip``.
    return None


def _reject(name: str, message: str, code: str) -> ValidationError:
    return ValidationError(f"“{name}”: {message}", code=code)


def _check_image(upload: UploadedFile, name: str, kind: str) -> None:
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as image:
                width, height = image.size
                if width * height > settings.QUOTE_MAX_IMAGE_PIXELS:
                    raise _reject(name, "this image has too many pixels to be opened safely.", "too_many_pixels")
                if image.format != PILLOW_KINDS[kind]:
                    raise _reject(name, "this file is damaged or not what it seems.", "invalid_image")
                image.verify()
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _reject(name, "this image has too many pixels to be opened safely.", "too_many_pixels") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise _reject(name, "this image is damaged and cannot be opened.", "invalid_image") from exc
    finally:
        upload.seek(0)


def _check_zip(upload: UploadedFile, name: str) -> None:
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            members = [info for info in archive.infolist() if not info.is_dir()]
            if not members:
                raise _reject(name, "this ZIP file is empty.", "empty_zip")
            if len(members) > ZIP_MAX_MEMBERS:
                raise _reject(name, "this ZIP file holds too many files.", "zip_too_many")
            declared = sum(info.file_size for info in members)
            compressed = max(1, sum(info.compress_size for info in members))
            if declared > ZIP_MAX_UNCOMPRESSED or declared / compressed > ZIP_MAX_RATIO:
                raise _reject(name, "this ZIP file unpacks to far more than its size.", "zip_bomb")
            for info in members:
                if info.flag_bits & 0x1:
                    raise _reject(name, "this ZIP file is password-protected.", "zip_encrypted")
                base = info.filename.rsplit("/", 1)[-1].upper()
                if base == "DICOMDIR" or base.startswith("."):
                    continue
                with archive.open(info) as member:
                    if not _is_dicom(member.read(132)):
                        raise _reject(
                            name, "a ZIP file may only hold DICOM images (scans exported from a CD).", "zip_not_dicom"
                        )
    except ValidationError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, RuntimeError, NotImplementedError) as exc:
        raise _reject(name, "this ZIP file is damaged and cannot be opened.", "invalid_zip") from exc
    finally:
        upload.seek(0)


def check_upload(upload: UploadedFile) -> CheckedFile:
    """Check one uploaded file; raise ValidationError with a message naming the file."""
    name = clean_file_name(upload.name)
    if upload.size == 0:
        raise _reject(name, "the file is empty.", "empty")
    if upload.size > settings.QUOTE_MAX_FILE_BYTES:
        raise _reject(
            name,
            f"the file is {filesizeformat(upload.size)}; each file can be at most "
            f"{filesizeformat(settings.QUOTE_MAX_FILE_BYTES)}.",
            "file_too_large",
        )
    upload.seek(0)
    kind = sniff(upload.read(512))
    if kind is None:
        raise _reject(name, f"we accept {ACCEPTED_DESCRIPTION}; this file is none of those.", "file_type")
    if kind in PILLOW_KINDS:
        _check_image(upload, name, kind)
    elif kind == Kind.DICOM_ZIP:
        _check_zip(upload, name)

    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedFile(upload=upload, original_name=name, kind=kind, size=upload.size, sha256=digest.hexdigest())


def check_uploads(uploads: list[UploadedFile]) -> list[CheckedFile]:
    """Check a whole set of files: count, total size, then each file. Collects every error."""
    if len(uploads) > settings.QUOTE_MAX_FILES:
        raise ValidationError(
            f"You chose {len(uploads)} files; you can send at most {settings.QUOTE_MAX_FILES}.", code="too_many_files"
        )
    total = sum(upload.size for upload in uploads)
    if total > settings.QUOTE_MAX_TOTAL_BYTES:
        raise ValidationError(
            f"Your files add up to {filesizeformat(total)}; together they can be at most "
            f"{filesizeformat(settings.QUOTE_MAX_TOTAL_BYTES)}.",
            code="total_too_large",
        )
    checked, errors = [], []
    for upload in uploads:
        try:
            checked.append(check_upload(upload))
        except ValidationError as exc:
            errors.extend(exc.error_list)
    if errors:
        raise ValidationError(errors)
    return checked
