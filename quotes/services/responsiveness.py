"""How each facility answers its cases, measured from the cases' own timestamps and kept in
``facilities.FacilityResponsiveness`` so that no page computes it.

Refreshed after commit whenever one of the facility's cases is answered (a question, a quote, a
decline) or ends; ``manage.py refresh_responsiveness`` recomputes every facility's.
"""

import statistics

from django.db import transaction
from django.utils import timezone

from facilities.models import FacilityResponsiveness
from quotes.models import FacilityCase

C = FacilityCase.Status


def facility_responsiveness_refresh(facility_id: int) -> FacilityResponsiveness:
    """Recompute one facility's figures from its cases (one query for the cases, one write)."""
    rows = list(
        FacilityCase.objects.filter(facility_id=facility_id)
        .exclude(status=C.WITHDRAWN, first_answered_at__isnull=True)
        .values_list("created_at", "due_at", "first_answered_at", "quoted_at", "declined_at")
    )
    answered = [(sent, due, first) for sent, due, first, _q, _d in rows if first is not None]
    first_waits = [first - sent for sent, _due, first in answered]
    quote_waits = [quoted - sent for sent, _due, _f, quoted, _d in rows if quoted is not None]
    figures = {
        "cases_received": len(rows),
        "cases_answered": len(answered),
        "cases_quoted": len(quote_waits),
        "cases_declined": sum(1 for *_rest, declined in rows if declined is not None),
        "answered_in_time": sum(1 for _sent, due, first in answered if first <= due),
        "median_first_answer": statistics.median_low(first_waits) if first_waits else None,
        "median_quote": statistics.median_low(quote_waits) if quote_waits else None,
        "updated_at": timezone.now(),
    }
    record, _created = FacilityResponsiveness.objects.update_or_create(facility_id=facility_id, defaults=figures)
    return record


def facility_responsiveness_refresh_later(facility_id: int) -> None:
    """Refresh once the current transaction has committed (so the figures see the new answer)."""
    # Robust: the answer is already committed; a failed refresh (a locked database, say) must not
    # turn the facility's page into an error. The next answer, or the command, refreshes it.
    transaction.on_commit(lambda: facility_responsiveness_refresh(facility_id), robust=True)
