"""Issue 13, point 11: the smaller things hostile input found, each fixed as a kind of problem.

- Responses made by middleware before any view (static files, media, the NUL 400) carry
  X-Frame-Options like every page (the gunicorn test in test_serving.py checks static files).
- Text of nothing but invisible characters (a zero-width space...) is no text, in every form
  and service that requires text (``tourism.text``).
- A file name long enough to pass Django's 1,024-byte limit on a part's headers, or one it cannot
  use (``.``, ``..``), neither loses the form nor drops the file (``tourism.multipart``).
"""

import uuid

import pytest
from django.urls import reverse

from quotes.models import QuoteAttachment, QuoteRequest
from quotes.partner_forms import CaseMessageForm, DeclineForm
from quotes.patient_forms import PatientMessageForm, PatientReplyForm
from quotes.services.conversation import staff_message_post
from quotes.services.errors import InvalidTextError
from quotes.services.patient import patient_reply
from tests.factories import PDF, form_data, make_quote_request, make_staff
from tests.quotes.helpers import bound_form
from tourism.text import visible_text

pytestmark = pytest.mark.django_db

# Each shows nothing: zero-width space, word joiner, byte-order mark, soft hyphen, right-to-left
# mark, zero-width joiner and non-joiner, a Hangul filler, the blank Braille pattern, and a mix.
INVISIBLE = ["\u200b", "\u2060", "\ufeff", "\u00ad", "\u200f", "\u200d\u200c", "\u3164", "\u2800", " \u200b\n\u2060\t"]


# X-Frame-Options everywhere ---------------------------------------------------------------------


def test_media_answered_by_the_middleware_carries_x_frame_options(client, settings):
    (settings.MEDIA_ROOT / "facility-photos").mkdir(parents=True)
    (settings.MEDIA_ROOT / "facility-photos" / "a-thumb.jpg").write_bytes(b"\xff\xd8\xff thumbnail")
    for path in ("/media/facility-photos/a-thumb.jpg", "/media/facility-photos/missing.jpg"):
        response = client.get(path)
        assert response.status_code in (200, 404)
        assert response["X-Frame-Options"] == "DENY", path


def test_the_nul_400_carries_x_frame_options(client):
    response = client.get("/facilities/?q=%00")
    assert response.status_code == 400
    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


# Invisible text is no text ----------------------------------------------------------------------


@pytest.mark.parametrize("text", INVISIBLE)
def test_invisible_text_is_empty(text):
    assert visible_text(text) == ""


def test_visible_text_keeps_what_is_inside():
    # A zero-width non-joiner inside Persian, a joiner inside an emoji: both part of the text.
    assert visible_text("\u200b\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645\u200b") == (
        "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"
    )
    assert visible_text(" \ufeff\U0001f469\u200d\U0001f4bb ") == "\U0001f469\u200d\U0001f4bb"


@pytest.mark.parametrize("text", INVISIBLE)
@pytest.mark.parametrize(
    "form_class, field",
    [
        (PatientReplyForm, "message"),
        (PatientMessageForm, "message"),
        (CaseMessageForm, "text"),
        (DeclineForm, "reason"),
    ],
)
def test_forms_that_need_words_refuse_invisible_ones(form_class, field, text):
    form = form_class({form_class(None).add_prefix(field): text})
    assert not form.is_valid()
    assert field in form.errors


@pytest.mark.parametrize("text", INVISIBLE)
def test_the_quote_form_refuses_an_invisible_name_and_condition(text):
    form = bound_form(form_data(name=text, condition=text))
    assert not form.is_valid()
    assert {"name", "condition"} <= set(form.errors)


@pytest.mark.parametrize("text", INVISIBLE[:3])
def test_services_refuse_invisible_text_too(text):
    quote_request = make_quote_request(status="awaiting_patient")
    staff = make_staff(username=f"s{uuid.uuid4().hex[:6]}")
    with pytest.raises(InvalidTextError):
        patient_reply(quote_request=quote_request, text=text)
    with pytest.raises(InvalidTextError):
        staff_message_post(quote_request=quote_request, author=staff, text=text)
    quote_request.refresh_from_db()
    assert quote_request.status == "awaiting_patient"
    assert not quote_request.patient_messages.exists()


def test_a_reply_with_words_between_invisible_characters_keeps_the_words():
    form = PatientReplyForm({"reply-message": "\u200bHere are my scans.\u2060"})
    assert form.is_valid()
    assert form.cleaned_data["message"] == "Here are my scans."


# File names -------------------------------------------------------------------------------------

BOUNDARY = "medtour-test-boundary"


def multipart(fields: dict[str, str], files: list[tuple[str, bytes]]) -> bytes:
    """A form body as a browser sends it, with file names as given (the test client would cut them)."""
    parts = []
    for name, value in fields.items():
        parts.append(f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for file_name, content in files:
        escaped = file_name.replace('"', "%22")
        head = (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="files"; filename="{escaped}"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        )
        parts.append(head.encode() + content + b"\r\n")
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


def send_quote_form(client, file_names: list[str], **overrides):
    data = {key: value for key, value in form_data(**overrides).items() if not isinstance(value, list)}
    lists = {key: value for key, value in form_data(**overrides).items() if isinstance(value, list)}
    body = multipart(data, [(name, PDF) for name in file_names])
    # Repeated fields (countries, facilities) as repeated parts.
    for key, values in lists.items():
        extra = b"".join(
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
            for value in values
        )
        body = extra + body
    return client.post(reverse("quotes:request"), data=body, content_type=f"multipart/form-data; boundary={BOUNDARY}")


@pytest.fixture
def quick_form(settings, catalogue):
    settings.QUOTE_MIN_FILL_SECONDS = 0


@pytest.mark.parametrize(
    "file_name",
    [
        "\U0001f9b4" * 250 + ".pdf",  # 1,004 bytes of emoji: past Django's 1,024-byte header limit
        "\u0645\u0644\u0641" * 80 + ".pdf",  # 480 characters of Arabic (under the limit: still fine)
    ],
)
def test_a_long_real_file_name_keeps_the_form_and_the_file(client, quick_form, file_name):
    response = send_quote_form(client, [file_name], email="long-name@example.com")
    assert response.status_code == 302, response.content.decode()[:500]
    saved = QuoteRequest.objects.get(email="long-name@example.com")
    attachment = QuoteAttachment.objects.get(quote_request=saved)
    assert attachment.original_name.endswith(".pdf") and len(attachment.original_name) <= 200


@pytest.mark.parametrize("file_name", [".", "..", "/", "\\", "\x01"])
def test_a_file_under_an_unusable_name_is_kept_not_dropped(client, quick_form, file_name):
    response = send_quote_form(client, [file_name], email="odd-name@example.com")
    assert response.status_code == 302, response.content.decode()[:500]
    saved = QuoteRequest.objects.get(email="odd-name@example.com")
    assert QuoteAttachment.objects.filter(quote_request=saved).count() == 1


def test_a_file_name_beyond_any_file_system_gets_a_page_that_says_what_to_do(client, quick_form):
    response = send_quote_form(client, ["x" * 20_000 + ".pdf"], email="absurd@example.com")
    assert response.status_code == 400
    page = response.content.decode()
    assert "We could not read the form you sent" in page and "rename the file" in page
    assert not QuoteRequest.objects.filter(email="absurd@example.com").exists()
