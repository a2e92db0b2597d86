"""``manage.py remind_overdue``: one reminder per coordinator address about requests past the
first-reply target, with references only (no patient details)."""

import datetime
import io
import json
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import timezone

from quotes.management.commands.remind_overdue import format_due
from quotes.models import Notification, QuoteRequest
from quotes.roles import COORDINATORS
from quotes.services.outbox import notifications_send
from tests.factories import make_quote_request, make_staff

pytestmark = pytest.mark.django_db

S = QuoteRequest.Status
TEMPLATE = "coordinator_overdue"
CHANGELIST = "/admin/quotes/quoterequest/?overdue=yes"
PATIENT = {
    "name": "Ana Patient",
    "email": "ana.patient@example.org",
    "phone": "+44 20 7946 0555",
    "condition": "Chronic lumbar radiculopathy since a fall.",
    "diagnosis": "L4-L5 herniation.",
}


def ago(**kwargs) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(**kwargs)


def remind(*args) -> str:
    """Run the command, then the mail worker (the command only queues)."""
    out = io.StringIO()
    call_command("remind_overdue", *args, stdout=out)
    notifications_send()
    return out.getvalue()


def reminders():
    return Notification.objects.filter(template=TEMPLATE).order_by("recipient")


@pytest.fixture
def overdue_pair():
    """Three overdue requests (one assigned, one in review without a word to the patient yet), plus
    requests that must not be reported."""
    anna = make_staff(username="anna", email="anna@medtour.localhost")  # Staff, not a coordinator.
    older = make_quote_request(**PATIENT, first_reply_due_at=datetime.datetime(2020, 3, 5, 7, 9, tzinfo=datetime.UTC))
    newer = make_quote_request(**PATIENT, first_reply_due_at=ago(hours=2), assignee=anna)
    make_quote_request(**PATIENT, first_reply_due_at=timezone.now() + datetime.timedelta(hours=3))  # Not due yet.
    for status in [S.IN_REVIEW, S.AWAITING_PATIENT, S.SENT_TO_FACILITIES, S.QUOTED, S.ACCEPTED, S.CLOSED]:
        # Past the target, but already answered.
        make_quote_request(**PATIENT, status=status, first_reply_due_at=ago(days=10), first_replied_at=ago(days=11))
    # Taken into review but the patient has heard nothing: still overdue.
    silent = make_quote_request(**PATIENT, status=S.IN_REVIEW, first_reply_due_at=ago(hours=1))
    return older, newer, silent


def test_one_reminder_per_coordinator_address(overdue_pair, settings, mailoutbox):
    settings.COORDINATOR_EMAILS = ["coordinators@medtour.localhost", "Lead@Medtour.localhost"]
    # The same address as a shared one, in another case.
    make_staff(username="lead", email="lead@medtour.localhost", group=COORDINATORS)
    make_staff(username="bea", email="bea@medtour.localhost", group=COORDINATORS)
    make_staff(username="gone", email="gone@medtour.localhost", group=COORDINATORS, is_active=False)
    make_staff(username="nomail", email="", group=COORDINATORS)
    make_staff(username="editor", email="editor@medtour.localhost")

    output = remind()

    expected = {"coordinators@medtour.localhost", "Lead@Medtour.localhost", "bea@medtour.localhost"}
    assert {notification.recipient for notification in reminders()} == expected
    assert reminders().count() == 3
    assert sorted(address for mail in mailoutbox for address in mail.to) == sorted(expected)
    assert all(notification.status == Notification.Status.SENT for notification in reminders())
    assert "3 overdue quote requests (2 unassigned)" in output
    assert "queued 3 reminder e-mails for the mail worker" in output


def test_reminder_lists_references_due_times_and_assignees(overdue_pair, mailoutbox):
    older, newer, silent = overdue_pair

    remind()

    notification = reminders().get()  # Only the shared address in the quote tests' settings.
    assert notification.quote_request is None
    assert notification.recipient == "coordinators@medtour.localhost"
    context = notification.context
    assert context["count"] == 3
    assert context["requests"] == [
        {"reference": older.reference, "due": "5 Mar 07:09", "assignee": ""},
        {"reference": newer.reference, "due": format_due(newer.first_reply_due_at), "assignee": "anna"},
        {"reference": silent.reference, "due": format_due(silent.first_reply_due_at), "assignee": ""},
    ]
    assert context["admin_path"] == CHANGELIST  # A path: the worker adds the site's address.
    assert (context["unassigned"], context["assignees"], context["more"]) == (2, [{"assignee": "anna", "count": 1}], 0)
    (mail,) = mailoutbox
    assert mail.subject == "3 quote requests past the first-reply target"
    html = mail.alternatives[0][0]
    for text in (mail.body, html):
        assert older.reference in text and newer.reference in text
        assert "5 Mar 07:09" in text
        assert "http://127.0.0.1:8000" + CHANGELIST in text.replace("&amp;", "&")


def test_reminder_has_no_patient_details(overdue_pair, mailoutbox):
    remind()
    (mail,) = mailoutbox
    stored = json.dumps(reminders().get().context)
    for text in (mail.subject, mail.body, mail.alternatives[0][0], stored):
        for value in PATIENT.values():
            assert value not in text
        assert "Ana" not in text and "example.org" not in text


def test_admin_link_uses_the_site_url_setting(overdue_pair, settings, mailoutbox):
    settings.SITE_URL = "https://medtour.example"
    assert "https://medtour.example" + CHANGELIST in remind("--dry-run")
    remind()
    (mail,) = mailoutbox
    assert "https://medtour.example" + CHANGELIST in mail.body


def test_admin_link_opens_for_staff(overdue_pair, admin_client):
    older, _newer, _silent = overdue_pair
    remind()
    path = reminders().get().context["admin_path"]
    response = admin_client.get(path)
    assert response.status_code == 200
    assert older.reference in response.content.decode()


def test_nothing_overdue_sends_nothing(mailoutbox):
    make_quote_request(**PATIENT, first_reply_due_at=timezone.now() + datetime.timedelta(hours=1))
    make_quote_request(**PATIENT, status=S.IN_REVIEW, first_reply_due_at=ago(days=3), first_replied_at=ago(days=4))

    output = remind()

    assert "No quote requests are past their first-reply target" in output
    assert not reminders().exists()
    assert mailoutbox == []


def test_dry_run_prints_and_sends_nothing(overdue_pair, mailoutbox):
    older, newer, _silent = overdue_pair
    count = Notification.objects.count()

    output = remind("--dry-run")

    assert older.reference in output and newer.reference in output
    assert "3 overdue quote requests (2 unassigned)" in output and "Would e-mail 1 address." in output
    assert "Ana" not in output
    assert Notification.objects.count() == count
    assert mailoutbox == []


def test_running_again_sends_again(overdue_pair, mailoutbox):
    remind()
    remind()
    assert reminders().count() == 2
    assert len(mailoutbox) == 2


def test_no_address_at_all_sends_nothing(overdue_pair, settings, mailoutbox):
    settings.COORDINATOR_EMAILS = []
    make_staff(username="gone", email="gone@medtour.localhost", group=COORDINATORS, is_active=False)
    output = remind()
    assert "no coordinator address" in output
    assert not reminders().exists()
    assert mailoutbox == []


def test_due_times_are_shown_in_utc():
    tokyo = datetime.datetime(2021, 12, 31, 23, 30, tzinfo=ZoneInfo("Asia/Tokyo"))
    assert format_due(tokyo) == "31 Dec 14:30"


def test_the_digest_stays_short_whatever_the_backlog(mailoutbox, django_assert_num_queries):
    """A backlog of 60 gives the same few lines as one of 12: counts, the oldest ten, the busiest
    coordinators, and the link to the full list; in a fixed number of queries."""
    from quotes.management.commands.remind_overdue import OLDEST_SHOWN, overdue_digest

    coordinators = [make_staff(username=f"coord{n}", group=COORDINATORS) for n in range(7)]

    def backlog(size: int) -> list[QuoteRequest]:
        return [
            make_quote_request(
                **PATIENT,
                first_reply_due_at=ago(days=size - n, hours=1),
                assignee=coordinators[n % 7] if n % 3 else None,
            )
            for n in range(size)
        ]

    made = backlog(12)
    with django_assert_num_queries(3):  # The count, the count per assignee, the oldest rows.
        small = overdue_digest()
    made += backlog(48)
    with django_assert_num_queries(3):
        big = overdue_digest()
    assert big["count"] == 60 and big["unassigned"] == 20
    assert [row["reference"] for row in big["requests"]] == [r.reference for r in made[12 : 12 + OLDEST_SHOWN]]
    assert big["more"] == 60 - OLDEST_SHOWN
    assert len(big["assignees"]) == 5 and big["other_assignees"] == 2
    assert sum(row["count"] for row in big["assignees"]) <= 40
    assert len(small["requests"]) == len(big["requests"]) == OLDEST_SHOWN

    remind()
    mails = {mail.to[0]: mail for mail in mailoutbox}
    mail = mails["coordinators@medtour.localhost"]
    assert mail.subject == "60 quote requests past the first-reply target"
    assert "… and 50 more." in mail.body
    assert "20 of them are not assigned to anyone: http://127.0.0.1:8000" + CHANGELIST + "&assignee=unassigned" in (
        mail.body
    )
    html = mail.alternatives[0][0]
    for text in (mail.body, html):
        assert sum(r.reference in text for r in made) == OLDEST_SHOWN
    # The size is that of ten lines, not sixty.
    assert len(mail.body) < 2000 and len(html) < 4000
