"""The patient's side of quote requests: the form, the confirmation and the private status page."""

import functools
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.core.validators import slug_re
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import get_resolver
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from facilities.models import Accreditation, Facility, Language, Procedure
from facilities.selectors import destinations
from quotes import ratelimit
from quotes.forms import QuoteRequestForm, new_form_stamp
from quotes.models import (
    OPEN_STATUSES,
    FacilityQuote,
    FacilityQuoteItem,
    PatientMessage,
    QuoteRequest,
    StatusChange,
    hash_token,
)
from quotes.patient_forms import AcceptQuoteForm, PatientReplyForm, WithdrawForm
from quotes.services import (
    TransitionError,
    patient_accept_quote,
    patient_decline_quotes,
    patient_reply,
    patient_withdraw,
    quote_request_submit,
)
from tourism.seo import site_base_url

logger = logging.getLogger(__name__)

TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{43}$")
SESSION_KEY = "quote_confirmations"
MAX_PREFILLED_FACILITIES = 3


def _slugs(request: HttpRequest, name: str) -> list[str]:
    # Anything that is not a plain slug cannot name a facility or procedure: never query with it.
    return [value for value in request.GET.getlist(name)[:10] if len(value) <= 220 and slug_re.fullmatch(value)]


def _private(response: HttpResponse) -> HttpResponse:
    """Pages about one patient's request: never cached, never indexed, never leaked as a referrer."""
    add_never_cache_headers(response)
    response["X-Robots-Tag"] = "noindex, nofollow"
    # Same-origin, not no-referrer: the page's own forms need an Origin header for the CSRF check, and
    # the token in the address still never reaches another site.
    response["Referrer-Policy"] = "same-origin"
    return response


def _form(request: HttpRequest, data=None, files=None, initial=None) -> QuoteRequestForm:
    places = [(country.code, country.name) for country, _count in destinations()]
    return QuoteRequestForm(data, files, initial=initial, destinations=places)


# The browser may keep the form in its history (so "back" then "send" re-sends the same form and
# finds the same request), but must not store it anywhere shared.
@cache_control(private=True, no_cache=True)
@require_http_methods(["GET", "HEAD", "POST"])
def request_quote(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _submit(request)
    return _blank_form(request)


def _blank_form(request: HttpRequest) -> HttpResponse:
    """The empty form, pre-filled from ``?procedure=&facility=``.

    Rendered for every visitor (it holds their CSRF token and form stamp); the figures behind it
    (the destinations list) come from the directory cache.
    """
    facilities = list(Facility.objects.listed().filter(slug__in=_slugs(request, "facility"))[:MAX_PREFILLED_FACILITIES])
    procedure = Procedure.objects.published().filter(slug__in=_slugs(request, "procedure")[:1]).first()
    english = Language.objects.filter(code="en").first()
    initial = {
        "stamp": new_form_stamp(),
        "facilities": [facility.slug for facility in facilities],
        "procedure": procedure.slug if procedure else None,
        "preferred_language": english.code if english else None,
        "suggest_facilities": not facilities,
    }
    form = _form(request, initial=initial)
    context = {"form": form, "procedure": procedure, "facilities": facilities}
    return render(request, "quotes/request_quote.html", context)


def _submit(request: HttpRequest) -> HttpResponse:
    address = ratelimit.client_address(request)
    seen = request.session.get(SESSION_KEY, {})
    # A form this browser has already sent (double click, back and send again) is a repeat: it is
    # answered with its confirmation and never counted. The key is verified with the form below.
    repeat = request.POST.get("stamp", "").split(":", 1)[0] in seen
    if not repeat:
        limit = ratelimit.check(address)
        if not limit.allowed:
            return _rate_limited(request, limit.retry_after)

    form = _form(request, request.POST, request.FILES)
    if form.looks_automated():
        # Bots get a page that looks like success, and nothing is saved or sent.
        logger.info("Quote form: automated submission dropped")
        return render(request, "quotes/received.html")
    if not form.is_valid():
        context = {"form": form, "had_files": bool(request.FILES.getlist("files")), "procedure": None, "facilities": []}
        return render(request, "quotes/request_quote.html", context)

    if not repeat:
        limit = ratelimit.consume(address)
        if not limit.allowed:
            return _rate_limited(request, limit.retry_after)
    submission = quote_request_submit(
        data=form.cleaned_data,
        files=form.cleaned_data["files"],
        submission_key=form.submission_key,
        site_url=site_base_url(request),
    )
    earlier = seen.get(form.submission_key) or {}
    # Only the browser that created the request is shown its private status link.
    seen[form.submission_key] = {
        "reference": submission.quote_request.reference,
        "created": submission.created or bool(earlier.get("created")),
    }
    # Keep only the latest few confirmations in the session.
    request.session[SESSION_KEY] = dict(list(seen.items())[-5:])
    request.session["quote_last"] = form.submission_key
    return redirect("quotes:thanks")


def _rate_limited(request: HttpRequest, retry_after: int) -> HttpResponse:
    response = render(
        request,
        "quotes/rate_limited.html",
        {"per_hour": settings.QUOTE_RATE_PER_HOUR, "per_day": settings.QUOTE_RATE_PER_DAY},
        status=429,
    )
    response["Retry-After"] = str(retry_after)
    return response


@require_safe
def thanks(request: HttpRequest) -> HttpResponse:
    entry = request.session.get(SESSION_KEY, {}).get(request.session.get("quote_last", ""))
    reference = entry.get("reference") if isinstance(entry, dict) else None
    quote_request = QuoteRequest.objects.filter(reference=reference).first() if isinstance(reference, str) else None
    if quote_request is None:
        return redirect("quotes:request")
    token = quote_request.status_token if entry.get("created") else None
    context = {"quote_request": quote_request, "status_token": token}
    return _private(render(request, "quotes/thanks.html", context))


# The private status page and the patient's actions ----------------------------------------------

S = QuoteRequest.Status
# Quotes the patient has been sent; drafts are the coordinators' work in progress and never shown.
SHOWN_QUOTE_STATUSES = [
    FacilityQuote.Status.SENT,
    FacilityQuote.Status.ACCEPTED,
    FacilityQuote.Status.DECLINED,
    FacilityQuote.Status.EXPIRED,
]
QUOTES_SHOWN_WHEN = (S.QUOTED, S.ACCEPTED)
MAX_WIDTH_CLASS = 6


def _private_page(view):
    """Everything under a status link is private, including its "not found" and "not allowed" answers."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            response = view(request, *args, **kwargs)
        except Http404 as exc:
            response = get_resolver().resolve_error_handler(404)(request, exc)
        return _private(response)

    return wrapped


def _find_request(token: str) -> QuoteRequest:
    """The request this status link belongs to; 404 for a malformed or unknown token."""
    if not TOKEN_RE.fullmatch(token):
        raise Http404("No request has this address.")
    quote_request = QuoteRequest.objects.filter(status_token_hash=hash_token(token)).first()
    if quote_request is None:
        raise Http404("No request has this address.")
    return quote_request


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


def _shown_quotes(quote_request: QuoteRequest) -> list[FacilityQuote]:
    """The quotes the patient was sent, with their lines and the facilities' current accreditations.

    Three queries whatever the number of quotes and lines.
    """
    return list(
        FacilityQuote.objects.filter(quote_request=quote_request, status__in=SHOWN_QUOTE_STATUSES)
        .select_related("facility")
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


def _comparison(quote_request: QuoteRequest, quotes: list[FacilityQuote]) -> dict:
    today = timezone.localdate()
    choosing = quote_request.status == S.QUOTED
    columns = []
    for quote in quotes:
        expired = quote.status == FacilityQuote.Status.EXPIRED or quote.valid_until < today
        columns.append(
            QuoteColumn(
                quote=quote,
                listed=quote.facility.is_published and bool(quote.facility.current_accreditations),
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
    currencies = sorted({quote.currency for quote in quotes})
    return {
        "columns": columns,
        # The table's minimum width follows the number of quotes (see static/css/status.css).
        "width_class": f"quote-compare-cols-{min(len(columns), MAX_WIDTH_CLASS)}",
        "rows": rows,
        "currencies": currencies,
        "has_notes": any(quote.notes for quote in quotes),
        "accepted_quote": next((q for q in quotes if q.status == FacilityQuote.Status.ACCEPTED), None),
        "can_choose": choosing,
        "any_acceptable": any(column.can_accept for column in columns),
    }


def _render_status(
    request: HttpRequest,
    token: str,
    *,
    http_status: int = 200,
    problem: str = "",
    reply_form: PatientReplyForm | None = None,
    withdraw_form: WithdrawForm | None = None,
    had_files: bool = False,
) -> HttpResponse:
    """The status page, as it is now; action views pass back a problem or a form with errors."""
    if not TOKEN_RE.fullmatch(token):
        raise Http404("No request has this address.")
    quote_request = (
        QuoteRequest.objects.select_related("procedure", "preferred_language")
        .prefetch_related("preferred_facilities", "attachments", "status_changes")
        .filter(status_token_hash=hash_token(token))
        .first()
    )
    if quote_request is None:
        raise Http404("No request has this address.")
    timeline = list(quote_request.status_changes.all())
    awaiting = quote_request.status == S.AWAITING_PATIENT
    context = {
        "quote_request": quote_request,
        "token": token,
        "timeline": timeline,
        "overdue": quote_request.status == S.SUBMITTED and quote_request.first_reply_due_at < timezone.now(),
        "problem": problem,
        "had_files": had_files,
        # The coordinator's question: the note of the latest move to "waiting for your information".
        "question": next((c for c in reversed(timeline) if c.to_status == S.AWAITING_PATIENT), None)
        if awaiting
        else None,
        "reply_form": (reply_form or PatientReplyForm()) if awaiting else None,
        "withdraw_form": (withdraw_form or WithdrawForm()) if quote_request.status in OPEN_STATUSES else None,
        "closed_by_patient": quote_request.status == S.CLOSED
        and quote_request.closed_reason in (QuoteRequest.CloseReason.DECLINED, QuoteRequest.CloseReason.WITHDRAWN),
    }
    if quote_request.status in QUOTES_SHOWN_WHEN:
        context["comparison"] = _comparison(quote_request, _shown_quotes(quote_request))
    return render(request, "quotes/status.html", context, status=http_status)


@_private_page
@require_safe
def status(request: HttpRequest, token: str) -> HttpResponse:
    return _render_status(request, token)


# What each action says when it worked.
DONE = {
    "reply": "Thank you, we have your answer. Your coordinator will look at it and get back to you.",
    "accept": "You have accepted this quote. Your coordinator has been told and will be in touch about the next steps.",
    "decline": "You have declined the quotes, and your request is now closed. Thank you for letting us know.",
    "withdraw": "Your request has been withdrawn and is now closed. Thank you for letting us know.",
}


@dataclass(frozen=True)
class Blocked:
    """Why an action cannot be done now. ``already_done``: it was done before (a double click, a
    second tab), so the patient gets a calm note on the status page rather than an error."""

    message: str
    already_done: bool = False


def _blocked(quote_request: QuoteRequest, action: str, quote_id: int | None = None) -> Blocked | None:
    """None when the action fits the request's current status; otherwise what to tell the patient."""
    state, reference = quote_request.status, quote_request.reference
    ask_us = f"If you need to change something, reply to any of our e-mails quoting {reference}."
    if action == "reply":
        if state == S.AWAITING_PATIENT:
            return None
        asked_at = (
            StatusChange.objects.filter(quote_request=quote_request, to_status=S.AWAITING_PATIENT)
            .order_by("-created_at", "-pk")
            .values_list("created_at", flat=True)
            .first()
        )
        if asked_at and PatientMessage.objects.filter(quote_request=quote_request, created_at__gte=asked_at).exists():
            return Blocked("We already have your answer, thank you. There is nothing more to send.", True)
        return Blocked(f"We are not waiting for information from you at the moment. {ask_us}")
    if action == "accept":
        if state == S.QUOTED:
            return None
        if state == S.ACCEPTED:
            accepted = (
                FacilityQuote.objects.filter(quote_request=quote_request, status=FacilityQuote.Status.ACCEPTED)
                .select_related("facility")
                .first()
            )
            if accepted is not None and accepted.pk == quote_id:
                return Blocked("You have already accepted this quote. There is nothing more you need to do here.", True)
            chosen = f" from {accepted.facility.name}" if accepted else ""
            return Blocked(f"You have already accepted the quote{chosen}, so you cannot accept another one. {ask_us}")
        if state == S.CLOSED:
            return Blocked(f"This request is closed, so its quotes can no longer be accepted. {ask_us}")
        return Blocked("Your quotes are not ready yet. We will send you an e-mail as soon as they are.")
    if action == "decline":
        if state == S.QUOTED:
            return None
        if state == S.CLOSED and quote_request.closed_reason == QuoteRequest.CloseReason.DECLINED:
            return Blocked("You have already declined the quotes. Your request is closed.", True)
        if state == S.CLOSED:
            return Blocked("This request is already closed, so there is nothing to decline.", True)
        if state == S.ACCEPTED:
            return Blocked(f"You have already accepted a quote, so the others were declined for you. {ask_us}")
        return Blocked("Your quotes are not ready yet. We will send you an e-mail as soon as they are.")
    if action == "withdraw":
        if state in OPEN_STATUSES:
            return None
        if state == S.CLOSED and quote_request.closed_reason == QuoteRequest.CloseReason.WITHDRAWN:
            return Blocked("You have already withdrawn this request. It is closed.", True)
        if state == S.CLOSED:
            return Blocked("This request is already closed, so there is nothing to withdraw.", True)
        return Blocked(f"You have accepted a quote, so this request can no longer be withdrawn here. {ask_us}")
    raise ValueError(f"Unknown action {action!r}")


def _back_to_status(token: str) -> HttpResponse:
    response = redirect("quotes:status", token=token)
    response.status_code = 303  # See Other: the browser follows with a GET, and "reload" does not post again.
    return response


def _answer(request: HttpRequest, token: str, blocked: Blocked) -> HttpResponse:
    if blocked.already_done:
        messages.info(request, blocked.message)
        return _back_to_status(token)
    return _render_status(request, token, http_status=409, problem=blocked.message)


def _act(
    request: HttpRequest,
    token: str,
    quote_request: QuoteRequest,
    action: str,
    move: Callable[[], object],
    quote_id: int | None = None,
) -> HttpResponse:
    """Make the patient's move through its service, or explain why it cannot be made now."""
    blocked = _blocked(quote_request, action, quote_id)
    if blocked is not None:
        return _answer(request, token, blocked)
    try:
        move()
    except TransitionError as exc:
        # Lost a race (often the same patient clicking twice): say what the request is now.
        quote_request.refresh_from_db()
        return _answer(request, token, _blocked(quote_request, action, quote_id) or Blocked(str(exc)))
    messages.success(request, DONE[action])
    return _back_to_status(token)


@_private_page
@require_POST
def reply(request: HttpRequest, token: str) -> HttpResponse:
    quote_request = _find_request(token)
    if blocked := _blocked(quote_request, "reply"):
        return _answer(request, token, blocked)
    form = PatientReplyForm(request.POST, request.FILES)
    if not form.is_valid():
        had_files = bool(request.FILES.getlist(form.add_prefix("files")))
        return _render_status(request, token, http_status=400, reply_form=form, had_files=had_files)

    def move():
        patient_reply(
            quote_request=quote_request,
            text=form.cleaned_data["message"],
            files=form.cleaned_data["files"],
            site_url=site_base_url(request),
        )

    return _act(request, token, quote_request, "reply", move)


@_private_page
@require_POST
def accept(request: HttpRequest, token: str) -> HttpResponse:
    quote_request = _find_request(token)
    form = AcceptQuoteForm(request.POST)
    if not form.is_valid():
        return _render_status(
            request, token, http_status=400, problem="We could not tell which quote you chose. Please try again."
        )
    quote_id = form.cleaned_data["quote"]

    def move():
        patient_accept_quote(quote_request=quote_request, facility_quote_id=quote_id, site_url=site_base_url(request))

    return _act(request, token, quote_request, "accept", move, quote_id=quote_id)


@_private_page
@require_POST
def decline(request: HttpRequest, token: str) -> HttpResponse:
    quote_request = _find_request(token)

    def move():
        patient_decline_quotes(quote_request=quote_request, site_url=site_base_url(request))

    return _act(request, token, quote_request, "decline", move)


@_private_page
@require_POST
def withdraw(request: HttpRequest, token: str) -> HttpResponse:
    quote_request = _find_request(token)
    if blocked := _blocked(quote_request, "withdraw"):
        return _answer(request, token, blocked)
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        return _render_status(request, token, http_status=400, withdraw_form=form)

    def move():
        patient_withdraw(quote_request=quote_request, site_url=site_base_url(request))

    return _act(request, token, quote_request, "withdraw", move)
