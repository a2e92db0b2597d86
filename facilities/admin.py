"""Staff admin for the directory: facilities with their accreditations, photos and prices."""

import datetime

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import models
from django.db.models import Count, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.cache import patch_cache_control
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST
from django_countries.filters import CountryFilter
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from facilities.images import make_renditions
from facilities.models import (
    Accreditation,
    AccreditationBody,
    Facility,
    FacilityPhoto,
    FacilityProcedure,
    Language,
    Procedure,
    ProcedureCategory,
    ProfileChangeProposal,
    today,
)
from facilities.proposals import (
    ProposalError,
    certificate_kind,
    proposal_approve,
    proposal_comparison,
    proposal_reject,
)
from facilities.services import facility_photo_apply_renditions, facility_set_published

# Links typed without a scheme are taken as https (the Django 6.0 default).
URL_HTTPS = {models.URLField: {"assume_scheme": "https"}}


def warning_days() -> int:
    return settings.ACCREDITATION_WARNING_DAYS


# Facility photos ---------------------------------------------------------------------------------


class FacilityPhotoForm(forms.ModelForm):
    upload = forms.FileField(
        label=_("Photo file"),
        required=False,
        help_text=_("JPEG, PNG or WebP. Thumbnail and large versions are made on save; camera metadata is removed."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )

    class Meta:
        model = FacilityPhoto
        fields = ["upload", "alt_text", "caption", "position"]

    def clean_upload(self):
        upload = self.cleaned_data.get("upload")
        if upload:
            self.renditions = make_renditions(upload)
        elif not self.instance.pk or not self.instance.large:
            raise ValidationError(_("Choose a photo to upload."), code="required")
        return upload

    def save(self, commit: bool = True) -> FacilityPhoto:
        photo = super().save(commit=False)
        if getattr(self, "renditions", None) is not None:
            facility_photo_apply_renditions(photo=photo, renditions=self.renditions)
        if commit:
            photo.save()
        return photo


class PhotoPreviewMixin:
    @admin.display(description=_("Preview"))
    def preview(self, photo: FacilityPhoto) -> str:
        if not photo.pk or not photo.thumbnail:
            return "—"
        return format_html('<img src="{}" alt="{}" class="admin-thumb">', photo.thumbnail.url, photo.alt_text)


class FacilityPhotoInline(PhotoPreviewMixin, TranslationTabularInline):
    model = FacilityPhoto
    form = FacilityPhotoForm
    extra = 0
    fields = ["preview", "upload", "alt_text", "caption", "position"]
    readonly_fields = ["preview"]


class AccreditationInline(admin.TabularInline):
    formfield_overrides = URL_HTTPS
    model = Accreditation
    extra = 0
    autocomplete_fields = ["body"]
    fields = ["body", "programme", "level", "awarded_on", "expires_on", "last_survey_on", "verification_url", "status"]


class OfferCurrencyColumns:
    """The currency an offer's prices are in (its facility's) and their US-dollar reference figure."""

    @admin.display(description=_("currency"))
    def offer_currency(self, offer: FacilityProcedure) -> str:
        return offer.facility.currency if offer.facility_id else "—"

    @admin.display(description=_("in US dollars (for sorting and filters)"))
    def usd_reference(self, offer: FacilityProcedure) -> str:
        if not offer.pk:
            return "—"
        if offer.usd_from is None:
            return gettext("no exchange rate yet")
        return f"{offer.usd_from:,}–{offer.usd_to:,}"


class FacilityProcedureInline(OfferCurrencyColumns, TranslationTabularInline):
    """Prices in the facility's own currency (its "currency of its prices", above)."""

    model = FacilityProcedure
    extra = 0
    autocomplete_fields = ["procedure"]
    fields = ["procedure", "price_from", "price_to", "usd_reference", "includes", "notes"]
    readonly_fields = ["usd_reference"]


# Facilities --------------------------------------------------------------------------------------


# The columns and filters below read ``is_listed`` and ``accredited_until`` from
# ``FacilityQuerySet.with_listing``, so the admin says *Listed* exactly when the public site lists.


class AccreditationStateFilter(admin.SimpleListFilter):
    title = _("accreditation state")
    parameter_name = "accreditation"

    def lookups(self, request, model_admin):
        return [
            ("current", _("Current")),
            ("expiring", _("Current, expiring within %(days)s days") % {"days": warning_days()}),
            ("expired", _("Expired or none current")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "current":
            return queryset.filter(accredited_until__isnull=False)
        if self.value() == "expiring":
            return queryset.filter(accredited_until__lte=today() + datetime.timedelta(days=warning_days()))
        if self.value() == "expired":
            return queryset.filter(accredited_until__isnull=True)
        return queryset


class ListingFilter(admin.SimpleListFilter):
    title = _("public listing")
    parameter_name = "listing"

    def lookups(self, request, model_admin):
        return [("listed", _("Listed")), ("not_listed", _("Not listed"))]

    def queryset(self, request, queryset):
        if self.value() == "listed":
            return queryset.filter(is_listed=True)
        if self.value() == "not_listed":
            return queryset.filter(is_listed=False)
        return queryset


@admin.register(Facility)
class FacilityAdmin(TranslationAdmin):
    formfield_overrides = URL_HTTPS
    list_display = ["name", "kind", "country", "city", "is_published", "listing_state", "accredited_until"]
    list_filter = [ListingFilter, AccreditationStateFilter, "is_published", ("country", CountryFilter), "kind"]
    search_fields = ["name", "city", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["languages"]
    readonly_fields = ["created_at", "updated_at"]
    list_per_page = 50
    actions = ["publish", "unpublish"]
    inlines = [AccreditationInline, FacilityProcedureInline, FacilityPhotoInline]
    fieldsets = [
        (None, {"fields": ["name", "slug", "kind", "is_published"]}),
        (_("Location"), {"fields": ["country", "city", "address"]}),
        (_("About"), {"fields": ["description", "year_established", "beds", "website"]}),
        (_("Prices"), {"fields": ["currency"]}),
        (
            _("International patients"),
            {
                "fields": [
                    "languages",
                    "has_interpreter",
                    "has_airport_transfer",
                    "has_accommodation_help",
                    "has_visa_letters",
                    "office_language",
                ]
            },
        ),
        (_("Record"), {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
    ]

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        # Facility quotes can only come from listed facilities: offer only those in their autocomplete.
        if request.GET.get("model_name") == "facilityquote" and request.GET.get("field_name") == "facility":
            queryset = queryset.filter(pk__in=Facility.objects.listed().values("pk"))
        return queryset, may_have_duplicates

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).with_listing()

    @admin.display(description=_("Accredited until"), ordering="accredited_until")
    def accredited_until(self, facility: Facility):
        return facility.accredited_until or "—"

    @admin.display(description=_("Public listing"), ordering="is_listed")
    def listing_state(self, facility: Facility) -> str:
        if facility.is_listed:
            ends = facility.accredited_until
            if ends and ends <= today() + datetime.timedelta(days=warning_days()):
                return format_html('<span class="state state-warn">{}</span>', _("Listed – accreditation expiring"))
            return format_html('<span class="state state-ok">{}</span>', _("Listed"))
        if facility.is_published:
            return format_html('<span class="state state-alert">{}</span>', _("Not listed: no current accreditation"))
        return format_html('<span class="state">{}</span>', _("Unpublished"))

    @admin.action(description=_("Publish selected facilities"), permissions=["change"])
    def publish(self, request: HttpRequest, queryset: QuerySet) -> None:
        changed = facility_set_published(ids=queryset.values_list("pk", flat=True), published=True)
        # Asked after the update: published now, only their accreditation can keep them off the site.
        unlisted = queryset.exclude(pk__in=Facility.objects.listed().values("pk")).count()
        self.message_user(
            request,
            ngettext("%(n)d facility published.", "%(n)d facilities published.", changed) % {"n": changed},
            messages.SUCCESS,
        )
        if unlisted:
            self.message_user(
                request,
                ngettext(
                    "%(n)d selected facility has no current accreditation and stays off the public site.",
                    "%(n)d selected facilities have no current accreditation and stay off the public site.",
                    unlisted,
                )
                % {"n": unlisted},
                messages.WARNING,
            )

    @admin.action(description=_("Unpublish selected facilities"), permissions=["change"])
    def unpublish(self, request: HttpRequest, queryset: QuerySet) -> None:
        changed = facility_set_published(ids=queryset.values_list("pk", flat=True), published=False)
        self.message_user(
            request,
            ngettext("%(n)d facility unpublished.", "%(n)d facilities unpublished.", changed) % {"n": changed},
            messages.SUCCESS,
        )


# Accreditations ----------------------------------------------------------------------------------


class AccreditationExpiryFilter(admin.SimpleListFilter):
    title = _("validity")
    parameter_name = "validity"

    def lookups(self, request, model_admin):
        return [
            ("current", _("Current")),
            ("expiring", _("Expiring within %(days)s days") % {"days": warning_days()}),
            ("expired", _("Expired")),
            ("not_active", _("Suspended, revoked or withdrawn")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "current":
            return queryset.current()
        if self.value() == "expiring":
            return queryset.expiring_within(warning_days())
        if self.value() == "expired":
            return queryset.filter(expires_on__lt=today())
        if self.value() == "not_active":
            return queryset.exclude(status=Accreditation.Status.ACTIVE)
        return queryset


@admin.register(Accreditation)
class AccreditationAdmin(admin.ModelAdmin):
    formfield_overrides = URL_HTTPS
    list_display = ["facility", "body", "programme", "level", "awarded_on", "expires_on", "status", "is_current_now"]
    list_filter = [AccreditationExpiryFilter, "status", "body"]
    list_select_related = ["facility", "body"]
    search_fields = ["facility__name", "body__name", "body__abbreviation", "programme"]
    autocomplete_fields = ["facility", "body"]
    date_hierarchy = "expires_on"
    readonly_fields = ["created_at", "updated_at"]

    @admin.display(description=_("Current"), boolean=True)
    def is_current_now(self, accreditation: Accreditation) -> bool:
        return accreditation.is_current()


@admin.register(AccreditationBody)
class AccreditationBodyAdmin(TranslationAdmin):
    formfield_overrides = URL_HTTPS
    list_display = ["abbreviation", "name", "country", "website"]
    search_fields = ["name", "abbreviation"]
    prepopulated_fields = {"slug": ["abbreviation"]}


@admin.register(Language)
class LanguageAdmin(TranslationAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]


# Procedures and prices ---------------------------------------------------------------------------


@admin.register(ProcedureCategory)
class ProcedureCategoryAdmin(TranslationAdmin):
    list_display = ["name", "position"]
    list_editable = ["position"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


class ProcedureOfferInline(OfferCurrencyColumns, TranslationTabularInline):
    """Which facilities offer the procedure, and at what price, on the procedure's own page."""

    model = FacilityProcedure
    extra = 0
    autocomplete_fields = ["facility"]
    fields = ["facility", "price_from", "price_to", "offer_currency", "usd_reference", "includes", "notes"]
    readonly_fields = ["offer_currency", "usd_reference"]
    verbose_name = _("facility offering it")
    verbose_name_plural = _("facilities offering it, with indicative prices")

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("facility").order_by("usd_from")


@admin.register(Procedure)
class ProcedureAdmin(TranslationAdmin):
    list_display = ["name", "category", "is_published", "offer_count", "last_reviewed_on", "preview_link"]
    list_filter = ["category", "is_published"]
    list_select_related = ["category"]
    search_fields = ["name", "slug", "also_known_as"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["category", "related"]
    readonly_fields = ["preview_link", "created_at", "updated_at"]
    inlines = [ProcedureOfferInline]
    fieldsets = [
        (None, {"fields": ["name", "slug", "category", "also_known_as", "is_published", "preview_link"]}),
        (_("Summary and overview"), {"fields": ["summary", "overview"]}),
        (_("Who it is for"), {"fields": ["indications", "contraindications"]}),
        (_("How it is done"), {"fields": ["techniques", "anaesthesia", "operation_hours_min", "operation_hours_max"]}),
        (_("Benefits and risks"), {"fields": ["benefits", "risks"]}),
        (
            _("Recovery and travel"),
            {
                "fields": [
                    "hospital_nights_min",
                    "hospital_nights_max",
                    "days_before_flying",
                    "return_to_normal_weeks_min",
                    "return_to_normal_weeks_max",
                    "recovery",
                    "aftercare",
                ]
            },
        ),
        (_("Questions to ask the surgeon"), {"fields": ["questions"]}),
        (_("Related and review"), {"fields": ["related", "medical_reviewer", "last_reviewed_on"]}),
        # Per language: who checked each translation against the reviewed English, and when.
        (_("Translation review"), {"fields": ["translation_reviewer", "translation_reviewed_on"]}),
        (_("Record"), {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(offers_total=Count("offers")).order_by("name")

    @admin.display(description=_("Facilities offering it"), ordering="offers_total")
    def offer_count(self, procedure: Procedure) -> int:
        return procedure.offers_total

    @admin.display(description=_("Page"))
    def preview_link(self, procedure: Procedure) -> str:
        if not procedure.pk:
            return "—"
        label = _("View page") if procedure.is_published else _("Preview (not published)")
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', procedure.get_absolute_url(), label)


@admin.register(FacilityProcedure)
class FacilityProcedureAdmin(OfferCurrencyColumns, TranslationAdmin):
    list_display = ["procedure", "facility", "price_from", "price_to", "offer_currency", "usd_reference", "updated_at"]
    readonly_fields = ["offer_currency", "usd_reference"]
    list_filter = ["procedure"]
    list_select_related = ["procedure", "facility"]
    search_fields = ["facility__name", "procedure__name"]
    autocomplete_fields = ["facility", "procedure"]


@admin.register(FacilityPhoto)
class FacilityPhotoAdmin(PhotoPreviewMixin, TranslationAdmin):
    form = FacilityPhotoForm
    list_display = ["alt_text", "facility", "position", "preview"]
    list_select_related = ["facility"]
    search_fields = ["facility__name", "alt_text"]
    autocomplete_fields = ["facility"]
    fields = ["facility", "preview", "upload", "alt_text", "caption", "position"]
    readonly_fields = ["preview"]

    def get_form(self, request, obj=None, **kwargs):
        kwargs["fields"] = self.replace_orig_field(["facility", "upload", "alt_text", "caption", "position"])
        return super().get_form(request, obj, **kwargs)


# Facilities' proposed changes to their listing ---------------------------------------------------


@admin.register(ProfileChangeProposal)
class ProfileChangeProposalAdmin(admin.ModelAdmin):
    """Directory editors decide facilities' proposals here: read-only, with Approve and Reject.

    The decision buttons call ``facilities.proposals``; the proposed photo and certificate are in
    private storage and reach the editor only through the views below (change permission needed).
    """

    list_display = ["facility", "proposed_by", "status", "created_at"]
    list_filter = ["status"]
    list_select_related = ["facility", "proposed_by"]
    search_fields = ["facility__name"]
    date_hierarchy = "created_at"
    change_form_template = "admin/facilities/profilechangeproposal/change_form.html"
    fieldsets = [
        (None, {"fields": ["facility", "proposed_by", "status", "created_at", "message"]}),
        (_("Decision"), {"fields": ["decided_at", "decided_by", "decision_note"]}),
    ]
    readonly_fields = [
        "facility",
        "proposed_by",
        "status",
        "created_at",
        "message",
        "decided_at",
        "decided_by",
        "decision_note",
    ]

    def get_ordering(self, request: HttpRequest):
        # Waiting proposals first, so the queue is what an editor sees on arrival.
        pending_first = models.Case(
            models.When(status=ProfileChangeProposal.Status.PENDING, then=0),
            default=1,
            output_field=models.IntegerField(),
        )
        return [pending_first.asc(), "-created_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST":
            # Nothing on the page is edited: decisions go through the Approve and Reject views.
            raise PermissionDenied
        proposal = self.get_object(request, unquote(str(object_id))) if object_id else None
        extra_context = dict(extra_context or {})
        extra_context.update(show_save=False, show_save_and_continue=False, show_save_and_add_another=False)
        if proposal is not None:
            can_decide = self.has_change_permission(request, proposal)
            extra_context["proposal_review"] = {
                "rows": proposal_comparison(proposal),
                "is_pending": proposal.status == ProfileChangeProposal.Status.PENDING,
                "can_decide": can_decide,
                "photo_url": self._url("photo", proposal.pk) if proposal.photo and can_decide else "",
                "certificate_url": self._url("certificate", proposal.pk) if proposal.certificate and can_decide else "",
                "approve_url": self._url("approve", proposal.pk),
                "reject_url": self._url("reject", proposal.pk),
            }
        return super().changeform_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        wrap = self.admin_site.admin_view
        return [
            path("<int:object_id>/approve/", wrap(require_POST(self.approve_view)), name=f"{prefix}_approve"),
            path("<int:object_id>/reject/", wrap(require_POST(self.reject_view)), name=f"{prefix}_reject"),
            path("<int:object_id>/photo/", wrap(require_GET(self.photo_view)), name=f"{prefix}_photo"),
            path(
                "<int:object_id>/certificate/", wrap(require_GET(self.certificate_view)), name=f"{prefix}_certificate"
            ),
            *super().get_urls(),
        ]

    def _url(self, view: str, *args) -> str:
        name = f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_{view}"
        return reverse(name, args=args, current_app=self.admin_site.name)

    def _decidable(self, request: HttpRequest, object_id) -> ProfileChangeProposal:
        proposal = self.get_object(request, unquote(str(object_id)))
        if proposal is None:
            raise Http404(_("No such proposal."))
        if not self.has_change_permission(request, proposal):
            raise PermissionDenied
        return proposal

    def approve_view(self, request: HttpRequest, object_id: int) -> HttpResponseRedirect:
        proposal = self._decidable(request, object_id)
        try:
            proposal_approve(proposal=proposal, editor=request.user, note=request.POST.get("note", ""))
        except ProposalError as exc:
            self.message_user(request, str(exc), messages.ERROR)
        else:
            self.message_user(
                request,
                _("Approved: the changes are live on %(facility)s's listing.") % {"facility": proposal.facility},
                messages.SUCCESS,
            )
        return HttpResponseRedirect(self._url("change", proposal.pk))

    def reject_view(self, request: HttpRequest, object_id: int) -> HttpResponseRedirect:
        proposal = self._decidable(request, object_id)
        try:
            proposal_reject(proposal=proposal, editor=request.user, note=request.POST.get("note", ""))
        except ProposalError as exc:
            self.message_user(request, str(exc), messages.ERROR)
        else:
            self.message_user(request, _("Not approved: the office sees your note."), messages.SUCCESS)
        return HttpResponseRedirect(self._url("change", proposal.pk))

    def photo_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        """The proposed photo as the listing would show it: re-encoded by the photo service, so what
        reaches the browser is always a JPEG we made, without the camera's metadata."""
        proposal = self._decidable(request, object_id)
        if not proposal.photo:
            raise Http404(_("This proposal has no photo."))
        try:
            with proposal.photo.storage.open(proposal.photo.name, "rb") as handle:
                renditions = make_renditions(File(handle, name="proposed"))
        except (FileNotFoundError, ValidationError) as exc:
            raise Http404(_("The photo cannot be shown.")) from exc
        return _private_file(HttpResponse(renditions.large.read(), content_type="image/jpeg"))

    def certificate_view(self, request: HttpRequest, object_id: int) -> FileResponse:
        """The certificate as a download, never shown inline, whatever it holds."""
        proposal = self._decidable(request, object_id)
        if not proposal.certificate:
            raise Http404(_("This proposal has no certificate."))
        try:
            handle = proposal.certificate.storage.open(proposal.certificate.name, "rb")
        except FileNotFoundError as exc:
            raise Http404(_("The certificate is missing from storage.")) from exc
        kind = certificate_kind(handle.read(16)) or "bin"
        handle.seek(0)
        response = FileResponse(
            handle,
            as_attachment=True,
            filename=f"certificate-{proposal.facility_id}-{proposal.pk}.{'jpg' if kind == 'jpeg' else kind}",
            content_type="application/octet-stream",
        )
        return _private_file(response)


def _private_file(response: HttpResponse) -> HttpResponse:
    patch_cache_control(response, no_store=True, no_cache=True, private=True, max_age=0)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Referrer-Policy"] = "no-referrer"
    return response
