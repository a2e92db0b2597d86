"""Reads about quote requests that views, the admin, the dashboard and commands share.

Rules about many requests live on ``QuoteRequest.objects`` (``open()``, ``overdue()``, ...); what is
built from them for a page (the status page, the quote comparison, the dashboard figures) and who
is told or may be given a request lives here.
"""

import datetime
import re
import statistics
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
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
    When,
)
from django.db.models.functions import Coalesce, Lower
from django.utils import timezone

from facilities.models import Accreditation, Facility, FacilityMembership, listed_q
from quotes.models import (
    OPEN_STATUSES,
    PHONE_TAIL_DIGITS,
    REFERENCE_ALPHABET,
    REFERENCE_LENGTH,
    FacilityCase,
    FacilityQuote,
    FacilityQuoteItem,
    Message,
    PatientMessage,
    QuoteAttachment,
    QuoteRequest,
    SharingConsent,
    open_q,
    overdue_q,
)
from quotes.roles import COORDINATORS
from tourism import money

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


def quotes_ready_for_patient(quote_request: QuoteRequest) -> QuerySet:
    """What moving a request to "quoted" shows the patient: sendable drafts, or quotes a
    coordinator released from a facility's case."""
    released = FacilityQuote.objects.filter(quote_request=quote_request, status=FacilityQuote.Status.SENT).distinct()
    return sendable_quotes(quote_request) | released


def with_totals(queryset: QuerySet) -> QuerySet:
    """Facility quotes annotated with the sum of their lines (0 for none), in the same query."""
    lines = (
        FacilityQuoteItem.objects.filter(quote=OuterRef("pk"))
        .order_by()
        .values("quote")
        .annotate(total=Sum("amount", default=0))
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


def comparison_currency(quote_request: QuoteRequest, display_currency: str | None = None) -> str:
    """The currency the patient compares quotes in: their budget's, else the one they read prices in."""
    return quote_request.budget_currency or display_currency or money.REFERENCE


def quote_comparison(
    quote_request: QuoteRequest,
    quotes: list[FacilityQuote],
    *,
    display_currency: str | None = None,
    rates: dict | None = None,
) -> dict:
    """The side-by-side table of the patient's quotes: a column per quote, a row per kind of cost.

    Every price stays in its quote's currency; beside it, the template shows it converted into
    ``compare_in`` (``comparison_currency``) at a fresh, dated rate, as the public pages do.
    ``unconverted`` lists the quotes' currencies that have no fresh rate to convert by.
    """
    compare_in = comparison_currency(quote_request, display_currency)
    rates = money.latest_rates() if rates is None else rates
    currencies = sorted({quote.currency for quote in quotes})
    unconverted = [c for c in currencies if c != compare_in and money.conversion(c, compare_in, rates) is None]
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
        "currencies": currencies,
        "compare_in": compare_in,
        "unconverted": unconverted,
        "shows_conversion": bool(currencies) and currencies != [compare_in] and not unconverted,
        "has_notes": any(quote.notes for quote in quotes),
        "accepted_quote": next((q for q in quotes if q.status == FacilityQuote.Status.ACCEPTED), None),
        "can_choose": choosing,
        "any_acceptable": any(column.can_accept for column in columns),
    }


@dataclass(frozen=True)
class ThreadEntry:
    """One turn of the conversation with the patient: a coordinator's question or message, or the
    patient's answer or message, with the files it came with."""

    from_patient: bool
    text: str
    created_at: datetime.datetime
    files: list
    author: object = None  # The coordinator who wrote it (staff pages only).
    is_question: bool = False


def patient_thread(quote_request: QuoteRequest) -> list[ThreadEntry]:
    """The whole conversation with the patient, oldest first, in four queries whatever its length."""
    files = list(
        QuoteAttachment.objects.filter(quote_request=quote_request)
        .filter(Q(message__isnull=False) | Q(patient_message__isnull=False))
        .only("pk", "original_name", "kind", "size", "message_id", "patient_message_id", "deleted_at", "file")
    )
    by_message, by_answer = {}, {}
    for attachment in files:
        if attachment.message_id:
            by_message.setdefault(attachment.message_id, []).append(attachment)
        else:
            by_answer.setdefault(attachment.patient_message_id, []).append(attachment)
    entries = [
        ThreadEntry(False, change.note, change.created_at, [], author=change.actor, is_question=True)
        for change in quote_request.status_changes.filter(to_status=S.AWAITING_PATIENT).select_related("actor")
        if change.note
    ]
    entries += [
        ThreadEntry(True, answer.text, answer.created_at, by_answer.get(answer.pk, []))
        for answer in PatientMessage.objects.filter(quote_request=quote_request)
    ]
    entries += [
        ThreadEntry(
            message.author_kind == Message.Author.PATIENT,
            message.text,
            message.created_at,
            by_message.get(message.pk, []),
            author=message.author,
        )
        for message in Message.objects.filter(
            quote_request=quote_request, channel=Message.Channel.PATIENT
        ).select_related("author")
    ]
    return sorted(entries, key=lambda entry: entry.created_at)


def status_page_context(
    quote_request: QuoteRequest,
    *,
    can_reply: bool,
    can_withdraw: bool,
    display_currency: str | None = None,
    rates: dict | None = None,
) -> dict:
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
        # Whom the patient agreed to share with, and the hospitals we asked them about since.
        "sharing_label": quote_request.sharing_label,
        "sharing_questions": list(
            SharingConsent.objects.filter(quote_request=quote_request).select_related("facility").order_by("asked_at")
        )
        if quote_request.is_open or quote_request.status == S.ACCEPTED
        else [],
        "thread": patient_thread(quote_request),
        "closed_by_patient": quote_request.status == S.CLOSED
        and quote_request.closed_reason in (QuoteRequest.CloseReason.DECLINED, QuoteRequest.CloseReason.WITHDRAWN),
    }
    if quote_request.status in QUOTES_SHOWN_WHEN:
        context["comparison"] = quote_comparison(
            quote_request, shown_quotes(quote_request), display_currency=display_currency, rates=rates
        )
    return context


# The coordinators' dashboard ---------------------------------------------------------------------

MEDIAN_WINDOW = datetime.timedelta(days=30)
MEDIAN_SAMPLE_MAX = 500  # The latest first replies the median is taken over, at most.
DASHBOARD_OVERDUE_CASES = 10


@dataclass(frozen=True)
class DashboardFigures:
    # Open statuses: every request in them; finished ones (accepted, closed): those that finished
    # within the last ``finished_window_days``.
    per_status: dict[str, int]
    overdue: int
    unassigned: int
    mine: int
    median_first_reply_seconds: float | None
    median_sample: int
    median_window_days: int
    overdue_cases: list = ()
    overdue_case_count: int = 0
    finished_window_days: int = MEDIAN_WINDOW.days
    median_capped: bool = False  # Taken over the latest MEDIAN_SAMPLE_MAX replies only.


def count_each(**querysets: QuerySet) -> dict[str, int]:
    """How many rows each queryset has, all in one query (a scalar subquery per count). Each reads
    only the primary key, so an index whose range answers the filter answers the count alone."""
    parts, params = [], []
    for queryset in querysets.values():
        sql, more = queryset.order_by().values("pk").query.sql_with_params()
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) counted)")  # noqa: S608 (the ORM's own SQL)
        params.extend(more)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        return dict(zip(querysets, cursor.fetchone(), strict=True))


def dashboard_figures(*, user, now: datetime.datetime | None = None) -> DashboardFigures:
    """Requests per open status, overdue, open and unassigned, open and the user's; requests
    accepted or closed in the last 30 days; the median time to a first reply over the last 30 days
    (of the latest ``MEDIAN_SAMPLE_MAX`` replies at most); and the cases most overdue at
    facilities, with how many there are in all.

    Three queries. Every count is one range of an index (quote_list_status_idx, quote_finished_idx,
    quote_list_order_idx, quote_list_assignee_idx, the cases' answer_due_at) read without
    touching a row, the median reads at most ``MEDIAN_SAMPLE_MAX`` rows and the overdue cases
    ``DASHBOARD_OVERDUE_CASES``: no figure reads the history. (All-time totals of finished
    requests would read every row on each load.)
    """
    now = now or timezone.now()
    since = now - MEDIAN_WINDOW
    requests = QuoteRequest.objects.all()
    counts = count_each(
        **{
            status: requests.filter(status=status)
            if status in OPEN_STATUSES
            else requests.filter(status=status, closed_at__gte=since)
            for status in S.values
        },
        overdue=requests.filter(overdue_q(now)),
        unassigned=requests.filter(open_q(), assignee__isnull=True),
        mine=requests.filter(open_q(), assignee=user),
        overdue_cases=FacilityCase.objects.overdue(now),
    )
    replies = requests.filter(first_replied_at__gte=since).order_by("-first_replied_at")
    waits = [
        (replied - created).total_seconds()
        for created, replied in replies.values_list("created_at", "first_replied_at")[:MEDIAN_SAMPLE_MAX]
    ]
    late = list(
        overdue_cases(now).only("reference", "due_at", "facility__name", "quote_request__reference")[
            :DASHBOARD_OVERDUE_CASES
        ]
    )
    return DashboardFigures(
        per_status={status: counts[status] for status in S.values},
        overdue=counts["overdue"],
        unassigned=counts["unassigned"],
        mine=counts["mine"],
        median_first_reply_seconds=statistics.median(waits) if waits else None,
        median_sample=len(waits),
        median_window_days=MEDIAN_WINDOW.days,
        median_capped=len(waits) == MEDIAN_SAMPLE_MAX,
        overdue_cases=late,
        overdue_case_count=counts["overdue_cases"],
    )


# The request list -------------------------------------------------------------------------------

REFERENCE_TYPED = re.compile(rf"(?:MT-?)?([{REFERENCE_ALPHABET}]{{{REFERENCE_LENGTH}}})")
PHONE_TYPED = re.compile(r"[\d\s()+./-]+")


def _prefix_range(field: str, prefix: str) -> Q:
    # "Starts with" as a range the field's index can read on every database: LIKE 'x%' reads a
    # PostgreSQL index only under the C collation or a pattern operator class.
    return Q(**{f"{field}__gte": prefix, f"{field}__lt": prefix[:-1] + chr(ord(prefix[-1]) + 1)})


def requests_matching(queryset: QuerySet, term: str) -> QuerySet:
    """The requests a coordinator's search finds, each way through an index, so that it costs the
    same at a thousand requests as at a million: the reference (with or without "MT-", in any
    case), the patient's name or e-mail address from its start (in any case: "maria", "maria
    lopez", "maria.lopez@example.com"), and the phone number by its digits however it is typed
    ("+34 612 345 678", "0034612345678", "612-345-678"), by the last ``PHONE_TAIL_DIGITS`` of
    them and then the whole.
    """
    words = " ".join((term or "").split())
    if not words:
        return queryset
    lowered = words.lower()
    found = _prefix_range("name_key", lowered) | _prefix_range("email_key", lowered)
    reference = REFERENCE_TYPED.fullmatch(words.upper())
    if reference:
        found |= Q(reference="MT-" + reference.group(1))
    digits = re.sub(r"\D", "", words)
    if len(digits) >= PHONE_TAIL_DIGITS and PHONE_TYPED.fullmatch(words):
        # Stored as +<country><number>: typed with 00 or a trunk zero, it ends the same way.
        found |= Q(phone_tail=digits[-PHONE_TAIL_DIGITS:], phone__endswith=digits.lstrip("0"))
    return queryset.alias(name_key=Lower("name"), email_key=Lower("email")).filter(found)


def request_countries() -> list[str]:
    """The distinct countries of residence among all requests, one index seek per country (a
    recursive query stepping through the country index) rather than a pass over every request."""
    table = connection.ops.quote_name(QuoteRequest._meta.db_table)
    column = connection.ops.quote_name(QuoteRequest._meta.get_field("country_of_residence").column)
    # Only the table's and the column's own names, quoted, are put into the text.
    sql = (
        f"WITH RECURSIVE seen(code) AS (SELECT MIN({column}) FROM {table} UNION ALL"  # noqa: S608
        f" SELECT (SELECT MIN({column}) FROM {table} WHERE {column} > seen.code) FROM seen"
        f" WHERE seen.code IS NOT NULL) SELECT code FROM seen WHERE code IS NOT NULL AND code <> ''"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return [code for (code,) in cursor.fetchall()]


# Cases shared with facilities ----------------------------------------------------------------------


def consented_facility_ids(quote_request: QuoteRequest) -> set[int] | None:
    """The facilities the patient agreed to share this request with: those they chose, and those
    they said yes to on the status page. None means "any listed facility" (they asked Medtour to
    suggest hospitals). The one rule for whom a case may go to."""
    if quote_request.suggest_facilities:
        return None
    chosen = set(quote_request.preferred_facilities.values_list("pk", flat=True))
    agreed = set(
        SharingConsent.objects.filter(quote_request=quote_request, approved=True).values_list("facility_id", flat=True)
    )
    return chosen | agreed


def sharing_allowed(quote_request: QuoteRequest, facility_id: int) -> bool:
    allowed = consented_facility_ids(quote_request)
    return allowed is None or facility_id in allowed


@dataclass(frozen=True)
class CaseCandidate:
    """A facility the coordinator could send a request to, and what stands in the way, if anything."""

    facility: "Facility"
    preferred: bool
    offers_procedure: bool
    consented: bool
    consent_asked: bool
    consent_refused: bool
    has_office: bool
    live_case: "FacilityCase | None"

    @property
    def can_send(self) -> bool:
        return self.consented and self.has_office and self.live_case is None


CANDIDATE_LIMIT = 40


def case_candidates(quote_request: QuoteRequest) -> list[CaseCandidate]:
    """Facilities to offer in the "send to facilities" panel: the patient's preferred ones first,
    then listed facilities offering the procedure (in the preferred destinations first), at most
    ``CANDIDATE_LIMIT``. A fixed number of queries whatever the directory's size."""
    preferred_ids = set(quote_request.preferred_facilities.values_list("pk", flat=True))
    listed = Facility.objects.listed()
    offering = listed.none()
    if quote_request.procedure_id:
        offering = listed.filter(offered_procedures__procedure_id=quote_request.procedure_id)
        if quote_request.preferred_countries:
            offering = offering.order_by(
                Case(When(country__in=list(quote_request.preferred_countries), then=0), default=1), Lower("name")
            )
        else:
            offering = offering.order_by(Lower("name"))
    others = list(offering.exclude(pk__in=preferred_ids).values_list("pk", flat=True)[:CANDIDATE_LIMIT])
    offering_ids = set(offering.filter(pk__in=[*preferred_ids, *others]).values_list("pk", flat=True))
    ids = [*sorted(preferred_ids), *others][:CANDIDATE_LIMIT]
    facilities = {f.pk: f for f in Facility.objects.filter(pk__in=ids).with_listing()}
    with_office = set(
        FacilityMembership.objects.filter(facility_id__in=ids, user__is_active=True)
        .exclude(user__email="")
        .values_list("facility_id", flat=True)
    )
    consents = {c.facility_id: c for c in SharingConsent.objects.filter(quote_request=quote_request)}
    live = {c.facility_id: c for c in FacilityCase.objects.open().filter(quote_request=quote_request)}
    allowed = consented_facility_ids(quote_request)
    candidates = []
    for pk in ids:
        facility = facilities.get(pk)
        if facility is None:
            continue
        consent = consents.get(pk)
        candidates.append(
            CaseCandidate(
                facility=facility,
                preferred=pk in preferred_ids,
                offers_procedure=pk in offering_ids,
                consented=(allowed is None or pk in allowed) and bool(facility.is_listed),
                consent_asked=consent is not None and consent.approved is None,
                consent_refused=consent is not None and consent.approved is False,
                has_office=pk in with_office,
                live_case=live.get(pk),
            )
        )
    return candidates


def request_cases(quote_request: QuoteRequest) -> list:
    """A request's cases for the coordinator's page, with facility, quote and message counts."""
    return list(
        FacilityCase.objects.filter(quote_request=quote_request)
        .select_related("facility", "quote")
        .annotate(message_count=Count("messages", distinct=True))
        .prefetch_related(
            Prefetch(
                "messages",
                queryset=Message.objects.select_related("author").order_by("created_at", "pk"),
                to_attr="thread",
            )
        )
        .order_by("created_at", "pk")
    )


def overdue_cases(now: datetime.datetime | None = None) -> QuerySet:
    """Cases past their answer time, the longest overdue first, with their facility and request."""
    # In answer_due_at's order (the same as due_at's among them): its index serves the list.
    return FacilityCase.objects.overdue(now).select_related("facility", "quote_request").order_by("answer_due_at", "pk")


# The facility portal's inbox: the facility's own words for where each case stands.
INBOX_FOLDERS = {
    "new": [FacilityCase.Status.SENT],
    "todo": [FacilityCase.Status.OPENED],
    "answered": [FacilityCase.Status.QUESTION, FacilityCase.Status.QUOTED],
    "closed": [
        FacilityCase.Status.DECLINED,
        FacilityCase.Status.ACCEPTED,
        FacilityCase.Status.WITHDRAWN,
        FacilityCase.Status.CLOSED,
    ],
}


def inbox_counts(facility_id: int) -> dict[str, int]:
    """How many of a facility's cases are in each inbox folder; one query."""
    cases = FacilityCase.objects.for_facility(facility_id).order_by()
    return cases.aggregate(
        **{folder: Count("pk", filter=Q(status__in=statuses)) for folder, statuses in INBOX_FOLDERS.items()}
    )


def inbox_cases(facility_id: int, folder: str) -> QuerySet:
    """One folder of a facility's inbox, open cases by due time, ended ones newest first."""
    # The procedure's name is read in the active language, falling back to English
    # (facilities.translation): every language's column comes with the row, or each would be a query.
    procedure_names = [f"quote_request__procedure__name_{code.replace('-', '_')}" for code, _name in settings.LANGUAGES]
    cases = (
        FacilityCase.objects.for_facility(facility_id)
        .filter(status__in=INBOX_FOLDERS[folder])
        .select_related("quote_request__procedure")
        .only(
            "reference", "status", "created_at", "due_at", "closed_at", "quote_request__procedure__name",
            *procedure_names, "quote_request__travel_from", "quote_request__travel_to",
        )
    )  # fmt: skip
    return cases.order_by("-closed_at", "-pk") if folder == "closed" else cases.order_by("due_at", "pk")


def portal_case(facility_id: int, reference: str):
    """One case of this facility, or None: another facility's case is as absent as a missing one."""
    return (
        FacilityCase.objects.for_facility(facility_id)
        .select_related("quote_request__procedure", "facility")
        .filter(reference=reference)
        .first()
    )


@dataclass(frozen=True)
class SharedDetail:
    label: str
    value: str


def case_shared_details(case: FacilityCase) -> list[SharedDetail]:
    """What the coordinator shared of the request, in the form's order; nothing else of it.

    The procedure and the travel window are on every case; the patient's name and contact are
    not here at all (``case_patient_contact``).
    """
    quote_request = case.quote_request
    F = FacilityCase.SharedField
    values = {
        F.AGE_BAND: quote_request.get_age_band_display(),
        F.COUNTRY: quote_request.country_of_residence.name if quote_request.country_of_residence else "",
        F.CONDITION: quote_request.condition,
        F.DIAGNOSIS: quote_request.diagnosis,
        F.PREVIOUS_TREATMENT: quote_request.previous_treatment,
        F.MEDICATION: quote_request.medication,
        F.ALLERGIES: quote_request.allergies,
        F.BUDGET: (
            f"{quote_request.budget_amount:,.0f} {quote_request.budget_currency}".strip()
            if quote_request.budget_amount is not None
            else ""
        ),
    }
    return [
        SharedDetail(label=str(F(field).label), value=values[field] or "—") for field in F.values if case.shares(field)
    ]


def case_patient_contact(case: FacilityCase) -> dict | None:
    """The patient's name and contact, only once the patient chose this facility's quote."""
    if case.contact_shared_at is None or case.status != FacilityCase.Status.ACCEPTED:
        return None
    quote_request = case.quote_request
    return {"name": quote_request.name, "email": quote_request.email, "phone": quote_request.phone}


def case_files(case: FacilityCase) -> list:
    """The medical files shared with this case and not deleted since."""
    return list(
        case.shared_attachments.filter(deleted_at__isnull=True)
        .exclude(file="")
        .only("pk", "original_name", "kind", "size", "created_at")
        .order_by("created_at", "pk")
    )


def case_thread(case: FacilityCase) -> list:
    """The conversation on one case, oldest first, with each author's name."""
    return list(case.messages.select_related("author").order_by("created_at", "pk"))


def acceptable_quote(quote_request: QuoteRequest, quote_id: int) -> FacilityQuote | None:
    """One quote the patient may accept now (sent to them, still valid), with its facility and total."""
    return (
        with_totals(
            FacilityQuote.objects.filter(
                pk=quote_id,
                quote_request=quote_request,
                status=FacilityQuote.Status.SENT,
                valid_until__gte=timezone.localdate(),
            )
        )
        .select_related("facility")
        .first()
    )


# Accreditation and the travel window -------------------------------------------------------------


@dataclass(frozen=True)
class AccreditationWarning:
    """A hospital the patient chose whose accreditation cover ends before they may travel."""

    facility: Facility
    ends_on: datetime.date | None  # The last day it is accredited; None when it is not any more.
    before_travel_starts: bool  # Ends before the earliest travel date, not only before the latest.

    @property
    def has_ended(self) -> bool:
        return self.ends_on is None or self.ends_on < timezone.localdate()


def accreditation_warnings(quote_request: QuoteRequest) -> list[AccreditationWarning]:
    """The chosen hospitals whose accreditation ends before the patient's latest travel date (or,
    with only an earliest date, before that one), read from each facility's listing window
    (``listed_until``: the last day its accreditations cover without a gap).

    Nothing is stored: the warning follows the directory as accreditations are renewed. One query,
    none when ``preferred_facilities`` is prefetched (``status_page_request``).
    """
    travel_from, travel_to = quote_request.travel_from, quote_request.travel_to
    last_day = travel_to or travel_from
    if last_day is None:
        return []
    return [
        AccreditationWarning(
            facility=facility,
            ends_on=facility.listed_until,
            before_travel_starts=travel_from is not None
            and (facility.listed_until is None or facility.listed_until < travel_from),
        )
        for facility in quote_request.preferred_facilities.all()
        if facility.listed_until is None or facility.listed_until < last_day
    ]
