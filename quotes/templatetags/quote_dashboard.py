"""The coordinators' figures on the admin index: requests per status, overdue, unassigned, mine,
and how fast first replies have been lately. Two queries whatever the number of requests."""

import datetime
import statistics
from urllib.parse import urlencode

from django import template
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from quotes.admin import STAFF_STATUS_LABELS, span
from quotes.models import OPEN_STATUSES, QuoteRequest

register = template.Library()

MEDIAN_WINDOW = datetime.timedelta(days=30)


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

    now = timezone.now()
    open_q = Q(status__in=OPEN_STATUSES)
    per_status = {status: Count("pk", filter=Q(status=status)) for status in QuoteRequest.Status.values}
    counts = QuoteRequest.objects.order_by().aggregate(
        **per_status,
        overdue=Count("pk", filter=Q(status=QuoteRequest.Status.SUBMITTED, first_reply_due_at__lt=now)),
        unassigned=Count("pk", filter=open_q & Q(assignee__isnull=True)),
        mine=Count("pk", filter=open_q & Q(assignee=user)),
    )
    replies = QuoteRequest.objects.filter(created_at__gte=now - MEDIAN_WINDOW, first_replied_at__isnull=False)
    waits = [
        (replied - created).total_seconds()
        for created, replied in replies.order_by().values_list("created_at", "first_replied_at")
    ]
    median = statistics.median(waits) if waits else None

    return {
        "statuses": [
            {
                "status": status,
                "label": STAFF_STATUS_LABELS[status],
                "count": counts[status],
                "url": link(status=status),
            }
            for status in QuoteRequest.Status.values
        ],
        "overdue": {"count": counts["overdue"], "url": link(overdue="yes")},
        "unassigned": {"count": counts["unassigned"], "url": link(status="open", assignee="unassigned")},
        "mine": {"count": counts["mine"], "url": link(status="open", assignee="mine")},
        "median_first_reply_seconds": median,
        "median_first_reply": _duration(median) if median is not None else None,
        "median_sample": len(waits),
        "median_window_days": MEDIAN_WINDOW.days,
    }
