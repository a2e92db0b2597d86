"""Abuse protection: the honeypot, the minimum fill time, the signed stamp and the rate limits."""

import itertools
import json
import os
import re
import subprocess
import sys
import time
import uuid
from unittest import mock

import pytest
from django.conf import settings as django_settings
from django.core import signing
from django.test import Client, RequestFactory

from quotes import ratelimit
from quotes.forms import FORM_SALT, new_form_stamp
from quotes.models import Notification, QuoteRequest
from tests.factories import form_data
from tests.quotes.helpers import PDF, bound_form, error_codes, private_files, upload
from tourism.models import Counter

pytestmark = pytest.mark.django_db


def stamp_made(seconds_ago: float) -> str:
    with mock.patch("time.time", return_value=time.time() - seconds_ago):
        return new_form_stamp()


_requests = itertools.count()


def new_request(**overrides) -> dict:
    """A valid form for a request of its own: the same details sent again would be a repeat."""
    return form_data(condition=f"Lower back pain for two years (request {next(_requests)}).", **overrides)


def assert_dropped(response, mailoutbox):
    """A bot gets a page that looks like success; nothing is saved or sent."""
    assert response.status_code == 200
    assert response.templates[0].name == "quotes/received.html"
    assert "Thank you" in response.content.decode()
    assert not QuoteRequest.objects.exists()
    assert not Notification.objects.exists()
    assert mailoutbox == []
    assert private_files() == []


# Honeypot and fill time -------------------------------------------------------------------------


def test_a_filled_honeypot_is_dropped_quietly(submit, mailoutbox, catalogue):
    response = submit(form_data(website="http://spam.example", files=[upload("scan.pdf", PDF)]))
    assert_dropped(response, mailoutbox)


def test_the_honeypot_is_hidden_from_people(client, quote_url, catalogue):
    html = client.get(quote_url).content.decode()
    assert '<div class="hp" aria-hidden="true">' in html
    assert 'name="website"' in html.split('<div class="hp" aria-hidden="true">')[1].split("</div>")[0]


def test_a_fast_form_with_the_honeypot_filled_is_dropped(submit, settings, mailoutbox, catalogue):
    settings.QUOTE_MIN_FILL_SECONDS = 60
    response = submit(form_data(stamp=stamp_made(seconds_ago=5), website="http://spam.example"))
    assert_dropped(response, mailoutbox)


def test_a_form_sent_faster_than_a_person_could_is_shown_again_not_faked(submit, settings, mailoutbox, catalogue):
    # Speed alone is no proof of a bot: the patient is asked to press Send again (tests/quotes/test_form_traps.py).
    settings.QUOTE_MIN_FILL_SECONDS = 60
    response = submit(form_data(stamp=stamp_made(seconds_ago=5)))
    assert response.status_code == 200
    assert response.templates[0].name == "quotes/request_quote.html"
    assert response.context["too_quick"] is True
    assert not QuoteRequest.objects.exists()
    assert mailoutbox == []


def test_a_filled_honeypot_on_an_invalid_form_gets_the_errors(client, quote_url, catalogue):
    response = client.post(quote_url, form_data(website="http://spam.example", email="nope"))
    assert response.templates[0].name == "quotes/request_quote.html"
    assert error_codes(response) == {"email": ["invalid"]}


def test_a_form_filled_in_at_human_speed_is_accepted(submit, settings, mailoutbox, catalogue):
    settings.QUOTE_MIN_FILL_SECONDS = 60
    response = submit(form_data(stamp=stamp_made(seconds_ago=61)))
    assert response.status_code == 302
    assert QuoteRequest.objects.count() == 1
    assert len(mailoutbox) == 2


def test_a_dropped_form_does_not_count_towards_the_rate_limit(submit, settings, catalogue):
    settings.QUOTE_RATE_PER_HOUR = 1
    for _ in range(3):
        submit(form_data(website="spam"))
    assert submit(form_data()).status_code == 302


# The stamp ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "stamp",
    [
        "not-a-stamp",
        "",
        "abc:def:ghi",
        lambda: (s := new_form_stamp())[:-1] + ("A" if s[-1] != "A" else "B"),  # Signature changed.
        lambda: "0" * 32 + new_form_stamp()[32:],  # Key changed, signature kept.
        lambda: signing.TimestampSigner(salt="another.form").sign("0" * 32),
        lambda: signing.TimestampSigner(key="another-secret", salt=FORM_SALT).sign("0" * 32),
    ],
)
def test_a_tampered_stamp_is_a_form_error(catalogue, stamp):
    form = bound_form(form_data(stamp=stamp() if callable(stamp) else stamp))
    assert not form.sent_too_fast()
    assert not form.is_valid()
    assert list(form.errors) == ["stamp"]


def test_a_tampered_stamp_asks_to_send_again(client, quote_url, mailoutbox, catalogue):
    stamp = new_form_stamp()
    response = client.post(quote_url, form_data(stamp=stamp[:-2] + "xx"))
    assert response.status_code == 200
    assert error_codes(response) == {"stamp": ["stamp_invalid"]}
    assert "Please send the form again." in response.content.decode()
    assert not QuoteRequest.objects.exists()
    assert mailoutbox == []


def test_a_stamp_older_than_a_day_is_refused(client, quote_url, mailoutbox, catalogue):
    response = client.post(quote_url, form_data(stamp=stamp_made(seconds_ago=25 * 3600)))
    assert response.status_code == 200
    assert error_codes(response) == {"stamp": ["stamp_expired"]}
    assert "This form was open for more than a day." in response.content.decode()
    assert not QuoteRequest.objects.exists()
    assert mailoutbox == []


def test_a_stamp_under_a_day_old_is_accepted(submit, catalogue):
    assert submit(form_data(stamp=stamp_made(seconds_ago=23 * 3600))).status_code == 302


def shown(html: str, name: str) -> str:
    found = re.findall(rf'name="{name}" value="([^"]+)"', html)
    assert len(found) == 1, found
    return found[0]


def test_each_form_shown_gets_its_own_stamp(client, quote_url, catalogue):
    first = shown(client.get(quote_url).content.decode(), "stamp")
    second = shown(client.get(quote_url).content.decode(), "stamp")
    assert first != second
    for stamp in (first, second):
        signing.TimestampSigner(salt=FORM_SALT).unsign(stamp)  # A valid signature.


# Rate limits ----------------------------------------------------------------------------------


def test_the_hourly_limit_gives_a_friendly_429(submit, settings, mailoutbox, catalogue):
    settings.QUOTE_RATE_PER_HOUR = 2
    assert submit(new_request()).status_code == 302
    assert submit(new_request()).status_code == 302
    response = submit(form_data(files=[upload("scan.pdf", PDF)]))

    assert response.status_code == 429
    assert response.templates[0].name == "quotes/request_quote.html"
    html = response.content.decode()
    assert "Please wait a little: you can send this request in" in html
    assert re.search(r"at \d\d:\d\d", html)  # Says when.
    assert "up to 2 quote requests an hour" in html
    assert 0 < int(response["Retry-After"]) <= 3601
    # Nothing typed is lost: the form comes back filled in, its file kept for the next press.
    assert 'value="Ana Patient"' in html or "Ana Patient" in html
    assert "scan.pdf" in html
    assert QuoteRequest.objects.count() == 2
    assert len(mailoutbox) == 4


def test_a_family_on_one_connection_is_not_stopped_by_one_of_them(submit, settings, catalogue):
    settings.QUOTE_RATE_PER_HOUR = 2
    settings.QUOTE_RATE_ADDRESS_FACTOR = 3
    for person in ("ana", "ben", "cai"):
        for n in range(2):
            data = new_request()
            data["email"] = f"{person}@example.org"
            assert submit(data, REMOTE_ADDR="203.0.113.50").status_code == 302, (person, n)
    # Everyone used their share: the connection is at its room too (3 people x 2).
    data = new_request()
    data["email"] = "dee@example.org"
    assert submit(data, REMOTE_ADDR="203.0.113.50").status_code == 429
    data = new_request()
    data["email"] = "ana@example.org"
    assert submit(data, REMOTE_ADDR="203.0.113.51").status_code == 302  # Another connection.


def test_another_address_is_still_allowed(submit, settings, catalogue):
    settings.QUOTE_RATE_PER_HOUR = 2
    for _ in range(2):
        submit(new_request(), REMOTE_ADDR="203.0.113.1")
    assert submit(new_request(), REMOTE_ADDR="203.0.113.1").status_code == 429
    assert submit(new_request(), REMOTE_ADDR="203.0.113.2").status_code == 302
    assert submit(new_request(), using=Client(), REMOTE_ADDR="2001:db8::2").status_code == 302


def test_invalid_forms_do_not_count(client, submit, quote_url, settings, catalogue):
    settings.QUOTE_RATE_PER_HOUR = 2
    for _ in range(3):
        assert client.post(quote_url, form_data(email="nope")).status_code == 200
    assert submit(new_request()).status_code == 302
    assert submit(new_request()).status_code == 302
    assert submit(new_request()).status_code == 429


def test_the_daily_limit_applies_too(submit, settings, catalogue):
    settings.QUOTE_RATE_PER_DAY = 2
    assert submit(new_request()).status_code == 302
    assert submit(new_request()).status_code == 302
    response = submit(new_request())
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 86401
    assert "20 a day" not in response.content.decode()
    assert "2 a day" in response.content.decode()
    assert QuoteRequest.objects.count() == 2


def test_a_forwarded_address_is_ignored_without_trusted_proxies(submit, settings, catalogue):
    settings.QUOTE_RATE_PER_HOUR = 2
    for n in range(2):
        submit(new_request(), REMOTE_ADDR="192.0.2.10", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
    response = submit(new_request(), REMOTE_ADDR="192.0.2.10", HTTP_X_FORWARDED_FOR="198.51.100.99")
    assert response.status_code == 429


def test_behind_one_trusted_proxy_the_last_hop_is_the_client(submit, settings, catalogue):
    settings.QUOTE_RATE_PER_HOUR = 2
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.5"}
    # The client may put anything in front; the proxy appends the address it saw.
    for spoof in ("1.1.1.1", "2.2.2.2"):
        assert submit(new_request(), HTTP_X_FORWARDED_FOR=f"{spoof}, 203.0.113.7", **proxy).status_code == 302
    assert submit(new_request(), HTTP_X_FORWARDED_FOR="3.3.3.3, 203.0.113.7", **proxy).status_code == 429
    assert submit(new_request(), HTTP_X_FORWARDED_FOR="203.0.113.8", **proxy).status_code == 302


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "203.0.113.7", "192.0.2.1"),
        (1, "203.0.113.7", "203.0.113.7"),
        (1, "6.6.6.6, 203.0.113.7", "203.0.113.7"),
        (1, " 6.6.6.6 ,203.0.113.7 ", "203.0.113.7"),
        (2, "6.6.6.6, 203.0.113.7, 10.0.0.2", "203.0.113.7"),
        (2, "203.0.113.7", "192.0.2.1"),  # Fewer hops than proxies: not trusted.
        (1, "", "192.0.2.1"),
    ],
)
def test_client_address(settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().post("/quote/", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert ratelimit.client_address(request) == expected


def test_consume_counts_and_refuses_over_the_limit(settings):
    settings.QUOTE_RATE_PER_HOUR = 2
    results = [ratelimit.consume("192.0.2.44") for _ in range(3)]
    assert [result.allowed for result in results] == [True, True, False]
    assert 0 < results[2].retry_after <= 3601
    assert ratelimit.check("192.0.2.44").allowed is False
    assert ratelimit.check("192.0.2.45").allowed is True


def test_the_counters_never_hold_the_address(settings):
    ratelimit.consume("192.0.2.44", "ana@example.com")
    keys = list(Counter.objects.values_list("key", flat=True))
    assert any("quote-rate:hour:" in key for key in keys)
    assert any("quote-rate:day:" in key for key in keys)
    assert not any("192.0.2.44" in key or "ana@" in key for key in keys)


def test_sending_the_same_form_again_at_the_limit_still_shows_the_confirmation(submit, settings, catalogue):
    settings.QUOTE_RATE_PER_HOUR = 1
    data = new_request()
    assert submit(data).status_code == 302
    response = submit(data)  # A double click, or "back" then "send".
    assert response.status_code == 302
    assert QuoteRequest.objects.count() == 1


# Several processes share the counts through the database -------------------------------------------

CONSUME_SCRIPT = """
import json, sys, time
import django
django.setup()
from quotes import ratelimit
# Start together, so that the processes really do count at the same time.
time.sleep(max(0.0, float(sys.argv[2]) - time.time()))
print(json.dumps([ratelimit.consume(sys.argv[1]).allowed for _ in range(6)]))
"""


@pytest.mark.subprocess
def test_processes_racing_share_one_limit_through_the_database(tmp_path):
    # Stay clear of the turn of the hour, when the hourly count starts again.
    if 3600 - time.time() % 3600 < 30:
        time.sleep(31)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "MEDTOUR_", "DATABASE_URL"))},
        "DJANGO_SETTINGS_MODULE": "tourism.settings",
        "DJANGO_ENV": "development",
        "MEDTOUR_QUOTE_RATE_PER_HOUR": "5",
        "MEDTOUR_QUOTE_RATE_PER_DAY": "100",
        "MEDTOUR_DATA_DIR": str(tmp_path),
        "PYTHONPATH": str(django_settings.BASE_DIR),
    }
    migrate = subprocess.run(  # noqa: S603 (our own interpreter and manage.py)
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        env=env,
        cwd=django_settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert migrate.returncode == 0, migrate.stderr
    address = f"198.51.100.7-{uuid.uuid4().hex}"
    start = time.time() + 6
    processes = [
        subprocess.Popen(  # noqa: S603 (our own interpreter and script)
            [sys.executable, "-c", CONSUME_SCRIPT, address, str(start)],
            env=env,
            cwd=django_settings.BASE_DIR,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    allowed = []
    for process in processes:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        allowed += json.loads(out.strip().splitlines()[-1])
    assert len(allowed) == 18
    assert allowed.count(True) == 5


def test_counts_keep_their_window_and_the_next_one_starts_afresh(settings):
    settings.QUOTE_RATE_PER_HOUR = 2
    start = 3600 * 500_000 + 10  # Just after the start of an hour.
    with mock.patch("time.time", return_value=start):
        assert ratelimit.consume("203.0.113.9").allowed
        assert ratelimit.consume("203.0.113.9").allowed
    # Fifty minutes later, in the same hour: still counted.
    with mock.patch("time.time", return_value=start + 3000):
        assert not ratelimit.check("203.0.113.9").allowed
        assert not ratelimit.consume("203.0.113.9").allowed
    # The next hour starts afresh.
    with mock.patch("time.time", return_value=start + 3600):
        assert ratelimit.check("203.0.113.9").allowed
        assert ratelimit.consume("203.0.113.9").allowed
