"""The cache failing soft: with Redis refusing connections or frozen, the site still works.

Each test points the default cache at ``tourism.cache.FailSoftRedisCache`` on 127.0.0.1: a closed
port (refused at once), a socket of our own that accepts connections and never answers (a frozen
Redis), or the real Redis server when one answers on 6379 (its own database and key prefix).
"""

import logging
import socket
import threading
import uuid

import pytest
from django.test import override_settings
from django.urls import reverse

import tourism.cache
from quotes.models import QuoteRequest
from tests.factories import form_data, make_facility, make_language, make_offer, make_procedure, make_staff
from tourism.cache import FailSoftRedisCache

pytestmark = pytest.mark.django_db

# Short enough to keep the frozen tests quick; long enough for a loaded machine to connect in.
TIMEOUT = 0.2
# Far longer than any test: once open, the breaker stays open for the rest of it.
LONG_PAUSE = 300
REAL_REDIS_DB = 14  # tests/quotes/test_abuse.py empties 15


class FrozenRedis:
    """A server on 127.0.0.1 that accepts every connection and never says a word."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.05)
        self.port = self.listener.getsockname()[1]
        self.connections: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections.append(connection)

    @property
    def attempts(self) -> int:
        """Connections made to it: redis-py drops a connection that timed out and makes a new one."""
        return len(self.connections)

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        for connection in [*self.connections, self.listener]:
            connection.close()


# Bound and never listened on, for the rest of the run: a connection is refused at once, and no
# other process (another test worker's server, say) can be given the port meanwhile.
_refusing_sockets: list[socket.socket] = []


def closed_port() -> int:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    _refusing_sockets.append(probe)
    return probe.getsockname()[1]


def redis_cache(location: str, *, retry_after: float, **extra) -> dict:
    return {
        "default": {
            "BACKEND": "tourism.cache.FailSoftRedisCache",
            "LOCATION": location,
            "OPTIONS": {"socket_connect_timeout": TIMEOUT, "socket_timeout": TIMEOUT, "RETRY_AFTER": retry_after},
            **extra,
        }
    }


@pytest.fixture(autouse=True)
def _fresh_outages(monkeypatch):
    # What one test learnt about a server must not decide whether the next one tries it.
    monkeypatch.setattr(tourism.cache, "_outages", {})


@pytest.fixture
def frozen_redis():
    server = FrozenRedis()
    yield server
    server.close()


@pytest.fixture
def refused_cache():
    """Nothing listening, and no pause after a failure: every single operation tries and fails."""
    # override_settings, not the settings fixture: the cache must be restored before the shared
    # fixtures clear it.
    with override_settings(CACHES=redis_cache(f"redis://127.0.0.1:{closed_port()}/0", retry_after=0)):
        yield


@pytest.fixture
def frozen_cache(frozen_redis):
    with override_settings(CACHES=redis_cache(f"redis://127.0.0.1:{frozen_redis.port}/0", retry_after=LONG_PAUSE)):
        yield frozen_redis


@pytest.fixture(params=["refused", "frozen"])
def dead_cache(request):
    """The cache on a Redis that refuses, then on one that is frozen."""
    request.getfixturevalue(f"{request.param}_cache")
    return request.param


@pytest.fixture
def directory(db):
    """One listed facility offering one published procedure."""
    make_language(code="en", name="English")
    facility = make_facility(name="Ankara Spine Centre", slug="ankara-spine")
    procedure = make_procedure(name="Lumbar fusion", slug="lumbar-fusion")
    make_offer(facility=facility, procedure=procedure)
    return facility, procedure


@pytest.fixture
def public_urls(directory) -> list[str]:
    facility, procedure = directory
    return [
        reverse("home"),
        reverse("facilities:list"),
        reverse("facilities:detail", args=[facility.slug]),
        reverse("procedures:list"),
        reverse("procedures:detail", args=[procedure.slug]),
        reverse("accreditation"),
        reverse("privacy"),
        reverse("quotes:request"),
        reverse("sitemap"),
        reverse("robots"),
    ]


@pytest.fixture
def quote_settings(settings):
    settings.QUOTE_MIN_FILL_SECONDS = 0
    settings.TRUSTED_PROXY_COUNT = 0
    settings.QUOTE_RATE_PER_HOUR = 1
    settings.QUOTE_RATE_PER_DAY = 1


# The cache not answering -----------------------------------------------------------------------------


def test_every_public_page_is_served_without_the_cache(client, dead_cache, public_urls):
    for url in public_urls:
        response = client.get(url)
        assert response.status_code == 200, url
    # The page names itself, not a cached error or an empty body.
    assert "Ankara Spine Centre" in client.get(public_urls[2]).content.decode()


def test_a_quote_request_is_saved_without_the_cache(client, dead_cache, directory, quote_settings):
    response = client.post(reverse("quotes:request"), form_data(email="lena@example.org"))
    assert response.status_code == 302
    assert response["Location"] == reverse("quotes:thanks")
    saved = QuoteRequest.objects.get()
    assert saved.email == "lena@example.org"
    assert saved.reference in client.get(reverse("quotes:thanks")).content.decode()


def test_the_rate_limit_still_counts_while_the_cache_is_down(client, refused_cache, directory, quote_settings):
    # The counts live in the database (tourism.throttle), so the limit of one an hour holds.
    assert client.post(reverse("quotes:request"), form_data(email="a@example.org")).status_code == 302
    assert client.post(reverse("quotes:request"), form_data(email="a@example.org")).status_code == 429
    assert QuoteRequest.objects.count() == 1


def test_staff_sign_in_is_still_locked_while_the_cache_is_down(client, refused_cache):
    make_staff(username="cora", password="correct horse battery staple")
    login = reverse("account:sign_in")
    for attempt in range(5):
        client.post(login, {"username": "cora", "password": f"wrong {attempt}"})
    response = client.post(login, {"username": "cora", "password": "correct horse battery staple"})
    assert "Too many failed sign-in attempts" in response.content.decode()


def test_healthz_says_degraded_but_up(client, dead_cache):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "degraded", "database": "ok", "cache": "unavailable"}


def test_healthz_says_degraded_with_a_backend_that_raises(client):
    config = redis_cache(f"redis://127.0.0.1:{closed_port()}/0", retry_after=0)
    config["default"]["BACKEND"] = "django.core.cache.backends.redis.RedisCache"
    del config["default"]["OPTIONS"]["RETRY_AFTER"]
    with override_settings(CACHES=config):
        response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"


def test_each_operation_answers_as_an_empty_cache(refused_cache):
    from django.core.cache import cache

    assert cache.get("k") is None
    assert cache.get("k", "fallback") == "fallback"
    assert cache.set("k", 1) is None
    assert cache.add("k", 1) is False
    assert cache.touch("k") is False
    assert cache.delete("k") is False
    assert cache.has_key("k") is False
    assert cache.get_many(["k", "l"]) == {}
    assert cache.set_many({"k": 1, "l": 2}) == ["k", "l"]
    assert cache.delete_many(["k", "l"]) is None
    assert cache.get_or_set("k", "computed") == "computed"
    assert cache.clear() is False
    with pytest.raises(ValueError):
        cache.incr("k")
    with pytest.raises(ValueError):
        cache.decr("k")


def test_the_log_is_told_once_not_on_every_request(client, refused_cache, public_urls, caplog):
    with caplog.at_level(logging.WARNING, logger="tourism.cache"):
        for _ in range(20):
            assert client.get(public_urls[0]).status_code == 200
    warnings = [record for record in caplog.records if record.name == "tourism.cache"]
    assert len(warnings) == 1
    assert "not answering" in warnings[0].getMessage()


# A frozen Redis costs one timeout, not one per request -------------------------------------------------


def test_a_burst_of_requests_tries_a_frozen_redis_once(client, frozen_cache, public_urls):
    for number in range(20):
        assert client.get(public_urls[number % len(public_urls)]).status_code == 200
    assert frozen_cache.attempts == 1


def test_the_cache_is_tried_again_once_the_pause_is_over(client, frozen_cache, public_urls):
    from django.core.cache import cache

    assert client.get(public_urls[0]).status_code == 200
    assert frozen_cache.attempts == 1
    cache.outage.skip_until = 0.0  # As if the pause had run out.
    for _ in range(5):
        assert client.get(public_urls[0]).status_code == 200
    # One trial, which failed and paused the cache again.
    assert frozen_cache.attempts == 2


def test_the_pause_is_shared_by_every_backend_instance_of_a_process(frozen_redis):
    params = redis_cache(f"redis://127.0.0.1:{frozen_redis.port}/0", retry_after=LONG_PAUSE)["default"]
    first, second = FailSoftRedisCache(params["LOCATION"], params), FailSoftRedisCache(params["LOCATION"], params)
    assert first.get("k") is None
    assert second.get("k") is None  # Another thread's instance: it skips without trying.
    assert frozen_redis.attempts == 1


def test_a_password_in_the_location_stays_out_of_the_log():
    params = {"OPTIONS": {}}
    backend = FailSoftRedisCache("redis://medtour:s3cret@cache.internal:6380/2", params)
    assert backend.outage.location == "redis://medtour:***@cache.internal:6380/2"
    assert FailSoftRedisCache("rediss://:s3cret@cache.internal/0", params).outage.location == (
        "rediss://:***@cache.internal/0"
    )


# A working Redis ---------------------------------------------------------------------------------------


@pytest.fixture
def real_redis():
    """The default cache on the local Redis server, in a database and under a prefix of its own."""
    redis = pytest.importorskip("redis")
    client = redis.Redis(host="127.0.0.1", port=6379, db=REAL_REDIS_DB, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("No Redis server on 127.0.0.1:6379")
    prefix = f"failsoft-test-{uuid.uuid4().hex}"
    config = redis_cache(f"redis://127.0.0.1:6379/{REAL_REDIS_DB}", retry_after=LONG_PAUSE, KEY_PREFIX=prefix)
    with override_settings(CACHES=config):
        yield client, prefix
    # Only our own keys: others may share the server (and clear() would empty the whole database).
    for key in client.scan_iter(match=f"{prefix}:*"):
        client.delete(key)


def test_a_working_redis_caches_pages_and_healthz_says_ok(client, real_redis, public_urls, django_assert_num_queries):
    redis_client, prefix = real_redis
    url = reverse("procedures:list")
    first = client.get(url)
    assert first.status_code == 200
    assert any(redis_client.scan_iter(match=f"{prefix}:*"))
    with django_assert_num_queries(0):  # Served from Redis: the view did not run.
        second = client.get(url)
    assert second.content == first.content

    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}


def test_the_log_says_when_redis_answers_again(client, real_redis, public_urls, caplog):
    from django.core.cache import cache

    cache.outage.failed(ConnectionError("refused"), LONG_PAUSE)  # As if it had been down.
    assert client.get(reverse("healthz")).json()["status"] == "degraded"
    cache.outage.skip_until = 0.0
    with caplog.at_level(logging.INFO, logger="tourism.cache"):
        assert client.get(reverse("healthz")).json()["status"] == "ok"
    assert any("answers again" in record.getMessage() for record in caplog.records)
