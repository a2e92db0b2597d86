"""Admin pages for facility offices: who is in each office, and the invitations to join one.

Directory editors invite a facility's first manager here (the invitation mail goes through the
outbox, so this lives with the quote admin); people join only through an invitation, never by
being added in the admin. Imported by ``quotes.admin`` so that the admin finds it.
"""

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponseRedirect
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from facilities.models import FacilityInvitation, FacilityMembership, FacilityResponsiveness
from quotes.labels import span
from quotes.services.invitations import InvitationError, invitation_revoke, invitation_send


@admin.register(FacilityMembership)
class FacilityMembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "user_email", "facility", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__email", "facility__name"]
    list_select_related = ["user", "facility"]
    fields = ["user", "facility", "role", "invited_by", "created_at"]
    readonly_fields = ["user", "facility", "invited_by", "created_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # People join through an invitation.

    @admin.display(description=_("e-mail"), ordering="user__email")
    def user_email(self, membership: FacilityMembership) -> str:
        return membership.user.email

    def delete_model(self, request, obj):
        user = obj.user
        super().delete_model(request, obj)
        if not user.is_staff and not user.is_superuser:
            type(user).objects.filter(pk=user.pk).update(is_active=False)


class InvitationForm(forms.ModelForm):
    class Meta:
        model = FacilityInvitation
        fields = ["facility", "email", "role"]

    def clean(self):
        cleaned = super().clean()
        facility, email = cleaned.get("facility"), cleaned.get("email")
        if facility and email and facility.memberships.filter(user__email__iexact=email, user__is_active=True).exists():
            self.add_error("email", _("This person is already in the facility's office."))
        return cleaned


@admin.register(FacilityInvitation)
class FacilityInvitationAdmin(admin.ModelAdmin):
    form = InvitationForm
    list_display = ["email", "facility", "role", "created_at", "expires_at", "state"]
    list_filter = ["role"]
    search_fields = ["email", "facility__name"]
    list_select_related = ["facility"]
    autocomplete_fields = ["facility"]
    actions = ["withdraw"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["facility", "email", "role", "invited_by", "created_at", "expires_at", "accepted_at", "revoked_at"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["facility", "email", "role"]
        return self.get_readonly_fields(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description=_("state"))
    def state(self, invitation: FacilityInvitation) -> str:
        if invitation.accepted_at:
            return _("Accepted")
        if invitation.revoked_at:
            return _("Withdrawn")
        if not FacilityInvitation.objects.usable().filter(pk=invitation.pk).exists():
            return _("Expired")
        return _("Waiting")

    def save_model(self, request, obj, form, change):
        if change:
            return  # Nothing of a sent invitation is edited.
        try:
            sent = invitation_send(facility=obj.facility, email=obj.email, role=obj.role, invited_by=request.user)
        except InvitationError as exc:
            # Checked again here: the form cannot know what happened since it was shown.
            messages.error(request, str(exc))
            raise
        obj.pk, obj.salt, obj.token_hash, obj.expires_at = sent.pk, sent.salt, sent.token_hash, sent.expires_at
        obj.created_at = sent.created_at
        obj._state.adding = False

    def add_view(self, request, form_url="", extra_context=None):
        try:
            return super().add_view(request, form_url, extra_context)
        except InvitationError:  # Rolled back; the message says why.
            return HttpResponseRedirect(request.get_full_path())

    @admin.action(description=_("Withdraw the selected invitations"), permissions=["change"])
    def withdraw(self, request, queryset):
        withdrawn = sum(invitation_revoke(invitation=invitation) for invitation in queryset)
        self.message_user(
            request,
            ngettext("%(n)d invitation withdrawn.", "%(n)d invitations withdrawn.", withdrawn) % {"n": withdrawn},
            messages.SUCCESS,
        )


@admin.register(FacilityResponsiveness)
class FacilityResponsivenessAdmin(admin.ModelAdmin):
    """How each facility answers the cases Medtour shares with it (kept up to date as cases are
    answered; ``manage.py refresh_responsiveness`` recomputes them)."""

    list_display = [
        "facility",
        "cases_received",
        "cases_answered",
        "in_time",
        "first_answer",
        "to_quote",
        "declined",
        "public",
        "updated_at",
    ]
    list_select_related = ["facility"]
    search_fields = ["facility__name"]
    ordering = ["facility__name"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @staticmethod
    def _percent(share: float | None) -> str:
        return "—" if share is None else _("%(percent)d %%") % {"percent": round(100 * share)}

    @admin.display(description=_("answered in time"))
    def in_time(self, figures: FacilityResponsiveness) -> str:
        return self._percent(figures.in_time_share)

    @admin.display(description=_("declined"))
    def declined(self, figures: FacilityResponsiveness) -> str:
        return self._percent(figures.decline_share)

    @admin.display(description=_("median to first answer"), ordering="median_first_answer")
    def first_answer(self, figures: FacilityResponsiveness) -> str:
        return span(figures.median_first_answer) if figures.median_first_answer is not None else "—"

    @admin.display(description=_("median to quote"), ordering="median_quote")
    def to_quote(self, figures: FacilityResponsiveness) -> str:
        return span(figures.median_quote) if figures.median_quote is not None else "—"

    @admin.display(description=_("on the public page"), boolean=True)
    def public(self, figures: FacilityResponsiveness) -> bool:
        return figures.is_public
