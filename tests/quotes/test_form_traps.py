"""Traps in the patient's quote form (issue 12): a quick send, a repeat from a new form, the country
nobody chose, the address we will write to, and an error summary that is short and linked."""

import datetime
import re
import threading
import time
from unittest import mock

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from quotes import consents
from quotes.forms import new_form_stamp
from quotes.models import Notification, QuoteAttachment, QuoteRequest
from quotes.services.submission import quote_request_submit
from tests.factories import form_data, make_quote_request
from tests.quotes.helpers import (
    PDF,
    STATUS_LINK_RE,
    bound_form,
    cleaned_data,
    element_text,
    error_codes,
    one,
    private_files,
    tags,
    upload,
)

pytestmark = pytest.mark.django_db


def stamp_made(seconds_ago: float) -> str:
    with mock.patch("time.time", return_value=time.time() - seconds_ago):
        return new_form_stamp()


def summary_of(html: str) -> str:
    return re.search(r'<div class="error-summary".*?</div>', html, re.S).group(0)


# 1. A quick send ---------------------------------------------------------------------------------


@pytest.fixture
def quick(settings):
    """A person needs a minute for this form; a stamp made five seconds ago is quick."""
    settings.QUOTE_MIN_FILL_SECONDS = 60
    return lambda **overrides: form_data(stamp=stamp_made(seconds_ago=5), **overrides)


def test_an_empty_form_sent_quickly_gets_its_errors_not_a_thank_you(client, quote_url, quick, mailoutbox, catalogue):
    empty = {"stamp": quick()["stamp"]}
    response = client.post(quote_url, empty)
    assert response.status_code == 200
    assert response.templates[0].name == "quotes/request_quote.html"
    assert {"name", "email", "phone", "country_of_residence", "condition", "consent_health_data"} <= set(
        error_codes(response)
    )
    assert "Thank you" not in response.content.decode()
    assert not QuoteRequest.objects.exists()
    assert mailoutbox == []


def test_an_invalid_form_sent_quickly_gets_its_errors(client, quote_url, quick, catalogue):
    response = client.post(quote_url, quick(email="not-an-email"))
    assert response.templates[0].name == "quotes/request_quote.html"
    assert error_codes(response) == {"email": ["invalid"]}
    assert 'id="send-again"' not in response.content.decode()  # The errors say what to do; no second note.


def test_a_valid_form_sent_quickly_is_shown_again_with_everything_typed(submit, quick, mailoutbox, catalogue):
    data = quick(name="Ana Quick", condition="Knee pain when I walk downstairs.")
    response = submit(data)
    html = response.content.decode()

    assert response.status_code == 200
    assert response.templates[0].name == "quotes/request_quote.html"
    assert "That was quick — please check your details and press “Send my request” again." in element_text(
        html, "send-again"
    )
    assert one(html, "div", id="send-again")["role"] == "alert"
    assert 'id="error-summary"' not in html
    assert one(html, "input", name="name")["value"] == "Ana Quick"
    assert one(html, "input", name="email")["value"] == "ana@example.org"
    assert "Knee pain when I walk downstairs." in html
    assert "checked" in one(html, "input", name="consent_health_data")
    assert not QuoteRequest.objects.exists()
    assert Notification.objects.count() == 0
    assert mailoutbox == []


def test_pressing_send_again_at_once_is_accepted(submit, quick, mailoutbox, catalogue):
    data = quick()
    html = submit(data).content.decode()
    fresh_stamp = one(html, "input", name="stamp")["value"]
    assert fresh_stamp != data["stamp"]
    assert not bound_form({**data, "stamp": fresh_stamp}).sent_too_fast()

    response = submit({**data, "stamp": fresh_stamp})
    assert response.status_code == 302
    assert response["Location"] == reverse("quotes:thanks")
    assert QuoteRequest.objects.count() == 1
    assert len(mailoutbox) == 2


def test_a_quick_send_with_files_keeps_them(submit, quick, catalogue):
    response = submit(quick(files=[upload("scan.pdf", PDF)]))
    html = response.content.decode()
    assert "Your files are kept" in element_text(html, "send-again")
    assert "scan.pdf" in element_text(html, "kept-files")
    assert [path.parent.name for path in private_files()] == ["pending-files"]


def test_a_quick_send_without_files_does_not_mention_them(submit, quick, catalogue):
    response = submit(quick())
    assert "medical files" not in element_text(response.content.decode(), "send-again")


def test_a_quick_send_does_not_count_towards_the_rate_limit(submit, quick, settings, catalogue):
    settings.QUOTE_RATE_PER_HOUR = 1
    for _ in range(3):
        assert submit(quick()).status_code == 200
    assert submit(form_data(stamp=stamp_made(seconds_ago=61))).status_code == 302


def test_a_valid_quick_form_with_the_honeypot_filled_still_looks_accepted(submit, quick, mailoutbox, catalogue):
    response = submit(quick(website="http://spam.example"))
    assert response.templates[0].name == "quotes/received.html"
    assert "Thank you" in response.content.decode()
    assert not QuoteRequest.objects.exists()
    assert mailoutbox == []


# 2. The same request sent again from a new form ---------------------------------------------------


def test_the_same_request_from_a_new_form_is_the_first_request(client, submit, mailoutbox, catalogue):
    first = submit(form_data(condition="Lower back pain for two years."))
    first_html = client.get(first["Location"]).content.decode()
    # "Back", the page reloaded with a new stamp, "Send" again; the address and spacing differ a little.
    again = submit(form_data(email="Ana@Example.org", condition="  Lower back pain\r\n for two  years. "))

    assert again.status_code == 302
    assert again["Location"] == reverse("quotes:thanks")
    quote_request = QuoteRequest.objects.get()
    assert Notification.objects.count() == 2
    assert len(mailoutbox) == 2
    html = client.get(reverse("quotes:thanks")).content.decode()
    assert quote_request.reference in html
    assert STATUS_LINK_RE.search(html).group(1) == STATUS_LINK_RE.search(first_html).group(1)
    assert 'id="files-not-added"' not in html


def test_files_sent_with_a_repeat_are_not_added_and_the_page_says_so(client, submit, catalogue):
    submit(form_data(files=[upload("scan.pdf", PDF)]))
    submit(form_data(files=[upload("other-scan.pdf", PDF)]))
    assert QuoteRequest.objects.count() == 1
    assert list(QuoteAttachment.objects.values_list("original_name", flat=True)) == ["scan.pdf"]
    assert len(private_files()) == 1
    note = element_text(client.get(reverse("quotes:thanks")).content.decode(), "files-not-added")
    assert "files you attached this time were not added" in note
    assert "status page" in note


def test_a_repeat_from_another_browser_is_not_given_the_status_link(submit, catalogue):
    submit(form_data())
    other = Client()
    response = submit(form_data(), using=other)
    assert response.status_code == 302
    assert QuoteRequest.objects.count() == 1
    html = other.get(reverse("quotes:thanks")).content.decode()
    assert QuoteRequest.objects.get().reference in html
    assert not STATUS_LINK_RE.search(html)


@pytest.mark.parametrize(
    "second",
    [
        {"email": "someone.else@example.org"},
        {"procedure": "knee-replacement"},
        {"condition": "Pain in my right knee when I climb stairs."},
    ],
    ids=["email", "procedure", "condition"],
)
def test_another_email_procedure_or_condition_is_a_new_request(submit, mailoutbox, catalogue, second):
    submit(form_data())
    submit(form_data(**second))
    assert QuoteRequest.objects.count() == 2
    assert len(mailoutbox) == 4


def test_the_repeat_window_follows_the_setting(settings, catalogue):
    settings.QUOTE_REPEAT_MINUTES = 30
    earlier = make_quote_request(
        email="ana@example.org",
        condition="Lower back pain for two years.",
        created_at=timezone.now() - datetime.timedelta(minutes=29),
    )
    again = quote_request_submit(**cleaned_data(), files=[], submission_key="b" * 32)
    assert (again.created, again.quote_request) == (False, earlier)

    QuoteRequest.objects.filter(pk=earlier.pk).update(created_at=timezone.now() - datetime.timedelta(minutes=31))
    later = quote_request_submit(**cleaned_data(), files=[], submission_key="c" * 32)
    assert later.created is True
    assert QuoteRequest.objects.count() == 2


def test_a_closed_request_is_not_matched(catalogue):
    make_quote_request(email="ana@example.org", condition="Lower back pain for two years.", status="closed")
    assert quote_request_submit(**cleaned_data(), files=[], submission_key="d" * 32).created is True


def test_no_repeat_window_when_the_setting_is_zero(settings, catalogue):
    settings.QUOTE_REPEAT_MINUTES = 0
    first = quote_request_submit(**cleaned_data(), files=[], submission_key="e" * 32)
    second = quote_request_submit(**cleaned_data(), files=[], submission_key="f" * 32)
    assert first.created and second.created


def test_the_service_returns_the_first_request_without_new_mail(catalogue, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        first = quote_request_submit(**cleaned_data(), files=[], submission_key="1" * 32)
        second = quote_request_submit(**cleaned_data(phone="+44 20 7946 0002"), files=[], submission_key="2" * 32)
    assert (first.created, second.created) == (True, False)
    assert second.quote_request.pk == first.quote_request.pk
    assert second.quote_request.phone == "+442079460000"
    assert Notification.objects.count() == 2
    assert callbacks == []


@pytest.mark.django_db(transaction=True)
def test_two_identical_sends_at_the_same_moment_make_one_request(catalogue):
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("Threads need a database file of their own connections can share (run on PostgreSQL).")
    fields = cleaned_data()
    start = threading.Barrier(2)
    results, problems = [], []

    def send(key: str) -> None:
        try:
            start.wait(timeout=10)
            results.append(quote_request_submit(**fields, files=[], submission_key=key))
        except Exception as exc:  # noqa: BLE001 (the test reports whatever went wrong)
            problems.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(key * 32,)) for key in ("7", "8")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert problems == []
    assert sorted(result.created for result in results) == [False, True]
    assert QuoteRequest.objects.count() == 1
    assert Notification.objects.count() == 2


# 3. The country nobody chose ----------------------------------------------------------------------


def test_the_country_starts_on_a_prompt_not_on_a_country(client, quote_url, catalogue):
    html = client.get(quote_url).content.decode()
    select = re.search(r'<select name="country_of_residence".*?</select>', html, re.S).group(0)
    options = re.findall(r'<option value="([^"]*)"( selected)?>([^<]*)</option>', select)
    assert options[0] == ("", " selected", "Choose your country")
    assert len(options) > 200
    assert [value for value, selected, _name in options if selected] == [""]
    assert "required" in one(html, "select", name="country_of_residence")


def test_an_untouched_country_is_refused_with_a_clear_message(client, quote_url, catalogue):
    response = client.post(quote_url, form_data(country_of_residence=""))
    assert error_codes(response) == {"country_of_residence": ["required"]}
    assert element_text(response.content.decode(), "id_country_of_residence_error") == "Choose the country you live in."
    assert not QuoteRequest.objects.exists()


def test_a_country_sent_again_after_an_error_stays_chosen(client, quote_url, catalogue):
    html = client.post(quote_url, form_data(country_of_residence="NO", email="nope")).content.decode()
    select = re.search(r'<select name="country_of_residence".*?</select>', html, re.S).group(0)
    assert re.findall(r'<option value="([^"]*)" selected>', select) == ["NO"]


# 9. The address we will write to ------------------------------------------------------------------


def test_the_confirmation_shows_the_address_and_what_to_do_if_it_is_wrong(client, submit, settings, catalogue):
    settings.COORDINATOR_EMAILS = ["help@medtour.example", "second@medtour.example"]
    submit(form_data(email="ana.typo@exmaple.org"))
    html = client.get(reverse("quotes:thanks")).content.decode()
    reference = QuoteRequest.objects.get().reference
    line = element_text(html, "reply-address")
    assert "We will write to you at ana.typo@exmaple.org" in line
    assert "<strong>ana.typo@exmaple.org</strong>" in html
    assert "Not right?" in line
    link = one(html, "a", href=f"mailto:help@medtour.example?subject={reference}")
    assert link is not None
    assert "second@medtour.example" not in html


def test_without_a_coordinator_address_the_confirmation_says_to_send_again(client, submit, settings, catalogue):
    settings.COORDINATOR_EMAILS = []
    submit(form_data(email="ana@example.org"))
    html = client.get(reverse("quotes:thanks")).content.decode()
    line = element_text(html, "reply-address")
    assert "ana@example.org" in line
    assert "send a new request with the right address" in line
    assert "mailto:" not in html


def test_the_address_shown_is_escaped(client, submit, catalogue):
    assert submit(form_data(email='"<b>x</b>"@example.org')).status_code == 302  # A valid, quoted address.
    html = client.get(reverse("quotes:thanks")).content.decode()
    assert "<b>x</b>" not in html
    assert "&quot;&lt;b&gt;x&lt;/b&gt;&quot;@example.org" in html


# 14. A short, linked error summary ----------------------------------------------------------------


def test_the_summary_names_the_consents_briefly_and_links_to_their_boxes(client, quote_url, catalogue):
    response = client.post(quote_url, form_data(consent_health_data=None, consent_sharing=None))
    html = response.content.decode()
    summary = summary_of(html)
    links = {link["href"] for link in tags(summary, "a")}
    assert links == {"#id_consent_health_data", "#id_consent_sharing"}
    assert "Consent to process your health data: required" in summary
    assert "Consent to share your request with hospitals: required" in summary
    assert "Please check 2 things below" in summary
    for sentence in (
        consents.HEALTH_DATA,
        consents.SHARING,
        "We can only prepare a quote if you agree",
        "We need to share your request with hospitals",
    ):
        assert str(sentence)[:40] not in summary
    # The full wording stays beside the boxes.
    consent_block = re.search(r'<fieldset class="consents">.*?</fieldset>', html, re.S).group(0)
    assert str(consents.HEALTH_DATA) in consent_block
    assert "We can only prepare a quote if you agree" in element_text(html, "id_consent_health_data_error")


def test_the_summary_keeps_other_fields_short_and_in_form_order(client, quote_url, catalogue):
    response = client.post(quote_url, form_data(name="", consent_sharing=None, email="nope"))
    summary = summary_of(response.content.decode())
    items = re.findall(r'<li><a href="(#[^"]+)">([^<]+)</a></li>', summary)
    assert [href for href, _text in items] == ["#id_name", "#id_email", "#id_consent_sharing"]
    assert items[1][1] == "E-mail: Enter a valid email address."


def test_a_stamp_error_in_the_summary_has_no_link_to_a_hidden_field(client, quote_url, catalogue):
    summary = summary_of(client.post(quote_url, form_data(stamp="not-a-stamp")).content.decode())
    assert "Please send the form again." in summary
    assert "#id_stamp" not in summary


def test_a_hospitals_error_in_the_summary_links_to_the_first_checkbox(client, quote_url, catalogue):
    chosen = ["anadolu-spine", "berlin-heart", "chennai-eye", "bangkok-joint"]
    html = client.post(quote_url, form_data(facilities=chosen)).content.decode()
    assert 'href="#id_facilities_0"' in summary_of(html)
    assert one(html, "input", id="id_facilities_0")["name"] == "facilities"
