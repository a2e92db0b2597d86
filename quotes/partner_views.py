"""The facility portal (``/partners/``): a hospital's international-patient office works its cases.

Only facility users (a ``FacilityMembership``) get in, and each sees only its own facility's cases:
every lookup is by the facility of the signed-in user, so another facility's case, file or quote
is the same 404 as one that does not exist. Pages are never cached. What the office can do on a
case (ask, decline, quote) is ``quotes.services.cases``; reads are ``quotes.selectors``.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from facilities.partner_access import partner_view
from quotes.models import FacilityCase, FacilityQuote
from quotes.partner_forms import CaseMessageForm, DeclineForm, PartnerQuoteForm
from quotes.selectors import (
    INBOX_FOLDERS,
    case_files,
    case_patient_contact,
    case_shared_details,
    case_thread,
    inbox_cases,
    inbox_counts,
    portal_case,
)
from quotes.services.cases import case_decline, case_message_post, case_open, case_quote_submit
from quotes.services.errors import CaseError, InvalidTextError, QuoteSubmissionError
from quotes.services.staff import attachment_open
from quotes.staff_views import private_download

C = FacilityCase.Status
CASES_PER_PAGE = 25
FOLDER_LABELS = {
    "new": gettext_lazy("New"),
    "todo": gettext_lazy("Waiting for you"),
    "answered": gettext_lazy("Answered"),
    "closed": gettext_lazy("Closed"),
}
# Where a facility can still act on a case.
CAN_ANSWER = frozenset({C.SENT, C.OPENED, C.QUESTION})


def _case_or_404(request: HttpRequest, reference: str) -> FacilityCase:
    if len(reference) > 12:
        raise Http404
    case = portal_case(request.membership.facility_id, reference)
    if case is None:
        raise Http404
    return case


@require_safe
@partner_view
def inbox(request: HttpRequest) -> HttpResponse:
    counts = inbox_counts(request.membership.facility_id)
    folder = request.GET.get("folder", "")
    if folder not in INBOX_FOLDERS:
        folder = "new" if counts["new"] or not counts["todo"] else "todo"
    paginator = Paginator(inbox_cases(request.membership.facility_id, folder), CASES_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "partners/inbox.html",
        {
            "membership": request.membership,
            "folder": folder,
            "folders": [(key, FOLDER_LABELS[key], counts[key]) for key in INBOX_FOLDERS],
            "page": page,
            "waiting_for_facility": [C.SENT, C.OPENED],
        },
    )


def _case_page(request: HttpRequest, case: FacilityCase, *, status: int = 200, **forms) -> HttpResponse:
    quote = FacilityQuote.objects.filter(case=case).prefetch_related("items").first()
    can_answer = case.status in CAN_ANSWER
    can_correct = quote is not None and quote.status in (FacilityQuote.Status.SUBMITTED, FacilityQuote.Status.RETURNED)
    context = {
        "membership": request.membership,
        "case": case,
        "details": case_shared_details(case),
        "files": case_files(case),
        "thread": case_thread(case),
        "contact": case_patient_contact(case),
        "quote": quote,
        "can_answer": can_answer,
        "can_message": case.is_open,
        "can_quote": (can_answer and quote is None) or (can_correct and case.is_open),
        "overdue": case.is_overdue(),
        "message_form": forms.get("message_form") or CaseMessageForm(),
        "decline_form": forms.get("decline_form") or DeclineForm(),
    }
    return render(request, "partners/case.html", context, status=status)


@require_safe
@partner_view
def case_detail(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case_or_404(request, reference)
    if case.status == C.SENT:
        case = case_open(case=case, actor=request.user)
    return _case_page(request, case)


@require_POST
@partner_view
def case_message(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case_or_404(request, reference)
    form = CaseMessageForm(request.POST)
    if not form.is_valid():
        return _case_page(request, case, status=400, message_form=form)
    try:
        case_message_post(case=case, author=request.user, text=form.cleaned_data["text"])
    except InvalidTextError as exc:
        form.add_error("text", str(exc))
        return _case_page(request, case, status=400, message_form=form)
    except CaseError as exc:
        messages.error(request, str(exc))
        return redirect("partners:case", reference=case.reference)
    messages.success(request, _("Your message was sent to the Medtour coordinator."))
    return redirect("partners:case", reference=case.reference)


@require_POST
@partner_view
def case_decline_view(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case_or_404(request, reference)
    form = DeclineForm(request.POST)
    if not form.is_valid():
        return _case_page(request, case, status=400, decline_form=form)
    try:
        case_decline(case=case, from_status=case.status, actor=request.user, reason=form.cleaned_data["reason"])
    except InvalidTextError as exc:
        form.add_error("reason", str(exc))
        return _case_page(request, case, status=400, decline_form=form)
    except CaseError as exc:
        messages.error(request, str(exc))
        return redirect("partners:case", reference=case.reference)
    messages.success(request, _("You declined this case. Thank you for telling us."))
    return redirect("partners:case", reference=case.reference)


@require_http_methods(["GET", "HEAD", "POST"])
@partner_view
def case_quote(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case_or_404(request, reference)
    quote = FacilityQuote.objects.filter(case=case).prefetch_related("items").first()
    editable = quote is None and case.status in CAN_ANSWER
    if quote is not None:
        editable = case.is_open and quote.status in (FacilityQuote.Status.SUBMITTED, FacilityQuote.Status.RETURNED)
    if not editable:
        messages.info(request, _("This quote can no longer be changed."))
        return redirect("partners:case", reference=case.reference)
    if request.method != "POST":
        form = PartnerQuoteForm(quote=quote)
        return render(request, "partners/quote.html", {"case": case, "quote": quote, "form": form})
    form = PartnerQuoteForm(request.POST, request.FILES, quote=quote)
    if form.is_valid():
        try:
            case_quote_submit(
                case=case,
                actor=request.user,
                draft=form.draft(),
                pdf=form.cleaned_data.get("pdf"),
                seen_revision=form.cleaned_data.get("revision") if quote is not None else None,
            )
        except QuoteSubmissionError as exc:
            form.add_service_errors(exc.errors)
            if not exc.errors:
                form.add_error(None, str(exc))
        else:
            if quote is None:
                messages.success(
                    request, _("Your quote was sent to Medtour. You can correct it until it goes to the patient.")
                )
            else:
                messages.success(request, _("Your corrected quote was sent to Medtour."))
            return redirect("partners:case", reference=case.reference)
    return render(request, "partners/quote.html", {"case": case, "quote": quote, "form": form}, status=400)


@require_safe
@partner_view
def case_file(request: HttpRequest, reference: str, attachment_id: int) -> FileResponse:
    """One medical file shared with this case, after recording who opened it (with the case)."""
    case = _case_or_404(request, reference)
    attachment = case.shared_attachments.filter(pk=attachment_id, deleted_at__isnull=True).exclude(file="").first()
    if attachment is None or not case.is_open and case.status != C.ACCEPTED:
        raise Http404
    try:
        handle = attachment.file.storage.open(attachment.file.name, "rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    attachment_open(attachment=attachment, user=request.user, case=case)
    return private_download(handle, attachment.original_name)


@require_safe
@partner_view
def case_quote_pdf(request: HttpRequest, reference: str) -> FileResponse:
    """The facility's own PDF, as it sent it."""
    case = _case_or_404(request, reference)
    quote = FacilityQuote.objects.filter(case=case).exclude(pdf="").first()
    if quote is None:
        raise Http404
    try:
        handle = quote.pdf.storage.open(quote.pdf.name, "rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return private_download(handle, quote.pdf_name or "quote.pdf")
