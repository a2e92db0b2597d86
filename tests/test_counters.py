"""Security counters that hold: no flood of page requests lifts a lock, no race gets past one.

Issue 13, point 1 and 2: the sign-in lock and the quote rate limit used to live in the cache beside
the cached pages, so a flood of distinct URLs culled them; and the sign-in form checked the lock,
then the password, then counted, so simultaneous attempts all got through. The counters are now rows
of ``tourism.models.Counter``, counted before the password is checked.
"""

import json
import os
import subprocess
import sys
import time

import pytest
from django.conf import settings as django_settings
from django.core.cache import caches
from django.urls import reverse

from quotes import ratelimit
from tests.factories import make_staff
from tourism import throttle
from tourism.models import Counter

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
THROTTLED = "Too many failed sign-in attempts"


@pytest.fixture
def small_file_cache(settings, tmp_path):
    """Production's cache without Redis (files), small enough that a few hundred pages fill it."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "cache"),
            "OPTIONS": {"MAX_ENTRIES": 40},
        }
    }
    yield caches["default"]
    caches["default"].clear()


def flood(client, pages: int) -> None:
    """Distinct pages that really are distinct (a search each), so each is a cache entry."""
    for n in range(pages):
        assert client.get(reverse("facilities:list"), {"q": f"word{n}"}).status_code == 200


def sign_in(client, password: str):
    return client.post(reverse("account:sign_in"), {"username": "cora", "password": password})


def test_a_flood_of_pages_does_not_lift_a_sign_in_lock(client, small_file_cache):
    make_staff(username="cora", password=PASSWORD)
    for attempt in range(5):
        sign_in(client, f"wrong {attempt}")
    assert THROTTLED in sign_in(client, PASSWORD).content.decode()
    flood(client, 300)  # More than seven times what the cache holds.
    assert len(small_file_cache._list_cache_files()) <= 40
    refused = sign_in(client, PASSWORD)
    assert THROTTLED in refused.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_flood_of_pages_does_not_lift_the_quote_rate_limit(client, settings, small_file_cache):
    settings.QUOTE_RATE_PER_HOUR = 5
    for _ in range(5):
        assert ratelimit.consume("203.0.113.9", "ana@example.com").allowed
    assert not ratelimit.check("203.0.113.9", "ana@example.com").allowed
    flood(client, 300)
    assert not ratelimit.check("203.0.113.9", "ana@example.com").allowed
    assert not ratelimit.consume("203.0.113.9", "ana@example.com").allowed


def test_counting_is_one_number_per_key_and_ends_with_its_expiry():
    start = 1_000_000.0
    assert [throttle.count("k", timeout=60, now=start + n) for n in range(3)] == [1, 2, 3]
    # Later counts keep the first expiry: the window does not slide.
    assert throttle.current_count("k", now=start + 59) == 3
    assert throttle.current_count("k", now=start + 61) == 0
    assert throttle.count("k", timeout=60, now=start + 61) == 1
    assert Counter.objects.get(key="k").expires_at == start + 121
    throttle.uncount("k", now=start + 62)
    throttle.uncount("k", now=start + 62)  # never below zero
    assert throttle.current_count("k", now=start + 62) == 0


def test_a_lock_holds_for_its_time_and_is_purged_after():
    throttle.hold("lock", seconds=900, now=1000.0)
    assert throttle.held_for("lock", now=1000.0) == 901
    assert throttle.held_for("lock", now=1899.5) == 1
    assert throttle.held_for("lock", now=1900.0) == 0
    throttle.count("live", timeout=3600, now=1000.0)
    assert throttle.purge_expired(now=2000.0) == 1
    assert list(Counter.objects.values_list("key", flat=True)) == ["live"]


def test_attempts_that_begin_together_reach_the_password_check_at_most_five_times():
    """However the attempts interleave, the count is taken before the check: the sixth is refused."""
    from tourism import login_guard

    attempts = [login_guard.password_attempt(username="cora", address=f"192.0.2.{n}") for n in range(31)]
    allowed = [attempt.begin().allowed for attempt in attempts]  # all begun, none checked yet
    assert allowed.count(True) == 5
    for attempt, went_on in zip(attempts, allowed, strict=True):
        if went_on:
            attempt.failed()
    assert not login_guard.password_attempt(username="cora", address="192.0.2.200").begin().allowed


# Real processes racing ----------------------------------------------------------------------------

RACE_SCRIPT = """
import json, sys, time
import django
django.setup()
from django.contrib.auth import forms
from django.test import RequestFactory
from tourism.account_forms import SignInForm

checked = 0
real = forms.authenticate
def counting(*args, **kwargs):
    global checked
    checked += 1
    return real(*args, **kwargs)
forms.authenticate = counting

time.sleep(max(0.0, float(sys.argv[1]) - time.time()))
for n in range(4):
    request = RequestFactory().post("/account/sign-in/", REMOTE_ADDR=f"198.51.100.{n}")
    SignInForm(request, data={"username": "cora", "password": f"wrong {n}"}).is_valid()
print(json.dumps(checked))
"""


@pytest.mark.subprocess
def test_simultaneous_attempts_from_many_processes_check_at_most_five_passwords(tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "MEDTOUR_", "DATABASE_URL"))},
        "DJANGO_SETTINGS_MODULE": "tourism.settings",
        "DJANGO_ENV": "development",
        "MEDTOUR_DATA_DIR": str(tmp_path),
        "PYTHONPATH": str(django_settings.BASE_DIR),
    }

    def run(*args: str) -> None:
        done = subprocess.run(  # noqa: S603 (our own interpreter)
            [sys.executable, *args], env=env, cwd=django_settings.BASE_DIR, capture_output=True, text=True, timeout=180
        )
        assert done.returncode == 0, done.stderr

    run("manage.py", "migrate", "--noinput", "-v0")
    run(
        "-c",
        "import django; django.setup(); from tests.factories import make_staff; "
        f"make_staff(username='cora', password={PASSWORD!r})",
    )
    start = time.time() + 8
    processes = [
        subprocess.Popen(  # noqa: S603 (our own interpreter and script)
            [sys.executable, "-c", RACE_SCRIPT, str(start)],
            env=env,
            cwd=django_settings.BASE_DIR,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(8)
    ]
    checked = 0
    for process in processes:
        out, err = process.communicate(timeout=180)
        assert process.returncode == 0, err
        checked += json.loads(out.strip().splitlines()[-1])
    # 32 attempts on one username at once; the lock lets five passwords be checked, never more.
    assert checked == 5


def test_purge_requests_deletes_expired_counters_and_keeps_live_ones():
    from io import StringIO

    from django.core.management import call_command

    throttle.count("old", timeout=60, now=time.time() - 3600)
    throttle.count("live", timeout=3600)
    out = StringIO()
    call_command("purge_requests", stdout=out)
    assert "Deleted 1 expired rate-limit or sign-in counter." in out.getvalue()
    assert list(Counter.objects.values_list("key", flat=True)) == ["live"]
