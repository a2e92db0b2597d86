"""The patient's side of quote requests: the form, the confirmation and the private status page."""

import logging
import re

from django.conf import settings
from django.core.validators import slug_re
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_http_methods, require_safe

from facilities.models import Facility, Language, Procedure
from facilities.selectors import destinations
from quotes import ratelimit
from quotes.forms import QuoteRequestForm, new_form_stamp
from quotes.models import QuoteRequest, hash_token
from quotes.services import quote_request_submit
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
    response["Referrer-Policy"] = "no-referrer"
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
    return render(
        request, "quotes/request_quote.html", {"form": form, "procedure": procedure, "facilities": facilities}
    )


def _submit(request: HttpRequest) -> HttpResponse:
    address = ratelimit.client_address(request)
    if not ratelimit.check(address).allowed:
        return _rate_limited(request, ratelimit.check(address).retry_after)

    form = _form(request, request.POST, request.FILES)
    if form.looks_automated():
        # Bots get a page that looks like success, and nothing is saved or sent.
        logger.info("Quote form: automated submission dropped")
        return render(request, "quotes/received.html")
    if not form.is_valid():
        response = render(
            request,
            "quotes/request_quote.html",
            {"form": form, "had_files": bool(request.FILES.getlist("files")), "procedure": None, "facilities": []},
            status=200,
        )
        return response

    seen = request.session.get(SESSION_KEY, {})
    if form.submission_key not in seen:
        limit = ratelimit.consume(address)
        if not limit.allowed:
            return _rate_limited(request, limit.retry_after)
    submission = quote_request_submit(
        data=form.cleaned_data,
        files=form.cleaned_data["files"],
        submission_key=form.submission_key,
        site_url=site_base_url(request),
    )
    seen[form.submission_key] = submission.quote_request.reference
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
    reference = request.session.get(SESSION_KEY, {}).get(request.session.get("quote_last", ""))
    quote_request = QuoteRequest.objects.filter(reference=reference).first() if isinstance(reference, str) else None
    if quote_request is None:
        return redirect("quotes:request")
    context = {"quote_request": quote_request, "status_token": quote_request.status_token}
    return _private(render(request, "quotes/thanks.html", context))


@require_safe
def status(request: HttpRequest, token: str) -> HttpResponse:
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
    return _private(
        render(
            request,
            "quotes/status.html",
            {
                "quote_request": quote_request,
                "timeline": list(quote_request.status_changes.all()),
                "overdue": quote_request.status == QuoteRequest.Status.SUBMITTED
                and quote_request.first_reply_due_at < timezone.now(),
            },
        )
    )
