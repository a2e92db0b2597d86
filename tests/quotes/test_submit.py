"""Sending the form: what is saved, the confirmation page, and repeated submissions."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import dateformat, timezone

from quotes.models import Notification, QuoteAttachment, QuoteRequest, StatusChange, hash_token
from quotes.services.submission import quote_request_submit
from tests.factories import form_data
from tests.quotes.helpers import PDF, STATUS_LINK_RE, cleaned_data, error_codes, status_url_for, upload

pytestmark = pytest.mark.django_db

REFERENCE_RE = re.compile(r"^MT-[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{8}$")
TODAY = timezone.localdate()


def test_a_full_form_is_saved_as_typed(submit, catalogue):
    data = form_data(
        name="Ana María Patient",
        email="ana.patient@example.org",
        phone="+44 20 7946 0001",
        country_of_residence="NO",
        preferred_language="de",
        procedure="knee-replacement",
        facilities=["anadolu-spine", "berlin-heart"],
        countries=["IN"],
        suggest_facilities="on",
        travel_from=(TODAY + datetime.timedelta(days=30)).isoformat(),
        travel_to=(TODAY + datetime.timedelta(days=90)).isoformat(),
        budget_amount="15000",
        budget_currency="EUR",
        condition="Right knee pain for three years.",
        diagnosis="Osteoarthritis, grade 4.",
        previous_treatment="Physiotherapy, injections.",
        medication="Ibuprofen 400 mg.",
        allergies="Penicillin.",
        consent_marketing="on",
    )
    response = submit(data)
    assert response.status_code == 302, error_codes(response)
    assert response["Location"] == reverse("quotes:thanks")

    quote_request = QuoteRequest.objects.get()
    assert quote_request.name == "Ana María Patient"
    assert quote_request.email == "ana.patient@example.org"
    assert quote_request.phone == "+442079460001"  # E.164.
    assert quote_request.country_of_residence.code == "NO"
    assert quote_request.preferred_language == catalogue.german
    assert quote_request.procedure == catalogue.procedure
    assert sorted(f.slug for f in quote_request.preferred_facilities.all()) == ["anadolu-spine", "berlin-heart"]
    assert [c.code for c in quote_request.preferred_countries] == ["IN"]
    assert quote_request.suggest_facilities is True
    assert quote_request.travel_from == TODAY + datetime.timedelta(days=30)
    assert quote_request.travel_to == TODAY + datetime.timedelta(days=90)
    assert quote_request.budget_amount == 15000
    assert quote_request.budget_currency == "EUR"
    assert quote_request.condition == "Right knee pain for three years."
    assert quote_request.diagnosis == "Osteoarthritis, grade 4."
    assert quote_request.previous_treatment == "Physiotherapy, injections."
    assert quote_request.medication == "Ibuprofen 400 mg."
    assert quote_request.allergies == "Penicillin."
    assert quote_request.consent_marketing_at is not None
    assert quote_request.assignee is None


def test_a_new_request_is_submitted_with_a_reference_a_due_time_and_its_first_status(submit, catalogue):
    before = timezone.now()
    assert submit(form_data()).status_code == 302
    quote_request = QuoteRequest.objects.get()

    assert quote_request.status == QuoteRequest.Status.SUBMITTED
    assert REFERENCE_RE.match(quote_request.reference)
    due = quote_request.created_at + datetime.timedelta(hours=48)
    assert abs(quote_request.first_reply_due_at - due) < datetime.timedelta(seconds=5)
    assert quote_request.first_reply_due_at >= before + datetime.timedelta(hours=48)
    change = StatusChange.objects.get()
    assert (change.quote_request, change.from_status, change.to_status) == (quote_request, "", "submitted")
    assert change.actor is None


def test_the_first_reply_time_follows_the_setting(submit, settings, catalogue):
    settings.QUOTE_FIRST_REPLY_HOURS = 12
    assert submit(form_data()).status_code == 302
    quote_request = QuoteRequest.objects.get()
    expected = quote_request.created_at + datetime.timedelta(hours=12)
    assert abs(quote_request.first_reply_due_at - expected) < datetime.timedelta(seconds=5)


def test_references_are_unique(catalogue):
    references = {
        quote_request_submit(
            **cleaned_data(condition=f"Back pain, case {n}."), files=[], submission_key=f"key{n}"
        ).quote_request.reference
        for n in range(10)
    }
    assert len(references) == 10
    assert all(REFERENCE_RE.match(reference) for reference in references)


def test_the_confirmation_shows_the_reference_the_due_time_and_the_status_link(client, submit, catalogue):
    response = submit(form_data())
    page = client.get(response["Location"])
    html = page.content.decode()
    quote_request = QuoteRequest.objects.get()

    assert page.status_code == 200
    assert page.templates[0].name == "quotes/thanks.html"
    assert quote_request.reference in html
    due = timezone.localtime(quote_request.first_reply_due_at)
    assert dateformat.format(due, "l j F, H:i") in html
    assert f'datetime="{dateformat.format(due, "c")}"' in html
    token = STATUS_LINK_RE.search(html).group(1)
    assert hash_token(token) == quote_request.status_token_hash
    assert client.get(status_url_for(client, token)).status_code == 200


def test_the_confirmation_does_not_repeat_what_the_patient_wrote(client, submit, catalogue):
    # But for the e-mail address, shown so that a typo can be noticed (tests/quotes/test_form_traps.py).
    submit(form_data(condition="Distinctive knee condition", phone="+44 20 7946 0999", email="zq@example.org"))
    html = client.get(reverse("quotes:thanks")).content.decode()
    for private in ("Distinctive knee condition", "+44 20 7946 0999", "Ana Patient"):
        assert private not in html


def test_the_confirmation_needs_a_submission_in_this_session(client, catalogue):
    response = client.get(reverse("quotes:thanks"))
    assert response.status_code == 302
    assert response["Location"] == reverse("quotes:request")


def test_the_confirmation_is_not_shown_to_another_browser(client, submit, catalogue):
    submit(form_data())
    assert Client().get(reverse("quotes:thanks")).status_code == 302


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_the_confirmation_only_answers_get(client, submit, catalogue, method):
    submit(form_data())
    assert getattr(client, method)(reverse("quotes:thanks")).status_code == 405


def test_private_pages_are_never_cached_or_indexed(client, submit, catalogue):
    submit(form_data())
    thanks = client.get(reverse("quotes:thanks"))
    status = client.get(status_url_for(client, QuoteRequest.objects.get()))
    for response in (thanks, status):
        cache_control = response["Cache-Control"]
        assert "no-store" in cache_control
        assert "no-cache" in cache_control
        assert "private" in cache_control
        assert "noindex" in response["X-Robots-Tag"]
        assert response["Referrer-Policy"] == "same-origin"
        assert '<meta name="robots" content="noindex' in response.content.decode()


def test_the_form_page_is_not_stored_in_shared_caches(client, quote_url, catalogue):
    response = client.get(quote_url)
    assert "private" in response["Cache-Control"]
    assert "no-cache" in response["Cache-Control"]
    assert '<meta name="robots" content="noindex">' in response.content.decode()


def test_html_in_text_fields_is_stored_as_typed(submit, catalogue):
    typed = {
        "name": "Ana <b>Patient</b>",
        "condition": "<script>alert('x')</script> & pain",
        "diagnosis": "<img src=x onerror=alert(1)>",
        "medication": "a < b > c",
    }
    assert submit(form_data(**typed)).status_code == 302
    stored = QuoteRequest.objects.values(*typed).get()
    assert stored == typed


# Repeated submissions -------------------------------------------------------------------------


def test_the_same_form_sent_twice_makes_one_request_and_one_set_of_mails(client, submit, mailoutbox, catalogue):
    data = form_data(files=[upload("scan.pdf", PDF)])
    first = submit(data)
    data["files"] = [upload("scan.pdf", PDF)]
    second = submit(data)

    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == reverse("quotes:thanks")
    assert QuoteRequest.objects.count() == 1
    assert QuoteAttachment.objects.count() == 1
    assert StatusChange.objects.count() == 1
    assert Notification.objects.count() == 2
    assert len(mailoutbox) == 2
    html = client.get(reverse("quotes:thanks")).content.decode()
    assert QuoteRequest.objects.get().reference in html
    assert STATUS_LINK_RE.search(html)


def test_the_same_form_from_another_browser_makes_nothing_new(client, submit, mailoutbox, catalogue):
    data = form_data()
    submit(data)
    other = Client()
    response = submit(data, using=other)
    assert response.status_code == 302
    assert QuoteRequest.objects.count() == 1
    assert len(mailoutbox) == 2
    html = other.get(response["Location"]).content.decode()
    assert QuoteRequest.objects.get().reference in html


def test_another_browser_replaying_the_form_is_not_given_the_status_link(submit, catalogue):
    data = form_data()
    submit(data)
    other = Client()
    submit({**data, "name": "Someone Else", "email": "else@example.org"}, using=other)
    html = other.get(reverse("quotes:thanks")).content.decode()
    assert not STATUS_LINK_RE.search(html)


def test_a_new_form_with_another_request_makes_a_new_request(submit, mailoutbox, catalogue):
    submit(form_data(condition="Lower back pain for two years."))
    submit(form_data(condition="Pain in my right knee when I climb stairs."))
    assert QuoteRequest.objects.count() == 2
    assert len(mailoutbox) == 4


def test_the_confirmation_shows_the_latest_request(client, submit, catalogue):
    submit(form_data(name="First Patient", email="first@example.org"))
    submit(form_data(name="Second Patient", email="second@example.org"))
    latest = QuoteRequest.objects.get(name="Second Patient")
    assert latest.reference in client.get(reverse("quotes:thanks")).content.decode()


def test_the_service_returns_the_existing_request_for_a_repeated_key(catalogue, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        first = quote_request_submit(**cleaned_data(), files=[], submission_key="a" * 32)
        second = quote_request_submit(**cleaned_data(name="Someone Else"), files=[], submission_key="a" * 32)
    assert first.created is True
    assert second.created is False
    assert second.quote_request.pk == first.quote_request.pk
    assert second.quote_request.name == "Ana Patient"
    assert QuoteRequest.objects.count() == 1
    assert Notification.objects.count() == 2
    assert callbacks == []  # Mail is only queued (the worker sends it): nothing runs after the commit.


@pytest.mark.parametrize("given, stored", [("40_49", "40_49"), ("", "")])
def test_the_age_range_is_optional_and_stored_as_chosen(submit, catalogue, given, stored):
    response = submit(form_data(age_band=given))
    assert response.status_code == 302
    assert QuoteRequest.objects.get().age_band == stored


def test_an_age_range_that_is_not_offered_is_refused_with_a_message(submit, catalogue):
    response = submit(form_data(age_band="1900s"))
    assert response.status_code == 200
    assert "age_band" in response.context["form"].errors
    assert not QuoteRequest.objects.exists()
