"""Per-client limits on quote submissions: so many an hour and so many a day from one address.

The counting itself (hashed keys, fixed windows, the shared cache) is ``tourism.throttle``'s;
``client_address`` is re-exported from there for the views.
"""

import time

from django.conf import settings

from tourism import throttle
from tourism.throttle import Limit, client_address

__all__ = ["Limit", "check", "client_address", "consume"]

WINDOWS = (("hour", 3600), ("day", 86400))


def _keys(address: str, now: float) -> list[tuple[str, int, int]]:
    """(cache key, limit, seconds until the window ends) for each window ``now`` falls in."""
    digest = throttle.private_digest(address)
    limits = {"hour": settings.QUOTE_RATE_PER_HOUR, "day": settings.QUOTE_RATE_PER_DAY}
    keys = []
    for name, seconds in WINDOWS:
        window, remaining = throttle.fixed_window(seconds=seconds, now=now)
        keys.append((f"quote-rate:{name}:{digest}:{window}", limits[name], remaining))
    return keys


def check(address: str) -> Limit:
    """Whether another submission from this address is allowed now (counts nothing)."""
    for key, limit, remaining in _keys(address, time.time()):
        if throttle.current_count(key) >= limit:
            return Limit(allowed=False, retry_after=remaining)
    return Limit(allowed=True)


def consume(address: str) -> Limit:
    """Count one submission in every window and say whether it is within the limits.

    The count comes first, so two processes racing for the last slot cannot both get it.
    """
    allowed, retry_after = True, 0
    for key, limit, remaining in _keys(address, time.time()):
        if throttle.count(key, timeout=remaining) > limit:
            allowed, retry_after = False, max(retry_after, remaining)
    return Limit(allowed=allowed, retry_after=retry_after)
