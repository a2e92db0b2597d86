"""The facility's office in the portal: joining with an invitation, and the team page where
managers invite and remove colleagues (``quotes.services.invitations``).

The invitation link's token is exchanged at once for a mark in the session, and the browser is
sent on to an address without it, so the secret is not left in the address bar, the history or a
referrer.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.password_validation import password_validators_help_text_html, validate_password
from django.core.exceptions import ValidationError
from django.db.models.functions import Lower
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from facilities.models import FacilityInvitation, FacilityMembership
from facilities.partner_access import manager_view, partner_view, private
from quotes.services.invitations import (
    InvitationError,
    colleague_remove,
    invitation_accept,
    invitation_for_token,
    invitation_revoke,
    invitation_send,
    invitation_usable,
)
from tourism.text import VisibleCharField

SESSION_KEY = "partner_invitation"


class JoinForm(forms.Form):
    first_name = VisibleCharField(label=_("First name"), max_length=150)
    last_name = VisibleCharField(label=_("Last name"), max_length=150, required=False)
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        help_text=_("You sign in with this. Letters, digits and @ . + - _ only."),
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("The same password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        field = get_user_model()._meta.get_field("username")
        for validator in field.validators:
            validator(username)
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise ValidationError(_("That username is taken. Choose another."))
        return username

    def clean(self):
        cleaned = super().clean()
        for name in ("first_name", "last_name", "username"):
            if "\x00" in (cleaned.get(name) or ""):
                self.add_error(name, _("This contains characters we cannot store."))
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords are not the same."))
        elif first:
            user = get_user_model()(username=cleaned.get("username", ""), first_name=cleaned.get("first_name", ""))
            try:
                validate_password(first, user)
            except ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address of your colleague"), max_length=254)
    role = forms.ChoiceField(
        label=_("Role"),
        choices=FacilityMembership.Role.choices,
        initial=FacilityMembership.Role.CASE_HANDLER,
        widget=forms.RadioSelect,
        help_text=_("Case handlers answer cases. Managers also invite colleagues and propose changes to the listing."),
    )


def _invalid(request: HttpRequest) -> HttpResponse:
    return private(render(request, "partners/join_invalid.html", status=410))


@require_safe
def join_link(request: HttpRequest, token: str) -> HttpResponse:
    """The link from the invitation mail: remember the invitation in the session, drop the token."""
    invitation = invitation_for_token(token)
    if invitation is None:
        return _invalid(request)
    request.session[SESSION_KEY] = invitation.pk
    return private(redirect("partners:join"))


@require_http_methods(["GET", "HEAD", "POST"])
def join(request: HttpRequest) -> HttpResponse:
    invitation = invitation_usable(request.session.get(SESSION_KEY))
    if invitation is None:
        return _invalid(request)
    if request.user.is_authenticated:
        return private(render(request, "partners/join_signed_in.html", {"invitation": invitation}, status=409))
    form = JoinForm(request.POST or None, initial={"username": invitation.email})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = invitation_accept(
                invitation=invitation,
                username=data["username"],
                password=data["password1"],
                first_name=data["first_name"],
                last_name=data["last_name"],
            )
        except InvitationError as exc:
            form.add_error(None, str(exc))
        else:
            request.session.pop(SESSION_KEY, None)
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request,
                _("Welcome to %(facility)s's office on Medtour. Now set up your second factor.")
                % {"facility": invitation.facility.name},
            )
            return private(redirect("partners:inbox"))
    status = 400 if request.method == "POST" else 200
    return private(render(request, "partners/join.html", {"invitation": invitation, "form": form}, status=status))


def _team_page(request: HttpRequest, *, form: InviteForm | None = None, status: int = 200) -> HttpResponse:
    membership = request.membership
    colleagues = (
        FacilityMembership.objects.filter(facility_id=membership.facility_id, user__is_active=True)
        .select_related("user")
        .order_by(Lower("user__first_name"), "user__pk")
    )
    invitations = FacilityInvitation.objects.usable().filter(facility_id=membership.facility_id).order_by("-created_at")
    return render(
        request,
        "partners/team.html",
        {
            "membership": membership,
            "colleagues": list(colleagues),
            "invitations": list(invitations) if membership.is_manager else [],
            "form": form or (InviteForm() if membership.is_manager else None),
        },
        status=status,
    )


@require_safe
@partner_view
def team(request: HttpRequest) -> HttpResponse:
    return _team_page(request)


@require_POST
@manager_view
def team_invite(request: HttpRequest) -> HttpResponse:
    form = InviteForm(request.POST)
    if not form.is_valid():
        return _team_page(request, form=form, status=400)
    try:
        invitation_send(
            facility=request.membership.facility,
            email=form.cleaned_data["email"],
            role=form.cleaned_data["role"],
            invited_by=request.user,
        )
    except InvitationError as exc:
        form.add_error("email", str(exc))
        return _team_page(request, form=form, status=400)
    messages.success(request, _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]})
    return redirect("partners:team")


@require_POST
@manager_view
def team_remove(request: HttpRequest, membership_id: int) -> HttpResponse:
    colleague = (
        FacilityMembership.objects.select_related("user")
        .filter(pk=membership_id, facility_id=request.membership.facility_id)
        .first()
    )
    if colleague is None:
        raise Http404
    try:
        colleague_remove(membership=colleague, by=request.membership)
    except InvitationError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("%(name)s was removed from your office.")
            % {"name": colleague.user.get_full_name() or colleague.user.get_username()},
        )
    return redirect("partners:team")


@require_POST
@manager_view
def team_revoke(request: HttpRequest, invitation_id: int) -> HttpResponse:
    invitation = FacilityInvitation.objects.filter(pk=invitation_id, facility_id=request.membership.facility_id).first()
    if invitation is None:
        raise Http404
    if invitation_revoke(invitation=invitation):
        messages.success(request, _("The invitation to %(email)s was withdrawn.") % {"email": invitation.email})
    else:
        messages.info(request, _("That invitation was already used, withdrawn or had expired."))
    return redirect("partners:team")
