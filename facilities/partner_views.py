"""The facility's own listing in the partner portal (``/partners/profile/``).

Every member of the office sees the listing as it is live and the proposals made for it, with the
editors' decisions; only managers propose and withdraw (``manager_view`` on the POSTs). What a
proposal means is ``facilities.proposals``; these views only parse, call and render. A proposal
of another facility is the same 404 as one that does not exist.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from facilities.models import Accreditation, Facility, ProfileChangeProposal
from facilities.partner_access import manager_view, partner_view
from facilities.partner_forms import OfficeLanguageForm, ProfileProposalForm
from facilities.proposals import ProposalError, facility_offers, proposal_submit, proposal_summary, proposal_withdraw

# The page lists the latest proposals; older ones stay in the editors' admin.
PROPOSALS_SHOWN = 20


def _profile_page(
    request: HttpRequest,
    *,
    form: ProfileProposalForm | None = None,
    office_form: OfficeLanguageForm | None = None,
    status: int = 200,
) -> HttpResponse:
    membership = request.membership
    facility = membership.facility
    offers = facility_offers(facility)
    proposals = list(
        ProfileChangeProposal.objects.filter(facility=facility)
        .select_related("certificate_body")
        .order_by("-created_at", "-pk")[:PROPOSALS_SHOWN]
    )
    pending = next((p for p in proposals if p.status == ProfileChangeProposal.Status.PENDING), None)
    if form is None and membership.is_manager and pending is None:
        form = ProfileProposalForm(facility=facility, offers=offers)
    context = {
        "membership": membership,
        "facility": facility,
        "languages": list(facility.languages.order_by("name")),
        "offers": offers,
        "photos": list(facility.photos.all()),
        "accreditations": list(Accreditation.objects.current().filter(facility=facility).select_related("body")),
        "proposals": [{"proposal": p, "summary": proposal_summary(p)} for p in proposals],
        "pending": pending,
        "form": form,
        "can_propose": membership.is_manager,
        "office_form": (office_form or OfficeLanguageForm(initial={"office_language": facility.office_language}))
        if membership.is_manager
        else None,
    }
    return render(request, "partners/profile.html", context, status=status)


@require_safe
@partner_view
def profile(request: HttpRequest) -> HttpResponse:
    return _profile_page(request)


@require_POST
@manager_view
def profile_propose(request: HttpRequest) -> HttpResponse:
    facility = request.membership.facility
    form = ProfileProposalForm(request.POST, request.FILES, facility=facility, offers=facility_offers(facility))
    if not form.is_valid():
        return _profile_page(request, form=form, status=400)
    try:
        proposal_submit(membership=request.membership, **form.submission())
    except ValidationError as exc:
        form.add_service_errors(exc)
        return _profile_page(request, form=form, status=400)
    messages.success(
        request, _("Your proposal was sent to Medtour's editors. Your listing changes once they approve it.")
    )
    return redirect("partners:profile")


@require_POST
@manager_view
def office_language_set(request: HttpRequest) -> HttpResponse:
    """A manager sets the language of Medtour's e-mails to the office: at once, no editor involved
    (it changes nothing patients see, so the directory's pages stay as they are)."""
    form = OfficeLanguageForm(request.POST)
    if not form.is_valid():
        return _profile_page(request, office_form=form, status=400)
    facility = request.membership.facility
    Facility.objects.filter(pk=facility.pk).update(office_language=form.cleaned_data["office_language"])
    messages.success(request, _("Medtour's e-mails to your office will now be in the language you chose."))
    return redirect("partners:profile")


@require_POST
@manager_view
def proposal_withdraw_view(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = ProfileChangeProposal.objects.filter(pk=pk, facility_id=request.membership.facility_id).first()
    if proposal is None:
        raise Http404
    try:
        proposal_withdraw(proposal=proposal, membership=request.membership)
    except ProposalError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Your proposal was withdrawn. You can send a new one."))
    return redirect("partners:profile")
