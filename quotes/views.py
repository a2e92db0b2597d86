"""The patient's side of quote requests: the form, the confirmation and the private status page."""

import datetime
import functools
import logging
import math
import re
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.core.validators import slug_re
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import get_resolver
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from facilities.models import Facility, Language, Procedure
from facilities.selectors import destinations
from quotes import ratelimit
from quotes.forms import QuoteRequestForm, form_key, new_form_stamp
from quotes.models import QuoteRequest, hash_token
from quotes.patient_forms import AcceptQuoteForm, PatientMessageForm, PatientReplyForm, WithdrawForm
from quotes.selectors import acceptable_quote, status_page_context, status_page_request
from quotes.services.cases import sharing_consent_answer
from quotes.services.conversation import patient_can_write, patient_message_post
from quotes.services.errors import CaseError, PatientActionRefused, Refusal
from quotes.services.patient import (
    ACCEPT,
    DECLINE,
    REPLY,
    WITHDRAW,
    patient_accept_quote,
    patient_action_refusal,
    patient_can,
    patient_decline_quotes,
    patient_erasure_request,
    patient_reply,
    patient_withdraw,
)
from quotes.services.submission import quote_request_submit
from quotes.uploads import pending_uploads_delete, pending_uploads_for, pending_uploads_keep

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


def _form(request: HttpRequest, data=None, files=None, initial=None, kept=None) -> QuoteRequestForm:
    places = [(country.code, country.name) for country, _count in destinations()]
    return QuoteRequestForm(data, files, initial=initial, destinations=places, kept=kept)


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

    # Files kept from this form's earlier attempts, found by its one-time key (only a stamp we signed).
    key = form_key(request.POST.get("stamp", ""))
    kept = pending_uploads_for(form_key=key, drop=request.POST.getlist("remove_kept")) if key else []
    form = _form(request, request.POST, request.FILES, kept=kept)
    had_files = bool(request.FILES.getlist("files")) or bool(kept)
    # Errors first, whatever the timing: a person always hears what to fix.
    if not form.is_valid():
        return _form_again(request, form, key=key, had_files=had_files)
    if form.honeypot_filled():
        # Bots get a page that looks like success, and nothing is saved or sent.
        logger.info("Quote form: automated submission dropped")
        return render(request, "quotes/received.html")
    if form.sent_too_fast():
        # Quick is not proof of a bot (autofill, pasted text): ask once more, keeping what was typed.
        logger.info("Quote form: sent faster than the minimum fill time, shown again")
        form.restamp()
        return _form_again(request, form, key=key, had_files=had_files, too_quick=True)

    if not repeat:
        limit = ratelimit.consume(address, form.cleaned_data["email"])
        if not limit.allowed:
            # Nothing typed is lost: the form comes back as sent, saying when it can go.
            logger.info("Quote form: rate limit reached, form shown again")
            return _form_again(request, form, key=key, had_files=had_files, retry_after=limit.retry_after)
    submission = quote_request_submit(
        submission_key=form.submission_key,
        pending_uploads=kept,
        time_zone=request.POST.get("time_zone", ""),  # From the browser (static/js/time-zone.js).
        **form.submission_fields(),
    )
    if not submission.created:
        # A repeat adds no files (see files_not_added): those kept for this form go now.
        pending_uploads_delete(kept)
    reference = submission.quote_request.reference
    # Only the browser that created the request is shown its private status link, also when it
    # sends the same request again from a new form.
    created_here = any(
        isinstance(entry, dict) and entry.get("reference") == reference and entry.get("created")
        for entry in seen.values()
    )
    seen.pop(form.submission_key, None)  # Re-added last, as the latest.
    seen[form.submission_key] = {
        "reference": reference,
        "created": submission.created or created_here,
        # The same request sent again from a new form keeps its files: those sent now are not added.
        "files_not_added": had_files
        and not submission.created
        and submission.quote_request.submission_key != form.submission_key,
    }
    # Keep only the latest few confirmations in the session.
    request.session[SESSION_KEY] = dict(list(seen.items())[-5:])
    request.session["quote_last"] = form.submission_key
    return redirect("quotes:thanks")


def _form_again(
    request: HttpRequest,
    form: QuoteRequestForm,
    *,
    key: str | None,
    had_files: bool,
    too_quick: bool = False,
    retry_after: int = 0,
) -> HttpResponse:
    """The form as sent, with its errors or the "that was quick" note.

    Files that passed the checks are kept for the form's next attempt, under the key of the stamp
    it is shown with (new after "that was quick"); without a valid stamp they must be chosen again.
    """
    shown_key = form_key(form.data.get("stamp", "")) if key else None
    kept = pending_uploads_keep(form_key=shown_key, files=form.passed_files, previous_form_key=key) if shown_key else []
    form.show_phone_as_read()
    context = {
        "form": form,
        "kept": kept,
        "had_files": had_files,
        "too_quick": too_quick,
        "procedure": None,
        "facilities": [],
    }
    if retry_after:
        context.update(
            rate_limited=True,
            retry_minutes=max(1, math.ceil(retry_after / 60)),
            retry_at=timezone.now() + datetime.timedelta(seconds=retry_after),
            per_hour=settings.QUOTE_RATE_PER_HOUR,
            per_day=settings.QUOTE_RATE_PER_DAY,
        )
        response = render(request, "quotes/request_quote.html", context, status=429)
        response["Retry-After"] = str(retry_after)
        return response
    return render(request, "quotes/request_quote.html", context)


@require_safe
def thanks(request: HttpRequest) -> HttpResponse:
    entry = request.session.get(SESSION_KEY, {}).get(request.session.get("quote_last", ""))
    reference = entry.get("reference") if isinstance(entry, dict) else None
    quote_request = QuoteRequest.objects.filter(reference=reference).first() if isinstance(reference, str) else None
    if quote_request is None:
        return redirect("quotes:request")
    token = quote_request.status_token if entry.get("created") else None
    context = {
        "quote_request": quote_request,
        "status_token": token,
        "files_not_added": bool(entry.get("files_not_added")),
        "coordinator_email": settings.COORDINATOR_EMAILS[0] if settings.COORDINATOR_EMAILS else "",
    }
    return _private(render(request, "quotes/thanks.html", context))


# The private status page and the patient's actions ----------------------------------------------

S = QuoteRequest.Status


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


def _render_status(
    request: HttpRequest,
    token: str,
    *,
    http_status: int = 200,
    problem: str = "",
    reply_form: PatientReplyForm | None = None,
    withdraw_form: WithdrawForm | None = None,
    message_form: PatientMessageForm | None = None,
    had_files: bool = False,
) -> HttpResponse:
    """The status page, as it is now; action views pass back a problem or a form with errors."""
    if not TOKEN_RE.fullmatch(token):
        raise Http404("No request has this address.")
    quote_request = status_page_request(hash_token(token))
    if quote_request is None:
        raise Http404("No request has this address.")
    can_reply, can_withdraw = patient_can(quote_request, REPLY), patient_can(quote_request, WITHDRAW)
    context = {
        **status_page_context(quote_request, can_reply=can_reply, can_withdraw=can_withdraw),
        "token": token,
        "problem": problem,
        "had_files": had_files,
        "reply_form": (reply_form or PatientReplyForm()) if can_reply else None,
        "withdraw_form": (withdraw_form or WithdrawForm()) if can_withdraw else None,
        "message_form": (message_form or PatientMessageForm()) if patient_can_write(quote_request) else None,
    }
    return render(request, "quotes/status.html", context, status=http_status)


@_private_page
@require_safe
def status(request: HttpRequest, token: str) -> HttpResponse:
    return _render_status(request, token)


# What each action says when it worked.
DONE = {
    REPLY: _("Thank you, we have your answer. Your coordinator will look at it and get back to you."),
    ACCEPT: _(
        "You have accepted this quote. Your coordinator has been told and will be in touch about the next steps."
    ),
    DECLINE: _("You have declined the quotes, and your request is now closed. Thank you for letting us know."),
    WITHDRAW: _("Your request has been withdrawn and is now closed. Thank you for letting us know."),
}


def _back_to_status(token: str) -> HttpResponse:
    response = redirect("quotes:status", token=token)
    response.status_code = 303  # See Other: the browser follows with a GET, and "reload" does not post again.
    return response


def _refused(request: HttpRequest, token: str, refusal: Refusal) -> HttpResponse:
    if refusal.already_done:
        messages.info(request, refusal.message)
        return _back_to_status(token)
    return _render_status(request, token, http_status=409, problem=refusal.message)


def _act(request: HttpRequest, token: str, action: str, move: Callable[[], object]) -> HttpResponse:
    """Make the patient's move through its service, or explain why it cannot be made now."""
    try:
        move()
    except PatientActionRefused as exc:
        return _refused(request, token, exc.refusal)
    messages.success(request, DONE[action])
    return _back_to_status(token)


def _refusal_first(quote_request: QuoteRequest, action: str) -> Refusal | None:
    # Before a form is checked: a patient who cannot act now hears why, not about the form.
    return patient_action_refusal(quote_request=quote_request, action=action)


@_private_page
@require_POST
def reply(request: HttpRequest, token: str) -> HttpResponse:
    quote_request = _find_request(token)
    if refusal := _refusal_first(quote_request, REPLY):
        return _refused(request, token, refusal)
    form = PatientReplyForm(request.POST, request.FILES)
    if not form.is_valid():
        had_files = bool(request.FILES.getlist(form.add_prefix("files")))
        return _render_status(request, token, http_status=400, reply_form=form, had_files=had_files)
    return _act(
        request,
        token,
        REPLY,
        lambda: patient_reply(
            quote_request=quote_request, text=form.cleaned_data["message"], files=form.cleaned_data["files"]
        ),
    )


@_private_page
@require_POST
def accept(request: HttpRequest, token: str) -> HttpResponse:
    quote_request = _find_request(token)
    form = AcceptQuoteForm(request.POST)
    if not form.is_valid():
        return _render_status(
            request, token, http_status=400, problem=_("We could not tell which quote you chose. Please try again.")
        )
    quote_id = form.cleaned_data["quote"]
    if request.POST.get("confirm") != "yes":
        # First press: say exactly what accepting means, and ask once more.
        if refusal := patient_action_refusal(quote_request=quote_request, action=ACCEPT, quote_id=quote_id):
            return _refused(request, token, refusal)
        quote = acceptable_quote(quote_request, quote_id)
        if quote is None:
            return _render_status(request, token, http_status=409, problem=_("That quote is not one you can accept."))
        context = {"quote_request": quote_request, "quote": quote, "token": token}
        return render(request, "quotes/accept_confirm.html", context)
    return _act(
        request, token, ACCEPT, lambda: patient_accept_quote(quote_request=quote_request, facility_quote_id=quote_id)
    )


@_private_page
@require_POST
def decline(request: HttpRequest, token: str) -> HttpResponse:
    quote_request = _find_request(token)
    return _act(request, token, DECLINE, lambda: patient_decline_quotes(quote_request=quote_request))


@_private_page
@require_POST
def withdraw(request: HttpRequest, token: str) -> HttpResponse:
    quote_request = _find_request(token)
    if refusal := _refusal_first(quote_request, WITHDRAW):
        return _refused(request, token, refusal)
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        return _render_status(request, token, http_status=400, withdraw_form=form)
    return _act(request, token, WITHDRAW, lambda: patient_withdraw(quote_request=quote_request))


@_private_page
@require_POST
def sharing_answer(request: HttpRequest, token: str) -> HttpResponse:
    """The patient's yes or no to sharing their request with one more hospital."""
    quote_request = _find_request(token)
    question = request.POST.get("question", "")
    answer = request.POST.get("answer", "")
    if not (question.isascii() and question.isdigit()) or answer not in ("yes", "no"):
        return _render_status(
            request, token, http_status=400, problem=_("We could not tell what you answered. Please try again.")
        )
    try:
        sharing_consent_answer(quote_request=quote_request, consent_id=int(question), approved=answer == "yes")
    except CaseError as exc:
        return _render_status(request, token, http_status=404, problem=str(exc))
    if answer == "yes":
        messages.success(request, _("Thank you. Your coordinator can now share your request with that hospital."))
    else:
        messages.success(request, _("Thank you. We will not share your request with that hospital."))
    return _back_to_status(token)


@_private_page
@require_POST
def message(request: HttpRequest, token: str) -> HttpResponse:
    """The patient writes to their coordinator, with files if they have them."""
    quote_request = _find_request(token)
    if not patient_can_write(quote_request):
        return _render_status(
            request,
            token,
            http_status=409,
            problem=_("This request is closed, so messages can no longer be sent here.")
            if not quote_request.is_open
            else _("Please use the answer form: your coordinator is waiting for your answer."),
        )
    form = PatientMessageForm(request.POST, request.FILES)
    if not form.is_valid():
        had_files = bool(request.FILES.getlist(form.add_prefix("files")))
        return _render_status(request, token, http_status=400, message_form=form, had_files=had_files)
    try:
        patient_message_post(
            quote_request=quote_request, text=form.cleaned_data["message"], files=form.cleaned_data["files"]
        )
    except PatientActionRefused as exc:
        return _refused(request, token, exc.refusal)
    messages.success(request, _("Your message was sent. Your coordinator will answer here, and we will e-mail you."))
    return _back_to_status(token)


@_private_page
@require_POST
def erasure(request: HttpRequest, token: str) -> HttpResponse:
    """The patient asks for their data to be erased (after ticking that they understand)."""
    quote_request = _find_request(token)
    if request.POST.get("erase-confirm") != "on":
        return _render_status(
            request,
            token,
            http_status=400,
            problem=_("Please tick the box to confirm that you want your data erased."),
        )
    try:
        patient_erasure_request(quote_request=quote_request)
    except PatientActionRefused as exc:
        return _refused(request, token, exc.refusal)
    messages.success(
        request,
        _("We have your request to erase your data. We will do it within 30 days; this page will then say so."),
    )
    return _back_to_status(token)
