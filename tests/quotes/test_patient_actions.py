"""The patient's actions on the private status page: reply, accept, decline, withdraw; and the
side-by-side comparison of the quotes."""

import datetime
import re
from decimal import Decimal
from html import unescape
from html.parser import HTMLParser

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from facilities.models import Accreditation
from quotes.models import (
    FacilityQuote,
    FacilityQuoteItem,
    Notification,
    PatientMessage,
    QuoteAttachment,
    QuoteRequest,
    StatusChange,
)
from quotes.services import patient as patient_services
from quotes.services.outbox import notifications_send
from quotes.services.workflow import quote_request_transition
from tests.factories import (
    make_accreditation,
    make_body,
    make_case,
    make_facility,
    make_facility_quote,
    make_procedure,
    make_quote_request,
    make_staff,
)
from tests.quotes.helpers import PDF, TEXT, open_status, patient_url, private_files, status_link, status_url_for, upload
from tourism.models import ExchangeRate

S = QuoteRequest.Status
FQ = FacilityQuote.Status
COORDINATORS = "coordinators@medtour.localhost"
QUESTION = "Please send your latest MRI report and tell us if you take blood thinners."


# Building requests in a given status, through the workflow service -----------------------------


@pytest.fixture
def staff(db):
    return make_staff(username="coordinator", email="coordinator@medtour.localhost")


def move(quote_request: QuoteRequest, to_status: str, actor) -> QuoteRequest:
    extra = {"note": QUESTION} if to_status == S.AWAITING_PATIENT else {}
    if to_status == S.CLOSED:
        extra["reason"] = QuoteRequest.CloseReason.NO_SUITABLE_FACILITY
    if to_status == S.SENT_TO_FACILITIES:
        make_case(quote_request=quote_request)  # Sending is sharing a case.
    return quote_request_transition(
        quote_request=quote_request, from_status=quote_request.status, to_status=to_status, actor=actor, **extra
    )


PATH = {
    S.SUBMITTED: [],
    S.IN_REVIEW: [S.IN_REVIEW],
    S.AWAITING_PATIENT: [S.IN_REVIEW, S.AWAITING_PATIENT],
    S.SENT_TO_FACILITIES: [S.IN_REVIEW, S.SENT_TO_FACILITIES],
    S.QUOTED: [S.IN_REVIEW, S.SENT_TO_FACILITIES, S.QUOTED],
    S.CLOSED: [S.CLOSED],
}


def coordinators_mail(mailoutbox, quote_request: QuoteRequest):
    """The one mail to the coordinators; any other went to the office of the request's case, told
    that its case ended, without the patient's name or the request's reference."""
    [mail] = [mail for mail in mailoutbox if mail.to == [COORDINATORS]]
    for other in mailoutbox:
        if other is not mail:
            if other.to == [quote_request.email]:
                continue  # The patient's own receipt, or the like.
            assert other.to[0].endswith("@hospital.example")
            assert quote_request.name not in other.body and quote_request.reference not in other.body
    return mail


def request_in(status: str, actor, *, quotes: int = 2) -> QuoteRequest:
    """A request moved to ``status`` by a coordinator; before "quoted", ``quotes`` quotes are added."""
    quote_request = make_quote_request(procedure=make_procedure(), condition="Back pain")
    for step in PATH[status]:
        if step == S.QUOTED:
            for _ in range(quotes):
                make_facility_quote(quote_request=quote_request)
        quote_request = move(quote_request, step, actor)
    # The mail of getting here is the worker's to send, and no test's business: set it aside.
    Notification.objects.filter(quote_request=quote_request).update(status=Notification.Status.SENT)
    return quote_request


def action_url(client, name: str, quote_request_or_token) -> str:
    """The token-free address of the page or action, once ``client`` has followed the e-mail link."""
    return status_url_for(client, quote_request_or_token, name)


def sent_quotes(quote_request: QuoteRequest) -> list[FacilityQuote]:
    return list(quote_request.facility_quotes.order_by("pk"))


def page_text(response) -> str:
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def assert_private(response, referrer_policy="same-origin"):
    assert "no-cache" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["Referrer-Policy"] == referrer_policy


class _TableReader(HTMLParser):
    """The comparison table as rows of cell texts (header cells included)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.rows: list[list[str]] = []
        self.inside = False
        self.cell: list[str] | None = None
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and "quote-compare" in (attrs.get("class") or ""):
            self.inside = True
        elif self.inside and tag == "tr":
            self.rows.append([])
        elif self.inside and tag in ("th", "td"):
            self.cell = []
        elif self.inside and tag == "a":
            self.links.append(attrs.get("href") or "")

    def handle_endtag(self, tag):
        if tag == "table":
            self.inside = False
        elif self.inside and tag in ("th", "td") and self.cell is not None:
            self.rows[-1].append(" ".join(" ".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def comparison(response) -> tuple[dict[str, list[str]], list[str]]:
    """{first cell of each row: the other cells}, and the links inside the table."""
    reader = _TableReader()
    reader.feed(response.content.decode())
    return {row[0]: row[1:] for row in reader.rows if row}, reader.links


# The status page shows what the patient can do -------------------------------------------------


def test_awaiting_patient_shows_the_question_and_a_reply_form(client, staff):
    quote_request = request_in(S.AWAITING_PATIENT, staff)
    response = client.get(action_url(client, "status", quote_request))
    assert response.status_code == 200
    html = response.content.decode()
    assert QUESTION in page_text(response)
    assert f'action="{action_url(client, "reply", quote_request)}"' in html
    assert 'enctype="multipart/form-data"' in html
    assert 'name="reply-message"' in html and 'name="reply-files"' in html
    assert "csrfmiddlewaretoken" in html
    assert f'action="{action_url(client, "withdraw", quote_request)}"' in html
    assert "I understand my request will be closed" in page_text(response)
    # The stylesheet for these parts is linked from this page only, beside the existing meta tags.
    assert '<meta name="referrer" content="same-origin">' in html


@pytest.mark.parametrize("status", [S.SUBMITTED, S.IN_REVIEW, S.SENT_TO_FACILITIES])
def test_no_reply_form_or_quotes_before_they_are_due(client, staff, status):
    quote_request = request_in(status, staff)
    html = client.get(action_url(client, "status", quote_request)).content.decode()
    assert action_url(client, "reply", quote_request) not in html
    assert action_url(client, "accept", quote_request) not in html
    assert action_url(client, "decline", quote_request) not in html
    assert action_url(client, "withdraw", quote_request) in html  # Still open: the patient can withdraw.


# Reply --------------------------------------------------------------------------------------------


def test_reply_with_text_and_file_goes_back_to_review_and_tells_the_coordinator(
    client, staff, mailoutbox, django_capture_on_commit_callbacks
):
    quote_request = request_in(S.AWAITING_PATIENT, staff)
    changes_before = StatusChange.objects.filter(quote_request=quote_request).count()
    data = {"reply-message": "  Here is my MRI report. I do not take blood thinners.  ",
            "reply-files": [upload("mri report.pdf", PDF, "application/pdf")]}  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(action_url(client, "reply", quote_request), data)
    notifications_send()  # The mail worker's turn.

    assert response.status_code == 303
    assert response["Location"] == action_url(client, "status", quote_request)
    assert_private(response)
    quote_request.refresh_from_db()
    assert quote_request.status == S.IN_REVIEW
    message = PatientMessage.objects.get(quote_request=quote_request)
    assert message.text == "Here is my MRI report. I do not take blood thinners."
    attachment = QuoteAttachment.objects.get(quote_request=quote_request)
    assert attachment.from_patient_reply is True
    assert attachment.original_name == "mri report.pdf"
    assert attachment.kind == QuoteAttachment.Kind.PDF
    assert len(private_files()) == 1
    changes = StatusChange.objects.filter(quote_request=quote_request)
    assert changes.count() == changes_before + 1
    last = changes.last()
    assert (last.from_status, last.to_status, last.actor) == (S.AWAITING_PATIENT, S.IN_REVIEW, None)
    assert [mail.to for mail in mailoutbox] == [[COORDINATORS]]
    assert "sent the information you asked for" in mailoutbox[0].body
    assert quote_request.reference in mailoutbox[0].subject

    page = client.get(response["Location"])
    assert "Thank you, we have your answer" in page_text(page)
    assert action_url(client, "reply", quote_request) not in page.content.decode()


def test_reply_with_a_text_file_renamed_pdf_is_refused_and_keeps_the_typed_text(client, staff, mailoutbox):
    quote_request = request_in(S.AWAITING_PATIENT, staff)
    changes_before = StatusChange.objects.count()
    data = {
        "reply-message": "My answer, typed with care",
        "reply-files": [upload("notes.pdf", TEXT, "application/pdf")],
    }
    response = client.post(action_url(client, "reply", quote_request), data)

    assert response.status_code == 400
    assert_private(response)
    text = page_text(response)
    assert "“notes.pdf”: we accept PDF" in text
    assert "please choose your files again" in text.lower()
    assert re.search(
        r'<textarea name="reply-message"[^>]*>\s*My answer, typed with care</textarea>', response.content.decode()
    )
    quote_request.refresh_from_db()
    assert quote_request.status == S.AWAITING_PATIENT
    assert not PatientMessage.objects.exists()
    assert not QuoteAttachment.objects.exists()
    assert private_files() == []
    assert StatusChange.objects.count() == changes_before
    assert not Notification.objects.filter(template="coordinator_patient_action").exists()


def test_reply_needs_a_message(client, staff):
    quote_request = request_in(S.AWAITING_PATIENT, staff)
    response = client.post(action_url(client, "reply", quote_request), {"reply-message": "   "})
    assert response.status_code == 400
    assert "Please write your answer before sending." in page_text(response)
    quote_request.refresh_from_db()
    assert quote_request.status == S.AWAITING_PATIENT


def test_reply_longer_than_5000_characters_is_refused(client, staff):
    quote_request = request_in(S.AWAITING_PATIENT, staff)
    response = client.post(action_url(client, "reply", quote_request), {"reply-message": "x" * 5001})
    assert response.status_code == 400
    assert not PatientMessage.objects.exists()


def test_reply_when_nobody_asked_is_refused(client, staff):
    quote_request = request_in(S.IN_REVIEW, staff)
    response = client.post(action_url(client, "reply", quote_request), {"reply-message": "Hello"})
    assert response.status_code == 409
    assert_private(response)
    assert "We are not waiting for information from you" in page_text(response)
    quote_request.refresh_from_db()
    assert quote_request.status == S.IN_REVIEW
    assert not PatientMessage.objects.exists()


def test_reply_sent_twice_is_stored_once(client, staff):
    quote_request = request_in(S.AWAITING_PATIENT, staff)
    data = {"reply-message": "Here it is."}
    first = client.post(action_url(client, "reply", quote_request), data)
    second = client.post(action_url(client, "reply", quote_request), data)
    assert first.status_code == second.status_code == 303
    assert PatientMessage.objects.filter(quote_request=quote_request).count() == 1
    assert StatusChange.objects.filter(quote_request=quote_request, to_status=S.IN_REVIEW).count() == 2  # staff+patient
    assert "We already have your answer" in page_text(client.get(second["Location"]))


# Accept -------------------------------------------------------------------------------------------


def test_accept_moves_to_accepted_and_declines_the_others(
    client, staff, mailoutbox, django_capture_on_commit_callbacks
):
    quote_request = request_in(S.QUOTED, staff, quotes=3)
    chosen, *others = sent_quotes(quote_request)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(action_url(client, "accept", quote_request), {"quote": chosen.pk, "confirm": "yes"})
    notifications_send()  # The mail worker's turn.

    assert response.status_code == 303
    assert response["Location"] == action_url(client, "status", quote_request)
    assert_private(response)
    quote_request.refresh_from_db()
    assert quote_request.status == S.ACCEPTED
    assert quote_request.closed_at is not None
    chosen.refresh_from_db()
    assert chosen.status == FQ.ACCEPTED
    assert {quote.status for quote in FacilityQuote.objects.filter(pk__in=[q.pk for q in others])} == {FQ.DECLINED}
    last = StatusChange.objects.filter(quote_request=quote_request).last()
    assert (last.from_status, last.to_status, last.actor) == (S.QUOTED, S.ACCEPTED, None)
    assert "accepted a quote" in coordinators_mail(mailoutbox, quote_request).body

    page = client.get(response["Location"])
    text = page_text(page)
    assert "You have accepted this quote" in text  # The success message.
    assert f"You chose the quote from {chosen.facility.name}" in text
    assert "What happens next" in text
    assert action_url(client, "accept", quote_request) not in page.content.decode()
    assert action_url(client, "decline", quote_request) not in page.content.decode()
    assert action_url(client, "withdraw", quote_request) not in page.content.decode()


def _refused_accept(client, quote_request, quote_id, expected_status=409):
    before = (
        list(FacilityQuote.objects.order_by("pk").values_list("pk", "status")),
        StatusChange.objects.count(),
        Notification.objects.count(),
    )
    response = client.post(action_url(client, "accept", quote_request), {"quote": quote_id, "confirm": "yes"})
    assert response.status_code == expected_status
    assert_private(response)
    quote_request.refresh_from_db()
    assert quote_request.status == S.QUOTED
    after = (
        list(FacilityQuote.objects.order_by("pk").values_list("pk", "status")),
        StatusChange.objects.count(),
        Notification.objects.count(),
    )
    assert after == before
    return response


def test_accepting_an_expired_quote_is_refused(client, staff):
    quote_request = request_in(S.QUOTED, staff)
    expired, _valid = sent_quotes(quote_request)
    FacilityQuote.objects.filter(pk=expired.pk).update(valid_until=timezone.localdate() - datetime.timedelta(days=1))
    response = _refused_accept(client, quote_request, expired.pk)
    assert "That quote has expired" in page_text(response)


def test_accepting_a_draft_quote_is_refused(client, staff):
    quote_request = request_in(S.QUOTED, staff)
    draft = make_facility_quote(quote_request=quote_request)  # Added after the quotes were sent: still a draft.
    assert draft.status == FQ.DRAFT
    response = _refused_accept(client, quote_request, draft.pk)
    assert "That quote is not one you can accept." in page_text(response)


def test_accepting_another_requests_quote_is_refused_and_changes_neither(client, staff):
    mine = request_in(S.QUOTED, staff)
    theirs = request_in(S.QUOTED, staff)
    their_quote = sent_quotes(theirs)[0]
    response = _refused_accept(client, mine, their_quote.pk)
    assert "That quote is not one you can accept." in page_text(response)
    assert their_quote.facility.name not in page_text(response)
    theirs.refresh_from_db()
    assert theirs.status == S.QUOTED


@pytest.mark.parametrize("value", ["", "abc", "-3", "1.5", "99999999999999999999999"])
def test_accept_with_a_malformed_quote_id_is_refused(client, staff, value):
    quote_request = request_in(S.QUOTED, staff)
    response = _refused_accept(client, quote_request, value, expected_status=400)
    assert "We could not tell which quote you chose" in page_text(response)


def test_accept_clicked_twice_makes_one_move(client, staff, mailoutbox, django_capture_on_commit_callbacks):
    quote_request = request_in(S.QUOTED, staff)
    chosen = sent_quotes(quote_request)[0]
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(action_url(client, "accept", quote_request), {"quote": chosen.pk, "confirm": "yes"})
    notifications_send()  # The mail worker's turn.
    with django_capture_on_commit_callbacks(execute=True):
        second = client.post(action_url(client, "accept", quote_request), {"quote": chosen.pk, "confirm": "yes"})
    notifications_send()  # The mail worker's turn.

    assert first.status_code == second.status_code == 303
    assert StatusChange.objects.filter(quote_request=quote_request, to_status=S.ACCEPTED).count() == 1
    # The coordinators, the office of the case that was not chosen, and the patient's receipt: once each.
    assert len(mailoutbox) == 3
    coordinators_mail(mailoutbox, quote_request)
    assert "You have already accepted this quote" in page_text(client.get(second["Location"]))


def test_accept_that_loses_a_race_to_itself_gets_the_calm_answer(client, staff, monkeypatch):
    """Two clicks at once: both read "quotes ready"; the second's move finds the first already made."""
    quote_request = request_in(S.QUOTED, staff)
    chosen = sent_quotes(quote_request)[0]
    real_accept = patient_services.patient_accept_quote

    def first_click_wins(*, quote_request, facility_quote_id):
        real_accept(quote_request=QuoteRequest.objects.get(pk=quote_request.pk), facility_quote_id=facility_quote_id)
        return real_accept(quote_request=quote_request, facility_quote_id=facility_quote_id)

    monkeypatch.setattr("quotes.views.patient_accept_quote", first_click_wins)
    response = client.post(action_url(client, "accept", quote_request), {"quote": chosen.pk, "confirm": "yes"})
    assert response.status_code == 303
    assert StatusChange.objects.filter(quote_request=quote_request, to_status=S.ACCEPTED).count() == 1
    assert "You have already accepted this quote" in page_text(client.get(response["Location"]))


def test_accepting_a_second_quote_after_the_first_is_refused(client, staff):
    quote_request = request_in(S.QUOTED, staff)
    first, second = sent_quotes(quote_request)
    client.post(action_url(client, "accept", quote_request), {"quote": first.pk, "confirm": "yes"})
    response = client.post(action_url(client, "accept", quote_request), {"quote": second.pk, "confirm": "yes"})
    assert response.status_code == 409
    assert f"You have already accepted the quote from {first.facility.name}" in page_text(response)
    second.refresh_from_db()
    assert second.status == FQ.DECLINED


# Decline and withdraw -------------------------------------------------------------------------------


def test_decline_all_closes_the_request(client, staff, mailoutbox, django_capture_on_commit_callbacks):
    quote_request = request_in(S.QUOTED, staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(action_url(client, "decline", quote_request))
    notifications_send()  # The mail worker's turn.
    assert response.status_code == 303
    assert_private(response)
    quote_request.refresh_from_db()
    assert (quote_request.status, quote_request.closed_reason) == (S.CLOSED, QuoteRequest.CloseReason.DECLINED)
    assert {quote.status for quote in sent_quotes(quote_request)} == {FQ.DECLINED}
    assert StatusChange.objects.filter(quote_request=quote_request, to_status=S.CLOSED, actor=None).count() == 1
    assert "declined the quotes" in coordinators_mail(mailoutbox, quote_request).body
    text = page_text(client.get(response["Location"]))
    assert "You have declined the quotes" in text

    again = client.post(action_url(client, "decline", quote_request))
    assert again.status_code == 303
    assert "You have already declined the quotes" in page_text(client.get(again["Location"]))
    assert StatusChange.objects.filter(quote_request=quote_request, to_status=S.CLOSED).count() == 1


@pytest.mark.parametrize("status", [S.SUBMITTED, S.IN_REVIEW, S.AWAITING_PATIENT, S.SENT_TO_FACILITIES])
def test_decline_before_there_are_quotes_is_refused(client, staff, status):
    quote_request = request_in(status, staff)
    response = client.post(action_url(client, "decline", quote_request))
    assert response.status_code == 409
    assert "Your quotes are not ready yet" in page_text(response)
    quote_request.refresh_from_db()
    assert quote_request.status == status


@pytest.mark.parametrize("status", [S.SUBMITTED, S.IN_REVIEW, S.QUOTED])
def test_withdraw_closes_an_open_request(client, staff, status, mailoutbox, django_capture_on_commit_callbacks):
    quote_request = request_in(status, staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(action_url(client, "withdraw", quote_request), {"withdraw-confirm": "on"})
    notifications_send()  # The mail worker's turn.
    assert response.status_code == 303
    assert_private(response)
    quote_request.refresh_from_db()
    assert (quote_request.status, quote_request.closed_reason) == (S.CLOSED, QuoteRequest.CloseReason.WITHDRAWN)
    last = StatusChange.objects.filter(quote_request=quote_request).last()
    assert (last.from_status, last.to_status, last.actor) == (status, S.CLOSED, None)
    assert "withdrew the request" in coordinators_mail(mailoutbox, quote_request).body
    page = client.get(response["Location"])
    assert "Your request has been withdrawn" in page_text(page)
    assert action_url(client, "withdraw", quote_request) not in page.content.decode()


def test_withdraw_needs_the_confirmation_box(client, staff):
    quote_request = request_in(S.IN_REVIEW, staff)
    response = client.post(action_url(client, "withdraw", quote_request), {})
    assert response.status_code == 400
    assert "Please tick the box" in page_text(response)
    quote_request.refresh_from_db()
    assert quote_request.status == S.IN_REVIEW


def test_withdraw_when_already_closed_gets_a_friendly_message(client, staff):
    quote_request = request_in(S.CLOSED, staff)
    changes = StatusChange.objects.count()
    response = client.post(action_url(client, "withdraw", quote_request), {"withdraw-confirm": "on"})
    assert response.status_code == 303
    assert "This request is already closed, so there is nothing to withdraw." in page_text(
        client.get(response["Location"])
    )
    assert StatusChange.objects.count() == changes


def test_withdraw_after_accepting_is_refused(client, staff):
    quote_request = request_in(S.QUOTED, staff)
    client.post(
        action_url(client, "accept", quote_request), {"quote": sent_quotes(quote_request)[0].pk, "confirm": "yes"}
    )
    response = client.post(action_url(client, "withdraw", quote_request), {"withdraw-confirm": "on"})
    assert response.status_code == 409
    assert "You have accepted a quote" in page_text(response)
    quote_request.refresh_from_db()
    assert quote_request.status == S.ACCEPTED


# Addresses, methods, CSRF ----------------------------------------------------------------------------

ACTIONS = ["reply", "accept", "decline", "withdraw"]


@pytest.mark.parametrize("action", ACTIONS)
def test_get_on_an_action_is_not_allowed(client, staff, action):
    quote_request = request_in(S.QUOTED, staff)
    response = client.get(action_url(client, action, quote_request))
    assert response.status_code == 405
    assert_private(response)
    quote_request.refresh_from_db()
    assert quote_request.status == S.QUOTED


@pytest.mark.parametrize("token", ["short", "A" * 42 + "!", "A" * 44, "A" * 43])
def test_malformed_and_unknown_tokens_are_not_found(client, staff, token):
    request_in(S.QUOTED, staff)
    response = client.get(status_link(token))
    assert response.status_code == 404
    assert_private(response, referrer_policy="no-referrer")  # Its address holds a token.
    assert "Set-Cookie" not in response.headers
    assert QuoteRequest.objects.get().status == S.QUOTED


@pytest.mark.parametrize("action", ACTIONS)
def test_actions_without_the_status_cookie_do_nothing(client, staff, action):
    request_in(S.QUOTED, staff)
    response = client.post(patient_url(action), {"quote": 1, "withdraw-confirm": "on", "reply-message": "x"})
    assert response.status_code == 403
    assert_private(response)
    assert "has not been saved" in page_text(response)
    assert QuoteRequest.objects.get().status == S.QUOTED


@pytest.mark.parametrize("action", ACTIONS)
def test_actions_need_the_csrf_token(staff, action):
    quote_request = request_in(S.QUOTED, staff)
    browser = Client(enforce_csrf_checks=True)
    response = browser.post(
        action_url(browser, action, quote_request),
        {"quote": sent_quotes(quote_request)[0].pk, "withdraw-confirm": "on"},
    )
    assert response.status_code == 403
    quote_request.refresh_from_db()
    assert quote_request.status == S.QUOTED


def test_the_forms_carry_the_csrf_token_and_a_real_browser_flow_works(staff):
    browser = Client(enforce_csrf_checks=True)
    quote_request = request_in(S.QUOTED, staff)
    page = browser.get(action_url(browser, "status", quote_request))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    response = browser.post(
        action_url(browser, "accept", quote_request),
        {"quote": sent_quotes(quote_request)[0].pk, "confirm": "yes", "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 303
    quote_request.refresh_from_db()
    assert quote_request.status == S.ACCEPTED


# The comparison --------------------------------------------------------------------------------------


@pytest.fixture
def compared(staff):
    """A quoted request with three quotes: itemised, in two currencies, one unlisted hospital."""
    today = timezone.localdate()
    quote_request = make_quote_request(procedure=make_procedure(), condition="Back pain")
    move(quote_request, S.IN_REVIEW, staff)
    move(quote_request, S.SENT_TO_FACILITIES, staff)
    jci = make_body(name="Joint Commission International", abbreviation="JCI", slug="jci")
    istanbul = make_facility(name="Anadolu Spine Hospital", city="Istanbul", country="TR", accredited=False)
    make_accreditation(facility=istanbul, body=jci, expires_on=datetime.date(today.year + 2, 6, 30))
    make_accreditation(  # Suspended: not shown.
        facility=istanbul,
        body=make_body(abbreviation="OLD", slug="old"),
        status=Accreditation.Status.SUSPENDED,
    )
    berlin = make_facility(name="Berlin Spine Centre", city="Berlin", country="DE")
    hidden = make_facility(name="Hidden Clinic", city="Paris", country="FR", is_published=False)
    first = make_facility_quote(
        quote_request=quote_request,
        facility=istanbul,
        currency="USD",
        lines=[
            ("surgeon", "5000.00", "Lead surgeon and assistant"),
            ("hospital_nights", "1200.50", "Three nights, private room"),
            ("hospital_nights", "300.00", "One extra night in case of need"),
        ],
        exclusions="Flights",
        notes="Airport pick-up on request.",
        valid_days=20,
    )
    second = make_facility_quote(
        quote_request=quote_request,
        facility=berlin,
        currency="EUR",
        lines=[("surgeon", "4000.00", ""), ("implants", "900.00", "Titanium rods")],
        valid_days=40,
    )
    third = make_facility_quote(
        quote_request=quote_request, facility=hidden, currency="USD", lines=[("anaesthesia", "700.00", "")]
    )
    draft = make_facility_quote(quote_request=quote_request, lines=[])  # No lines: never sent.
    move(quote_request, S.QUOTED, staff)
    draft.facility.name = "Draft Only Hospital"
    draft.facility.save()
    return quote_request, first, second, third, jci


def test_comparison_shows_each_quote_line_by_line(client, compared):
    quote_request, first, second, third, _jci = compared
    response = client.get(action_url(client, "status", quote_request))
    assert response.status_code == 200
    rows, links = comparison(response)

    header = rows["Item"]
    assert len(header) == 3
    for cell, quote in zip(header, (first, second, third), strict=True):
        facility = quote.facility
        assert cell.startswith(f"{facility.name} {facility.city}, {facility.country.name}")
    # Rows in the category order; "not stated" (never a dash) where a quote has no such line.
    categories = [key for key in rows if key not in ("Item", "Total", "Not included", "Notes from the hospital",
                                                     "Valid until", "Your choice")]  # fmt: skip
    assert categories == ["Surgeon's fee", "Anaesthesia", "Implants", "Hospital nights"]
    assert rows["Surgeon's fee"][0] == "US$5,000 Lead surgeon and assistant"
    assert rows["Surgeon's fee"][1] == "€4,000"
    assert rows["Surgeon's fee"][2] == "Not stated: ask us"
    assert rows["Hospital nights"][0] == "US$1,200.50 Three nights, private room US$300 One extra night in case of need"
    assert rows["Implants"][1] == "€900 Titanium rods"
    assert rows["Anaesthesia"][2] == "US$700"
    assert rows["Total"] == ["US$6,500.50", "€4,900", "US$700"]
    assert rows["Not included"][0] == "Flights"
    assert rows["Notes from the hospital"][0] == "Airport pick-up on request."
    assert first.valid_until.strftime("%-d %b %Y") in rows["Valid until"][0]
    assert second.valid_until.strftime("%-d %b %Y") in rows["Valid until"][1]
    assert all("Accept this quote" in cell for cell in rows["Your choice"])
    # Links: listed hospitals to their public page; an unpublished one is not linked.
    assert first.facility.get_absolute_url() in links and second.facility.get_absolute_url() in links
    assert third.facility.get_absolute_url() not in links

    html = response.content.decode()
    assert "<caption" in html and 'scope="col"' in html and 'scope="row"' in html
    assert 'class="table-wrap quote-compare-wrap"' in html
    assert "Draft Only Hospital" not in html
    for quote in (first, second, third):
        assert f'name="quote" value="{quote.pk}"' in html
    assert f'action="{action_url(client, "decline", quote_request)}"' in html


def test_comparison_shows_current_accreditation_badges(client, compared):
    quote_request, first, _second, _third, jci = compared
    rows, _links = comparison(client.get(action_url(client, "status", quote_request)))
    istanbul = rows["Item"][0]
    year = first.facility.accreditations.get(body=jci).expires_on.year
    assert f"JCI to {year}" in istanbul
    assert "OLD" not in istanbul  # Suspended accreditations are not current.
    assert re.search(r"AC\d+ to \d{4}", rows["Item"][1])  # The factory's accreditation.


def test_quotes_in_different_currencies_are_never_added_together(client, compared):
    quote_request, *_ = compared
    response = client.get(action_url(client, "status", quote_request))
    text = page_text(response)
    assert "different currencies (EUR, USD)" in text
    rows, _links = comparison(response)
    assert rows["Total"] == ["US$6,500.50", "€4,900", "US$700"]
    for mixed_sum in ("11,400.50", "12,100.50", "7,200.50", "5,600"):
        assert mixed_sum not in text


def test_quotes_are_converted_into_the_budget_currency_at_a_dated_rate(client, compared):
    quote_request, *_ = compared
    QuoteRequest.objects.filter(pk=quote_request.pk).update(budget_amount=9000, budget_currency="GBP")
    on = timezone.localdate() - datetime.timedelta(days=1)
    ExchangeRate.objects.create(currency="EUR", on=on, per_usd=Decimal("0.9"))
    ExchangeRate.objects.create(currency="GBP", on=on, per_usd=Decimal("0.8"))
    response = client.get(action_url(client, "status", quote_request))
    text = page_text(response)
    assert "converted into GBP, your budget’s currency" in text
    assert "different currencies (EUR, USD)" not in text
    rows, _links = comparison(response)
    when = on.strftime("%-d %b %Y")
    # US$6,500.50 × 0.8; €4,900 × 0.8 / 0.9: each beside the hospital's own price, never summed.
    assert rows["Total"] == [
        f"≈ £5,200 · US$6,500.50 at the {when} rate",
        f"≈ £4,360 · €4,900 at the {when} rate",
        f"≈ £560 · US$700 at the {when} rate",
    ]
    assert rows["Surgeon's fee"][1] == f"≈ £3,560 · €4,000 at the {when} rate"


def test_quotes_are_not_converted_at_an_old_rate(client, compared):
    quote_request, *_ = compared
    QuoteRequest.objects.filter(pk=quote_request.pk).update(budget_amount=9000, budget_currency="EUR")
    ExchangeRate.objects.create(currency="EUR", on=timezone.localdate() - datetime.timedelta(days=90), per_usd=1)
    response = client.get(action_url(client, "status", quote_request))
    assert "different currencies (EUR, USD)" in page_text(response)
    rows, _links = comparison(response)
    assert rows["Total"] == ["US$6,500.50", "€4,900", "US$700"]


def test_expired_quote_is_marked_and_cannot_be_accepted(client, compared):
    quote_request, first, second, _third, _jci = compared
    FacilityQuote.objects.filter(pk=first.pk).update(valid_until=timezone.localdate() - datetime.timedelta(days=2))
    response = client.get(action_url(client, "status", quote_request))
    rows, _links = comparison(response)
    assert rows["Valid until"][0].startswith("Expired on")
    assert "Accept this quote" not in rows["Your choice"][0]
    assert "Accept this quote" in rows["Your choice"][1]
    html = response.content.decode()
    assert f'name="quote" value="{first.pk}"' not in html
    assert f'name="quote" value="{second.pk}"' in html


def test_status_page_queries_do_not_grow_with_quotes_and_lines(client, staff, django_assert_num_queries):
    small = request_in(S.QUOTED, staff, quotes=1)
    big = make_quote_request(procedure=make_procedure(), condition="Back pain")
    move(big, S.IN_REVIEW, staff)
    move(big, S.SENT_TO_FACILITIES, staff)
    for n in range(4):
        facility = make_facility()
        make_accreditation(facility=facility)
        make_facility_quote(
            quote_request=big,
            facility=facility,
            currency=["USD", "EUR"][n % 2],
            lines=[("surgeon", "1000", "a"), ("tests", "200", "b"), ("hotel", "300", "c"), ("other", "5", "")],
        )
    big = move(big, S.QUOTED, staff)

    small_page, big_page = action_url(client, "status", small), action_url(Client(), "status", big)
    cache.clear()
    with CaptureQueriesContext(connection) as one_quote:
        assert client.get(small_page).status_code == 200
    one_quote_count = len(one_quote)  # Read now: the next request clears the query log.
    open_status(client, big)
    cache.clear()  # As cold as the first: the exchange rates are read once, then cached.
    with django_assert_num_queries(one_quote_count):
        response = client.get(big_page)
    assert len(comparison(response)[0]["Total"]) == 4


# After the choice -------------------------------------------------------------------------------------


def test_accepted_page_shows_the_choice_without_actions(client, compared):
    quote_request, first, second, _third, _jci = compared
    response = client.post(action_url(client, "accept", quote_request), {"quote": second.pk, "confirm": "yes"})
    page = client.get(response["Location"])
    text = page_text(page)
    assert "You chose the quote from Berlin Spine Centre in Berlin, Germany, for a total of €4,900" in text
    rows, _links = comparison(page)
    assert rows["Your choice"][1] == "You accepted this quote"
    assert rows["Your choice"][0] == "Declined"
    assert "Accept this quote" not in page.content.decode()


def test_drafts_are_never_shown(client, staff):
    quote_request = request_in(S.QUOTED, staff, quotes=1)
    draft = make_facility_quote(quote_request=quote_request)
    draft.facility.name = "Unsent Draft Hospital"
    draft.facility.save()
    response = client.get(action_url(client, "status", quote_request))
    assert "Unsent Draft Hospital" not in response.content.decode()
    assert len(comparison(response)[0]["Total"]) == 1


@pytest.mark.django_db
def test_every_line_state_is_said_in_words_never_a_dash(client, staff):
    quote_request = make_quote_request(status=S.SENT_TO_FACILITIES)
    quote = make_facility_quote(quote_request=quote_request, lines=[("surgeon", "5000", "")])
    State = FacilityQuoteItem.State
    for category, state in (("hotel", State.NOT_INCLUDED), ("transfers", State.INCLUDED_FREE),
                            ("other", State.NOT_APPLICABLE)):  # fmt: skip
        FacilityQuoteItem.objects.create(quote=quote, category=category, state=state, amount=None)
    move(quote_request, S.QUOTED, staff)
    rows, _links = comparison(client.get(action_url(client, "status", quote_request)))
    assert rows["Hotel"] == ["Not included"]
    assert rows["Transfers"] == ["Included at no extra charge"]
    assert rows["Other"] == ["Not applicable"]
    assert rows["Total"] == ["US$5,000"]
