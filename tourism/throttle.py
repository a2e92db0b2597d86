"""What the site's throttles share: the client's address and counters kept in the database.

The quote-form limit (``quotes.ratelimit``) and the sign-in lock (``tourism.login_guard``) count
events per client in ``tourism.models.Counter``. The counts used to live in the cache, beside the
cached pages: a flood of distinct URLs filled it, a full cache dropped entries at random, and locks
went with them (about 5,000 page requests lifted a sign-in lock on the file cache). In the
database nothing but their own expiry removes them, every process and server sees the same
numbers, and a count is one atomic statement, so processes racing each other can neither lose a
count nor both take the last one. Whatever is counted is hashed before it becomes part of a key,
so the table never holds an address or a username.

Counting costs one write, and only happens on a sign-in attempt or a quote submission: pages are
never counted. Expired rows are deleted by ``purge_expired`` (run by ``manage.py purge_requests``)
and are ignored until then.
"""

import hashlib
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.db.models import F
from django.http import HttpRequest

from tourism.models import Counter


@dataclass(frozen=True)
class Limit:
    allowed: bool
    retry_after: int = 0  # seconds


def client_address(request: HttpRequest) -> str:
    """REMOTE_ADDR, or the address our own trusted proxies saw (never a client-supplied one)."""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "unknown")


def private_digest(*parts: str) -> str:
    """A digest of ``parts`` fit for a key, that nobody without the secret key can reverse."""
    return hashlib.sha256(":".join((settings.SECRET_KEY, *parts)).encode()).hexdigest()[:32]


def fixed_window(*, seconds: int, now: float) -> tuple[int, int]:
    """The window of ``seconds`` that ``now`` falls in: its number, and the seconds until it ends.

    The seconds left are rounded up (plus one) so that a count never expires before its window does.
    """
    return int(now // seconds), int(seconds - now % seconds) + 1


def _now(now: float | None) -> float:
    return time.time() if now is None else now


def current_count(key: str, *, now: float | None = None) -> int:
    """How many times ``key`` has been counted and not yet expired."""
    row = Counter.objects.filter(key=key, expires_at__gt=_now(now)).values_list("count", flat=True).first()
    return row or 0


def _names() -> tuple[str, str, str, str]:
    """The table and its columns, quoted for this database (our own names: nothing from outside)."""
    quote = connection.ops.quote_name
    return quote(Counter._meta.db_table), quote("key"), quote("count"), quote("expires_at")


def _count_sql() -> str:
    table, key, count, expires = _names()
    # One statement on SQLite (3.35+) and PostgreSQL: insert the first count, or add to a live one,
    # or start again over an expired one; and say what the count is now.
    return (
        f"INSERT INTO {table} ({key}, {count}, {expires}) VALUES (%s, 1, %s) "  # noqa: S608 (our own names)
        f"ON CONFLICT ({key}) DO UPDATE SET "
        f"{count} = CASE WHEN {table}.{expires} > %s THEN {table}.{count} + 1 ELSE 1 END, "
        f"{expires} = CASE WHEN {table}.{expires} > %s THEN {table}.{expires} ELSE excluded.{expires} END "
        f"RETURNING {count}"
    )


def _hold_sql() -> str:
    table, key, count, expires = _names()
    return (
        f"INSERT INTO {table} ({key}, {count}, {expires}) VALUES (%s, 1, %s) "  # noqa: S608 (our own names)
        f"ON CONFLICT ({key}) DO UPDATE SET {count} = 1, {expires} = excluded.{expires}"
    )


def count(key: str, *, timeout: int, now: float | None = None) -> int:
    """Count one more at ``key``; return the new count.

    The first count of a key (or the first after it expired) sets its expiry, ``timeout`` seconds
    from ``now``; later counts keep it, as Redis's ``incr`` would.
    """
    now = _now(now)
    with connection.cursor() as cursor:
        cursor.execute(_count_sql(), [key, now + timeout, now, now])
        return cursor.fetchone()[0]


def uncount(key: str, *, now: float | None = None) -> None:
    """Take back one count at ``key`` (never below zero): an attempt that turned out fine."""
    Counter.objects.filter(key=key, count__gt=0, expires_at__gt=_now(now)).update(count=F("count") - 1)


def hold(key: str, *, seconds: int, now: float | None = None) -> None:
    """Set a lock at ``key`` for ``seconds`` from ``now`` (replacing any earlier one)."""
    with connection.cursor() as cursor:
        cursor.execute(_hold_sql(), [key, _now(now) + seconds])


def held_for(key: str, *, now: float | None = None) -> int:
    """How many seconds the lock at ``key`` still holds (0: none)."""
    now = _now(now)
    expires_at = Counter.objects.filter(key=key, expires_at__gt=now).values_list("expires_at", flat=True).first()
    return int(expires_at - now) + 1 if expires_at is not None else 0


def forget(key: str) -> None:
    Counter.objects.filter(key=key).delete()


def purge_expired(*, now: float | None = None) -> int:
    """Delete the counts and locks that have expired; return how many."""
    deleted, _by_model = Counter.objects.filter(expires_at__lte=_now(now)).delete()
    return deleted
