"""The patient's side of quote requests: the form, the confirmation and the private status page."""

import datetime
import functools
import logging
import math
import re
from collections.abc import Callable, Collection

from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.core.validators import slug_re
from django.db import DatabaseError
from django.db.models import Case, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import get_resolver
from django.utils import timezone, translation
from django.utils.cache import add_never_cache_headers
from django.utils.functional import SimpleLazyObject
from django.utils.html import format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from facilities.models import Facility, Language, Procedure
from facilities.selectors import destinations
from quotes import ratelimit
from quotes.forms import QuoteRequestForm, form_key, new_form_stamp
from quotes.models import PendingUpload, QuoteRequest, hash_token
from quotes.patient_forms import AcceptQuoteForm, PatientMessageForm, PatientReplyForm, WithdrawForm
from quotes.selectors import acceptable_quote, comparison_currency, status_page_context, status_page_request
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
from tourism import money

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
    # Same-origin, not no-referrer: told no-referrer, browsers send the page's own forms with
    # "Origin: null", which fails the CSRF check. These pages' addresses carry no token (the status
    # link's own answer, which does, sends no-referrer), so a same-origin referrer tells nothing.
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
    # Replies in the language the page is in, when the directory knows it (the patient can change it).
    here = translation.get_language() or settings.LANGUAGE_CODE
    replies_in = (
        Language.objects.filter(code__in=[here, settings.LANGUAGE_CODE])
        .order_by(Case(When(code=here, then=0), default=1))
        .first()
    )
    initial = {
        "stamp": new_form_stamp(),
        "facilities": [facility.slug for facility in facilities],
        "procedure": procedure.slug if procedure else None,
        "preferred_language": replies_in.code if replies_in else None,
        "suggest_facilities": not facilities,
        # A budget in the currency the visitor reads prices in (they can change it).
        "budget_currency": money.display_currency(request),
    }
    form = _form(request, initial=initial)
    context = {
        "form": form,
        "procedure": procedure,
        "facilities": facilities,
        # The chosen hospitals as one value, so that "You chose … at …." is one sentence to translate.
        "chosen_facilities": format_html_join(
            ", ", "<strong>{}</strong>", ((facility.name,) for facility in facilities)
        ),
    }
    return render(request, "quotes/request_quote.html", context)


# A request the database could not save: when to send it again (the page says "in a minute").
NOT_SAVED_RETRY_SECONDS = 60
COUNTED_SALT = "quotes.form.counted"


def _counted_before(request: HttpRequest, key: str | None) -> bool:
    """Whether this form comes back from "we could not save it", where its send was counted.

    The note is signed with the form's key: it cannot be moved to another form, and one form
    makes one request at most (its key), so a send it spares from counting makes no second one.
    """
    if not key:
        return False
    try:
        return signing.Signer(salt=COUNTED_SALT).unsign(request.POST.get("counted", "")) == key
    except signing.BadSignature:
        return False


def _log_database_error(step: str, exc: DatabaseError) -> None:
    # Never the error's text: a database may quote the values it refused (PostgreSQL's DETAIL
    # lines), and those are the patient's. Its kind and the driver's code say enough.
    code = getattr(exc.__cause__, "sqlite_errorname", None) or getattr(exc.__cause__, "sqlstate", None)
    kind = f"{type(exc).__name__} {code}" if code else type(exc).__name__
    logger.error("Quote form: the database failed while %s (%s)", step, kind)


def _submit(request: HttpRequest) -> HttpResponse:
    address = ratelimit.client_address(request)
    seen = request.session.get(SESSION_KEY, {})
    # A form this browser has already sent (double click, back and send again) is a repeat: it is
    # answered with its confirmation and never counted. The key is verified with the form below.
    repeat = request.POST.get("stamp", "").split(":", 1)[0] in seen

    # Files kept from this form's earlier attempts, found by its one-time key (only a stamp we signed).
    key = form_key(request.POST.get("stamp", ""))
    # Sent again after "we could not save it": counted then, so not now (one form makes one request).
    counted_before = _counted_before(request, key)
    drop = request.POST.getlist("remove_kept")
    try:
        kept = pending_uploads_for(form_key=key, drop=drop) if key else []
    except DatabaseError as exc:
        # Removing the files ticked (or expired) needs a write. Their rows stay: the files are listed
        # again, those ticked still ticked, and nothing is sent that the patient took off. (A file
        # deleted before its row could be is gone either way, and no longer listed.)
        _log_database_error("removing files kept for the form", exc)
        kept = [
            pending
            for pending in PendingUpload.objects.for_form_key(key).current()
            if pending.file.storage.exists(pending.file.name)
        ]
        form = _form(request, request.POST, request.FILES, kept=kept)
        form.is_valid()
        had_files = bool(request.FILES.getlist("files")) or bool(kept)
        return _form_again(
            request, form, key=key, had_files=had_files, not_saved=True, counted=counted_before, removing=set(drop)
        )
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

    # Counted before saving, so two processes racing for the last slot cannot both get it. The
    # service saves in its own transaction (its files are cleaned up if that fails, even at commit),
    # so the count is not undone when the save fails: the page shown then carries a signed note
    # that this form was counted, and sending it again is not counted twice.
    try:
        if not (repeat or counted_before):
            limit = ratelimit.consume(address, form.cleaned_data["email"])
            if not limit.allowed:
                # Nothing typed is lost: the form comes back as sent, saying when it can go.
                logger.info("Quote form: rate limit reached, form shown again")
                return _form_again(request, form, key=key, had_files=had_files, retry_after=limit.retry_after)
        submission = quote_request_submit(
            submission_key=form.submission_key,
            pending_uploads=kept,
            time_zone=request.POST.get("time_zone", ""),  # From the browser (static/js/time-zone.js).
            browsing_language=translation.get_language(),  # The page's: /es/quote/ is Spanish.
            **form.submission_fields(),
        )
    except DatabaseError as exc:
        # A locked or read-only database, a lost connection: nothing was saved (one transaction),
        # and the form comes back as sent, to be sent again in a moment.
        _log_database_error("saving a request", exc)
        return _form_again(request, form, key=key, had_files=had_files, not_saved=True, counted=True)
    if not submission.created:
        # A repeat adds no files (see files_not_added): those kept for this form go now.
        try:
            pending_uploads_delete(kept)
        except DatabaseError as exc:
            # The request is saved: the daily purge deletes these files instead.
            _log_database_error("deleting the files kept for a repeated form", exc)
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
    not_saved: bool = False,
    counted: bool = False,
    removing: Collection[str] = (),
) -> HttpResponse:
    """The form as sent, with its errors, the "that was quick" note or "we could not save it".

    Files that passed the checks are kept for the form's next attempt, under the key of the stamp
    it is shown with (new after "that was quick"); without a valid stamp they must be chosen again.
    Keeping them is a database write. After the database failed to save the request
    (``not_saved``: a 503) it is not tried again, since it would wait for the same lock and most
    likely fail the same way; nor when keeping them fails. Then the page names the files to
    choose again, and files kept before stay kept while the form shows their stamp.
    ``counted``: this form's send was counted by the rate limit (see ``_submit``).
    ``removing``: kept files the patient ticked for removal that could not be removed (ticked again).
    """
    shown_key = form_key(form.data.get("stamp", "")) if key else None
    choose_again: list[str] = []
    if not_saved:
        kept = form.kept  # Shown with the same stamp: still tied to it.
        choose_again = [checked.original_name for checked in form.passed_files]
    elif shown_key:
        try:
            kept = pending_uploads_keep(form_key=shown_key, files=form.passed_files, previous_form_key=key)
        except DatabaseError as exc:
            _log_database_error("keeping the files of a form shown again", exc)
            # Nothing was kept or moved: files kept before are still under the old stamp's key.
            kept = form.kept if shown_key == key else []
            choose_again = [checked.original_name for checked in form.passed_files]
            choose_again += [] if shown_key == key else [pending.original_name for pending in form.kept]
    else:
        kept = []
    form.show_phone_as_read()
    context = {
        "form": form,
        "kept": kept,
        "had_files": had_files,
        "choose_again": choose_again,
        "removing": removing,
        "too_quick": too_quick,
        "procedure": None,
        "facilities": [],
    }
    if not_saved:
        context.update(
            not_saved=True,
            counted_token=signing.Signer(salt=COUNTED_SALT).sign(key) if counted and key else "",
        )
        response = render(request, "quotes/request_quote.html", context, status=503)
        response["Retry-After"] = str(NOT_SAVED_RETRY_SECONDS)
        return response
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
#
# Only the link in our e-mails (status/<token>/) carries the token, and it is a password: access
# logs keep every request line, and a page's address travels as the Referer of its own links and
# assets. So that link trades the token for a cookie scoped to the status pages and sends the
# browser on to status/; the page and its forms live at token-free addresses.

S = QuoteRequest.Status
STATUS_COOKIE = "quote_status"
# Signed with the time it was set, so that the server refuses a cookie older than its lifetime even
# when a browser kept it longer.
STATUS_COOKIE_SALT = "quotes.status"


class UnknownStatusToken(Http404):
    """No request has this status token (a mistyped link, or a request since deleted)."""


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


def _no_referrer(view):
    """For the answer to an address with the token in it: no page may send that address on."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = view(request, *args, **kwargs)
        response["Referrer-Policy"] = "no-referrer"
        return response

    return wrapped


def _status_cookie_path() -> str:
    # The site's root, not the status page's path: that path differs per language (/es/quote/status/,
    # ...), and a patient who switches language on the page must still be let in. The cookie is
    # HttpOnly, signed and short-lived; it is never logged or put in a URL.
    return "/"


def _set_status_cookie(response: HttpResponse, token: str) -> None:
    """Let this browser open the status page of ``token``'s request for a while (renewed on each visit)."""
    response.set_signed_cookie(
        STATUS_COOKIE,
        token,
        salt=STATUS_COOKIE_SALT,
        max_age=settings.QUOTE_STATUS_COOKIE_SECONDS,
        path=_status_cookie_path(),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        # Lax, not Strict: the link is opened from a mail site, and after that cross-site start a
        # browser sends no Strict cookie to the page it is redirected to.
        samesite="Lax",
    )


def _cookie_token(request: HttpRequest) -> str | None:
    """The token in this browser's status cookie, if we signed it within the cookie's lifetime."""
    token = request.get_signed_cookie(
        STATUS_COOKIE, default=None, salt=STATUS_COOKIE_SALT, max_age=settings.QUOTE_STATUS_COOKIE_SECONDS
    )
    return token if token and TOKEN_RE.fullmatch(token) else None


def _cookie_lifetime() -> str:
    seconds = settings.QUOTE_STATUS_COOKIE_SECONDS
    if seconds >= 3600 and seconds % 3600 == 0:
        hours = seconds // 3600
        return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}
    minutes = max(1, math.ceil(seconds / 60))
    return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}


def _link_needed(request: HttpRequest) -> HttpResponse:
    """No usable status cookie: nothing is shown or done, and the page says how to open it again.

    403, not 404: the address is right and the page exists; what is missing is this browser's proof
    that it may see it, which the e-mail link gives again.
    """
    context = {"not_saved": request.method == "POST", "lifetime": _cookie_lifetime()}
    response = render(request, "quotes/status_link_needed.html", context, status=403)
    if STATUS_COOKIE in request.COOKIES:
        response.delete_cookie(STATUS_COOKIE, path=_status_cookie_path(), samesite="Lax")
    return response


def _patient_page(view):
    """The status page or one of its actions, for the request named by this browser's status cookie.

    The view is given the cookie's token, and every answer renews the cookie. A form sent from the
    page of another request (opened in another tab before this browser opened a second request's
    link) is refused, so that nobody withdraws or writes on the wrong request.
    """

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        token = _cookie_token(request)
        if token is None:
            return _link_needed(request)
        if request.method == "POST":
            reference = (
                QuoteRequest.objects.filter(status_token_hash=hash_token(token))
                .values_list("reference", flat=True)
                .first()
            )
            if reference is None:
                return _link_needed(request)
            sent_from = request.POST.get("request", "")
            if sent_from and sent_from != reference:
                response = render(request, "quotes/status_other_request.html", {"reference": reference}, status=409)
                _set_status_cookie(response, token)
                return response
        try:
            response = view(request, token, *args, **kwargs)
        except UnknownStatusToken:
            return _link_needed(request)
        _set_status_cookie(response, token)
        return response

    return wrapped


def _find_request(token: str) -> QuoteRequest:
    """The request this status token belongs to; 404 for a malformed or unknown token."""
    if not TOKEN_RE.fullmatch(token):
        raise UnknownStatusToken("No request has this address.")
    quote_request = QuoteRequest.objects.filter(status_token_hash=hash_token(token)).first()
    if quote_request is None:
        raise UnknownStatusToken("No request has this address.")
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
        raise UnknownStatusToken("No request has this address.")
    quote_request = status_page_request(hash_token(token))
    if quote_request is None:
        raise UnknownStatusToken("No request has this address.")
    can_reply, can_withdraw = patient_can(quote_request, REPLY), patient_can(quote_request, WITHDRAW)
    context = {
        **status_page_context(
            quote_request,
            can_reply=can_reply,
            can_withdraw=can_withdraw,
            display_currency=money.display_currency(request),
            # Read only if the page compares quotes; shared with the template's prices.
            rates=SimpleLazyObject(lambda: money.request_rates(request)),
        ),
        "problem": problem,
        "had_files": had_files,
        "reply_form": (reply_form or PatientReplyForm()) if can_reply else None,
        "withdraw_form": (withdraw_form or WithdrawForm()) if can_withdraw else None,
        "message_form": (message_form or PatientMessageForm()) if patient_can_write(quote_request) else None,
        "cookie_lifetime": _cookie_lifetime(),
    }
    return render(request, "quotes/status.html", context, status=http_status)


@_no_referrer
@_private_page
@require_safe
def status(request: HttpRequest, token: str) -> HttpResponse:
    """The link in our e-mails: its token becomes this browser's status cookie, and the page opens
    at its token-free address."""
    _find_request(token)
    response = _back_to_status()
    _set_status_cookie(response, token)
    return response


@_private_page
@require_safe
@_patient_page
def status_page(request: HttpRequest, token: str) -> HttpResponse:
    return _render_status(request, token)


# What each action says when it worked.
DONE = {
    REPLY: _lazy("Thank you, we have your answer. Your coordinator will look at it and get back to you."),
    ACCEPT: _lazy(
        "You have accepted this quote. Your coordinator has been told and will be in touch about the next steps."
    ),
    DECLINE: _lazy("You have declined the quotes, and your request is now closed. Thank you for letting us know."),
    WITHDRAW: _lazy("Your request has been withdrawn and is now closed. Thank you for letting us know."),
}


def _back_to_status() -> HttpResponse:
    response = redirect("quotes:status_page")
    response.status_code = 303  # See Other: the browser follows with a GET, and "reload" does not post again.
    return response


def _refused(request: HttpRequest, token: str, refusal: Refusal) -> HttpResponse:
    if refusal.already_done:
        messages.info(request, refusal.message)
        return _back_to_status()
    return _render_status(request, token, http_status=409, problem=refusal.message)


def _act(request: HttpRequest, token: str, action: str, move: Callable[[], object]) -> HttpResponse:
    """Make the patient's move through its service, or explain why it cannot be made now."""
    try:
        move()
    except PatientActionRefused as exc:
        return _refused(request, token, exc.refusal)
    messages.success(request, DONE[action])
    return _back_to_status()


def _refusal_first(quote_request: QuoteRequest, action: str) -> Refusal | None:
    # Before a form is checked: a patient who cannot act now hears why, not about the form.
    return patient_action_refusal(quote_request=quote_request, action=action)


@_private_page
@require_POST
@_patient_page
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
@_patient_page
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
        context = {
            "quote_request": quote_request,
            "quote": quote,
            "compare_in": comparison_currency(quote_request, money.display_currency(request)),
        }
        return render(request, "quotes/accept_confirm.html", context)
    return _act(
        request, token, ACCEPT, lambda: patient_accept_quote(quote_request=quote_request, facility_quote_id=quote_id)
    )


@_private_page
@require_POST
@_patient_page
def decline(request: HttpRequest, token: str) -> HttpResponse:
    quote_request = _find_request(token)
    return _act(request, token, DECLINE, lambda: patient_decline_quotes(quote_request=quote_request))


@_private_page
@require_POST
@_patient_page
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
@_patient_page
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
    return _back_to_status()


@_private_page
@require_POST
@_patient_page
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
    return _back_to_status()


@_private_page
@require_POST
@_patient_page
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
    return _back_to_status()
