"""The e-mail outbox: what the patient and coordinators receive, failures, retries and the worker."""

import datetime
import io
import logging
import os
import signal
import smtplib
import threading
from unittest import mock

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import CommandError, call_command
from django.utils import timezone

from quotes.models import Notification, QuoteRequest
from tests.factories import form_data
from tests.quotes.helpers import STATUS_LINK_RE

pytestmark = pytest.mark.django_db

PATIENT = {
    "name": "Zanzibar Quixote",
    "email": "zq.patient@example.org",
    "phone": "+44 20 7946 0321",
    "condition": "Distinctive-condition-text",
    "diagnosis": "Distinctive-diagnosis-text",
}
SEND = "django.core.mail.EmailMultiAlternatives.send"


class FailingBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


@pytest.fixture(autouse=True)
def _keep_signal_handlers():
    """The worker installs SIGTERM/SIGINT handlers: put pytest's back afterwards."""
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)


def run_worker(*args) -> str:
    out = io.StringIO()
    call_command("send_notifications", *args, stdout=out)
    return out.getvalue()


def make_due():
    Notification.objects.update(next_attempt_at=timezone.now() - datetime.timedelta(seconds=1))


def mail_text(message) -> str:
    return "\n".join([message.subject, message.body, *(content for content, _type in message.alternatives)])


@pytest.fixture
def failing_smtp():
    with mock.patch(SEND, side_effect=smtplib.SMTPException("550 mailbox zq.patient@example.org unavailable")) as send:
        yield send


# What is sent ---------------------------------------------------------------------------------


def test_the_patient_gets_a_confirmation_with_the_reference_and_status_link(client, submit, mailoutbox, catalogue):
    submit(form_data(**PATIENT, procedure="knee-replacement"))
    quote_request = QuoteRequest.objects.get()
    patient = [m for m in mailoutbox if m.to == ["zq.patient@example.org"]]
    assert len(patient) == 1
    message = patient[0]

    assert quote_request.reference in message.subject
    assert quote_request.reference in message.body
    assert "Dear Zanzibar Quixote," in message.body
    assert "Knee replacement" in message.body
    # MEDTOUR_SITE_URL is empty in these tests: the development address, never the request's host.
    link = f"http://127.0.0.1:8000/quote/status/{quote_request.status_token}/"
    assert link in message.body
    assert len(message.alternatives) == 1
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert quote_request.reference in html
    assert f'href="{link}"' in html
    assert client.get(link.removeprefix("http://127.0.0.1:8000"), follow=True).status_code == 200


def test_the_status_link_uses_the_configured_site_address(submit, settings, mailoutbox, catalogue):
    settings.SITE_URL = "https://www.medtour.example/"
    submit(form_data())
    token = QuoteRequest.objects.get().status_token
    assert f"https://www.medtour.example/quote/status/{token}/" in mailoutbox[0].body


def test_the_patient_mail_escapes_html_typed_in_the_name(submit, mailoutbox, catalogue):
    submit(form_data(name="Ana <b>Patient</b>"))
    html = mailoutbox[0].alternatives[0][0]
    assert "<b>Patient</b>" not in html
    assert "Ana &lt;b&gt;Patient&lt;/b&gt;" in html
    assert "Dear Ana <b>Patient</b>," in mailoutbox[0].body  # The plain-text part is as typed.


def test_coordinators_are_told_without_any_patient_details(submit, settings, mailoutbox, catalogue):
    settings.COORDINATOR_EMAILS = ["one@medtour.example", "two@medtour.example"]
    submit(form_data(**PATIENT))
    quote_request = QuoteRequest.objects.get()
    coordinator = [m for m in mailoutbox if m.to != ["zq.patient@example.org"]]
    assert sorted(m.to[0] for m in coordinator) == ["one@medtour.example", "two@medtour.example"]
    assert all(len(m.to) == 1 and not m.cc and not m.bcc for m in coordinator)
    for message in coordinator:
        text = mail_text(message)
        assert quote_request.reference in text
        assert f"/admin/quotes/quoterequest/{quote_request.pk}/change/" in text
        for private in (*PATIENT.values(), "Zanzibar", "7946", quote_request.status_token):
            assert private not in text, private
        assert message.alternatives[0][1] == "text/html"


def test_mail_is_sent_only_after_the_request_is_committed(client, quote_url, mailoutbox, catalogue):
    client.post(quote_url, form_data())  # The after-commit callback never runs inside the test transaction.
    assert QuoteRequest.objects.count() == 1
    assert mailoutbox == []
    assert set(Notification.objects.values_list("status", flat=True)) == {"pending"}


def test_sent_notifications_are_recorded_and_hold_no_secret(submit, mailoutbox, catalogue):
    before = timezone.now()
    submit(form_data())
    token = QuoteRequest.objects.get().status_token
    notifications = list(Notification.objects.all())
    assert len(notifications) == 2
    for notification in notifications:
        assert notification.status == Notification.Status.SENT
        assert notification.attempts == 1
        assert notification.sent_at >= before
        assert notification.last_error == ""
        assert "status_url" not in notification.context
        assert token not in str(notification.context)


def test_the_notification_never_holds_the_status_link_even_before_sending(client, quote_url, catalogue):
    client.post(quote_url, form_data())
    token = QuoteRequest.objects.get().status_token
    for context in Notification.objects.values_list("context", flat=True):
        assert "status_url" not in context
        assert token not in str(context)


# Failures and retries -------------------------------------------------------------------------


def test_a_mail_failure_does_not_lose_the_request(client, submit, failing_smtp, mailoutbox, catalogue, caplog):
    before = timezone.now()
    with caplog.at_level(logging.WARNING, logger="quotes"):
        response = submit(form_data(**PATIENT))
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.status_code == 200
    quote_request = QuoteRequest.objects.get()
    assert quote_request.reference in page.content.decode()
    assert STATUS_LINK_RE.search(page.content.decode())

    assert failing_smtp.call_count == 2
    assert mailoutbox == []
    for notification in Notification.objects.all():
        assert notification.status == Notification.Status.PENDING
        assert notification.attempts == 1
        assert notification.last_error.startswith("SMTPException")
        assert notification.next_attempt_at > before + datetime.timedelta(minutes=1)
        assert notification.sent_at is None
    assert caplog.records
    assert not any("zq.patient@example.org" in record.getMessage() for record in caplog.records)


def test_a_failing_mail_backend_is_retried_later(submit, settings, mailoutbox, catalogue):
    settings.EMAIL_BACKEND = "tests.quotes.test_outbox.FailingBackend"
    assert submit(form_data()).status_code == 302
    assert set(Notification.objects.values_list("status", "attempts")) == {("pending", 1)}
    assert Notification.objects.first().last_error.startswith("SMTPServerDisconnected")

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert run_worker() == "Sent 0 notifications.\n"  # Not due yet.
    assert mailoutbox == []

    make_due()
    assert run_worker() == "Sent 2 notifications.\n"
    assert len(mailoutbox) == 2
    assert sorted(len(m.to) for m in mailoutbox) == [1, 1]
    assert set(Notification.objects.values_list("status", "attempts")) == {("sent", 2)}
    assert set(Notification.objects.values_list("last_error", flat=True)) == {""}

    assert run_worker() == "Sent 0 notifications.\n"
    assert len(mailoutbox) == 2


def test_the_wait_between_attempts_grows(submit, catalogue):
    with mock.patch(SEND, side_effect=smtplib.SMTPException("down")):
        submit(form_data())
        first_wait = Notification.objects.first().next_attempt_at - timezone.now()
        make_due()
        run_worker()
    second_wait = Notification.objects.first().next_attempt_at - timezone.now()
    assert Notification.objects.first().attempts == 2
    assert datetime.timedelta(minutes=1) < first_wait <= datetime.timedelta(minutes=2)
    assert datetime.timedelta(minutes=3) < second_wait <= datetime.timedelta(minutes=4)


def test_after_the_last_attempt_a_notification_is_failed_for_good(submit, settings, mailoutbox, catalogue):
    settings.NOTIFICATION_MAX_ATTEMPTS = 2
    with mock.patch(SEND, side_effect=smtplib.SMTPException("down")):
        submit(form_data())
        make_due()
        run_worker()
    token = QuoteRequest.objects.get().status_token
    for notification in Notification.objects.all():
        assert notification.status == Notification.Status.FAILED
        assert notification.attempts == 2
        assert notification.last_error
        assert "status_url" not in notification.context
        assert token not in str(notification.context)

    make_due()
    assert run_worker() == "Sent 0 notifications.\n"
    assert mailoutbox == []


def test_a_notification_stuck_in_sending_is_taken_again_after_ten_minutes(client, quote_url, mailoutbox, catalogue):
    client.post(quote_url, form_data())
    stale, fresh = Notification.objects.order_by("pk")
    now = timezone.now()
    Notification.objects.filter(pk=stale.pk).update(status="sending", updated_at=now - datetime.timedelta(minutes=11))
    Notification.objects.filter(pk=fresh.pk).update(status="sending", updated_at=now - datetime.timedelta(minutes=5))

    assert run_worker() == "Sent 1 notification.\n"
    assert [m.to for m in mailoutbox] == [[stale.recipient]]
    assert Notification.objects.get(pk=stale.pk).status == "sent"
    assert Notification.objects.get(pk=fresh.pk).status == "sending"


def test_a_sent_notification_is_never_sent_again(submit, mailoutbox, catalogue):
    submit(form_data())
    Notification.objects.update(next_attempt_at=timezone.now() - datetime.timedelta(days=1))
    assert run_worker() == "Sent 0 notifications.\n"
    assert len(mailoutbox) == 2


def test_the_worker_limit(client, quote_url, mailoutbox, catalogue):
    client.post(quote_url, form_data())
    assert run_worker("--limit", "1") == "Sent 1 notification.\n"
    assert run_worker("--limit", "1") == "Sent 1 notification.\n"
    assert run_worker("--limit", "1") == "Sent 0 notifications.\n"
    assert len(mailoutbox) == 2


@pytest.mark.parametrize("args", [("--interval", "0"), ("--interval", "-1"), ("--limit", "0")])
def test_the_worker_refuses_nonsense_options(args, mailoutbox):
    with pytest.raises(CommandError, match="must be positive"):
        run_worker(*args)


def test_the_worker_loop_stops_on_sigterm(client, quote_url, mailoutbox, catalogue):
    client.post(quote_url, form_data())

    # A process manager stopping the worker while it waits between checks: it stops at once,
    # not after its (here very long) interval.
    threading.Timer(0.3, os.kill, args=(os.getpid(), signal.SIGTERM)).start()
    output = run_worker("--loop", "--interval", "3600")
    assert output.startswith("Sent 2 notifications.\n")
    assert len(mailoutbox) == 2


def test_mail_comes_from_the_site_address(submit, settings, catalogue):
    settings.DEFAULT_FROM_EMAIL = "Medtour <hello@medtour.example>"
    submit(form_data())
    assert len(mail.outbox) == 2
    assert {message.from_email for message in mail.outbox} == {"Medtour <hello@medtour.example>"}
