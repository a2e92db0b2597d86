"""A Redis cache backend that degrades instead of failing when Redis stops answering.

Everything Medtour keeps in the cache can be done without: pages and figures are computed afresh
(the security counters are not in the cache, but in the database: ``tourism.throttle``). So when Redis
refuses connections, times out or answers with an error, every operation gives the answer of an
empty cache (``get`` a miss, ``add`` False, ``incr`` ValueError as for a missing key, writes
nothing) instead of raising into the page.

Two things keep a dead or frozen Redis cheap:

- short connect and socket timeouts (``socket_connect_timeout``, ``socket_timeout`` in OPTIONS;
  redis-py would otherwise wait for the operating system);
- a small circuit breaker: after a failure the cache is skipped for ``RETRY_AFTER`` seconds
  (OPTIONS, default 15), then one operation tries again. Its state is shared by the threads of a
  process, keyed by the servers' addresses; each process finds out on its own.

A warning is logged when the cache stops answering and then at most once a minute while it stays
down, and a line when it answers again, so an outage shows in the log without flooding it.
"""

import logging
import secrets
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

from django.core.cache import cache
from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

T = TypeVar("T")

DEFAULT_RETRY_AFTER = 15.0
# While Redis stays down, how often the log is reminded of it.
WARNING_INTERVAL = 60.0
# Socket errors that redis-py does not wrap in its own (it wraps most) count as not answering too.
FAILURES = (RedisError, OSError)
# How long a health check's probe value may linger if it cannot be deleted.
PROBE_SECONDS = 30


class Outage:
    """How one Redis location has been answering lately, shared by every thread of the process."""

    def __init__(self, location: str) -> None:
        self.location = location
        self._lock = threading.Lock()
        self.skip_until = 0.0  # time.monotonic()
        self.down_since: float | None = None
        self.failures_unreported = 0
        self.last_warning = 0.0

    def may_try(self, retry_after: float) -> bool:
        """Whether to try Redis now: not while the breaker is open.

        Once the pause is over, the first caller gets the one trial; the others keep skipping until
        that trial has failed (a new pause) or succeeded.
        """
        now = time.monotonic()
        if now >= self.skip_until and self.down_since is None:
            return True
        with self._lock:
            if now < self.skip_until:
                self.failures_unreported += 1
                return False
            if self.down_since is not None:
                self.skip_until = now + retry_after
            return True

    def failed(self, error: BaseException, retry_after: float) -> None:
        now = time.monotonic()
        with self._lock:
            self.skip_until = now + retry_after
            self.failures_unreported += 1
            first = self.down_since is None
            if first:
                self.down_since = now
            if not first and now - self.last_warning < WARNING_INTERVAL:
                return
            self.last_warning = now
            failures, self.failures_unreported = self.failures_unreported, 0
            down_for = now - self.down_since
        if first:
            logger.warning(
                "Cache at %s is not answering (%s: %s): pages are served uncached. Trying again after %g s.",
                self.location,
                type(error).__name__,
                error,
                retry_after,
            )
        else:
            logger.warning(
                "Cache at %s still not answering after %.0f s (%s: %s); %d operation(s) failed or skipped since.",
                self.location,
                down_for,
                type(error).__name__,
                error,
                failures,
            )

    def answered(self) -> None:
        if self.down_since is None:
            return
        with self._lock:
            # Another thread may have seen it answer first.
            if self.down_since is None:
                return
            down_for = time.monotonic() - self.down_since
            self.down_since = None
            self.skip_until = 0.0
            self.failures_unreported = 0
        logger.info("Cache at %s answers again, after %.0f s without it.", self.location, down_for)


_outages: dict[str, Outage] = {}
_outages_lock = threading.Lock()


def outage_for(location: str) -> Outage:
    with _outages_lock:
        return _outages.setdefault(location, Outage(location))


class FailSoftRedisCache(RedisCache):
    """Django's RedisCache, answering as an empty cache while Redis does not answer."""

    def __init__(self, server: str | list[str], params: dict[str, Any]) -> None:
        options = dict(params.get("OPTIONS") or {})
        # Ours, not redis-py's: everything else in OPTIONS goes to redis-py's connection pool.
        self.retry_after = float(options.pop("RETRY_AFTER", DEFAULT_RETRY_AFTER))
        super().__init__(server, {**params, "OPTIONS": options})
        self.outage = outage_for(",".join(_without_password(location) for location in self._servers))

    def _attempt(self, fallback: T, operation: Callable[..., T], *args: Any) -> T:
        if not self.outage.may_try(self.retry_after):
            return fallback
        try:
            result = operation(*args)
        except FAILURES as error:
            self.outage.failed(error, self.retry_after)
            return fallback
        except Exception:
            # Redis answered; the error is the caller's to handle (incr of a missing key).
            self.outage.answered()
            raise
        self.outage.answered()
        return result

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._attempt(False, super().add, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._attempt(default, super().get, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._attempt(None, super().set, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._attempt(False, super().touch, key, timeout, version)

    def delete(self, key, version=None):
        return self._attempt(False, super().delete, key, version)

    def get_many(self, keys, version=None):
        return self._attempt({}, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._attempt(False, super().has_key, key, version)

    def incr(self, key, delta=1, version=None):
        missing = object()
        result = self._attempt(missing, super().incr, key, delta, version)
        if result is missing:
            # What callers already handle: the key expired (add it again, or count from one).
            raise ValueError(f"Key {key!r} could not be incremented: the cache is not answering.")
        return result

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        # Django's contract: the keys that could not be stored.
        return self._attempt(list(data), super().set_many, data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._attempt(None, super().delete_many, keys, version)

    def clear(self):
        return self._attempt(False, super().clear)


def _without_password(location: str) -> str:
    """The location as the log may show it: ``redis://user:secret@host/0`` loses its secret."""
    parts = urlsplit(location)
    if parts.password is None:
        return location
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{parts.username or ''}:***@{host}"))


def cache_answers(*, backend: BaseCache | None = None) -> bool:
    """Whether a cache (the default one unless given) stores a value and gives it back right now.

    For the health check. Works with any backend; with ``FailSoftRedisCache`` a Redis that does not
    answer, or one the breaker is skipping, reads as False without raising or waiting long.
    """
    backend = backend or cache
    probe = f"health-probe:{secrets.token_hex(8)}"
    token = secrets.token_hex(8)
    try:
        backend.set(probe, token, timeout=PROBE_SECONDS)
        answered = backend.get(probe) == token
        backend.delete(probe)
    except Exception:
        # Another backend, raising where ours would not: still only "degraded" for the health check.
        logger.exception("Health check: the cache raised")
        return False
    return answered
