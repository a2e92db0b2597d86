"""Staff view of quote requests. Read-only for now: the workflow (moves, quotes, downloads) is
built in the staff-workflow issue."""

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from quotes.models import Notification, QuoteAttachment, QuoteRequest, StatusChange


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class AttachmentInline(ReadOnlyInline):
    model = QuoteAttachment
    fields = ["original_name", "kind", "size", "sha256", "created_at"]
    readonly_fields = fields


class StatusChangeInline(ReadOnlyInline):
    model = StatusChange
    fields = ["created_at", "from_status", "to_status", "actor", "note"]
    readonly_fields = fields


@admin.register(QuoteRequest)
class QuoteRequestAdmin(admin.ModelAdmin):
    list_display = ["reference", "name", "procedure", "status", "created_at", "reply_due"]
    list_filter = ["status", "procedure"]
    list_select_related = ["procedure"]
    search_fields = ["reference", "name", "email"]
    date_hierarchy = "created_at"
    inlines = [AttachmentInline, StatusChangeInline]
    exclude = ["preferred_facilities"]
    readonly_fields = [
        "reference", "status", "assignee", "name", "email", "phone", "country_of_residence", "preferred_language",
        "procedure", "facilities", "preferred_countries", "suggest_facilities", "travel_from", "travel_to",
        "budget_amount", "budget_currency", "condition", "diagnosis", "previous_treatment", "medication", "allergies",
        "consent_version", "consent_health_data_at", "consent_sharing_at", "consent_marketing_at",
        "first_reply_due_at", "created_at", "updated_at",
    ]  # fmt: skip

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # Requests come from patients only.

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).prefetch_related("preferred_facilities")

    @admin.display(description=_("Preferred facilities"))
    def facilities(self, quote_request: QuoteRequest) -> str:
        return ", ".join(f.name for f in quote_request.preferred_facilities.all()) or "—"

    @admin.display(description=_("First reply due"), ordering="first_reply_due_at")
    def reply_due(self, quote_request: QuoteRequest) -> str:
        overdue = (
            quote_request.status == QuoteRequest.Status.SUBMITTED and quote_request.first_reply_due_at < timezone.now()
        )
        css = "state state-alert" if overdue else "state"
        return format_html('<span class="{}">{}</span>', css, quote_request.first_reply_due_at.strftime("%d %b %H:%M"))


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["pk", "template", "quote_request", "status", "attempts", "next_attempt_at", "sent_at"]
    list_filter = ["status", "template"]
    list_select_related = ["quote_request"]
    search_fields = ["quote_request__reference"]
    fields = ["quote_request", "template", "status", "attempts", "last_error", "next_attempt_at", "sent_at"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
