"""Checking a patient's medical files before anything is stored, and keeping those of an unsent form.

The type is decided from the file's content, never from its name or the browser's claim.
Images Pillow can read are opened to check their pixel count (decompression bombs); a ZIP must
be a Word document (.docx, without macros) or hold only DICOM files, and its declared sizes are
checked before anything is read (zip bombs).

Files that passed the checks on a quote form shown again are kept as ``PendingUpload`` rows, tied
to the form's one-time key, so that the patient need not choose them again.
"""

import hashlib
import re
import unicodedata
import warnings
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

from quotes.models import PendingUpload, QuoteAttachment, hash_token

Kind = QuoteAttachment.Kind

HEIC_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1", b"avif"}
ZIP_MAX_MEMBERS = 5000
ZIP_MAX_UNCOMPRESSED = 2 * 1024 * 1024 * 1024
ZIP_MAX_RATIO = 200
PILLOW_KINDS = {Kind.JPEG: "JPEG", Kind.PNG: "PNG", Kind.WEBP: "WEBP"}
ACCEPTED_DESCRIPTION = _("PDF, JPEG, PNG, HEIC, WebP, Word (.docx), DICOM or a ZIP of DICOM files")
# The file inputs' ``accept`` attribute; the browser check (static/js/upload-check.js) reads its
# extensions too.
FILE_ACCEPT = (
    ".pdf,.jpg,.jpeg,.png,.heic,.heif,.webp,.docx,.dcm,.zip,application/pdf,image/*,"
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document,application/zip"
)
# An Office Open XML package is a Word document when it has these parts.
DOCX_PARTS = ("[Content_Types].xml", "word/document.xml")
DOCX_MAIN_TYPE = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
DOCX_MAX_CONTENT_TYPES_BYTES = 1024 * 1024
# Parts that hold macros (VBA), and the content types of macro-enabled Word files (.docm, .dotm).
MACRO_PARTS = {"vbaproject.bin", "vbadata.xml"}
# (Plain documents name other application/vnd.ms-word.* types, such as stylesWithEffects.)
MACRO_CONTENT_TYPES = (b"macroenabled", b"vbaproject")


@dataclass(frozen=True)
class CheckedFile:
    upload: UploadedFile
    original_name: str
    kind: str
    size: int
    sha256: str


@dataclass(frozen=True)
class CheckedUploads:
    """What ``check_uploads_separately`` found: the files that passed, and the refusals of the others."""

    passed: list[CheckedFile]
    errors: list[ValidationError]


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
        return Kind.DICOM_ZIP  # A Word document or a ZIP of DICOM files: ``_check_zip`` says which.
    return None


def _reject(name: str, message: str, code: str) -> ValidationError:
    return ValidationError(gettext("“%(name)s”: %(problem)s") % {"name": name, "problem": message}, code=code)


def _not_accepted() -> str:
    return gettext("we accept %(types)s; this file is none of those.") % {"types": ACCEPTED_DESCRIPTION}


def _check_image(upload: UploadedFile, name: str, kind: str) -> None:
    too_many_pixels = gettext("this image has too many pixels to be opened safely.")
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as image:
                width, height = image.size
                if width * height > settings.QUOTE_MAX_IMAGE_PIXELS:
                    raise _reject(name, too_many_pixels, "too_many_pixels")
                if image.format != PILLOW_KINDS[kind]:
                    raise _reject(name, gettext("this file is damaged or not what it seems."), "invalid_image")
                image.verify()
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _reject(name, too_many_pixels, "too_many_pixels") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise _reject(name, gettext("this image is damaged and cannot be opened."), "invalid_image") from exc
    finally:
        upload.seek(0)


def _is_docx(archive: zipfile.ZipFile) -> bool:
    names = set(archive.namelist())
    return all(part in names for part in DOCX_PARTS)


def _check_docx(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo], name: str) -> None:
    """A Word document: the main part is a document's, nothing holds macros, and its parts read whole."""
    if any(info.filename.rsplit("/", 1)[-1].lower() in MACRO_PARTS for info in members):
        raise _reject(name, _macro_message(), "docx_macros")
    types_info = archive.getinfo("[Content_Types].xml")
    if types_info.file_size > DOCX_MAX_CONTENT_TYPES_BYTES:
        raise _reject(name, _damaged_docx_message(), "invalid_docx")
    content_types = archive.read(types_info)
    if any(marker in content_types.lower() for marker in MACRO_CONTENT_TYPES):
        raise _reject(name, _macro_message(), "docx_macros")
    if DOCX_MAIN_TYPE not in content_types:
        # Another Office Open XML file (a spreadsheet, slides) dressed up with a word/ folder.
        raise _reject(name, _not_accepted(), "file_type")
    # Reading the document to its end checks its CRC: a damaged document is refused here.
    with archive.open("word/document.xml") as document:
        while document.read(1024 * 1024):
            pass


def _macro_message() -> str:
    return gettext(
        "this Word document contains macros, which we do not accept. Save it as a plain Word "
        "document (.docx) or as a PDF and choose it again."
    )


def _damaged_docx_message() -> str:
    return gettext("this Word document is damaged and cannot be opened. Save it again, or as a PDF.")


def _check_zip(upload: UploadedFile, name: str) -> str:
    """Check a ZIP file: return ``Kind.DOCX`` for a Word document, ``Kind.DICOM_ZIP`` for DICOM files."""
    upload.seek(0)
    is_docx = False
    try:
        with zipfile.ZipFile(upload) as archive:
            members = [info for info in archive.infolist() if not info.is_dir()]
            if not members:
                raise _reject(name, gettext("this ZIP file is empty."), "empty_zip")
            if len(members) > ZIP_MAX_MEMBERS:
                raise _reject(name, gettext("this ZIP file holds too many files."), "zip_too_many")
            declared = sum(info.file_size for info in members)
            compressed = max(1, sum(info.compress_size for info in members))
            if declared > ZIP_MAX_UNCOMPRESSED or declared / compressed > ZIP_MAX_RATIO:
                raise _reject(name, gettext("this file unpacks to far more than its size."), "zip_bomb")
            is_docx = _is_docx(archive)
            for info in members:
                if info.flag_bits & 0x1:
                    if is_docx:
                        raise _reject(
                            name,
                            gettext(
                                "this Word document is password-protected. Remove the password, or save it "
                                "as a PDF, and choose it again."
                            ),
                            "docx_encrypted",
                        )
                    raise _reject(name, gettext("this ZIP file is password-protected."), "zip_encrypted")
            if is_docx:
                _check_docx(archive, members, name)
                return Kind.DOCX
            for info in members:
                base = info.filename.rsplit("/", 1)[-1].upper()
                if base == "DICOMDIR" or base.startswith("."):
                    continue
                with archive.open(info) as member:
                    if not _is_dicom(member.read(132)):
                        raise _reject(
                            name,
                            gettext(
                                "a ZIP file may only hold DICOM images (scans exported from a CD). We accept %(types)s."
                            )
                            % {"types": ACCEPTED_DESCRIPTION},
                            "zip_not_dicom",
                        )
    except ValidationError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, RuntimeError, NotImplementedError) as exc:
        message = _damaged_docx_message() if is_docx else gettext("this ZIP file is damaged and cannot be opened.")
        raise _reject(name, message, "invalid_docx" if is_docx else "invalid_zip") from exc
    finally:
        upload.seek(0)
    return Kind.DICOM_ZIP


def check_upload(upload: UploadedFile) -> CheckedFile:
    """Check one uploaded file; raise ValidationError with a message naming the file."""
    name = clean_file_name(upload.name)
    if upload.size == 0:
        raise _reject(name, gettext("the file is empty."), "empty")
    if upload.size > settings.QUOTE_MAX_FILE_BYTES:
        raise _reject(
            name,
            gettext("the file is %(size)s; each file can be at most %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(settings.QUOTE_MAX_FILE_BYTES)},
            "file_too_large",
        )
    upload.seek(0)
    kind = sniff(upload.read(512))
    if kind is None:
        raise _reject(name, _not_accepted(), "file_type")
    if kind in PILLOW_KINDS:
        _check_image(upload, name, kind)
    elif kind == Kind.DICOM_ZIP:
        kind = _check_zip(upload, name)

    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedFile(upload=upload, original_name=name, kind=kind, size=upload.size, sha256=digest.hexdigest())


def check_uploads_separately(uploads: list[UploadedFile], *, kept: Iterable[PendingUpload] = ()) -> CheckedUploads:
    """Check a whole set of files, with those already kept for the form: count, total size, then each.

    The files that pass are returned with the refusals of the others, so that a form shown again can
    keep them. Over the count or total, nothing new passes: which ones to drop is the patient's choice.
    """
    kept = list(kept)
    count = len(uploads) + len(kept)
    if uploads and count > settings.QUOTE_MAX_FILES:
        if kept:
            message = gettext(
                "You chose %(chosen)s more files and %(kept)s are already attached; you can send at most "
                "%(limit)s. Remove some, or choose fewer."
            ) % {"chosen": len(uploads), "kept": len(kept), "limit": settings.QUOTE_MAX_FILES}
        else:
            message = gettext("You chose %(chosen)s files; you can send at most %(limit)s.") % {
                "chosen": len(uploads),
                "limit": settings.QUOTE_MAX_FILES,
            }
        return CheckedUploads([], [ValidationError(message, code="too_many_files")])
    total = sum(upload.size for upload in uploads) + sum(pending.size for pending in kept)
    if uploads and total > settings.QUOTE_MAX_TOTAL_BYTES:
        message = gettext(
            "Your files add up to %(total)s; together they can be at most %(limit)s. Choose fewer or "
            "smaller files (a PDF of a scan is often much smaller than its photos)."
        ) % {"total": filesizeformat(total), "limit": filesizeformat(settings.QUOTE_MAX_TOTAL_BYTES)}
        return CheckedUploads([], [ValidationError(message, code="total_too_large")])
    passed, errors = [], []
    for upload in uploads:
        try:
            passed.append(check_upload(upload))
        except ValidationError as exc:
            errors.extend(exc.error_list)
    return CheckedUploads(passed, errors)


def check_uploads(uploads: list[UploadedFile], *, kept: Iterable[PendingUpload] = ()) -> list[CheckedFile]:
    """Check a whole set of files: count, total size, then each file. Collects every error."""
    result = check_uploads_separately(uploads, kept=kept)
    if result.errors:
        raise ValidationError(result.errors)
    return result.passed


# Files kept from a quote form shown again ---------------------------------------------------------


def pending_uploads_for(*, form_key: str, drop: Iterable[str] = ()) -> list[PendingUpload]:
    """The files still kept for this form, less those the patient asked to remove (deleted now).

    A form's expired files are deleted on the way (the daily ``purge_requests`` catches the rest).
    """
    kept = PendingUpload.objects.for_form_key(form_key)
    drop_ids = {int(value) for value in drop if isinstance(value, str) and value.isdigit() and len(value) < 19}
    pending_uploads_delete(kept.expired() | kept.filter(pk__in=drop_ids))
    return list(kept.current())


def pending_uploads_keep(
    *, form_key: str, files: Iterable[CheckedFile], previous_form_key: str | None = None
) -> list[PendingUpload]:
    """Keep checked files for the form with this key; return all its kept files.

    ``previous_form_key``: the form had that key until now (shown again with a new stamp), and its
    kept files move to the new one.
    """
    written: list[PendingUpload] = []
    try:
        with transaction.atomic():
            if previous_form_key and previous_form_key != form_key:
                PendingUpload.objects.for_form_key(previous_form_key).update(form_key_hash=hash_token(form_key))
            for checked in files:
                pending = PendingUpload(
                    form_key_hash=hash_token(form_key),
                    original_name=checked.original_name,
                    kind=checked.kind,
                    size=checked.size,
                    sha256=checked.sha256,
                )
                pending.file.save("upload", checked.upload, save=False)
                written.append(pending)
                pending.save()
    except Exception:
        for pending in written:
            pending.file.storage.delete(pending.file.name)
        raise
    return list(PendingUpload.objects.for_form_key(form_key).current())


def pending_uploads_delete(pending_uploads) -> int:
    """Delete kept files and their rows (a QuerySet or a list); return how many."""
    count = 0
    for pending in list(pending_uploads):
        if pending.file.name:
            pending.file.storage.delete(pending.file.name)
        pending.delete()
        count += 1
    return count


def pending_uploads_purge() -> int:
    """Delete every kept file older than ``PENDING_UPLOAD_LIFETIME`` (``manage.py purge_requests``)."""
    return pending_uploads_delete(PendingUpload.objects.expired())
