"""The patient's time zone: taken from the browser with the form, checked before it is stored, and
used, named, wherever the patient is shown a time (thanks page, status page, their e-mails)."""

import datetime
import re
from pathlib import Path

import pytest
from django.conf import settings

from quotes.models import QuoteRequest
from quotes.services.outbox import notification_new, notifications_queue, notifications_send
from quotes.time_zones import patient_time_zone, quote_request_record_time_zone, valid_time_zone
from tests.factories import form_data, make_quote_request
from tests.quotes.helpers import status_url_for

pytestmark = pytest.mark.django_db

# 13:00 UTC on Tuesday 9 December 2031 is 14:00 in Madrid (CET) and 08:00 in New York (EST).
DUE = datetime.datetime(2031, 12, 9, 13, 0, tzinfo=datetime.UTC)


def status_html(client, quote_request) -> str:
    response = client.get(status_url_for(client, quote_request))
    assert response.status_code == 200
    return " ".join(response.content.decode().split())


# The helper ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["Europe/Madrid", "America/Argentina/Buenos_Aires", "UTC", "Asia/Kolkata"])
def test_real_zone_names_are_kept(name):
    assert valid_time_zone(name) == name


@pytest.mark.parametrize(
    "name",
    [
        "",
        None,
        42,
        ["Europe/Madrid"],
        "europe/madrid",  # Zone names are matched exactly, as browsers send them.
        "Mars/Olympus_Mons",
        "../../../etc/passwd",
        "/usr/share/zoneinfo/UTC",
        "Europe/Madrid\x00",
        "localtime",  # The server's own zone, not a place.
        "Europe/" + "X" * 60,
    ],
)
def test_anything_else_is_refused(name):
    assert valid_time_zone(name) == ""


def test_the_zone_to_show_is_utc_without_a_valid_one():
    assert str(patient_time_zone(QuoteRequest(time_zone="Europe/Madrid"))) == "Europe/Madrid"
    assert patient_time_zone(QuoteRequest(time_zone="Nowhere/Special")) is datetime.UTC
    assert patient_time_zone(QuoteRequest(time_zone="")) is datetime.UTC
    assert patient_time_zone(None) is datetime.UTC


def test_recording_stores_a_valid_zone_once_and_refuses_junk():
    quote_request = make_quote_request()
    assert quote_request_record_time_zone(quote_request=quote_request, name="Not a zone") is False
    assert QuoteRequest.objects.get().time_zone == ""
    assert quote_request_record_time_zone(quote_request=quote_request, name="Europe/Madrid") is True
    assert quote_request_record_time_zone(quote_request=quote_request, name="Asia/Tokyo") is False
    assert QuoteRequest.objects.get().time_zone == "Europe/Madrid"


# The form ------------------------------------------------------------------------------------------


def test_the_form_carries_a_time_zone_field_filled_by_a_script_file(client, quote_url, catalogue):
    html = client.get(quote_url).content.decode()
    form = html[html.index('<form method="post"') : html.index("</form>")]
    assert re.search(r'<input type="hidden" name="time_zone" value="" data-browser-time-zone>', form)
    assert re.search(r'<script src="[^"]*js/time-zone\.js" defer></script>', html)
    assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/ld\+json)[^>]*>", html)  # No inline script.
    script = (Path(settings.BASE_DIR) / "static" / "js" / "time-zone.js").read_text()
    assert "Intl.DateTimeFormat().resolvedOptions().timeZone" in script
    assert "data-browser-time-zone" in script


# The patient's pages -------------------------------------------------------------------------------


def test_the_status_page_shows_times_in_the_stored_zone_and_names_it(client):
    quote_request = make_quote_request(time_zone="Europe/Madrid", first_reply_due_at=DUE)
    html = status_html(client, quote_request)
    assert "We aim to reply by" in html
    assert "Tuesday 9 December, 14:00 (Europe/Madrid)" in html
    assert 'datetime="2031-12-09T14:00:00+01:00"' in html
    assert "Times on this page are in the Europe/Madrid time zone." in html
    assert "13:00" not in html


def test_the_status_page_timeline_follows_the_zone(client):
    quote_request = make_quote_request(time_zone="America/New_York")
    quote_request.status_changes.update(created_at=DUE)
    html = status_html(client, quote_request)
    timeline = html[html.index('<ol class="timeline">') :]
    assert "9 Dec 2031, 08:00" in timeline[: timeline.index("</ol>")]


def test_an_invalid_stored_zone_is_ignored_and_utc_named(client):
    quote_request = make_quote_request(time_zone="Mars/Olympus_Mons", first_reply_due_at=DUE)
    html = status_html(client, quote_request)
    assert "Tuesday 9 December, 13:00 (UTC)" in html
    assert "Mars" not in html


def test_without_a_zone_the_status_page_shows_utc_named(client):
    html = status_html(client, make_quote_request(first_reply_due_at=DUE))
    assert "Tuesday 9 December, 13:00 (UTC)" in html


def test_the_thanks_page_shows_the_reply_time_in_the_patients_zone(client, submit, catalogue):
    response = submit(form_data())
    quote_request = QuoteRequest.objects.get()
    # What the submission does with the field the browser sent (see quotes.time_zones).
    assert quote_request_record_time_zone(quote_request=quote_request, name="Asia/Kolkata")
    QuoteRequest.objects.filter(pk=quote_request.pk).update(first_reply_due_at=DUE)
    html = " ".join(client.get(response["Location"]).content.decode().split())
    # 13:00 UTC is 18:30 in India.
    assert "Tuesday 9 December, 18:30 (Asia/Kolkata)" in html
    assert 'datetime="2031-12-09T18:30:00+05:30"' in html


# E-mails -------------------------------------------------------------------------------------------


def _mail_for(quote_request, template: str, recipient: str, mailoutbox):
    context = {"reference": quote_request.reference, "first_reply_due_at": DUE.isoformat(), "procedure": ""}
    if template.startswith("patient_"):
        context["name"] = quote_request.name
    else:
        context |= {"admin_path": "/admin/", "country": "GB"}
    notifications_queue([notification_new(quote_request, recipient, template, context)])
    notifications_send()
    [mail] = mailoutbox
    return mail


def test_the_patients_confirmation_mail_shows_the_time_in_their_zone(mailoutbox):
    quote_request = make_quote_request(time_zone="Europe/Madrid")
    mail = _mail_for(quote_request, "patient_submitted", quote_request.email, mailoutbox)
    assert "Tuesday 9 December 2031, 14:00 (Europe/Madrid)" in mail.body
    assert "Tuesday 9 December 2031, 14:00 (Europe/Madrid)" in mail.alternatives[0][0]


def test_the_patients_mail_without_a_valid_zone_says_utc(mailoutbox):
    quote_request = make_quote_request(time_zone="Not/AZone")
    mail = _mail_for(quote_request, "patient_submitted", quote_request.email, mailoutbox)
    assert "Tuesday 9 December 2031, 13:00 (UTC)" in mail.body


def test_a_coordinators_mail_about_the_request_keeps_the_sites_zone(mailoutbox):
    quote_request = make_quote_request(time_zone="Asia/Tokyo")
    mail = _mail_for(quote_request, "coordinator_new_request", "coordinators@medtour.localhost", mailoutbox)
    assert "First reply due: 9 December 2031, 13:00 UTC" in mail.body
    assert "(Asia/Tokyo)" not in mail.body
    assert "22:00" not in mail.body  # 13:00 UTC in Tokyo.


def test_the_zone_the_browser_sends_with_the_form_is_stored_and_junk_is_not(submit, catalogue):
    submit(form_data(time_zone="Europe/Madrid"))
    assert QuoteRequest.objects.get().time_zone == "Europe/Madrid"
    QuoteRequest.objects.all().delete()
    submit(form_data(time_zone="Mars/Olympus_Mons'; DROP TABLE", condition="Another condition entirely."))
    assert QuoteRequest.objects.get().time_zone == ""
