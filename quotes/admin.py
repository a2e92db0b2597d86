"""Staff admin for quote requests: the coordinators' work list, the request page with its workflow
buttons (moves, assignment, notes, file downloads), itemised facility quotes and the outbox.

Every change goes through ``quotes.services``; the admin only parses what staff posted, calls the
service and reports the result. The request's own fields are never edited here.
"""

import datetime

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet, TextField
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from django_countries import countries

from facilities.models import Facility, Procedure
from quotes import partner_admin, staff_views  # noqa: F401 (partner_admin registers its pages)
from quotes.forms import phone_international
from quotes.labels import STAFF_STATUS_LABELS, span, staff_status_label, user_label
from quotes.models import (
    TRANSITIONS,
    AttachmentAccess,
    Erasure,
    FacilityCase,
    FacilityQuote,
    FacilityQuoteItem,
    Notification,
    QuoteRequest,
)
from quotes.reply_templates import SAVED_REPLIES
from quotes.selectors import (
    assignable_users,
    case_candidates,
    patient_thread,
    request_cases,
    request_countries,
    requests_matching,
    with_totals,
)
from quotes.services.cases import (
    DEFAULT_SHARED_FIELDS,
    SHAREABLE_REQUEST_STATUSES,
    CaseShare,
    case_message_post,
    case_withdraw,
    cases_send,
    facility_quote_release,
    facility_quote_return,
    sharing_consent_ask,
)
from quotes.services.conversation import staff_message_post
from quotes.services.errors import WorkflowError
from quotes.services.patient import ERASURE_ANSWER_DAYS
from quotes.services.retention import quote_request_erase
from quotes.services.staff import quote_request_assign, staff_note_add
from quotes.services.workflow import quote_request_transition
from tourism.pagination import CappedPaginator

S = QuoteRequest.Status

# What the button for each move says. Accepting a quote is the patient's move (from the status
# page, which also marks the facility quotes), so staff are never offered it; sending to
# facilities is sharing the case with them (the sharing panel), so it has no button of its own.
MOVE_LABELS = {
    S.IN_REVIEW: _("Start review"),
    S.AWAITING_PATIENT: _("Ask the patient for information"),
    S.QUOTED: _("Send quotes to the patient"),
    S.CLOSED: _("Close"),
}
BACK_TO_REVIEW_LABEL = _("Back to review (stop waiting)")
# The request page lists this many of the latest openings of its medical files.
FILE_ACCESSES_SHOWN = 50

# Below this much time left the first-reply countdown turns amber.
REPLY_WARNING = datetime.timedelta(hours=12)


def staff_moves(status: str) -> list[str]:
    """The moves staff may make from ``status``, in workflow order."""
    allowed = TRANSITIONS.get(status, frozenset())
    return [to for to in S.values if to in allowed and to in MOVE_LABELS]


def move_label(from_status: str, to_status: str) -> str:
    if to_status == S.IN_REVIEW and from_status == S.AWAITING_PATIENT:
        return str(BACK_TO_REVIEW_LABEL)
    return str(MOVE_LABELS[to_status])


# The list's filters ----------------------------------------------------------------------------


class StatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [("open", _("All open")), *STAFF_STATUS_LABELS.items()]

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.open()
        if self.value() in STAFF_STATUS_LABELS:
            return queryset.filter(status=self.value())
        return queryset


class AssigneeFilter(admin.SimpleListFilter):
    title = _("assignee")
    parameter_name = "assignee"

    def lookups(self, request, model_admin):
        return [("mine", _("Mine")), ("unassigned", _("Unassigned"))]

    def queryset(self, request, queryset):
        if self.value() == "mine":
            return queryset.filter(assignee=request.user)
        if self.value() == "unassigned":
            return queryset.filter(assignee__isnull=True)
        return queryset


class ErasureFilter(admin.SimpleListFilter):
    """Requests whose patient asked for erasure and are not erased yet (due 30 days after asking)."""

    title = _("erasure")
    parameter_name = "erasure"

    def lookups(self, request, model_admin):
        return [("asked", _("Asked for, not done yet")), ("done", _("Erased"))]

    def queryset(self, request, queryset):
        if self.value() == "asked":
            return queryset.filter(erasure_requested_at__isnull=False, erased_at__isnull=True)
        if self.value() == "done":
            return queryset.filter(erased_at__isnull=False)
        return queryset


class SubmittedFilter(admin.SimpleListFilter):
    """When the request came in, as ranges that read the ``created_at`` index.

    Instead of ``date_hierarchy``, whose list of years grouped every row on each load of the list
    (1.7 s of SQL at 200,000 requests on SQLite).
    """

    title = _("submitted")
    parameter_name = "submitted"
    field = "created_at"
    RANGES = {"7d": 7, "30d": 30, "year": 365}

    def lookups(self, request, model_admin):
        return [
            ("today", _("Today")),
            ("7d", _("Past 7 days")),
            ("30d", _("Past 30 days")),
            ("year", _("Past 12 months")),
            ("older", _("More than 12 months ago")),
        ]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "today":
            midnight = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
            return queryset.filter(**{f"{self.field}__gte": midnight})
        if self.value() in self.RANGES:
            since = now - datetime.timedelta(days=self.RANGES[self.value()])
            return queryset.filter(**{f"{self.field}__gte": since})
        if self.value() == "older":
            return queryset.filter(**{f"{self.field}__lt": now - datetime.timedelta(days=365)})
        return queryset


class FinishedFilter(SubmittedFilter):
    """When the request was accepted or closed (the dashboard's "finished in the last 30 days")."""

    title = _("accepted or closed")
    parameter_name = "finished"
    field = "closed_at"


class OverdueFilter(admin.SimpleListFilter):
    title = _("first reply")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("Overdue")), ("no", _("Not overdue"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.overdue()
        if self.value() == "no":
            return queryset.not_overdue()
        return queryset


# Quote requests ----------------------------------------------------------------------------------


# What the request list never shows (QuoteRequestAdmin.get_queryset): every long text of the request
# and of its procedure (list_select_related), each translated column included.
LIST_DEFERRED = [
    *(field.name for field in QuoteRequest._meta.concrete_fields if isinstance(field, TextField)),
    *(f"procedure__{field.name}" for field in Procedure._meta.concrete_fields if isinstance(field, TextField)),
]


class RequestCountryFilter(admin.SimpleListFilter):
    """The patients' countries of residence, as many as appear among the requests.

    Instead of django-countries' CountryFilter, whose ``DISTINCT`` read every request on each
    load of the list: ``request_countries`` seeks them one by one through the country index.
    """

    title = _("country of residence")
    parameter_name = "country_of_residence"

    def lookups(self, request, model_admin):
        names = dict(countries)
        return sorted(((code, names.get(code, code)) for code in request_countries()), key=lambda item: item[1])

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(country_of_residence=self.value())
        return queryset


@admin.register(QuoteRequest)
class QuoteRequestAdmin(admin.ModelAdmin):
    list_display = ["reference", "patient", "procedure_name", "status_badge", "assignee_name", "age", "reply_target"]
    list_filter = [
        StatusFilter,
        AssigneeFilter,
        OverdueFilter,
        SubmittedFilter,
        FinishedFilter,
        ErasureFilter,
        "procedure",
        RequestCountryFilter,
    ]
    list_select_related = ["procedure", "assignee"]
    search_fields = ["reference", "name", "email"]  # And phone numbers: get_search_results, each through an index.
    list_per_page = 50
    # At 200,000 requests each count read the whole table: the list counts at most
    # CappedPaginator.cap rows, once, and offers no per-filter counts (each a pass over every row).
    paginator = CappedPaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    actions = ["erase_personal_data"]
    fieldsets = [
        (
            _("Request"),
            {
                "fields": [
                    "reference",
                    "status_badge",
                    "closed_reason",
                    "assignee_name",
                    "created_at",
                    "first_reply_due_at",
                    "first_replied_at",
                    "closed_at",
                    "erased_at",
                ]
            },
        ),
        (_("Patient"), {"fields": ["name", "email", "phone_number", "country", "age_band", "replies_in"]}),
        (
            _("What they ask for"),
            {
                "fields": [
                    "procedure",
                    "facilities",
                    "destinations",
                    "suggest_facilities",
                    "travel_from",
                    "travel_to",
                    "budget",
                ]
            },
        ),
        (
            _("Medical summary"),
            {"fields": ["condition", "diagnosis", "previous_treatment", "medication", "allergies"]},
        ),
        (
            _("Consents"),
            {
                "fields": [
                    "consent_version",
                    "consent_language",
                    "consent_health_data_at",
                    "consent_sharing_at",
                    "consent_marketing_at",
                ],
                "classes": ["collapse"],
            },
        ),
    ]

    def get_readonly_fields(self, request: HttpRequest, obj=None) -> list[str]:
        # Everything: the status and assignee change only through the workflow buttons.
        return [field for _name, options in self.fieldsets for field in options["fields"]]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # Requests come from patients only.

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        # Deleting would skip the erasure record and leave medical files behind: erase instead.
        return False

    # Columns and read-only fields.

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = super().get_queryset(request)
        if getattr(request.resolver_match, "url_name", "") == "quotes_quoterequest_changelist":
            # The list shows none of the long texts: neither the patient's medical summary nor the
            # procedure's guide (every section, in every language). Left in, they rode through
            # the sort with every row: the last of 20 pages of 1,000 requests took 1.6 s.
            queryset = queryset.defer(*LIST_DEFERRED)
        return queryset

    def get_ordering(self, request: HttpRequest):
        # The most urgent first: overdue, then waiting for a first reply by due time, then open
        # requests, then finished ones, newest first within each (QuoteRequest.stage), read in
        # order from quote_list_order_idx (and its copies under the assignee, procedure and
        # country filters).
        return ["stage", "first_reply_due_at", "-created_at"]

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str):
        # Reference, e-mail, the name's start and phone numbers however typed, each through an
        # index (quotes.selectors.requests_matching), never a scan of every request.
        return requests_matching(queryset, search_term), False

    @admin.display(description=_("phone"))
    def phone_number(self, quote_request: QuoteRequest) -> str:
        return phone_international(quote_request.phone)

    @admin.display(description=_("Patient"), ordering="name")
    def patient(self, quote_request: QuoteRequest) -> str:
        if quote_request.erased_at:
            return format_html('<span class="quiet">{}</span>', _("(erased)"))
        return quote_request.name

    # Not sortable: the procedure, status and assignee columns would sort every request on each
    # page load (the filters group by them, in the list's own order, through its indexes).
    @admin.display(description=_("procedure"))
    def procedure_name(self, quote_request: QuoteRequest) -> str:
        return str(quote_request.procedure) if quote_request.procedure_id else "—"

    @admin.display(description=_("Status"))
    def status_badge(self, quote_request: QuoteRequest) -> str:
        return format_html(
            '<span class="state status-{}">{}</span>', quote_request.status, staff_status_label(quote_request.status)
        )

    @admin.display(description=_("Assignee"))
    def assignee_name(self, quote_request: QuoteRequest) -> str:
        return user_label(quote_request.assignee) if quote_request.assignee else "—"

    @admin.display(description=_("Age"), ordering="created_at")
    def age(self, quote_request: QuoteRequest) -> str:
        return format_html('<span class="request-age">{}</span>', span(timezone.now() - quote_request.created_at))

    @admin.display(description=_("First reply"), ordering="first_reply_due_at")
    def reply_target(self, quote_request: QuoteRequest) -> str:
        if quote_request.status != S.SUBMITTED:
            if quote_request.first_replied_at is None:
                return "—"
            if quote_request.first_replied_at > quote_request.first_reply_due_at:
                return format_html('<span class="reply reply-late">{}</span>', _("Replied late"))
            return format_html('<span class="reply reply-done">{}</span>', _("Replied"))
        now = timezone.now()
        left = quote_request.first_reply_due_at - now
        if quote_request.is_overdue(now):
            return format_html(
                '<span class="state state-alert reply-overdue">{}</span>',
                _("Overdue by %(span)s") % {"span": span(left)},
            )
        css = "state state-warn reply-soon" if left < REPLY_WARNING else "state reply-due"
        return format_html('<span class="{}">{}</span>', css, _("%(span)s left") % {"span": span(left)})

    @admin.display(description=_("Country of residence"))
    def country(self, quote_request: QuoteRequest) -> str:
        return quote_request.country_of_residence.name or "—"

    @admin.display(description=_("Replies in"))
    def replies_in(self, quote_request: QuoteRequest) -> str:
        """The language the patient asked for, and the site's language our e-mails to them are in
        (the same, unless the site does not have theirs)."""
        return _("%(asked)s; our e-mails and their page in %(site)s") % {
            "asked": quote_request.preferred_language.name,
            "site": quote_request.get_language_display(),
        }

    @admin.display(description=_("Preferred facilities"))
    def facilities(self, quote_request: QuoteRequest) -> str:
        return ", ".join(f.name for f in quote_request.preferred_facilities.all()) or "—"

    @admin.display(description=_("Preferred destinations"))
    def destinations(self, quote_request: QuoteRequest) -> str:
        return ", ".join(country.name for country in quote_request.preferred_countries) or "—"

    @admin.display(description=_("Budget"))
    def budget(self, quote_request: QuoteRequest) -> str:
        if quote_request.budget_amount is None:
            return "—"
        return f"{quote_request.budget_amount:,.2f} {quote_request.budget_currency}".strip()

    # The request page: read-only fields, then the workflow panel and the related records.

    def change_view(self, request: HttpRequest, object_id, form_url="", extra_context=None) -> HttpResponse:
        if request.method == "POST":
            # There is nothing to save here: every change has its own POST view below.
            return HttpResponseNotAllowed(["GET"])
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change) -> None:
        raise PermissionDenied("Quote requests change only through the workflow.")

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context.update(
            show_save=False,
            show_save_and_continue=False,
            show_save_and_add_another=False,
        )
        if obj is not None:
            context["workflow"] = self.workflow_context(request, obj)
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    def workflow_context(self, request: HttpRequest, quote_request: QuoteRequest) -> dict:
        user = request.user
        can_change = self.has_change_permission(request, quote_request)
        now = timezone.now()
        context = {
            "status_label": staff_status_label(quote_request.status),
            "is_open": quote_request.is_open,
            "can_change": can_change,
            "overdue": quote_request.is_overdue(now),
            "moves": [],
            "assignee": quote_request.assignee,
            "assignee_label": user_label(quote_request.assignee) if quote_request.assignee else "",
            # None (not an empty list) where the user may not see that kind of record at all.
            "attachments": None,
            "patient_messages": None,
            "notes": None,
            "history": None,
            "assignments": None,
            "erasure": Erasure.objects.select_related("actor").filter(quote_request=quote_request).first()
            if quote_request.erased_at
            else None,
            "facility_quotes": None,
            "cases": None,
            "erasure_due": quote_request.erasure_requested_at + datetime.timedelta(days=ERASURE_ANSWER_DAYS)
            if quote_request.erasure_requested_at
            else None,
        }
        if quote_request.status == S.SUBMITTED:
            context["reply_target"] = self.reply_target(quote_request)
        if can_change:
            context.update(
                moves=[
                    {
                        "to_status": to,
                        "label": move_label(quote_request.status, to),
                        "needs_note": to == S.AWAITING_PATIENT,
                        "needs_reason": to == S.CLOSED,
                    }
                    for to in staff_moves(quote_request.status)
                ],
                close_reasons=QuoteRequest.CloseReason.choices,
                move_url=self._url("move", quote_request.pk),
                assign_url=self._url("assign", quote_request.pk),
                note_url=self._url("note", quote_request.pk),
                coordinators=[(u.pk, user_label(u)) for u in assignable_users()],
                can_add_note=user.has_perm("quotes.add_staffnote"),
            )
        if user.has_perm("quotes.view_quoteattachment"):
            can_open = staff_views.can_open_files(user)
            context["attachments"] = [
                {
                    "attachment": attachment,
                    "url": self._url("file", quote_request.pk, attachment.pk)
                    if can_open and attachment.file and not attachment.deleted_at
                    else "",
                }
                for attachment in quote_request.attachments.all()
            ]
            context["file_accesses"] = list(
                AttachmentAccess.objects.filter(attachment__quote_request=quote_request)
                .select_related("attachment", "user", "case__facility")
                .order_by("-accessed_at", "-pk")[:FILE_ACCESSES_SHOWN]
            )
            context["file_accesses_shown"] = FILE_ACCESSES_SHOWN
        if user.has_perm("quotes.view_patientmessage"):
            context["patient_messages"] = list(quote_request.patient_messages.all())
            context["thread"] = patient_thread(quote_request)
            if can_change and user.has_perm("quotes.add_message") and quote_request.erased_at is None:
                context["message_url"] = self._url("patient_message", quote_request.pk)
                context["saved_replies"] = [(key, label, text) for key, (label, text) in SAVED_REPLIES.items()]
        if user.has_perm("quotes.view_staffnote"):
            context["notes"] = list(quote_request.staff_notes.select_related("author"))
        if user.has_perm("quotes.view_statuschange"):
            context["history"] = [
                {
                    "change": change,
                    "from_label": staff_status_label(change.from_status) if change.from_status else "",
                    "to_label": staff_status_label(change.to_status),
                }
                for change in quote_request.status_changes.select_related("actor")
            ]
            context["assignments"] = list(
                quote_request.assignment_changes.select_related("actor", "from_assignee", "to_assignee")
            )
        if (
            can_change
            and user.has_perm("quotes.add_facilitycase")
            and quote_request.status in SHAREABLE_REQUEST_STATUSES
        ):
            defaults = set(DEFAULT_SHARED_FIELDS)
            context["send"] = {
                "url": self._url("send_cases", quote_request.pk),
                "ask_url": self._url("ask_sharing", quote_request.pk),
                "candidates": [
                    {
                        "candidate": candidate,
                        "fields": [
                            (value, label, value in defaults) for value, label in FacilityCase.SharedField.choices
                        ],
                    }
                    for candidate in case_candidates(quote_request)
                ],
                "files": [a for a in quote_request.attachments.all() if a.file and not a.deleted_at],
            }
        if user.has_perm("quotes.view_facilitycase"):
            context["can_withdraw_cases"] = can_change and user.has_perm("quotes.change_facilitycase")
            can_write = can_change and user.has_perm("quotes.add_message")
            can_review = can_change and user.has_perm("quotes.change_facilityquote")
            context["cases"] = [
                {
                    "case": case,
                    "overdue": case.is_overdue(now),
                    "withdraw_url": self._url("withdraw_case", quote_request.pk, case.pk),
                    "thread": case.thread if user.has_perm("quotes.view_message") else None,
                    "reply_url": self._url("case_message", quote_request.pk, case.pk)
                    if can_write and case.is_open
                    else "",
                    "review": {
                        "return_url": self._url("case_quote_return", quote_request.pk, case.pk),
                        "release_url": self._url("case_quote_release", quote_request.pk, case.pk),
                    }
                    if can_review
                    and self._quote_of(case) is not None
                    and self._quote_of(case).status == FacilityQuote.Status.SUBMITTED
                    else None,
                }
                for case in request_cases(quote_request)
            ]
        if user.has_perm("quotes.view_facilityquote"):
            context["facility_quotes"] = [
                {
                    "quote": quote,
                    "url": reverse(f"{self.admin_site.name}:quotes_facilityquote_change", args=[quote.pk]),
                }
                for quote in with_totals(quote_request.facility_quotes.select_related("facility"))
            ]
            if user.has_perm("quotes.add_facilityquote") and context["is_open"]:
                add_url = reverse(f"{self.admin_site.name}:quotes_facilityquote_add")
                context["add_quote_url"] = f"{add_url}?quote_request={quote_request.pk}"
        return context

    # The workflow's POST views (and the file download).

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        wrap = self.admin_site.admin_view
        return [
            path("<int:object_id>/move/", wrap(require_POST(self.move_view)), name=f"{prefix}_move"),
            path("<int:object_id>/assign/", wrap(require_POST(self.assign_view)), name=f"{prefix}_assign"),
            path("<int:object_id>/note/", wrap(require_POST(self.note_view)), name=f"{prefix}_note"),
            path("<int:object_id>/cases/", wrap(require_POST(self.send_cases_view)), name=f"{prefix}_send_cases"),
            path("<int:object_id>/sharing/", wrap(require_POST(self.ask_sharing_view)), name=f"{prefix}_ask_sharing"),
            path(
                "<int:object_id>/cases/<int:case_id>/withdraw/",
                wrap(require_POST(self.withdraw_case_view)),
                name=f"{prefix}_withdraw_case",
            ),
            path(
                "<int:object_id>/message/",
                wrap(require_POST(self.patient_message_view)),
                name=f"{prefix}_patient_message",
            ),
            path(
                "<int:object_id>/cases/<int:case_id>/message/",
                wrap(require_POST(self.case_message_view)),
                name=f"{prefix}_case_message",
            ),
            path(
                "<int:object_id>/cases/<int:case_id>/quote/return/",
                wrap(require_POST(self.case_quote_return_view)),
                name=f"{prefix}_case_quote_return",
            ),
            path(
                "<int:object_id>/cases/<int:case_id>/quote/release/",
                wrap(require_POST(self.case_quote_release_view)),
                name=f"{prefix}_case_quote_release",
            ),
            path(
                "<int:quote_request_id>/files/<int:attachment_id>/",
                wrap(staff_views.attachment_download),
                name=f"{prefix}_file",
            ),
            *super().get_urls(),
        ]

    def _url(self, view: str, *args) -> str:
        name = f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_{view}"
        return reverse(name, args=args, current_app=self.admin_site.name)

    def _changeable(self, request: HttpRequest, object_id) -> QuoteRequest:
        quote_request = self.get_object(request, unquote(str(object_id)))
        if quote_request is None:
            raise Http404(_("No such quote request."))
        if not self.has_change_permission(request, quote_request):
            raise PermissionDenied
        return quote_request

    def _back(self, quote_request: QuoteRequest) -> HttpResponseRedirect:
        return HttpResponseRedirect(self._url("change", quote_request.pk))

    def move_view(self, request: HttpRequest, object_id: int) -> HttpResponseRedirect:
        quote_request = self._changeable(request, object_id)
        to_status = request.POST.get("to_status", "")
        # The move is checked from the status the coordinator saw: if someone else has moved the
        # request since, the service refuses instead of applying a move meant for another state.
        seen_status = request.POST.get("from_status") or quote_request.status
        if to_status not in MOVE_LABELS or seen_status not in S.values:
            messages.error(request, _("That is not a move staff can make."))
            return self._back(quote_request)
        try:
            quote_request_transition(
                quote_request=quote_request,
                from_status=seen_status,
                to_status=to_status,
                actor=request.user,
                note=request.POST.get("note", ""),
                reason=request.POST.get("reason", ""),
            )
        except WorkflowError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                _("%(reference)s is now %(status)s.")
                % {"reference": quote_request.reference, "status": staff_status_label(to_status).lower()},
            )
        return self._back(quote_request)

    def assign_view(self, request: HttpRequest, object_id: int) -> HttpResponseRedirect:
        quote_request = self._changeable(request, object_id)
        wanted = request.POST.get("assignee", "").strip()
        # Only who was named is parsed here; who may be given requests is the service's rule.
        assignee = None
        if wanted == "me":
            assignee = request.user
        elif wanted:
            named = int(wanted) if wanted.isascii() and wanted.isdigit() else None
            assignee = get_user_model().objects.filter(pk=named).first() if named is not None else None
            if assignee is None:
                messages.error(request, _("Requests can be given only to active coordinators."))
                return self._back(quote_request)
        try:
            change = quote_request_assign(quote_request=quote_request, assignee=assignee, actor=request.user)
        except WorkflowError as exc:
            messages.error(request, str(exc))
            return self._back(quote_request)
        if change is None:
            messages.info(request, _("Nothing changed: that is already the assignee."))
            return self._back(quote_request)
        who = user_label(assignee) if assignee else _("nobody")
        messages.success(
            request, _("%(reference)s assigned to %(who)s.") % {"reference": quote_request.reference, "who": who}
        )
        return self._back(quote_request)

    def send_cases_view(self, request: HttpRequest, object_id: int) -> HttpResponseRedirect:
        quote_request = self._changeable(request, object_id)
        if not request.user.has_perm("quotes.add_facilitycase"):
            raise PermissionDenied
        seen_status = request.POST.get("from_status") or quote_request.status

        def ids(values) -> list[int] | None:
            parsed = [int(v) for v in values if v.isascii() and v.isdigit()]
            return parsed if len(parsed) == len(values) else None

        facility_ids = ids(request.POST.getlist("facility"))
        if facility_ids is None or seen_status not in S.values:
            messages.error(request, _("That is not a facility that can be chosen."))
            return self._back(quote_request)
        shares = []
        for facility_id in facility_ids:
            files = ids(request.POST.getlist(f"files-{facility_id}"))
            if files is None:
                messages.error(request, _("That is not a file of this request."))
                return self._back(quote_request)
            shares.append(
                CaseShare(
                    facility_id=facility_id,
                    fields=request.POST.getlist(f"fields-{facility_id}"),
                    attachment_ids=files,
                    summary=request.POST.get(f"summary-{facility_id}", ""),
                )
            )
        try:
            cases = cases_send(quote_request=quote_request, from_status=seen_status, shares=shares, actor=request.user)
        except WorkflowError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                ngettext("Case shared with %(n)d facility.", "Case shared with %(n)d facilities.", len(cases))
                % {"n": len(cases)},
            )
        return self._back(quote_request)

    def withdraw_case_view(self, request: HttpRequest, object_id: int, case_id: int) -> HttpResponseRedirect:
        """Take the case back from one facility (its office is told; the request goes on)."""
        quote_request = self._changeable(request, object_id)
        if not request.user.has_perm("quotes.change_facilitycase"):
            raise PermissionDenied
        case = FacilityCase.objects.filter(pk=case_id, quote_request=quote_request).first()
        if case is None:
            raise Http404(_("No such case on this request."))
        seen_status = request.POST.get("from_status", "")
        if seen_status not in FacilityCase.Status.values:
            messages.error(request, _("Reload the page and try again."))
            return self._back(quote_request)
        try:
            case_withdraw(case=case, from_status=seen_status, actor=request.user)
        except WorkflowError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                _("Case %(case)s withdrawn from %(facility)s.") % {"case": case.reference, "facility": case.facility},
            )
        return self._back(quote_request)

    def patient_message_view(self, request: HttpRequest, object_id: int) -> HttpResponseRedirect:
        """The coordinator writes to the patient (from a saved reply, or their own words)."""
        quote_request = self._changeable(request, object_id)
        if not request.user.has_perm("quotes.add_message"):
            raise PermissionDenied
        text = request.POST.get("text", "")
        saved = SAVED_REPLIES.get(request.POST.get("saved", ""))
        if not text.strip() and saved is not None:
            text = str(saved[1])
        try:
            staff_message_post(quote_request=quote_request, author=request.user, text=text)
        except WorkflowError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Message sent. The patient is e-mailed that a message is waiting."))
        return HttpResponseRedirect(f"{self._url('change', quote_request.pk)}#conversation")

    @staticmethod
    def _quote_of(case: FacilityCase) -> FacilityQuote | None:
        try:
            return case.quote
        except FacilityQuote.DoesNotExist:
            return None

    def _case(self, request: HttpRequest, object_id: int, case_id: int, permission: str):
        quote_request = self._changeable(request, object_id)
        if not request.user.has_perm(permission):
            raise PermissionDenied
        case = (
            FacilityCase.objects.select_related("facility", "quote_request", "quote")
            .filter(pk=case_id, quote_request=quote_request)
            .first()
        )
        if case is None:
            raise Http404(_("No such case on this request."))
        return quote_request, case

    def _case_back(self, quote_request: QuoteRequest, case: FacilityCase) -> HttpResponseRedirect:
        return HttpResponseRedirect(f"{self._url('change', quote_request.pk)}#case-{case.reference}")

    def case_message_view(self, request: HttpRequest, object_id: int, case_id: int) -> HttpResponseRedirect:
        """The coordinator writes on a case's thread: an answer to the facility's question, or a note."""
        quote_request, case = self._case(request, object_id, case_id, "quotes.add_message")
        try:
            case_message_post(case=case, author=request.user, text=request.POST.get("text", ""))
        except WorkflowError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request, _("Message sent to %(facility)s on case %(case)s.") % {"facility": case.facility, "case": case}
            )
        return self._case_back(quote_request, case)

    def case_quote_return_view(self, request: HttpRequest, object_id: int, case_id: int) -> HttpResponseRedirect:
        """Send the facility's quote back with a comment; it corrects it in the portal."""
        quote_request, case = self._case(request, object_id, case_id, "quotes.change_facilityquote")
        quote = self._quote_of(case)
        if quote is None:
            raise Http404(_("This case has no quote."))
        try:
            facility_quote_return(quote=quote, actor=request.user, comment=request.POST.get("comment", ""))
        except WorkflowError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Quote sent back to %(facility)s.") % {"facility": case.facility})
        return self._case_back(quote_request, case)

    def case_quote_release_view(self, request: HttpRequest, object_id: int, case_id: int) -> HttpResponseRedirect:
        """Release the facility's quote to the patient (the first release moves the request to quoted)."""
        quote_request, case = self._case(request, object_id, case_id, "quotes.change_facilityquote")
        quote = self._quote_of(case)
        if quote is None:
            raise Http404(_("This case has no quote."))
        try:
            facility_quote_release(quote=quote, actor=request.user)
        except WorkflowError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request, _("The quote of %(facility)s is now on the patient's page.") % {"facility": case.facility}
            )
        return self._case_back(quote_request, case)

    def ask_sharing_view(self, request: HttpRequest, object_id: int) -> HttpResponseRedirect:
        """Ask the patient, on their status page, whether one more facility may have the case."""
        quote_request = self._changeable(request, object_id)
        if not request.user.has_perm("quotes.add_sharingconsent"):
            raise PermissionDenied
        wanted = request.POST.get("ask", "")
        facility = (
            Facility.objects.listed().filter(pk=int(wanted)).first() if wanted.isascii() and wanted.isdigit() else None
        )
        if facility is None:
            messages.error(request, _("That is not a facility that can be chosen."))
            return self._back(quote_request)
        try:
            sharing_consent_ask(quote_request=quote_request, facility=facility, actor=request.user)
        except WorkflowError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                _("The patient has been asked, on their status page, whether %(facility)s may have the case.")
                % {"facility": facility.name},
            )
        return self._back(quote_request)

    def note_view(self, request: HttpRequest, object_id: int) -> HttpResponseRedirect:
        quote_request = self._changeable(request, object_id)
        if not request.user.has_perm("quotes.add_staffnote"):
            raise PermissionDenied
        try:
            staff_note_add(quote_request=quote_request, author=request.user, text=request.POST.get("text", ""))
        except WorkflowError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Note added."))
        return self._back(quote_request)

    # Erasure.

    @admin.action(description=_("Erase personal data (on the patient's request)"), permissions=["change"])
    def erase_personal_data(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        if request.POST.get("confirm") != "yes":
            # Irreversible: show what will happen and ask once more.
            chosen = list(queryset.order_by("created_at"))
            context = {
                **self.admin_site.each_context(request),
                "title": _("Erase personal data?"),
                "opts": self.opts,
                "requests": [
                    {
                        "reference": quote_request.reference,
                        "status": staff_status_label(quote_request.status),
                        "refused": quote_request.is_open or bool(quote_request.erased_at),
                    }
                    for quote_request in chosen
                ],
                "selected": [quote_request.pk for quote_request in chosen],
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(request, "admin/quotes/quoterequest/erase_confirmation.html", context)
        erased = 0
        for quote_request in queryset:
            try:
                quote_request_erase(
                    quote_request=quote_request, actor=request.user, reason=Erasure.Reason.PATIENT_REQUEST
                )
            except WorkflowError as exc:
                self.message_user(request, f"{quote_request.reference}: {exc}", messages.ERROR)
            else:
                erased += 1
        if erased:
            self.message_user(
                request,
                ngettext(
                    "Personal data erased from %(n)d request.", "Personal data erased from %(n)d requests.", erased
                )
                % {"n": erased},
                messages.SUCCESS,
            )
        return None


# Facility quotes ---------------------------------------------------------------------------------


class FacilityQuoteForm(forms.ModelForm):
    class Meta:
        model = FacilityQuote
        fields = ["quote_request", "facility", "currency", "valid_until", "exclusions", "notes"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "facility" in self.fields:  # Not on a quote that can no longer be changed.
            self.fields["facility"].help_text = _(
                "If it does not list the request's procedure, you will be warned when you save."
            )

    def clean_valid_until(self):
        valid_until = self.cleaned_data["valid_until"]
        if "valid_until" in self.changed_data and valid_until < timezone.localdate():
            raise ValidationError(_("A quote must be valid until today or later."), code="past")
        return valid_until

    def clean(self):
        data = super().clean()
        quote_request, facility = data.get("quote_request"), data.get("facility")
        if (
            self.instance.pk is None
            and quote_request
            and facility
            and FacilityCase.objects.open().filter(quote_request=quote_request, facility=facility).exists()
        ):
            # Its office answers in the portal; a quote typed here would bypass its case.
            self.add_error(
                "facility",
                ValidationError(
                    _("%(facility)s has this request as a case: its office sends its quote through Medtour.")
                    % {"facility": facility.name},
                    code="has_case",
                ),
            )
        return data


class FacilityQuoteItemForm(forms.ModelForm):
    """A quote line: an amount exactly when the item is included at that price."""

    class Meta:
        model = FacilityQuoteItem
        fields = ["category", "state", "description", "amount"]

    def clean(self):
        data = super().clean()
        state, amount = data.get("state"), data.get("amount")
        if state == FacilityQuoteItem.State.INCLUDED and amount is None:
            self.add_error("amount", ValidationError(_("Give the amount, or choose another state."), code="required"))
        elif state and state != FacilityQuoteItem.State.INCLUDED and amount is not None:
            self.add_error(
                "amount",
                ValidationError(_("Only an item included at a price has an amount."), code="amount_not_allowed"),
            )
        if amount is not None and amount < 0:
            self.add_error("amount", ValidationError(_("The amount cannot be negative."), code="negative"))
        return data


class FacilityQuoteItemInline(admin.TabularInline):
    model = FacilityQuoteItem
    form = FacilityQuoteItemForm
    extra = 3
    fields = ["category", "state", "description", "amount"]

    def _is_draft(self, obj) -> bool:
        return obj is None or obj.status == FacilityQuote.Status.DRAFT

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._is_draft(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._is_draft(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._is_draft(obj) and super().has_delete_permission(request, obj)


@admin.register(FacilityQuote)
class FacilityQuoteAdmin(admin.ModelAdmin):
    form = FacilityQuoteForm
    list_display = ["facility", "quote_request", "currency", "total", "valid_until", "status"]
    list_filter = ["status", "currency"]
    list_select_related = ["facility", "quote_request"]
    search_fields = ["quote_request__reference", "facility__name"]
    autocomplete_fields = ["quote_request", "facility"]
    inlines = [FacilityQuoteItemInline]
    fieldsets = [
        (None, {"fields": ["quote_request", "facility", "currency", "valid_until", "status"]}),
        (_("For the patient"), {"fields": ["exclusions", "notes"]}),
        (_("Record"), {"fields": ["total", "created_by", "created_at", "sent_at"]}),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return with_totals(super().get_queryset(request))

    def get_readonly_fields(self, request: HttpRequest, obj=None) -> list[str]:
        fields = ["status", "total", "created_by", "created_at", "sent_at"]
        if obj is not None:
            fields.append("quote_request")  # A quote never moves to another request.
        return fields

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "facility":
            kwargs["queryset"] = Facility.objects.listed()
        elif db_field.name == "quote_request":
            kwargs["queryset"] = QuoteRequest.objects.open()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        # The status is the services' business; once sent, the offer is what the patient saw.
        if obj is not None and obj.status != FacilityQuote.Status.DRAFT:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        if obj is not None and obj.status != FacilityQuote.Status.DRAFT:
            return False
        return super().has_delete_permission(request, obj)

    class Media:
        js = ["admin/js/quote-total.js"]  # The running total of the lines, while typing.

    def save_model(self, request: HttpRequest, obj: FacilityQuote, form, change: bool) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
        procedure = obj.quote_request.procedure
        if procedure is not None and not obj.facility.offered_procedures.filter(procedure=procedure).exists():
            messages.warning(
                request,
                _(
                    "%(facility)s does not list %(procedure)s among its procedures: check that this quote is for "
                    "what the patient needs before sending it."
                )
                % {"facility": obj.facility.name, "procedure": procedure.name},
            )

    def _post_save_redirect(self, request: HttpRequest, obj: FacilityQuote) -> HttpResponse | None:
        # Back to the request the quote is for, where the coordinator works.
        if self.admin_site.is_registered(QuoteRequest):
            request_admin = self.admin_site.get_model_admin(QuoteRequest)
            if request_admin.has_view_or_change_permission(request, obj.quote_request):
                return HttpResponseRedirect(
                    reverse(f"{self.admin_site.name}:quotes_quoterequest_change", args=[obj.quote_request_id])
                )
        return None

    def response_post_save_add(self, request: HttpRequest, obj: FacilityQuote) -> HttpResponse:
        return self._post_save_redirect(request, obj) or super().response_post_save_add(request, obj)

    def response_post_save_change(self, request: HttpRequest, obj: FacilityQuote) -> HttpResponse:
        return self._post_save_redirect(request, obj) or super().response_post_save_change(request, obj)

    @admin.display(description=_("Total"), ordering="total_amount")
    def total(self, quote: FacilityQuote) -> str:
        if quote.pk is None:
            return "—"
        amount = getattr(quote, "total_amount", None)
        if amount is None:
            amount = quote.total
        return f"{amount:,.2f} {quote.currency}"


# The medical-file access log ---------------------------------------------------------------------


@admin.register(AttachmentAccess)
class AttachmentAccessAdmin(admin.ModelAdmin):
    """Every opening of a medical file, by staff or by a facility user through a case: for
    superusers (each request page shows its own files' openings to the staff who work it)."""

    list_display = ["accessed_at", "file_name", "request_reference", "user", "through"]
    list_select_related = ["attachment__quote_request", "user", "case__facility"]
    list_filter = [("case", admin.EmptyFieldListFilter)]
    search_fields = ["attachment__quote_request__reference", "user__username", "case__reference"]
    date_hierarchy = "accessed_at"
    list_per_page = 100

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description=_("file"), ordering="attachment__original_name")
    def file_name(self, access: AttachmentAccess) -> str:
        return access.attachment.original_name

    @admin.display(description=_("request"), ordering="attachment__quote_request__reference")
    def request_reference(self, access: AttachmentAccess) -> str:
        return access.attachment.quote_request.reference

    @admin.display(description=_("through"))
    def through(self, access: AttachmentAccess) -> str:
        if access.case_id:
            return _("%(facility)s, case %(case)s") % {"facility": access.case.facility.name, "case": access.case}
        return _("Medtour staff")


# The outbox --------------------------------------------------------------------------------------


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
