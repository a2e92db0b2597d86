"""Medical files: the accepted types (decided by content), the refusals, and how they are stored."""

import hashlib
import re
import zipfile
from pathlib import Path
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import OperationalError
from django.db.models import QuerySet

from quotes.models import PendingUpload, QuoteAttachment, QuoteRequest
from quotes.services.submission import quote_request_submit
from quotes.storage import PrivateStorage
from quotes.uploads import check_upload, check_uploads, clean_file_name
from tests.factories import form_data, png_claiming_size
from tests.quotes.helpers import (
    DICOM,
    EXE,
    HEIC,
    PDF,
    TEXT,
    cleaned_data,
    encrypted_zip,
    error_codes,
    jpeg,
    one,
    png,
    private_files,
    upload,
    webp,
    zip_bytes,
)

pytestmark = pytest.mark.django_db

STORED_NAME_RE = re.compile(r"^quote-files/\d{4}/\d{2}/[0-9a-f]{32}$")


def send_files(submit, *files, **overrides):
    return submit(form_data(files=list(files), **overrides))


def assert_refused(response, *codes: str):
    assert response.status_code == 200
    assert [code for code in error_codes(response).get("files", [])] == list(codes)
    assert not QuoteRequest.objects.exists()
    assert not QuoteAttachment.objects.exists()
    assert private_files() == []
    assert "please choose your medical files again" in response.content.decode()


# Accepted types -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("report.pdf", PDF, "pdf"),
        ("photo.jpg", jpeg(), "jpeg"),
        ("scan.png", png(), "png"),
        ("scan.webp", webp(), "webp"),
        ("IMG_0001.HEIC", HEIC, "heic"),
        ("IMG_0002.heif", b"\x00\x00\x00\x1cftypmif1" + b"\x00" * 64, "heic"),
        ("image.dcm", DICOM, "dicom"),
        (
            "DICOM-CD.zip",
            zip_bytes({"DICOM/IM0001": DICOM, "DICOM/IM0002": DICOM, "DICOMDIR": b"x" * 200}),
            "dicom_zip",
        ),
        ("stored.zip", zip_bytes({"a/IM1.dcm": DICOM}, compression=0), "dicom_zip"),
        ("report.jpg", PDF, "pdf"),  # The name does not decide the type.
        ("photo.png", jpeg(), "jpeg"),
        ("no-extension", PDF, "pdf"),
    ],
)
def test_accepted_types_are_recognised_by_content(name, content, kind):
    checked = check_upload(upload(name, content))
    assert checked.kind == kind
    assert checked.original_name == name
    assert checked.size == len(content)
    assert checked.sha256 == hashlib.sha256(content).hexdigest()


def test_every_accepted_type_is_stored_with_its_kind(submit, settings):
    files = [
        ("report.pdf", PDF),
        ("photo.jpg", jpeg()),
        ("scan.png", png()),
        ("scan.webp", webp()),
        ("IMG_0001.HEIC", HEIC),
        ("image.dcm", DICOM),
        ("cd.zip", zip_bytes({"DICOM/IM0001": DICOM, "DICOM/IM0002": DICOM})),
        ("renamed.jpg", PDF),
    ]
    response = send_files(submit, *(upload(name, content) for name, content in files))
    assert response.status_code == 302, error_codes(response)

    attachments = list(QuoteRequest.objects.get().attachments.all())
    assert [(a.original_name, a.kind) for a in attachments] == [
        ("report.pdf", "pdf"),
        ("photo.jpg", "jpeg"),
        ("scan.png", "png"),
        ("scan.webp", "webp"),
        ("IMG_0001.HEIC", "heic"),
        ("image.dcm", "dicom"),
        ("cd.zip", "dicom_zip"),
        ("renamed.jpg", "pdf"),
    ]
    for attachment, (_name, content) in zip(attachments, files, strict=True):
        assert attachment.size == len(content)
        assert attachment.sha256 == hashlib.sha256(content).hexdigest()
        assert STORED_NAME_RE.match(attachment.file.name)
        path = Path(attachment.file.path)
        assert path.read_bytes() == content
        assert path.is_relative_to(Path(settings.PRIVATE_MEDIA_ROOT).resolve())
        assert not path.is_relative_to(Path(settings.MEDIA_ROOT).resolve())
    assert len(private_files()) == len(files)
    assert len({a.file.name for a in attachments}) == len(files)  # Every stored name is new.


def test_no_files_is_fine(submit):
    response = submit(form_data())
    assert response.status_code == 302
    assert not QuoteAttachment.objects.exists()
    assert private_files() == []


# Refused files --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("scan.pdf", TEXT, "file_type"),
        ("photo.png", EXE, "file_type"),
        ("page.pdf", b"<html><script>alert(1)</script></html>", "file_type"),
        ("scan.jpg", b"\xff\xd8\xff\xe0" + b"\x13\x37" * 300, "invalid_image"),  # Damaged JPEG.
        ("scan.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 300, "invalid_image"),
        ("scan.png", png()[:-8] + b"XXXXXXXX", "invalid_image"),  # Bad checksum at the end.
        ("scan.webp", b"RIFF\x00\x00\x00\x00WEBPVP8 " + b"\x00" * 64, "invalid_image"),
        ("scan.jpg", png(), None),  # Accepted: a PNG named .jpg is a PNG (checked below).
        ("huge.png", png_claiming_size(20_000, 20_000), "too_many_pixels"),  # Decompression bomb.
        ("notes.zip", zip_bytes({"notes.txt": b"hello"}), "zip_not_dicom"),
        ("mixed.zip", zip_bytes({"IM1": DICOM, "virus.exe": EXE}), "zip_not_dicom"),
        ("bomb.zip", zip_bytes({"IM1": DICOM[:132] + b"\x00" * 2_000_000}), "zip_bomb"),
        ("locked.zip", encrypted_zip({"IM1": DICOM}), "zip_encrypted"),
        ("empty.zip", zip_bytes({"folder/": b""}), "empty_zip"),
        ("broken.zip", b"PK\x03\x04" + b"junk" * 100, "invalid_zip"),
    ],
)
def test_refused_files_are_named_in_the_error(name, content, code):
    if code is None:
        assert check_upload(upload(name, content)).kind == "png"
        return
    with pytest.raises(ValidationError) as caught:
        check_upload(upload(name, content))
    assert [error.code for error in caught.value.error_list] == [code]
    assert caught.value.messages[0].startswith(f"“{name}”: ")


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("scan.pdf", TEXT, "file_type"),
        ("photo.png", EXE, "file_type"),
        ("notes.zip", zip_bytes({"IM1": DICOM, "notes.txt": b"hello"}), "zip_not_dicom"),
        ("bomb.zip", zip_bytes({"IM1": DICOM[:132] + b"\x00" * 2_000_000}), "zip_bomb"),
        ("broken.jpg", b"\xff\xd8\xff\xe0" + b"\x13\x37" * 300, "invalid_image"),
        ("huge.png", png_claiming_size(20_000, 20_000), "too_many_pixels"),
        ("empty.pdf", b"", "empty"),
    ],
)
def test_a_refused_file_saves_nothing(submit, name, content, code):
    response = send_files(submit, upload(name, content))
    assert_refused(response, code)
    if content:  # Django's own check of an empty file does not name it.
        assert name in response.content.decode()


def test_one_bad_file_among_good_ones_sends_nothing_and_keeps_the_good_ones(submit):
    response = send_files(submit, upload("good.pdf", PDF), upload("bad.pdf", TEXT), upload("good.jpg", jpeg()))
    assert error_codes(response) == {"files": ["file_type"]}
    assert not QuoteRequest.objects.exists()
    assert not QuoteAttachment.objects.exists()
    assert sorted(PendingUpload.objects.values_list("original_name", flat=True)) == ["good.jpg", "good.pdf"]
    assert [path.parent.name for path in private_files()] == ["pending-files", "pending-files"]


def test_every_bad_file_is_reported(submit):
    response = send_files(submit, upload("one.pdf", TEXT), upload("two.png", EXE))
    assert_refused(response, "file_type", "file_type")
    html = response.content.decode()
    assert "one.pdf" in html
    assert "two.png" in html


def test_a_file_over_the_size_limit_is_refused(submit, settings):
    settings.QUOTE_MAX_FILE_BYTES = 1000
    response = send_files(submit, upload("big.pdf", PDF + b"\x00" * 1000))
    assert_refused(response, "file_too_large")
    assert "each file can be at most 1000\xa0bytes" in response.context["form"].errors["files"][0]


def test_a_file_at_the_size_limit_is_accepted(submit, settings):
    content = PDF + b"\x00" * (1000 - len(PDF))
    settings.QUOTE_MAX_FILE_BYTES = 1000
    assert send_files(submit, upload("exact.pdf", content)).status_code == 302
    assert QuoteAttachment.objects.get().size == 1000


def test_files_over_the_total_limit_are_refused(submit, settings):
    settings.QUOTE_MAX_FILE_BYTES = 1000
    settings.QUOTE_MAX_TOTAL_BYTES = 1500
    content = PDF + b"\x00" * (800 - len(PDF))
    response = send_files(submit, upload("a.pdf", content), upload("b.pdf", content))
    assert_refused(response, "total_too_large")


def test_more_files_than_allowed_are_refused(submit, settings):
    settings.QUOTE_MAX_FILES = 2
    response = send_files(submit, *(upload(f"scan{n}.pdf", PDF) for n in range(3)))
    assert_refused(response, "too_many_files")


def test_as_many_files_as_allowed_are_accepted(submit, settings):
    settings.QUOTE_MAX_FILES = 2
    assert send_files(submit, upload("a.pdf", PDF), upload("b.pdf", PDF)).status_code == 302
    assert QuoteAttachment.objects.count() == 2


def test_the_pixel_limit_setting_is_honoured(settings):
    settings.QUOTE_MAX_IMAGE_PIXELS = 10_000
    assert check_upload(upload("small.png", png(size=(100, 100)))).kind == "png"
    for name, content in (("big.png", png(size=(101, 100))), ("big.jpg", jpeg(size=(200, 100)))):
        with pytest.raises(ValidationError) as caught:
            check_upload(upload(name, content))
        assert caught.value.error_list[0].code == "too_many_pixels"


def test_a_zip_over_the_compression_ratio_is_refused_before_it_is_read():
    content = zip_bytes({"IM1": DICOM[:132] + b"\x00" * 500_000})
    with mock.patch("zipfile.ZipFile.open") as opened, pytest.raises(ValidationError) as caught:
        check_upload(upload("bomb.zip", content))
    assert caught.value.error_list[0].code == "zip_bomb"
    opened.assert_not_called()


def test_count_and_total_are_checked_before_any_file_is_read(settings):
    settings.QUOTE_MAX_FILES = 1
    with mock.patch("quotes.uploads.check_upload") as checked, pytest.raises(ValidationError):
        check_uploads([upload("a.pdf", PDF), upload("b.pdf", PDF)])
    checked.assert_not_called()


# File names and where files go ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\x\\scan.pdf", "scan.pdf"),
        ("/var/www/../scan.pdf", "scan.pdf"),
        ("scan\x00.pdf", "scan.pdf"),
        ("scan\r\n.pdf", "scan.pdf"),
        ("\u202efdp.exe", "fdp.exe"),  # A right-to-left override is a control character.
        ("..", "file"),
        ("", "file"),
        ("...pdf", "pdf"),
        ("e\u0301cho.pdf", "\u00e9cho.pdf"),  # Normalised to NFC.
        ("x" * 300 + ".pdf", ("x" * 300 + ".pdf")[-200:]),
    ],
)
def test_file_names_keep_only_their_last_part(given, kept):
    assert clean_file_name(given) == kept


@pytest.mark.parametrize("given", ["../../etc/passwd.pdf", "C:\\Users\\x\\scan.pdf", "..\\..\\windows\\scan.pdf"])
def test_a_path_in_the_uploaded_name_is_dropped(given):
    file = upload("placeholder.pdf", PDF)
    file._name = given  # As another upload handler might pass it on, unsanitised.
    assert "/" not in check_upload(file).original_name
    assert "\\" not in check_upload(file).original_name
    assert check_upload(file).original_name.endswith(".pdf")


def multipart_body(fields: dict, files: list[tuple[str, bytes]], boundary: str = "QuoteBoundary7MA4YWxk") -> bytes:
    """A multipart body with the file names exactly as given (the test client would shorten them)."""
    parts = []
    for key, values in fields.items():
        for value in values if isinstance(values, list) else [values]:
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode())
    for filename, content in files:
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{filename}"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        )
        parts.append(head.encode() + content + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode()


def test_paths_sent_as_file_names_are_stored_as_the_last_part_only(client, quote_url, settings, catalogue):
    names = ["../../etc/passwd.pdf", "C:\\Users\\x\\scan.pdf"]
    body = multipart_body(form_data(), [(name, PDF) for name in names])
    response = client.post(quote_url, body, content_type="multipart/form-data; boundary=QuoteBoundary7MA4YWxk")
    assert response.status_code == 302, error_codes(response)

    attachments = list(QuoteAttachment.objects.all())
    assert [a.original_name for a in attachments] == ["passwd.pdf", "scan.pdf"]
    private_root = Path(settings.PRIVATE_MEDIA_ROOT).resolve()
    for attachment in attachments:
        assert STORED_NAME_RE.match(attachment.file.name)
        assert Path(attachment.file.path).resolve().is_relative_to(private_root)
    assert not Path("/etc/passwd.pdf").exists()
    media = Path(settings.MEDIA_ROOT)
    assert not media.exists() or not any(media.rglob("*"))


def test_the_stored_file_is_byte_for_byte_what_was_sent(submit):
    content = jpeg(size=(120, 80), color=(200, 10, 10))
    assert send_files(submit, upload("knee.jpg", content)).status_code == 302
    attachment = QuoteAttachment.objects.get()
    with attachment.file.open("rb") as stored:
        assert stored.read() == content
    assert attachment.sha256 == hashlib.sha256(content).hexdigest()
    assert attachment.size == len(content)


# Failures while saving leave no files behind ----------------------------------------------------


def checked_pdfs(count: int):
    return check_uploads([upload(f"scan{n}.pdf", PDF + bytes([n])) for n in range(count)])


def test_a_repeated_submission_racing_the_first_leaves_no_files(catalogue):
    """Two requests with the same form key at once: the loser's files are removed."""
    data = cleaned_data()
    first = quote_request_submit(**data, files=checked_pdfs(1), submission_key="k" * 32)
    assert len(private_files()) == 1

    real_first = QuerySet.first
    looked = []

    def first_misses_once(queryset):
        if queryset.model is QuoteRequest and not looked:
            looked.append(True)
            return None  # As if the other request had not committed yet.
        return real_first(queryset)

    with mock.patch.object(QuerySet, "first", first_misses_once):
        second = quote_request_submit(**data, files=checked_pdfs(2), submission_key="k" * 32)
    assert looked
    assert second.created is False
    assert second.quote_request.pk == first.quote_request.pk
    assert QuoteRequest.objects.count() == 1
    assert len(private_files()) == 1


def test_a_failure_while_saving_leaves_no_files(catalogue):
    data = cleaned_data()
    real_save = PrivateStorage._save
    calls = []

    def fail_on_second(storage, name, content):
        calls.append(name)
        if len(calls) == 2:
            raise OSError("No space left on device")
        return real_save(storage, name, content)

    with mock.patch.object(PrivateStorage, "_save", fail_on_second), pytest.raises(OSError):
        quote_request_submit(**data, files=checked_pdfs(2), submission_key="f" * 32)
    assert not QuoteRequest.objects.exists()
    assert private_files() == []


def test_a_database_failure_after_the_files_are_written_leaves_no_files(catalogue):
    with (
        mock.patch("quotes.services.submission._submission_mail", side_effect=OperationalError("database is locked")),
        pytest.raises(OperationalError),
    ):
        quote_request_submit(**cleaned_data(), files=checked_pdfs(2), submission_key="d" * 32)
    assert not QuoteRequest.objects.exists()
    assert not QuoteAttachment.objects.exists()
    assert private_files() == []


# Word documents -------------------------------------------------------------------------------

DOCX_CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/word/document.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    # Word itself writes this plain (not macro) type into ordinary documents.
    b'<Override PartName="/word/stylesWithEffects.xml" ContentType="application/vnd.ms-word.stylesWithEffects+xml"/>'
    b"</Types>"
)
DOCX_DOCUMENT = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    b"<w:body><w:p><w:r><w:t>Discharge letter: lumbar disc herniation L4-L5.</w:t></w:r></w:p></w:body>"
    b"</w:document>"
)


def docx_bytes(
    *, content_types: bytes = DOCX_CONTENT_TYPES, compression: int = zipfile.ZIP_DEFLATED, extra: dict | None = None
) -> bytes:
    """A minimal Office Open XML word-processing package, as Word writes one (parts in its order)."""
    return zip_bytes(
        {
            "[Content_Types].xml": content_types,
            "_rels/.rels": b'<?xml version="1.0"?><Relationships/>',
            "word/document.xml": DOCX_DOCUMENT,
            "word/stylesWithEffects.xml": b"<w:styles/>",
            **(extra or {}),
        },
        compression,
    )


def damaged_docx() -> bytes:
    """A stored (uncompressed) .docx whose document text no longer matches its checksum."""
    data = bytearray(docx_bytes(compression=zipfile.ZIP_STORED))
    at = data.find(b"Discharge letter")
    data[at] = ord("d")
    return bytes(data)


def test_a_word_document_is_accepted_as_docx():
    checked = check_upload(upload("letter.docx", docx_bytes()))
    assert checked.kind == QuoteAttachment.Kind.DOCX


def test_a_word_document_is_stored_with_its_kind(submit):
    assert send_files(submit, upload("letter.docx", docx_bytes())).status_code == 302
    attachment = QuoteAttachment.objects.get()
    assert (attachment.kind, attachment.original_name) == ("docx", "letter.docx")


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (docx_bytes(extra={"word/vbaProject.bin": b"\xd0\xcf\x11\xe0 macros"}), "docx_macros"),
        (
            docx_bytes(
                content_types=DOCX_CONTENT_TYPES.replace(b"wordprocessingml.document.main+xml", b"x").replace(
                    b"</Types>",
                    b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>',
                )
            ),
            "docx_macros",
        ),
        (
            docx_bytes(
                content_types=DOCX_CONTENT_TYPES.replace(
                    b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
                    b"application/vnd.ms-word.document.macroEnabled.main+xml",
                )
            ),
            "docx_macros",
        ),
        (
            encrypted_zip({"[Content_Types].xml": DOCX_CONTENT_TYPES, "word/document.xml": DOCX_DOCUMENT}),
            "docx_encrypted",
        ),
        (damaged_docx(), "invalid_docx"),
        (docx_bytes(extra={"word/media/padding.bin": b"\x00" * 3_000_000}), "zip_bomb"),
        # A spreadsheet with a word/ folder added is not a Word document.
        (
            docx_bytes(
                content_types=DOCX_CONTENT_TYPES.replace(
                    b"wordprocessingml.document.main+xml", b"spreadsheetml.sheet.main+xml"
                )
            ),
            "file_type",
        ),
        # An encrypted Office file is an OLE compound file, not a ZIP.
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "file_type"),
    ],
    ids=["vba-part", "vba-content-type", "docm", "encrypted", "damaged", "bomb", "not-word", "ole-encrypted"],
)
def test_unsafe_or_broken_word_documents_are_refused(submit, content, code):
    response = send_files(submit, upload("letter.docx", content))
    assert_refused(response, code)
    assert "letter.docx" in response.context["form"].errors["files"][0]


def test_a_docx_with_too_many_parts_is_refused_before_it_is_read(monkeypatch):
    monkeypatch.setattr("quotes.uploads.ZIP_MAX_MEMBERS", 3)
    content = docx_bytes()  # Four parts.
    with mock.patch("zipfile.ZipFile.open") as opened, pytest.raises(ValidationError) as caught:
        check_upload(upload("letter.docx", content))
    assert caught.value.error_list[0].code == "zip_too_many"
    opened.assert_not_called()


def test_refusals_say_plainly_which_types_are_accepted():
    with pytest.raises(ValidationError) as caught:
        check_upload(upload("notes.txt", TEXT))
    message = caught.value.error_list[0].message
    assert message.startswith("“notes.txt”: we accept PDF, JPEG, PNG, HEIC, WebP, Word (.docx), DICOM or a ZIP")
    with pytest.raises(ValidationError) as caught:
        check_upload(upload("notes.zip", zip_bytes({"notes.txt": b"hello"})))
    assert "Word (.docx)" in caught.value.error_list[0].message


def test_the_error_messages_are_translated():
    with (
        mock.patch("quotes.uploads.gettext", side_effect=lambda text: "[fr] " + text),
        pytest.raises(ValidationError) as caught,
    ):
        check_upload(upload("notes.txt", TEXT))
    assert caught.value.error_list[0].message.startswith("[fr] “notes.txt”: [fr] we accept")


def test_the_file_inputs_accept_word_documents(client, quote_url, catalogue):
    from quotes.patient_forms import FILE_ACCEPT

    html = client.get(quote_url).content.decode()
    assert ".docx" in FILE_ACCEPT.split(",")
    assert ".docx" in one(html, "input", name="files")["accept"].split(",")
    assert "Word (.docx)" in html
