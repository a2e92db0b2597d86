"""The patient's time zone: the name their browser sends with the quote form, checked before it is
stored, and the zone their dates are shown in (UTC when none was stored or it is not known here)."""

import datetime
import zoneinfo
from functools import lru_cache

from quotes.models import QuoteRequest

MAX_LENGTH = 64  # QuoteRequest.time_zone's max_length.
# In some systems' zone folders, but not places: "localtime" is the server's own zone, "Factory"
# has no offset of its own.
NOT_PLACES = frozenset({"localtime", "Factory"})


@lru_cache(maxsize=1)
def _known_names() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones()) - NOT_PLACES


def valid_time_zone(name: object) -> str:
    """``name`` if it is an IANA time zone known on this server ("Europe/Madrid"), else "".

    Only names from the zone database are accepted, so nothing a browser sends can make the
    zone loader read a path of its own choosing.
    """
    if not isinstance(name, str) or not name or len(name) > MAX_LENGTH:
        return ""
    return name if name in _known_names() else ""


def patient_time_zone(quote_request: QuoteRequest | None) -> datetime.tzinfo:
    """The zone to show a request's dates in: the patient's, or UTC if none valid is stored."""
    name = valid_time_zone(getattr(quote_request, "time_zone", ""))
    return zoneinfo.ZoneInfo(name) if name else datetime.UTC


def quote_request_record_time_zone(*, quote_request: QuoteRequest, name: object) -> bool:
    """Store the zone the browser sent on a request that has none yet; True if it was stored.

    The first zone stored stays: a repeat of the same request from another browser changes nothing.
    """
    zone = valid_time_zone(name)
    if not zone:
        return False
    stored = QuoteRequest.objects.filter(pk=quote_request.pk, time_zone="").update(time_zone=zone)
    if stored:
        quote_request.time_zone = zone
    return bool(stored)
