"""The stored listing window: when a facility's accreditations cover the days without a gap.

A facility is public while it is published and an active accreditation covers today. Asking the
accreditations for every facility costs one look-up per facility, which at 100,000 facilities is
most of the time of every count and every page of the directory. So each facility carries the
stretch of days its active accreditations cover without a gap (today's stretch, or else the next
one to come), and "listed" becomes an indexed range test on two columns.

The window can only ever be *narrower* than the truth, never wider:

- an accreditation that expires ends the window on its own (the test compares with today);
- a suspension, a revocation, a new or changed accreditation refreshes the window in the same
  transaction (``facilities.signals``), so nothing is shown for a moment longer than it should;
- a stretch that starts later than the stored one is picked up by the daily
  ``refresh_listings`` command; until then the facility stays hidden, the safe side.

This module takes the models as arguments so that migrations can use it with historical models.
"""

import datetime
from collections.abc import Iterable

DAY = datetime.timedelta(days=1)
BATCH = 2000

Window = tuple[datetime.date | None, datetime.date | None]


def listing_window(spans: Iterable[tuple[datetime.date, datetime.date]], on: datetime.date) -> Window:
    """The gap-free stretch of ``spans`` (awarded, expires) that holds ``on`` or comes next after it.

    Spans that touch (one expires the day before the next is awarded) or overlap are one stretch.
    """
    stretches: list[list[datetime.date]] = []
    for start, end in sorted(spans):
        if stretches and start <= stretches[-1][1] + DAY:
            stretches[-1][1] = max(stretches[-1][1], end)
        else:
            stretches.append([start, end])
    for start, end in stretches:
        if end >= on:
            return start, end
    return None, None


def refresh_windows(facility_model, accreditation_model, *, on: datetime.date, facility_ids=None) -> int:
    """Recompute the stored windows (of some facilities, or all) as of ``on``; returns how many changed."""
    facilities = facility_model.objects.order_by()
    accreditations = accreditation_model.objects.filter(status="active", expires_on__gte=on).order_by()
    if facility_ids is not None:
        facility_ids = list(facility_ids)
        if not facility_ids:
            return 0
        facilities = facilities.filter(pk__in=facility_ids)
        accreditations = accreditations.filter(facility_id__in=facility_ids)

    spans: dict[int, list[tuple[datetime.date, datetime.date]]] = {}
    for facility_id, awarded_on, expires_on in accreditations.values_list(
        "facility_id", "awarded_on", "expires_on"
    ).iterator(chunk_size=BATCH):
        spans.setdefault(facility_id, []).append((awarded_on, expires_on))

    changed = []
    stored = facilities.values_list("pk", "listed_from", "listed_until").iterator(chunk_size=BATCH)
    for pk, listed_from, listed_until in stored:
        window = listing_window(spans.get(pk, ()), on)
        if window != (listed_from, listed_until):
            changed.append(facility_model(pk=pk, listed_from=window[0], listed_until=window[1]))
    facility_model.objects.bulk_update(changed, ["listed_from", "listed_until"], batch_size=500)
    return len(changed)
