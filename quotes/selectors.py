"""Reads about quote requests that views, the admin, the dashboard and commands share.

Rules about many requests live on ``QuoteRequest.objects`` (``open()``, ``overdue()``, ...); what is
built from them for a page (the status page, the quote comparison, the dashboard figures) and who
is told or may be given a request lives here.
"""

import datetime
import statistics
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import (
    BooleanField,
    Count,
    DecimalField,
    ExpressionWrapper,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from facilities.models import Accreditation, listed_q
from quotes.models import FacilityQuote, FacilityQuoteItem, QuoteRequest, open_q, overdue_q
from quotes.roles import COORDINATORS

S = QuoteRequest.Status

# People ------------------------------------------------------------------------------------------


def coordinators() -> QuerySet:
    """Active members of the Coordinators group."""
    return get_user_model().objects.filter(is_active=True, groups__name=COORDINATORS).distinct()


def assignable_users() -> QuerySet:
    """Who may be given requests: active coordinators and active superusers."""
    User = get_user_model()
    return (
        User.objects.filter(is_active=True)
        .filter(Q(is_superuser=True) | Q(groups__name=COORDINATORS))
        .distinct()
        .order_by("first_name", "last_name", User.USERNAME_FIELD)
    )


def coordinator_addresses(*, quote_request: QuoteRequest | None = None) -> list[str]:
    """Whom to tell about a request: its assignee if it has one with an address; otherwise the team,
    that is the shared addresses (``MEDTOUR_COORDINATOR_EMAILS``) and then each active coordinator's
    own, each address once whatever its case."""
    if quote_request is not None and quote_request.assignee_id:
        assignee = quote_request.assignee
        if assignee.is_active and assignee.email:
            return [assignee.email]
    own = coordinators().exclude(email="").order_by("pk").values_list("email", flat=True)
    addresses, seen = [], set()
    for address in [*settings.COORDINATOR_EMAILS, *own]:
        address = (address or "").strip()
        if address and address.lower() not in seen:
            seen.add(address.lower())
            addresses.append(address)
    return addresses


# Requests ------------------------------------------------------------------------------------------


def overdue_requests(now: datetime.datetime | None = None) -> QuerySet:
    """Requests past their first-reply target, the longest overdue first, with their assignees."""
    return QuoteRequest.objects.overdue(now).select_related("assignee").order_by("first_reply_due_at", "pk")


def sendable_quotes(quote_request: QuoteRequest) -> QuerySet:
    """Draft facility quotes ready to go to the patient: with lines, valid today or later."""
    return FacilityQuote.objects.filter(
        quote_request=quote_request,
        status=FacilityQuote.Status.DRAFT,
        valid_until__gte=timezone.localdate(),
        items__isnull=False,
    ).distinct()


def with_totals(queryset: QuerySet) -> QuerySet:
    """Facility quotes annotated with the sum of their lines (0 for none), in the same query."""
    lines = (
        FacilityQuoteItem.objects.filter(quote=OuterRef("pk"))
        .order_by()
        .values("quote")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    money = DecimalField(max_digits=14, decimal_places=2)
    return queryset.annotate(total_amount=Coalesce(Subquery(lines, output_field=money), Value(0), output_field=money))


# The patient's status page -----------------------------------------------------------------------

# Quotes the patient has been sent; drafts are the coordinators' work in progress and never shown.
SHOWN_QUOTE_STATUSES = [
    FacilityQuote.Status.SENT,
    FacilityQuote.Status.ACCEPTED,
    FacilityQuote.Status.DECLINED,
    FacilityQuote.Status.EXPIRED,
]
QUOTES_SHOWN_WHEN = (S.QUOTED, S.ACCEPTED)
MAX_WIDTH_CLASS = 6


@dataclass(frozen=True)
class QuoteColumn:
    """One quote in the comparison: a column of the table."""

    quote: FacilityQuote
    listed: bool
    expired: bool
    can_accept: bool


@dataclass(frozen=True)
class QuoteCell:
    """One quote's lines of one kind (often one line, sometimes several, or none: shown as "—")."""

    lines: list[FacilityQuoteItem]
    currency: str


@dataclass(frozen=True)
class QuoteRow:
    """One kind of cost (a FacilityQuoteItem category) across the quotes, in column order."""

    label: str
    cells: list[QuoteCell]


def status_page_request(token_hash: str) -> QuoteRequest | None:
    """The request behind a status link, with what its page shows, in a fixed number of queries."""
    return (
        QuoteRequest.objects.select_related("procedure", "preferred_language")
        .prefetch_related("preferred_facilities", "attachments", "status_changes")
        .filter(status_token_hash=token_hash)
        .first()
    )


def shown_quotes(quote_request: QuoteRequest) -> list[FacilityQuote]:
    """The quotes the patient was sent, with their lines, their facilities' current accreditations
    and whether each facility is listed today (``facility_listed``, the directory's own rule).

    Three queries whatever the number of quotes and lines.
    """
    listed = ExpressionWrapper(listed_q("facility__"), output_field=BooleanField())
    return list(
        FacilityQuote.objects.filter(quote_request=quote_request, status__in=SHOWN_QUOTE_STATUSES)
        .select_related("facility")
        .annotate(facility_listed=listed)
        .prefetch_related(
            "items",
            Prefetch(
                "facility__accreditations",
                queryset=Accreditation.objects.current().select_related("body").order_by("body__abbreviation"),
                to_attr="current_accreditations",
            ),
        )
        .order_by("created_at", "pk")
    )


def quote_comparison(quote_request: QuoteRequest, quotes: list[FacilityQuote]) -> dict:
    """The side-by-side table of the patient's quotes: a column per quote, a row per kind of cost."""
    today = timezone.localdate()
    choosing = quote_request.status == S.QUOTED
    columns = []
    for quote in quotes:
        expired = quote.status == FacilityQuote.Status.EXPIRED or quote.valid_until < today
        columns.append(
            QuoteColumn(
                quote=quote,
                listed=bool(quote.facility_listed),
                expired=expired,
                can_accept=choosing and quote.status == FacilityQuote.Status.SENT and not expired,
            )
        )
    rows = []
    for category, label in FacilityQuoteItem.Category.choices:
        cells = [
            QuoteCell(lines=[item for item in quote.items.all() if item.category == category], currency=quote.currency)
            for quote in quotes
        ]
        if any(cell.lines for cell in cells):
            rows.append(QuoteRow(label=label, cells=cells))
    return {
        "columns": columns,
        # The table's minimum width follows the number of quotes (see static/css/status.css).
        "width_class": f"quote-compare-cols-{min(len(columns), MAX_WIDTH_CLASS)}",
        "rows": rows,
        "currencies": sorted({quote.currency for quote in quotes}),
        "has_notes": any(quote.notes for quote in quotes),
        "accepted_quote": next((q for q in quotes if q.status == FacilityQuote.Status.ACCEPTED), None),
        "can_choose": choosing,
        "any_acceptable": any(column.can_accept for column in columns),
    }


def status_page_context(quote_request: QuoteRequest, *, can_reply: bool, can_withdraw: bool) -> dict:
    """What the status page shows about a request (``status_page_request``), forms aside."""
    timeline = list(quote_request.status_changes.all())
    context = {
        "quote_request": quote_request,
        "timeline": timeline,
        "overdue": quote_request.is_overdue(),
        # The coordinator's question: the note of the latest move to "waiting for your information".
        "question": next((c for c in reversed(timeline) if c.to_status == S.AWAITING_PATIENT), None)
        if can_reply
        else None,
        "can_reply": can_reply,
        "can_withdraw": can_withdraw,
        "closed_by_patient": quote_request.status == S.CLOSED
        and quote_request.closed_reason in (QuoteRequest.CloseReason.DECLINED, QuoteRequest.CloseReason.WITHDRAWN),
    }
    if quote_request.status in QUOTES_SHOWN_WHEN:
        context["comparison"] = quote_comparison(quote_request, shown_quotes(quote_request))
    return context


# The coordinators' dashboard ---------------------------------------------------------------------

MEDIAN_WINDOW = datetime.timedelta(days=30)


@dataclass(frozen=True)
class DashboardFigures:
    per_status: dict[str, int]
    overdue: int
    unassigned: int
    mine: int
    median_first_reply_seconds: float | None
    median_sample: int
    median_window_days: int


def dashboard_figures(*, user, now: datetime.datetime | None = None) -> DashboardFigures:
    """Requests per status, overdue, open and unassigned, open and the user's, and the median time
    to a first reply over the last 30 days. Two queries whatever the number of requests."""
    now = now or timezone.now()
    requests = QuoteRequest.objects.order_by()
    counts = requests.aggregate(
        **{status: Count("pk", filter=Q(status=status)) for status in S.values},
        overdue=Count("pk", filter=overdue_q(now)),
        unassigned=Count("pk", filter=open_q() & Q(assignee__isnull=True)),
        mine=Count("pk", filter=open_q() & Q(assignee=user)),
    )
    replies = requests.filter(created_at__gte=now - MEDIAN_WINDOW, first_replied_at__isnull=False)
    waits = [
        (replied - created).total_seconds()
        for created, replied in replies.values_list("created_at", "first_replied_at")
    ]
    return DashboardFigures(
        per_status={status: counts[status] for status in S.values},
        overdue=counts["overdue"],
        unassigned=counts["unassigned"],
        mine=counts["mine"],
        median_first_reply_seconds=statistics.median(waits) if waits else None,
        median_sample=len(waits),
        median_window_days=MEDIAN_WINDOW.days,
    )
