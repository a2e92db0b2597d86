"""Small helpers for reading pages and building uploads in the quote tests."""

import io
import re
import zipfile
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.factories import PDF as PDF
from tests.factories import image_bytes

HEIC = b"\x00\x00\x00\x18ftypheic" + b"\x00\x00\x00\x00mif1heic" + b"\x00" * 64
DICOM = b"\x00" * 128 + b"DICM" + b"\x02\x00\x00\x00UL\x04\x00\x9a\x00\x00\x00" + b"\x01" * 64
TEXT = b"Just some notes, certainly not a PDF.\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200
STATUS_LINK_RE = re.compile(r"/quote/status/([A-Za-z0-9_-]{43})/")

# The quote workflow as designed (DESIGN.md, "The quote workflow"), spelled out. Tests take their
# expectations from these, never from quotes.models.TRANSITIONS, so that a wrong edge there fails
# a test instead of being copied into it.
STATUSES = ("submitted", "in_review", "awaiting_patient", "sent_to_facilities", "quoted", "accepted", "closed")
OPEN_STATUSES = ("submitted", "in_review", "awaiting_patient", "sent_to_facilities", "quoted")
WORKFLOW_MOVES = (
    ("submitted", "in_review"),
    ("submitted", "closed"),
    ("in_review", "awaiting_patient"),
    ("in_review", "sent_to_facilities"),
    ("in_review", "closed"),
    ("awaiting_patient", "in_review"),
    ("awaiting_patient", "closed"),
    ("sent_to_facilities", "quoted"),
    ("sent_to_facilities", "closed"),
    ("quoted", "accepted"),
    ("quoted", "closed"),
)


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def zip_bytes(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def encrypted_zip(members: dict[str, bytes]) -> bytes:
    """A ZIP whose members are flagged as encrypted (Python cannot write real encrypted ZIPs)."""
    data = bytearray(zip_bytes(members, zipfile.ZIP_STORED))
    for signature, flag_offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = 0
        while (at := data.find(signature, start)) != -1:
            data[at + flag_offset] |= 0x01
            start = at + 4
    return bytes(data)


def jpeg(**kwargs) -> bytes:
    return image_bytes(size=kwargs.pop("size", (64, 48)), fmt="JPEG", **kwargs)


def png(size=(64, 48)) -> bytes:
    return image_bytes(size=size, fmt="PNG")


def webp(size=(64, 48)) -> bytes:
    return image_bytes(size=size, fmt="WEBP")


def private_files() -> list[Path]:
    root = Path(settings.PRIVATE_MEDIA_ROOT)
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []


def error_codes(response) -> dict[str, list[str]]:
    """The quote form's errors by field, as codes, from a re-rendered form page."""
    form = response.context["form"]
    return {field: [error.code for error in errors] for field, errors in form.errors.as_data().items()}


class _TagCollector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def tags(html: str, tag: str, **attrs: str) -> list[dict[str, str | None]]:
    """Every ``tag`` element whose attributes include ``attrs`` (use ``class_`` for class)."""
    wanted = {key.rstrip("_").replace("__", "-"): value for key, value in attrs.items()}
    parser = _TagCollector()
    parser.feed(html)
    return [found for name, found in parser.tags if name == tag and all(found.get(k) == v for k, v in wanted.items())]


def one(html: str, tag: str, **attrs: str) -> dict[str, str | None]:
    found = tags(html, tag, **attrs)
    assert len(found) == 1, f"expected one <{tag} {attrs}>, found {len(found)}"
    return found[0]


def element_text(html: str, element_id: str) -> str:
    """The text inside the element with this id (simple, non-nested markup only)."""
    match = re.search(rf'<(\w+)[^>]*\bid="{re.escape(element_id)}"[^>]*>(.*?)</\1>', html, re.S)
    assert match, f"no element with id {element_id!r}"
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", match.group(2))).split())


def status_link(quote_request_or_token) -> str:
    """The link in our e-mails: the one address that carries the status token."""
    token = getattr(quote_request_or_token, "status_token", quote_request_or_token)
    return reverse("quotes:status", kwargs={"token": token})


def patient_url(name: str = "status") -> str:
    """The token-free address of the status page ("status") or of one of its actions."""
    return reverse("quotes:status_page" if name == "status" else f"quotes:status_{name}")


def open_status(client, quote_request_or_token):
    """Follow the e-mail link in ``client``, which then holds the status cookie for that request."""
    response = client.get(status_link(quote_request_or_token))
    assert response.status_code == 303, response.status_code
    assert response["Location"] == patient_url()
    return response


def status_url_for(client, quote_request_or_token, name: str = "status") -> str:
    """The token-free address of the status page or of its action ``name``, for ``client`` once it
    holds the request's status cookie: it follows the e-mail link first unless it already does."""
    from quotes.views import STATUS_COOKIE

    token = getattr(quote_request_or_token, "status_token", quote_request_or_token)
    held = client.cookies.get(STATUS_COOKIE)
    if held is None or not held.value.startswith(token + ":"):
        open_status(client, token)
    return patient_url(name)


def status_token(html_or_text: str) -> str:
    match = STATUS_LINK_RE.search(html_or_text)
    assert match, "no status link"
    return match.group(1)


def bound_form(data: dict, files: dict | None = None):
    """The quote form as the view builds it: countries offered are the destinations with listed hospitals."""
    from facilities.selectors import destinations
    from quotes.forms import QuoteRequestForm

    places = [(country.code, country.name) for country, _count in destinations()]
    return QuoteRequestForm(data, files, destinations=places)


def cleaned_data(**overrides) -> dict:
    """Valid keyword arguments for ``quote_request_submit`` (but its files and key), from the form itself."""
    from tests.factories import form_data

    form = bound_form(form_data(**overrides))
    assert form.is_valid(), form.errors.as_data()
    fields = form.submission_fields()
    del fields["files"]
    return fields
