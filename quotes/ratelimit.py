"""Per-client limits on quote submissions, counted in the configured cache.

With Redis as the cache (REDIS_URL) the counts hold across processes and servers. Addresses are
hashed before they become cache keys: the cache never holds a patient's IP address.
"""

import hashlib
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

WINDOWS = (("hour", 3600), ("day", 86400))


@dataclass(frozen=True)
class Limit:
    allowed: bool
    retry_after: int  # seconds


def client_address(request: HttpRequest) -> str:
    """REMOTE_ADDR, or the address our own trusted proxies saw (never a client-supplied one)."""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "unknown")


def _keys(address: str, now: float) -> list[tuple[str, int, int]]:
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{address}".encode()).hexdigest()[:32]
    limits = {"hour": settings.QUOTE_RATE_PER_HOUR, "day": settings.QUOTE_RATE_PER_DAY}
    keys = []
    for name, seconds in WINDOWS:
        bucket = int(now // seconds)
        keys.append((f"quote-rate:{name}:{digest}:{bucket}", limits[name], int(seconds - now % seconds) + 1))
    return keys


def check(address: str) -> Limit:
    """Whether another submission from this address is allowed now (counts nothing)."""
    now = time.time()
    for key, limit, remaining in _keys(address, now):
        if (cache.get(key) or 0) >= limit:
            return Limit(False, remaining)
    return Limit(True, 0)


def consume(address: str) -> Limit:
    """Count one submission in every window and say whether it is within the limits.

    The increment comes first (atomic in Redis), so two processes racing for the last slot
    cannot both get it.
    """
    now = time.time()
    allowed, retry_after = True, 0
    for key, limit, remaining in _keys(address, now):
        cache.add(key, 0, timeout=remaining)
        try:
            count = cache.incr(key)
        except ValueError:  # Expired between add and incr.
            cache.set(key, 1, timeout=remaining)
            count = 1
        else:
            # Only Redis's incr keeps the expiry; others (the file cache) rewrite it as the default.
            cache.touch(key, timeout=remaining)
        if count > limit:
            allowed, retry_after = False, max(retry_after, remaining)
    return Limit(allowed, retry_after)
