"""The coordinators' figures on the admin index (``quotes.selectors.dashboard_figures``), with links
to the matching lists of the request changelist."""

import datetime
from urllib.parse import urlencode

from django import template
from django.urls import reverse

from quotes.labels import STAFF_STATUS_LABELS, span
from quotes.models import OPEN_STATUSES, QuoteRequest
from quotes.selectors import dashboard_figures

register = template.Library()


def can_see_requests(user) -> bool:
    return bool(user and (user.has_perm("quotes.view_quoterequest") or user.has_perm("quotes.change_quoterequest")))


def _duration(seconds: float) -> str:
    # Whole minutes, rounded, in the same short form as the request list's columns.
    return span(datetime.timedelta(minutes=round(seconds / 60)))


@register.simple_tag(takes_context=True)
def quote_dashboard(context) -> dict | None:
    """The figures for the signed-in user, or None if they may not see quote requests."""
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    if not can_see_requests(user):
        return None
    # The admin's own url names, so the links work under whatever prefix the site is mounted.
    base = reverse("admin:quotes_quoterequest_changelist")

    def link(**params) -> str:
        return f"{base}?{urlencode(params)}"

    figures = dashboard_figures(user=user)
    median = figures.median_first_reply_seconds
    return {
        "statuses": [
            {
                "status": status,
                "label": STAFF_STATUS_LABELS[status],
                "count": figures.per_status[status],
                "url": link(status=status),
            }
            for status in QuoteRequest.Status.values
            if status in OPEN_STATUSES
        ],
        # Accepted and closed: those of the last days only (the list's "finished" filter).
        "finished": [
            {
                "status": status,
                "label": STAFF_STATUS_LABELS[status],
                "count": figures.per_status[status],
                "url": link(status=status, finished=f"{figures.finished_window_days}d"),
            }
            for status in QuoteRequest.Status.values
            if status not in OPEN_STATUSES
        ],
        "finished_window_days": figures.finished_window_days,
        "overdue": {"count": figures.overdue, "url": link(overdue="yes")},
        "unassigned": {"count": figures.unassigned, "url": link(status="open", assignee="unassigned")},
        "mine": {"count": figures.mine, "url": link(status="open", assignee="mine")},
        "median_first_reply_seconds": median,
        "median_first_reply": _duration(median) if median is not None else None,
        "median_sample": figures.median_sample,
        "median_capped": figures.median_capped,
        "median_window_days": figures.median_window_days,
        "overdue_cases": [
            {
                "case": case,
                "url": reverse("admin:quotes_quoterequest_change", args=[case.quote_request_id])
                + f"#case-{case.reference}",
            }
            for case in figures.overdue_cases
        ],
        "overdue_case_count": figures.overdue_case_count,
    }
