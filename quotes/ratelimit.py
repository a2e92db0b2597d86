"""Limits on quote submissions: so many an hour and so many a day for one person on one connection.

A person is counted by their address *and* the e-mail they give, at ``QUOTE_RATE_PER_HOUR`` and
``QUOTE_RATE_PER_DAY``; the address alone has ``QUOTE_RATE_ADDRESS_FACTOR`` times as much room,
so a family (or a hotel, or an office) sharing one connection is not stopped by one of them, and
a script changing the e-mail each time still is. The counting itself (hashed keys, fixed windows,
counts in the database that page traffic cannot evict) is ``tourism.throttle``'s;
``client_address`` is re-exported for the views.
"""

import time

from django.conf import settings

from tourism import throttle
from tourism.throttle import Limit, client_address

__all__ = ["Limit", "check", "client_address", "consume"]

WINDOWS = (("hour", 3600), ("day", 86400))


def _keys(address: str, email: str, now: float) -> list[tuple[str, int, int]]:
    """(cache key, limit, seconds until the window ends) for each counter ``now`` falls in."""
    person = throttle.private_digest(address, (email or "").strip().casefold())
    place = throttle.private_digest(address)
    factor = max(1, settings.QUOTE_RATE_ADDRESS_FACTOR)
    limits = {"hour": settings.QUOTE_RATE_PER_HOUR, "day": settings.QUOTE_RATE_PER_DAY}
    keys = []
    for name, seconds in WINDOWS:
        window, remaining = throttle.fixed_window(seconds=seconds, now=now)
        keys.append((f"quote-rate:{name}:{person}:{window}", limits[name], remaining))
        keys.append((f"quote-rate:{name}:address:{place}:{window}", limits[name] * factor, remaining))
    return keys


def check(address: str, email: str = "") -> Limit:
    """Whether another submission is allowed now (counts nothing)."""
    now = time.time()
    for key, limit, remaining in _keys(address, email, now):
        if throttle.current_count(key, now=now) >= limit:
            return Limit(allowed=False, retry_after=remaining)
    return Limit(allowed=True)


def consume(address: str, email: str = "") -> Limit:
    """Count one submission in every counter and say whether it is within the limits.

    The count comes first, so two processes racing for the last slot cannot both get it.
    """
    allowed, retry_after = True, 0
    now = time.time()
    for key, limit, remaining in _keys(address, email, now):
        if throttle.count(key, timeout=remaining, now=now) > limit:
            allowed, retry_after = False, max(retry_after, remaining)
    return Limit(allowed=allowed, retry_after=retry_after)
