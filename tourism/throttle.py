"""What the site's throttles share: the client's address and counters kept in the shared cache.

The quote-form limit (``quotes.ratelimit``) and the staff sign-in lock (``tourism.login_guard``)
both count events per client in the default cache. With Redis as the cache (REDIS_URL) the counts
hold across processes and servers. Whatever is counted is hashed before it becomes part of a key,
so the cache never holds an address or a username.

When the cache does not answer (``tourism.cache``), a count reads as nothing and adding to it
counts one: the throttles let requests through rather than refusing everyone.
"""

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


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
    """A digest of ``parts`` fit for a cache key, that nobody without the secret key can reverse."""
    return hashlib.sha256(":".join((settings.SECRET_KEY, *parts)).encode()).hexdigest()[:32]


def fixed_window(*, seconds: int, now: float) -> tuple[int, int]:
    """The window of ``seconds`` that ``now`` falls in: its number, and the seconds until it ends.

    The seconds left are rounded up (plus one) so that a count never expires before its window does.
    """
    return int(now // seconds), int(seconds - now % seconds) + 1


def current_count(key: str) -> int:
    """How many times ``key`` has been counted and not yet expired."""
    return cache.get(key) or 0


def count(key: str, *, timeout: int) -> int:
    """Count one more at ``key``, kept for ``timeout`` seconds from now; return the new count.

    add then incr: atomic in Redis, so processes racing each other cannot lose a count or both
    take the last one.
    """
    cache.add(key, 0, timeout=timeout)
    try:
        total = cache.incr(key)
    except ValueError:  # Expired between add and incr, or the cache is not answering.
        cache.set(key, 1, timeout=timeout)
        return 1
    # Redis's incr keeps the expiry; others (the file cache) rewrite it with their default.
    cache.touch(key, timeout=timeout)
    return total


def forget(key: str) -> None:
    cache.delete(key)
