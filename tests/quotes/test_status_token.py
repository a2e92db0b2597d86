"""The status token stays out of addresses: the e-mail link trades it for a short-lived, HttpOnly
cookie scoped to the status pages and sends the browser on to a token-free page, whose links,
assets and forms never carry it (so neither request lines nor Referers do)."""

import re
import time

import pytest
from django.conf import settings as django_settings
from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils import translation

from quotes.models import FacilityQuote, Message, PatientMessage, QuoteRequest
from quotes.views import STATUS_COOKIE, STATUS_COOKIE_SALT
from tests.factories import make_quote_request, make_staff
from tests.quotes.helpers import open_status, patient_url, status_link, tags
from tests.quotes.test_patient_actions import page_text, request_in, sent_quotes

S = QuoteRequest.Status
pytestmark = pytest.mark.django_db

ACTION_DATA = {
    "reply": {"reply-message": "Here is the report."},
    "message": {"message-message": "Can my husband stay with me?"},
    "withdraw": {"withdraw-confirm": "on"},
    "decline": {},
    "sharing": {"question": "1", "answer": "yes"},
    "erasure": {"erase-confirm": "on"},
    "accept": {"quote": "1", "confirm": "yes"},
}


@pytest.fixture
def staff():
    return make_staff(username="coordinator", email="coordinator@medtour.localhost")


def signed_cookie(token: str, *, age_seconds: int = 0) -> str:
    """The cookie's value as the site signs it, as if set ``age_seconds`` ago."""
    signer = signing.get_cookie_signer(salt=STATUS_COOKIE + STATUS_COOKIE_SALT)
    real_time = time.time
    signing.time.time = lambda: real_time() - age_seconds
    try:
        return signer.sign(token)
    finally:
        signing.time.time = real_time


def addresses_in(html: str) -> list[str]:
    """Every address the page makes the browser ask for or send to: links, assets and forms."""
    found = []
    for tag in ("a", "link", "script", "img", "source", "form", "button", "input", "iframe"):
        for attrs in tags(html, tag):
            found += [attrs[name] for name in ("href", "src", "srcset", "action", "formaction") if attrs.get(name)]
    return found


# The exchange ------------------------------------------------------------------------------------


@pytest.mark.parametrize("secure", [True, False])
def test_the_e_mail_link_sets_a_scoped_httponly_cookie_and_redirects_without_the_token(client, settings, secure):
    settings.SESSION_COOKIE_SECURE = secure
    quote_request = make_quote_request()
    token = quote_request.status_token

    response = client.get(status_link(quote_request))

    assert response.status_code == 303
    assert response["Location"] == reverse("quotes:status_page") == "/quote/status/"
    assert token not in response["Location"]
    cookie = response.cookies[STATUS_COOKIE]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    # The whole site: the status page's address differs per language (/es/quote/status/, ...).
    assert cookie["path"] == "/"
    assert cookie["max-age"] == django_settings.QUOTE_STATUS_COOKIE_SECONDS == 2 * 60 * 60
    assert bool(cookie["secure"]) is secure
    assert cookie.value.startswith(token + ":")  # Signed with its time: refused once too old.
    # The only answer whose address holds the token sends no Referer on, and is kept nowhere.
    assert response["Referrer-Policy"] == "no-referrer"
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response.content == b""


def test_the_cookie_lifetime_is_a_setting(client, settings):
    settings.QUOTE_STATUS_COOKIE_SECONDS = 600
    quote_request = make_quote_request()
    response = open_status(client, quote_request)
    assert response.cookies[STATUS_COOKIE]["max-age"] == 600
    page = client.get(patient_url())
    assert "stays open for 10 minutes after your last visit" in page_text(page)


def test_an_unknown_link_is_not_found_and_sets_no_cookie(client):
    make_quote_request()
    response = client.get(status_link("A" * 43))
    assert response.status_code == 404
    assert STATUS_COOKIE not in response.cookies
    assert response["Referrer-Policy"] == "no-referrer"
    assert "no-store" in response["Cache-Control"]


def test_opening_another_requests_link_switches_the_page_to_it(client):
    first, second = make_quote_request(), make_quote_request()
    open_status(client, first)
    assert first.reference in client.get(patient_url()).content.decode()
    open_status(client, second)
    html = client.get(patient_url()).content.decode()
    assert second.reference in html and first.reference not in html


# The token-free page -----------------------------------------------------------------------------


def test_the_page_opens_with_the_cookie_and_renews_it(client):
    quote_request = make_quote_request()
    open_status(client, quote_request)
    response = client.get(patient_url())
    assert response.status_code == 200
    assert quote_request.reference in response.content.decode()
    renewed = response.cookies[STATUS_COOKIE]
    assert renewed["max-age"] == django_settings.QUOTE_STATUS_COOKIE_SECONDS
    assert renewed["path"] == "/" and renewed["httponly"] is True
    assert response["Referrer-Policy"] == "same-origin"
    assert "no-store" in response["Cache-Control"]


def test_the_page_opens_in_another_language_with_the_same_cookie(client):
    quote_request = make_quote_request()
    open_status(client, quote_request)
    with translation.override("es"):
        spanish = reverse("quotes:status_page")
    assert spanish == "/es/quote/status/"
    response = client.get(spanish)
    assert response.status_code == 200
    assert quote_request.reference in response.content.decode()
    assert '<html lang="es" dir="ltr">' in response.content.decode()


@pytest.mark.parametrize("status", [S.SUBMITTED, S.AWAITING_PATIENT, S.QUOTED])
def test_no_page_carries_the_token_in_any_address_or_anywhere_else(client, staff, status):
    quote_request = request_in(status, staff)
    token = quote_request.status_token
    page = client.get(status_link(quote_request), follow=True)
    assert page.status_code == 200
    # Every request line after the link: the page's own address, then whatever it links or posts to.
    assert [url for url, _code in page.redirect_chain] == [patient_url()]
    assert token not in page.request["PATH_INFO"]
    html = page.content.decode()
    addresses = addresses_in(html)
    assert any("/quote/status/" in address for address in addresses)
    for address in addresses:
        assert token not in address, address
    assert token not in html
    # The pages a form brings up: a refused reply (400), the accept question, the link-needed page.
    answers = [client.post(patient_url("message"), {"message-message": ""})]
    if status == S.QUOTED:
        answers.append(client.post(patient_url("accept"), {"quote": sent_quotes(quote_request)[0].pk}))
        assert answers[-1].templates[0].name == "quotes/accept_confirm.html"
    answers.append(Client().get(patient_url()))
    for answer in answers:
        assert token not in answer.content.decode()


# Every action through the cookie ------------------------------------------------------------------


def test_reply_through_the_cookie(client, staff):
    quote_request = request_in(S.AWAITING_PATIENT, staff)
    open_status(client, quote_request)
    data = {"reply-message": "Here is the report.", "request": quote_request.reference}
    response = client.post(patient_url("reply"), data)
    assert response.status_code == 303 and response["Location"] == patient_url()
    assert response.cookies[STATUS_COOKIE]["max-age"] == django_settings.QUOTE_STATUS_COOKIE_SECONDS
    quote_request.refresh_from_db()
    assert quote_request.status == S.IN_REVIEW
    assert "Thank you, we have your answer" in page_text(client.get(response["Location"]))


def test_message_through_the_cookie(client, staff):
    quote_request = request_in(S.IN_REVIEW, staff)
    open_status(client, quote_request)
    response = client.post(patient_url("message"), {"message-message": "Can my husband stay with me?"})
    assert response.status_code == 303
    page = client.get(response["Location"])
    assert "Your message was sent" in page_text(page)
    assert "Can my husband stay with me?" in page.content.decode()


def test_withdraw_through_the_cookie(client, staff):
    quote_request = request_in(S.IN_REVIEW, staff)
    open_status(client, quote_request)
    response = client.post(patient_url("withdraw"), {"withdraw-confirm": "on"})
    assert response.status_code == 303
    quote_request.refresh_from_db()
    assert quote_request.status == S.CLOSED


def test_accept_through_the_cookie_asks_then_accepts(client, staff):
    quote_request = request_in(S.QUOTED, staff)
    chosen = sent_quotes(quote_request)[0]
    open_status(client, quote_request)
    question = client.post(patient_url("accept"), {"quote": chosen.pk})
    assert question.status_code == 200
    form = [f for f in tags(question.content.decode(), "form") if f.get("method") == "post"][0]
    assert form["action"] == patient_url("accept")
    assert tags(question.content.decode(), "input", name="request")[0]["value"] == quote_request.reference
    back = [a["href"] for a in tags(question.content.decode(), "a") if a["href"].endswith("#quotes")]
    assert back == [patient_url() + "#quotes"]
    response = client.post(patient_url("accept"), {"quote": chosen.pk, "confirm": "yes"})
    assert response.status_code == 303
    chosen.refresh_from_db()
    assert chosen.status == FacilityQuote.Status.ACCEPTED


def test_decline_through_the_cookie(client, staff):
    quote_request = request_in(S.QUOTED, staff)
    open_status(client, quote_request)
    assert client.post(patient_url("decline")).status_code == 303
    quote_request.refresh_from_db()
    assert quote_request.status == S.CLOSED


def test_every_form_on_the_page_names_its_request(client, staff):
    quote_request = request_in(S.QUOTED, staff)
    open_status(client, quote_request)
    html = client.get(patient_url()).content.decode()
    forms = re.findall(r'<form method="post".*?</form>', html, re.S)
    assert len(forms) >= 4  # Accept (per quote), decline, withdraw, message, erasure.
    for form in forms:
        assert f'<input type="hidden" name="request" value="{quote_request.reference}">' in form


def test_a_form_from_another_requests_page_does_nothing(client, staff):
    # A tab still shows the first request while the browser has since opened the second's link.
    first = request_in(S.IN_REVIEW, staff)
    second = request_in(S.IN_REVIEW, staff)
    open_status(client, second)
    response = client.post(patient_url("withdraw"), {"withdraw-confirm": "on", "request": first.reference})
    assert response.status_code == 409
    assert "Nothing was done" in page_text(response) and second.reference in page_text(response)
    assert response["Referrer-Policy"] == "same-origin" and "no-store" in response["Cache-Control"]
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == second.status == S.IN_REVIEW
    assert client.get(patient_url()).status_code == 200  # The cookie is kept.


# Without a usable cookie -------------------------------------------------------------------------


def expired(quote_request) -> str:
    return signed_cookie(quote_request.status_token, age_seconds=django_settings.QUOTE_STATUS_COOKIE_SECONDS + 60)


COOKIES = {
    "none": None,
    "garbage": lambda quote_request: "not-a-cookie-we-made",
    "bad signature": lambda quote_request: quote_request.status_token + ":1abcde:forgedsignature",
    "the bare token": lambda quote_request: quote_request.status_token,
    "too old": expired,
    "for a deleted request": lambda quote_request: signed_cookie("B" * 43),
}


@pytest.mark.parametrize("cookie", COOKIES.keys())
def test_the_page_without_a_usable_cookie_says_how_to_get_back(client, cookie):
    quote_request = make_quote_request()
    if COOKIES[cookie]:
        client.cookies[STATUS_COOKIE] = COOKIES[cookie](quote_request)
    response = client.get(patient_url())
    assert response.status_code == 403
    assert response.templates[0].name == "quotes/status_link_needed.html"
    text = page_text(response)
    assert "Please open the link in our e-mail again" in text
    assert "stays open in this browser for 2 hours after your last visit" in text
    assert f'href="{reverse("contact")}"' in response.content.decode()
    assert quote_request.reference not in text
    assert "no-store" in response["Cache-Control"] and response["X-Robots-Tag"] == "noindex, nofollow"
    if COOKIES[cookie]:
        assert response.cookies[STATUS_COOKIE].value == ""  # A cookie that cannot open the page is removed.


@pytest.mark.parametrize("cookie", COOKIES.keys())
@pytest.mark.parametrize("action", ACTION_DATA.keys())
def test_an_action_without_a_usable_cookie_says_nothing_was_saved(client, staff, cookie, action):
    quote_request = request_in(S.AWAITING_PATIENT, staff)
    if COOKIES[cookie]:
        client.cookies[STATUS_COOKIE] = COOKIES[cookie](quote_request)
    response = client.post(patient_url(action), ACTION_DATA[action])
    assert response.status_code == 403
    text = page_text(response)
    assert "What you sent has not been saved" in text
    assert "open the link, then write and send it again" in text
    quote_request.refresh_from_db()
    assert quote_request.status == S.AWAITING_PATIENT and quote_request.erasure_requested_at is None
    assert not PatientMessage.objects.exists() and not Message.objects.filter(author_kind="patient").exists()


def test_a_cookie_that_is_old_enough_is_refused_by_the_server_too(client):
    quote_request = make_quote_request()
    almost = django_settings.QUOTE_STATUS_COOKIE_SECONDS - 60
    client.cookies[STATUS_COOKIE] = signed_cookie(quote_request.status_token, age_seconds=almost)
    assert client.get(patient_url()).status_code == 200
    client.cookies[STATUS_COOKIE] = expired(quote_request)
    assert client.get(patient_url()).status_code == 403


# CSRF still holds ----------------------------------------------------------------------------------


def test_the_forms_need_the_csrf_token(staff):
    browser = Client(enforce_csrf_checks=True)
    quote_request = request_in(S.IN_REVIEW, staff)
    page = browser.get(status_link(quote_request), follow=True)
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    data = {"message-message": "Is the price in euros?", "request": quote_request.reference}

    refused = browser.post(patient_url("message"), data)
    assert refused.status_code == 403
    assert not Message.objects.exists()

    sent = browser.post(patient_url("message"), {**data, "csrfmiddlewaretoken": csrf})
    assert sent.status_code == 303
    assert Message.objects.filter(quote_request=quote_request, author_kind="patient").count() == 1


def test_over_https_the_origin_check_passes_for_the_pages_own_forms(staff, settings):
    # Why the page sends same-origin and not no-referrer: told no-referrer, a browser posts the
    # page's forms with "Origin: null", which Django's CSRF check refuses.
    browser = Client(enforce_csrf_checks=True)
    quote_request = request_in(S.IN_REVIEW, staff)
    page = browser.get(status_link(quote_request), follow=True, secure=True)
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    data = {"message-message": "Is the price in euros?", "csrfmiddlewaretoken": csrf}

    message_url = patient_url("message")
    for origin in ("null", "https://evil.example"):
        assert browser.post(message_url, data, secure=True, HTTP_ORIGIN=origin).status_code == 403, origin
    assert not Message.objects.exists()
    sent = browser.post(message_url, data, secure=True, HTTP_ORIGIN="https://testserver")
    assert sent.status_code == 303
    assert Message.objects.filter(quote_request=quote_request, author_kind="patient").count() == 1
