"""Mail never waits in a patient's request: web requests queue, the worker claims and sends.

The web process must not talk to the mail server at all, so a dead or hanging server cannot slow
or break a submission; links in mail come from MEDTOUR_SITE_URL, never from the Host header; a
template that cannot be rendered fails for good with a clear reason; two workers never take the
same row.
"""

import threading

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection, connections, transaction
from django.urls import reverse

from quotes.models import Notification, QuoteRequest
from quotes.services.outbox import notification_new, notifications_claim, notifications_queue, notifications_send
from tests.factories import form_data, make_quote_request

pytestmark = pytest.mark.django_db

CALLS = []


class RecordingDeadBackend(BaseEmailBackend):
    """A mail server that is down: every attempt is recorded, then fails."""

    def send_messages(self, email_messages):
        CALLS.append(len(email_messages))
        raise ConnectionRefusedError("mail server down")


@pytest.fixture
def dead_mail(settings):
    CALLS.clear()
    settings.EMAIL_BACKEND = f"{__name__}.RecordingDeadBackend"
    return CALLS


def test_a_submission_with_the_mail_server_down_never_touches_it(
    client, quote_url, catalogue, dead_mail, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(quote_url, form_data())
    assert response.status_code == 302 and response["Location"] == reverse("quotes:thanks")
    assert QuoteRequest.objects.count() == 1
    # Nothing was even tried while the patient waited: the same time as with the server up.
    assert dead_mail == []
    queued = Notification.objects.filter(status=Notification.Status.PENDING)
    assert queued.count() == 2  # The patient's confirmation and the coordinators' notice.
    # The worker tries, fails, and keeps the rows for later.
    assert notifications_send() == 0
    assert len(dead_mail) == 2
    assert Notification.objects.filter(status=Notification.Status.PENDING, attempts=1).count() == 2


def test_a_patient_move_queues_its_mail_without_sending(catalogue, dead_mail, django_capture_on_commit_callbacks):
    from quotes.services.patient import patient_withdraw

    quote_request = make_quote_request()
    with django_capture_on_commit_callbacks(execute=True):
        patient_withdraw(quote_request=quote_request)
    assert dead_mail == []
    assert Notification.objects.filter(template="coordinator_patient_action").count() == 1


def test_links_in_mail_come_from_the_site_setting_not_the_host_header(
    client, quote_url, catalogue, settings, mailoutbox
):
    settings.ALLOWED_HOSTS = ["testserver", "attacker.example"]
    settings.SITE_URL = "https://medtour.example"
    response = client.post(quote_url, form_data(), HTTP_HOST="attacker.example")
    assert response.status_code == 302
    assert notifications_send() == 2
    text = "\n".join(message.body for message in mailoutbox)
    assert "attacker.example" not in text
    patient = next(message for message in mailoutbox if message.to == ["ana@example.org"])
    assert "https://medtour.example/quote/status/" in patient.body
    coordinators = next(message for message in mailoutbox if message.to != ["ana@example.org"])
    assert "https://medtour.example/admin/quotes/quoterequest/" in coordinators.body


def test_without_a_site_setting_links_use_the_development_address(client, quote_url, catalogue, settings, mailoutbox):
    settings.SITE_URL = ""
    client.post(quote_url, form_data(), HTTP_HOST="localhost")
    notifications_send()
    patient = next(message for message in mailoutbox if message.to == ["ana@example.org"])
    assert "http://127.0.0.1:8000/quote/status/" in patient.body


def test_a_template_error_fails_for_good_at_once_with_its_reason(mailoutbox, settings):
    quote_request = make_quote_request()
    [row] = notifications_queue([notification_new(quote_request, "ana@example.org", "no_such_template", {})])
    assert notifications_send() == 0
    row.refresh_from_db()
    assert row.status == Notification.Status.FAILED
    assert row.attempts == 1
    assert row.last_error.startswith("Template error, not retried: TemplateDoesNotExist")
    assert "no_such_template" in row.last_error
    assert mailoutbox == []
    # Not tried again: it is not due any more.
    assert notifications_claim() == []


def test_a_bad_context_is_a_template_error_too(mailoutbox):
    quote_request = make_quote_request()
    context = {"reference": "MT-X", "first_reply_due_at": "not a date", "name": "Ana", "procedure": ""}
    [row] = notifications_queue([notification_new(quote_request, "ana@example.org", "patient_submitted", context)])
    notifications_send()
    row.refresh_from_db()
    assert row.status == Notification.Status.FAILED
    assert "ValueError" in row.last_error


def test_a_claimed_row_is_not_claimed_again():
    quote_request = make_quote_request()
    rows = notifications_queue(
        [notification_new(quote_request, f"c{i}@example.org", "patient_closed", {"reference": "x"}) for i in range(5)]
    )
    first = notifications_claim(limit=3)
    second = notifications_claim(limit=10)
    assert len(first) == 3 and len(second) == 2
    assert set(first).isdisjoint(second)
    assert set(first) | set(second) == {row.pk for row in rows}
    assert notifications_claim() == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="SKIP LOCKED is PostgreSQL's")
def test_rows_locked_by_another_worker_are_skipped_not_waited_for():
    quote_request = make_quote_request()
    rows = notifications_queue(
        [notification_new(quote_request, f"c{i}@example.org", "patient_closed", {"reference": "x"}) for i in range(4)]
    )
    locked_ids = [rows[0].pk, rows[1].pk]
    holding, release, claimed = threading.Event(), threading.Event(), []

    def other_worker():
        try:
            with transaction.atomic():
                list(Notification.objects.select_for_update().filter(pk__in=locked_ids))
                holding.set()
                release.wait(10)
        finally:
            connections.close_all()

    thread = threading.Thread(target=other_worker)
    thread.start()
    try:
        assert holding.wait(10)
        claimed = notifications_claim(limit=10)
    finally:
        release.set()
        thread.join(10)
    assert sorted(claimed) == sorted(row.pk for row in rows[2:])


def test_the_worker_sends_what_a_request_queued(client, quote_url, catalogue, mailoutbox):
    client.post(quote_url, form_data())
    assert mailoutbox == []
    assert notifications_send() == 2
    assert len(mail.outbox) == 2
    assert Notification.objects.filter(status=Notification.Status.SENT).count() == 2
