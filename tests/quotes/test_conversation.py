"""A conversation, not a form: the patient writes to their coordinator at any open status and sees
the whole thread; coordinators answer from the admin (with saved replies); each side is e-mailed
only that a message is waiting; the first-reply clock stops at the first thing the patient sees."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from quotes.models import Message, Notification, QuoteAttachment, QuoteRequest
from quotes.selectors import dashboard_figures
from quotes.services.conversation import staff_message_post
from quotes.services.outbox import render_notification
from quotes.services.patient import patient_reply
from quotes.services.workflow import quote_request_transition
from tests.factories import make_case, make_quote_request, make_staff
from tests.quotes.helpers import EXE, PDF, private_files, status_url_for, upload

S = QuoteRequest.Status


@pytest.fixture
def coordinator(db):
    return make_staff(username="cora", email="cora@medtour.localhost", group="Coordinators")


def status_url(client, quote_request, name="status"):
    return status_url_for(client, quote_request, name)


def in_review(coordinator, **overrides):
    return quote_request_transition(
        quote_request=make_quote_request(**overrides), from_status=S.SUBMITTED, to_status=S.IN_REVIEW, actor=coordinator
    )


def post_message(client, quote_request, text, files=()):
    data = {"message-message": text}
    if files:
        data["message-files"] = list(files)
    return client.post(status_url(client, quote_request, "message"), data)


def test_the_patient_writes_with_a_file_and_the_coordinators_are_told_without_the_content(client, coordinator):
    quote_request = in_review(coordinator, name="Ana Patient")
    page = client.get(status_url(client, quote_request)).content.decode()
    assert 'id="message-form"' in page
    response = post_message(client, quote_request, "I forgot: I also had a fall in May.", [upload("x-ray.pdf", PDF)])
    assert response.status_code == 303
    message = Message.objects.get()
    assert (message.channel, message.author_kind, message.author) == ("patient", "patient", None)
    [attachment] = QuoteAttachment.objects.filter(message=message)
    assert attachment.original_name == "x-ray.pdf" and attachment.from_patient_reply
    mails = Notification.objects.filter(template="coordinator_patient_message")
    assert mails.exists()
    for row in mails:
        mail = render_notification(row)
        assert "fall in May" not in mail.body and "Ana Patient" not in mail.body
        assert quote_request.reference in mail.subject and "#conversation" in mail.body
    page = client.get(status_url(client, quote_request)).content.decode()
    assert "I forgot: I also had a fall in May." in page and "x-ray.pdf" in page


@pytest.mark.parametrize("text", ["", "   ", "a\x00b", "x" * 5001])
def test_an_empty_or_hostile_message_is_refused_and_nothing_is_kept(client, coordinator, text):
    quote_request = in_review(coordinator)
    response = post_message(client, quote_request, text, [upload("x-ray.pdf", PDF)])
    assert response.status_code == 400
    assert "field-error" in response.content.decode()
    assert not Message.objects.exists() and not QuoteAttachment.objects.exists()
    assert not private_files()


def test_a_file_that_is_not_accepted_is_refused_with_its_name(client, coordinator):
    quote_request = in_review(coordinator)
    response = post_message(client, quote_request, "Here it is.", [upload("setup.exe", EXE)])
    assert response.status_code == 400
    assert "setup.exe" in response.content.decode()
    assert not Message.objects.exists() and not private_files()


def test_a_closed_request_takes_no_more_messages(client, coordinator):
    quote_request = in_review(coordinator)
    quote_request = quote_request_transition(
        quote_request=quote_request, from_status=S.IN_REVIEW, to_status=S.CLOSED, actor=coordinator, reason="spam"
    )
    assert 'id="message-form"' not in client.get(status_url(client, quote_request)).content.decode()
    response = post_message(client, quote_request, "Hello?")
    assert response.status_code == 409
    assert not Message.objects.exists()
    assert client.get(status_url(client, quote_request, "message")).status_code == 405


def test_the_coordinator_answers_from_the_admin_and_the_patient_is_told_a_message_waits(client, coordinator):
    quote_request = in_review(coordinator, name="Ana Patient", email="ana@example.org")
    post_message(client, quote_request, "Is the price in euros?")
    admin = client.__class__()
    admin.force_login(coordinator)
    change = reverse("admin:quotes_quoterequest_change", args=[quote_request.pk])
    page = admin.get(change).content.decode()
    assert 'id="conversation"' in page and "Is the price in euros?" in page
    Notification.objects.all().delete()
    response = admin.post(
        reverse("admin:quotes_quoterequest_patient_message", args=[quote_request.pk]),
        {"text": "It is in US dollars; we can show euros too."},
    )
    assert response.status_code == 302 and response["Location"].endswith("#conversation")
    answer = Message.objects.get(author_kind="staff")
    assert answer.author == coordinator
    [row] = Notification.objects.filter(template="patient_new_message")
    mail = render_notification(row)
    assert row.recipient == "ana@example.org"
    assert "US dollars" not in mail.body and "/quote/status/" in mail.body
    page = client.get(status_url(client, quote_request)).content.decode()
    thread = page.split('id="thread"')[1].split("</ol>")[0]
    assert thread.index("Is the price in euros?") < thread.index("It is in US dollars")
    assert "cora" not in thread  # The patient sees "your coordinator", not a username.


def test_a_saved_reply_is_sent_when_the_message_is_left_empty(client, coordinator):
    quote_request = in_review(coordinator)
    client.force_login(coordinator)
    client.post(
        reverse("admin:quotes_quoterequest_patient_message", args=[quote_request.pk]),
        {"text": "", "saved": "received_files"},
    )
    assert Message.objects.get().text.startswith("Thank you for your files")
    response = client.post(
        reverse("admin:quotes_quoterequest_patient_message", args=[quote_request.pk]),
        {"text": "", "saved": "no-such-reply"},
        follow=True,
    )
    assert "Write your message" in response.content.decode()
    assert Message.objects.count() == 1


def test_a_directory_editor_cannot_write_to_the_patient(client, coordinator):
    quote_request = in_review(coordinator)
    client.force_login(make_staff(username="eddie", group="Directory editors"))
    response = client.post(
        reverse("admin:quotes_quoterequest_patient_message", args=[quote_request.pk]), {"text": "Hi"}
    )
    assert response.status_code in (403, 404)
    assert not Message.objects.exists()


def test_the_question_and_the_answer_stay_in_the_thread_once_answered(client, coordinator):
    quote_request = in_review(coordinator)
    quote_request = quote_request_transition(
        quote_request=quote_request,
        from_status=S.IN_REVIEW,
        to_status=S.AWAITING_PATIENT,
        actor=coordinator,
        note="Please send your MRI report.",
    )
    patient_reply(quote_request=quote_request, text="Here is what I have.", files=[])
    page = client.get(status_url(client, quote_request)).content.decode()
    thread = page.split('id="thread"')[1].split("</ol>")[0]
    assert thread.index("Please send your MRI report.") < thread.index("Here is what I have.")
    assert 'id="message-form"' in page  # Back in review: the patient can write again.


def test_the_first_reply_clock_stops_at_the_first_thing_the_patient_sees(coordinator):
    quote_request = in_review(coordinator)
    assert quote_request.first_replied_at is None  # Starting the review is not a reply.
    overdue = make_quote_request(first_reply_due_at=timezone.now() - datetime.timedelta(hours=1))
    overdue = quote_request_transition(
        quote_request=overdue, from_status=S.SUBMITTED, to_status=S.IN_REVIEW, actor=coordinator
    )
    assert overdue.is_overdue() and QuoteRequest.objects.overdue().filter(pk=overdue.pk).exists()
    staff_message_post(quote_request=overdue, author=coordinator, text="We are reading your request now.")
    overdue.refresh_from_db()
    assert overdue.first_replied_at is not None and not overdue.is_overdue()
    assert not QuoteRequest.objects.overdue().filter(pk=overdue.pk).exists()
    # A move the patient sees counts too, and only the first one stamps the clock.
    make_case(quote_request=quote_request)
    moved = quote_request_transition(
        quote_request=quote_request, from_status=S.IN_REVIEW, to_status=S.SENT_TO_FACILITIES, actor=coordinator
    )
    assert moved.first_replied_at is not None
    # The dashboard's median is now the real wait, not the 0 minutes "start review" took.
    figures = dashboard_figures(user=coordinator)
    assert figures.median_sample == 2 and figures.median_first_reply_seconds > 0


def test_the_status_page_costs_the_same_queries_however_long_the_thread(client, coordinator):
    quote_request = in_review(coordinator)
    url = status_url(client, quote_request)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(4):
        post_message(client, quote_request, f"Message {n}", [upload(f"scan{n}.pdf", PDF)])
        staff_message_post(quote_request=quote_request, author=coordinator, text=f"Answer {n}")
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)
