"""Free-quote requests: the patient's request and medical files, its status history, and the
notification outbox.

Everything here is special-category health data: it never appears in public pages, URLs or logs.
"""

import base64
import datetime
import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower, Right
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from tourism import money
from tourism.storage import private_storage

REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # No 0/O, 1/I/L: easy to read out on the phone.
REFERENCE_LENGTH = 8


def new_reference() -> str:
    return "MT-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))


def status_token(salt: str) -> str:
    """The status-page token for a request's random salt: an HMAC under the site's secret key.

    The database keeps the salt and the token's hash, never the token, yet the site can put the
    link in every e-mail it sends. (Rotating DJANGO_SECRET_KEY therefore changes every link.)
    """
    digest = salted_hmac("medtour.quotes.status", salt, algorithm="sha256").digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class RequestStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    IN_REVIEW = "in_review", _("In review")
    AWAITING_PATIENT = "awaiting_patient", _("Waiting for your information")
    SENT_TO_FACILITIES = "sent_to_facilities", _("Sent to hospitals")
    QUOTED = "quoted", _("Quotes ready")
    ACCEPTED = "accepted", _("Quote accepted")
    CLOSED = "closed", _("Closed")


S = RequestStatus

# The workflow: every allowed move, and nothing else. ``quotes.services.quote_request_transition``
# is the only code that changes a request's status.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.SUBMITTED: frozenset({S.IN_REVIEW, S.CLOSED}),
    S.IN_REVIEW: frozenset({S.AWAITING_PATIENT, S.SENT_TO_FACILITIES, S.CLOSED}),
    S.AWAITING_PATIENT: frozenset({S.IN_REVIEW, S.CLOSED}),
    S.SENT_TO_FACILITIES: frozenset({S.QUOTED, S.CLOSED}),
    S.QUOTED: frozenset({S.ACCEPTED, S.CLOSED}),
    S.ACCEPTED: frozenset(),
    S.CLOSED: frozenset(),
}
OPEN_STATUSES = frozenset(status for status, moves in TRANSITIONS.items() if moves)


class QuoteRequestQuerySet(models.QuerySet):
    """The questions asked of many requests at once; each rule is written here and nowhere else."""

    def open(self) -> "QuoteRequestQuerySet":
        """Requests that can still move: not accepted and not closed."""
        return self.filter(open_q())

    def finished(self) -> "QuoteRequestQuerySet":
        """Accepted or closed: the workflow is over (and the request can be erased)."""
        return self.filter(stage=STAGE_FINISHED)

    def overdue(self, now: datetime.datetime | None = None) -> "QuoteRequestQuerySet":
        """Still waiting for their first reply after its target time."""
        return self.filter(overdue_q(now))

    def not_overdue(self, now: datetime.datetime | None = None) -> "QuoteRequestQuerySet":
        return self.exclude(overdue_q(now))

    def unassigned(self) -> "QuoteRequestQuerySet":
        return self.filter(assignee__isnull=True)

    def assigned_to(self, user) -> "QuoteRequestQuerySet":
        return self.filter(assignee=user)

    def due_for_purge(self, *, months: int, now: datetime.datetime | None = None) -> "QuoteRequestQuerySet":
        """Finished more than ``months`` months ago and not yet erased."""
        cutoff = (now or timezone.now()) - datetime.timedelta(days=round(months * 30.44))
        return self.finished().filter(closed_at__lt=cutoff, erased_at__isnull=True)


def open_q() -> models.Q:
    """The open rule as a condition (for aggregates); ``QuoteRequestQuerySet.open`` applies it.

    Read from ``stage``, which the database derives from the status (``stage_expression``): the
    same rule, and the request list's index serves it in the list's order.
    """
    return models.Q(stage__lt=STAGE_FINISHED)


def overdue_q(now: datetime.datetime | None = None) -> models.Q:
    """The overdue rule as a condition: open, the patient has heard nothing from us yet (no message,
    no move they can see: ``first_replied_at``), and the first-reply target has passed.

    The first two are ``stage`` 0 (``stage_expression``), so this is one range of the list's
    index. ``QuoteRequest.is_overdue`` is the same rule for one request in hand (a test holds
    them equal).
    """
    return models.Q(stage=STAGE_AWAITING_REPLY, first_reply_due_at__lt=now or timezone.now())


# QuoteRequest.stage, the request list's first sort key: with first_reply_due_at after it, the most
# urgent first (overdue requests, then those waiting for a first reply by due time, then the other
# open ones, then finished ones). It depends on nothing but the row, unlike "overdue" (which moves
# with the clock), so the database keeps it in a column and an index serves the list in order.
STAGE_AWAITING_REPLY, STAGE_OPEN, STAGE_FINISHED = 0, 1, 2


def stage_expression() -> models.Case:
    """The stage as the database computes it on every write (``.update()`` included)."""
    is_open = models.Q(status__in=sorted(OPEN_STATUSES))
    return models.Case(
        models.When(is_open & models.Q(first_replied_at__isnull=True), then=models.Value(STAGE_AWAITING_REPLY)),
        models.When(is_open, then=models.Value(STAGE_OPEN)),
        default=models.Value(STAGE_FINISHED),
    )


# A search by phone finds the request through the number's last digits (QuoteRequest.phone_tail):
# however the number was typed, nationally or with its country code, it ends the same way.
PHONE_TAIL_DIGITS = 6


class QuoteRequest(models.Model):
    Status = RequestStatus

    class CloseReason(models.TextChoices):
        DECLINED = "declined", _("Declined by the patient")
        NO_SUITABLE_FACILITY = "no_suitable_facility", _("No suitable facility")
        DUPLICATE = "duplicate", _("Duplicate")
        SPAM = "spam", _("Spam")
        WITHDRAWN = "withdrawn", _("Withdrawn by the patient")

    class AgeBand(models.TextChoices):
        UNDER_18 = "under_18", _("Under 18")
        FROM_18 = "18_29", _("18 to 29")
        FROM_30 = "30_39", _("30 to 39")
        FROM_40 = "40_49", _("40 to 49")
        FROM_50 = "50_59", _("50 to 59")
        FROM_60 = "60_69", _("60 to 69")
        FROM_70 = "70_plus", _("70 or over")

    # Budgets and hospitals' quotes may be in any currency we know (tourism.money).
    Currency = money.Currency

    reference = models.CharField(_("reference"), max_length=12, unique=True, editable=False)
    # Indexed by quote_list_status_idx (status first).
    status = models.CharField(_("status"), max_length=24, choices=Status.choices, default=Status.SUBMITTED)
    closed_reason = models.CharField(_("closed because"), max_length=24, choices=CloseReason.choices, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_quote_requests",
        verbose_name=_("assignee"),
    )

    # The patient.
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail"))
    phone = models.CharField(_("phone"), max_length=32)
    country_of_residence = CountryField(_("country of residence"))
    age_band = models.CharField(_("age"), max_length=10, choices=AgeBand.choices, blank=True)
    preferred_language = models.ForeignKey(
        "facilities.Language",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("preferred language for replies"),
    )

    # What they ask for.
    procedure = models.ForeignKey(
        "facilities.Procedure",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="quote_requests",
        help_text=_("Empty when the patient is not sure yet."),
    )
    preferred_facilities = models.ManyToManyField(
        "facilities.Facility", blank=True, related_name="quote_requests", verbose_name=_("preferred facilities")
    )
    preferred_countries = CountryField(_("preferred destinations"), multiple=True, blank=True)
    suggest_facilities = models.BooleanField(_("suggest facilities for me"), default=False)
    travel_from = models.DateField(_("earliest travel date"), null=True, blank=True)
    travel_to = models.DateField(_("latest travel date"), null=True, blank=True)
    budget_amount = models.DecimalField(_("budget"), max_digits=12, decimal_places=2, null=True, blank=True)
    budget_currency = models.CharField(_("budget currency"), max_length=3, choices=Currency.choices, blank=True)

    # Medical summary.
    condition = models.TextField(_("condition"))
    diagnosis = models.TextField(_("diagnosis so far"), blank=True)
    previous_treatment = models.TextField(_("previous treatment"), blank=True)
    medication = models.TextField(_("current medication"), blank=True)
    allergies = models.TextField(_("allergies"), blank=True)

    # Consents, each with its own time; the wording version applies to all three.
    consent_version = models.CharField(_("consent wording version"), max_length=20)
    consent_health_data_at = models.DateTimeField(_("consented to health-data processing at"))
    consent_sharing_at = models.DateTimeField(_("consented to sharing with facilities at"))
    consent_marketing_at = models.DateTimeField(_("consented to news at"), null=True, blank=True)
    # The language of the page the patient read the consents on (empty for requests made before
    # it was recorded): with consent_version, exactly which wording they agreed to.
    consent_language = models.CharField(
        _("consents read in"), max_length=12, choices=settings.LANGUAGES, blank=True, editable=False
    )

    first_reply_due_at = models.DateTimeField(_("first reply due"), db_index=True)
    first_replied_at = models.DateTimeField(_("first replied"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed or accepted"), null=True, blank=True, db_index=True)
    erased_at = models.DateTimeField(_("personal data erased"), null=True, blank=True)
    # The patient asked, from the status page, for their data to be erased (answer due in 30 days).
    erasure_requested_at = models.DateTimeField(_("erasure asked for"), null=True, blank=True, db_index=True)
    # The patient's time zone (an IANA name such as "Europe/Madrid"), from their browser when they
    # submitted; dates and deadlines are shown to them in it. Empty: shown in UTC, with the zone named.
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True)
    # The language of the site our e-mails and pages speak to the patient in: the one they asked
    # replies in, if the site has it, else the one they browsed in when they submitted.
    language = models.CharField(
        _("language of our e-mails"), max_length=12, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    status_salt = models.CharField(max_length=32, editable=False)
    status_token_hash = models.CharField(max_length=64, unique=True, editable=False)
    # The form's one-time key: a repeated POST of the same form finds the request it made.
    submission_key = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("submitted"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Kept by the database (stored generated columns) for the request list's indexes: its order,
    # and its search by phone.
    stage = models.GeneratedField(
        expression=stage_expression(), output_field=models.PositiveSmallIntegerField(), db_persist=True
    )
    phone_tail = models.GeneratedField(
        expression=Right("phone", PHONE_TAIL_DIGITS),
        output_field=models.CharField(max_length=PHONE_TAIL_DIGITS),
        db_persist=True,
        db_index=True,
    )

    objects = QuoteRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("quote request")
        verbose_name_plural = _("quote requests")
        # The request list (quotes.admin): its order, alone and under the filters that narrow it
        # most often, so that each page is read in order from an index; and its search.
        indexes = [
            models.Index(fields=["stage", "first_reply_due_at", "-created_at", "-id"], name="quote_list_order_idx"),
            models.Index(
                fields=["assignee", "stage", "first_reply_due_at", "-created_at", "-id"], name="quote_list_assignee_idx"
            ),
            models.Index(
                fields=["procedure", "stage", "first_reply_due_at", "-created_at", "-id"],
                name="quote_list_procedure_idx",
            ),
            models.Index(
                fields=["country_of_residence", "stage", "first_reply_due_at", "-created_at", "-id"],
                name="quote_list_country_idx",
            ),
            models.Index(
                fields=["status", "stage", "first_reply_due_at", "-created_at", "-id"], name="quote_list_status_idx"
            ),
            # The dashboard: requests finished lately, by status; the latest first replies.
            models.Index(fields=["status", "closed_at"], name="quote_finished_idx"),
            models.Index(fields=["first_replied_at"], name="quote_first_reply_idx"),
            models.Index(fields=["name"], name="quote_name_idx"),
            models.Index(Lower("name"), name="quote_name_lower_idx"),
            models.Index(Lower("email"), name="quote_email_lower_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(travel_to__gte=models.F("travel_from"))
                | models.Q(travel_to__isnull=True)
                | models.Q(travel_from__isnull=True),
                name="quote_travel_window_order",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def status_token(self) -> str:
        return status_token(self.status_salt)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue(self, now: datetime.datetime | None = None) -> bool:
        """``QuoteRequestQuerySet.overdue``'s rule for this request."""
        return (
            self.status in OPEN_STATUSES
            and self.first_replied_at is None
            and self.first_reply_due_at < (now or timezone.now())
        )

    @property
    def sharing_label(self) -> str:
        """Whom the patient agreed to share the request with, as the status page says it back."""
        if self.suggest_facilities:
            return str(_("the hospitals you chose, and accredited hospitals Medtour suggests"))
        return str(_("only the hospitals you chose"))


def attachment_upload_to(instance: "QuoteAttachment", filename: str) -> str:
    # The stored name is random: the patient's file name never reaches the file system.
    return f"quote-files/{instance.quote_request.created_at:%Y/%m}/{secrets.token_hex(16)}"


class QuoteAttachment(models.Model):
    class Kind(models.TextChoices):
        PDF = "pdf", "PDF"
        JPEG = "jpeg", _("JPEG image")
        PNG = "png", _("PNG image")
        WEBP = "webp", _("WebP image")
        HEIC = "heic", _("HEIC image")
        DICOM = "dicom", _("DICOM image")
        DICOM_ZIP = "dicom_zip", _("ZIP of DICOM images")
        DOCX = "docx", _("Word document")

    quote_request = models.ForeignKey(QuoteRequest, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(
        _("file"), upload_to=attachment_upload_to, storage=private_storage, max_length=200, blank=True
    )
    original_name = models.CharField(_("original name"), max_length=200)
    kind = models.CharField(_("type"), max_length=12, choices=Kind.choices)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    from_patient_reply = models.BooleanField(_("sent with a reply"), default=False)
    # The message of the conversation it came with, if any (an answer, or a later message).
    patient_message = models.ForeignKey(
        "PatientMessage", null=True, blank=True, on_delete=models.SET_NULL, related_name="attachments"
    )
    message = models.ForeignKey("Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="attachments")
    created_at = models.DateTimeField(auto_now_add=True)
    deleted_at = models.DateTimeField(_("file deleted"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("medical file")
        verbose_name_plural = _("medical files")

    def __str__(self) -> str:
        return self.original_name


# How long a file kept from a quote form that was not sent yet waits for the patient to send it.
PENDING_UPLOAD_LIFETIME = datetime.timedelta(hours=1)


def pending_upload_to(instance: "PendingUpload", filename: str) -> str:
    # Random like a medical file's name: neither the patient's file name nor the form key shows.
    return f"pending-files/{secrets.token_hex(16)}"


class PendingUploadQuerySet(models.QuerySet):
    def for_form_key(self, form_key: str) -> "PendingUploadQuerySet":
        """The files kept for one quote form, found by the form's secret one-time key."""
        return self.filter(form_key_hash=hash_token(form_key))

    def expired(self, now: datetime.datetime | None = None) -> "PendingUploadQuerySet":
        return self.filter(created_at__lt=(now or timezone.now()) - PENDING_UPLOAD_LIFETIME)

    def current(self, now: datetime.datetime | None = None) -> "PendingUploadQuerySet":
        return self.filter(created_at__gte=(now or timezone.now()) - PENDING_UPLOAD_LIFETIME)


class PendingUpload(models.Model):
    """A medical file that passed the checks on a quote form shown again (errors, or "that was quick").

    Kept so the patient need not choose it again: tied to that form's one-time key (only its hash
    is stored), it becomes the request's attachment when the form is sent, and is deleted after
    ``PENDING_UPLOAD_LIFETIME`` otherwise.
    """

    form_key_hash = models.CharField(_("form key (hash)"), max_length=64, db_index=True)
    file = models.FileField(_("file"), upload_to=pending_upload_to, storage=private_storage, max_length=200)
    original_name = models.CharField(_("original name"), max_length=200)
    kind = models.CharField(_("type"), max_length=12, choices=QuoteAttachment.Kind.choices)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    created_at = models.DateTimeField(_("kept at"), auto_now_add=True, db_index=True)

    objects = PendingUploadQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("file kept from an unsent form")
        verbose_name_plural = _("files kept from unsent forms")

    def __str__(self) -> str:
        return self.original_name


class StatusChange(models.Model):
    """One move in a request's workflow; the first row records the submission itself."""

    quote_request = models.ForeignKey(QuoteRequest, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=24, choices=QuoteRequest.Status.choices, blank=True)
    to_status = models.CharField(max_length=24, choices=QuoteRequest.Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")

    def __str__(self) -> str:
        return f"{self.from_status or '—'} → {self.to_status}"


class AssignmentChange(models.Model):
    """A request given to a coordinator, or taken back from one: who had it, who has it, who did it."""

    quote_request = models.ForeignKey(QuoteRequest, on_delete=models.CASCADE, related_name="assignment_changes")
    from_assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    to_assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("assignment change")
        verbose_name_plural = _("assignment changes")

    def __str__(self) -> str:
        return gettext("Assignment %(pk)s on %(request)s") % {"pk": self.pk, "request": self.quote_request_id}


class Erasure(models.Model):
    """The erasure of a request's personal data and files: when, by whom (none: the retention job), why."""

    class Reason(models.TextChoices):
        PATIENT_REQUEST = "patient_request", _("At the patient's request")
        RETENTION = "retention", _("Retention period over")

    quote_request = models.OneToOneField(QuoteRequest, on_delete=models.CASCADE, related_name="erasure")
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    detail = models.CharField(_("detail"), max_length=200, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    files_deleted = models.PositiveIntegerField(_("files deleted"), default=0)
    created_at = models.DateTimeField(_("erased at"), auto_now_add=True)

    class Meta:
        verbose_name = _("erasure")
        verbose_name_plural = _("erasures")

    def __str__(self) -> str:
        return gettext("Erasure of %(request)s") % {"request": self.quote_request_id}


class Notification(models.Model):
    """The e-mail outbox. Rows are written in the same transaction as the change that causes
    them, sent after commit, and retried by ``manage.py send_notifications``."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    quote_request = models.ForeignKey(
        QuoteRequest, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    case = models.ForeignKey(
        "FacilityCase", null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    invitation = models.ForeignKey(
        "facilities.FacilityInvitation", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    recipient = models.EmailField()
    template = models.CharField(max_length=60)
    context = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    next_attempt_at = models.DateTimeField(db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return f"{self.template} #{self.pk}"


class AttachmentAccess(models.Model):
    """Every time a member of staff, or a facility user through a case, opens a medical file."""

    attachment = models.ForeignKey(QuoteAttachment, on_delete=models.CASCADE, related_name="accesses")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(
        "FacilityCase",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="file_accesses",
        help_text=_("Set when a facility user opened the file through a shared case."),
    )
    accessed_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-accessed_at"]
        verbose_name = _("medical file access")
        verbose_name_plural = _("medical file accesses")

    def __str__(self) -> str:
        return gettext("%(user)s opened file %(file)s") % {"user": self.user, "file": self.attachment_id}


class StaffNote(models.Model):
    """An internal note on a request; never shown to the patient."""

    quote_request = models.ForeignKey(QuoteRequest, on_delete=models.CASCADE, related_name="staff_notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField(_("note"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("internal note")
        verbose_name_plural = _("internal notes")

    def __str__(self) -> str:
        return gettext("Note %(pk)s on %(request)s") % {"pk": self.pk, "request": self.quote_request_id}


class PatientMessage(models.Model):
    """What a patient wrote back when asked for more information."""

    quote_request = models.ForeignKey(QuoteRequest, on_delete=models.CASCADE, related_name="patient_messages")
    text = models.TextField(_("message"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("patient reply")
        verbose_name_plural = _("patient replies")

    def __str__(self) -> str:
        return gettext("Reply %(pk)s on %(request)s") % {"pk": self.pk, "request": self.quote_request_id}


# Hospitals in the loop ----------------------------------------------------------------------------


def new_case_reference() -> str:
    # Another alphabet draw than the request's: two hospitals' cases of one patient share nothing.
    return "HC-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))


class SharingConsent(models.Model):
    """The patient's answer to sharing their request with one facility outside their choice."""

    quote_request = models.ForeignKey(QuoteRequest, on_delete=models.CASCADE, related_name="sharing_consents")
    facility = models.ForeignKey("facilities.Facility", on_delete=models.CASCADE, related_name="+")
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    asked_at = models.DateTimeField(_("asked"), auto_now_add=True)
    approved = models.BooleanField(_("agreed"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        ordering = ["asked_at", "pk"]
        verbose_name = _("sharing question")
        verbose_name_plural = _("sharing questions")
        constraints = [
            models.UniqueConstraint(fields=["quote_request", "facility"], name="one_sharing_question_per_facility")
        ]

    def __str__(self) -> str:
        return gettext("Share %(request)s with %(facility)s?") % {
            "request": self.quote_request_id,
            "facility": self.facility_id,
        }


class FacilityCaseQuerySet(models.QuerySet):
    def open(self) -> "FacilityCaseQuerySet":
        return self.filter(status__in=CASE_OPEN_STATUSES)

    def overdue(self, now: datetime.datetime | None = None) -> "FacilityCaseQuerySet":
        """Cases the facility has not answered (no question, quote or decline) by their due time."""
        return self.filter(case_overdue_q(now))

    def for_facility(self, facility_id: int) -> "FacilityCaseQuerySet":
        return self.filter(facility_id=facility_id)


def case_overdue_q(now: datetime.datetime | None = None) -> models.Q:
    # Waiting for the facility and past due: answer_due_at is the due time only while it waits.
    return models.Q(answer_due_at__lt=now or timezone.now())


class FacilityCase(models.Model):
    """One share of a quote request with one facility: what that facility may see, and its answer.

    It has its own reference, so two hospitals holding cases of one patient cannot link them, and
    shares only what the coordinator chose (``shared_fields``, ``shared_attachments``): never the
    patient's name or contact details until the patient accepts this facility's quote
    (``contact_shared_at``). Its status changes only through ``quotes.services.cases``.
    """

    class Status(models.TextChoices):
        SENT = "sent", _("New")
        OPENED = "opened", _("Opened")
        QUESTION = "question", _("Question asked")
        QUOTED = "quoted", _("Quote submitted")
        DECLINED = "declined", _("Declined by the facility")
        ACCEPTED = "accepted", _("Chosen by the patient")
        WITHDRAWN = "withdrawn", _("Withdrawn by Medtour")
        CLOSED = "closed", _("Closed")

    # The facility owes an answer (a question, a quote or a decline): the due time runs.
    WAITING_FOR_FACILITY = frozenset({Status.SENT, Status.OPENED})

    # What a case can show, beyond the procedure and the travel window, which every case shows.
    class SharedField(models.TextChoices):
        AGE_BAND = "age_band", _("Age band")
        COUNTRY = "country_of_residence", _("Country of residence")
        CONDITION = "condition", _("Condition and symptoms")
        DIAGNOSIS = "diagnosis", _("Diagnosis so far")
        PREVIOUS_TREATMENT = "previous_treatment", _("Previous treatment")
        MEDICATION = "medication", _("Current medication")
        ALLERGIES = "allergies", _("Allergies")
        BUDGET = "budget", _("Budget")

    reference = models.CharField(_("case reference"), max_length=12, unique=True, editable=False)
    quote_request = models.ForeignKey(QuoteRequest, on_delete=models.CASCADE, related_name="cases")
    facility = models.ForeignKey("facilities.Facility", on_delete=models.PROTECT, related_name="cases")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.SENT)
    shared_fields = models.JSONField(_("shared details"), default=list, blank=True)
    shared_attachments = models.ManyToManyField(
        QuoteAttachment, blank=True, related_name="cases", verbose_name=_("shared files")
    )
    summary = models.TextField(
        _("note to the facility"), blank=True, help_text=_("What the coordinator wants the facility to know or answer.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("sent by")
    )
    created_at = models.DateTimeField(_("sent"), auto_now_add=True, db_index=True)
    due_at = models.DateTimeField(_("answer due"))
    remind_at = models.DateTimeField(_("reminder due"))
    reminded_at = models.DateTimeField(_("reminded"), null=True, blank=True)
    opened_at = models.DateTimeField(_("first opened"), null=True, blank=True)
    first_answered_at = models.DateTimeField(_("first answered"), null=True, blank=True)
    quoted_at = models.DateTimeField(_("first quoted"), null=True, blank=True)
    declined_at = models.DateTimeField(_("declined"), null=True, blank=True)
    decline_reason = models.TextField(_("why the facility declined"), blank=True)
    closed_at = models.DateTimeField(_("ended"), null=True, blank=True)
    contact_shared_at = models.DateTimeField(_("patient's contact shared"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The due time while the facility owes an answer, else empty: kept by the database, so that
    # the overdue cases are one range of its index, the longest overdue first.
    answer_due_at = models.GeneratedField(
        expression=models.Case(
            models.When(models.Q(status__in=sorted(WAITING_FOR_FACILITY)), then=models.F("due_at")), default=None
        ),
        output_field=models.DateTimeField(null=True),
        db_persist=True,
        db_index=True,
    )

    objects = FacilityCaseQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("facility case")
        verbose_name_plural = _("facility cases")
        constraints = [
            models.UniqueConstraint(
                fields=["quote_request", "facility"],
                condition=~models.Q(status__in=["declined", "withdrawn", "closed"]),
                name="one_live_case_per_facility_and_request",
            )
        ]
        indexes = [
            # The portal's inbox: one facility's cases by status, newest first.
            models.Index(fields=["facility", "status", "created_at"], name="case_inbox_idx"),
            models.Index(fields=["status", "due_at"], name="case_due_idx"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status in CASE_OPEN_STATUSES

    def is_overdue(self, now: datetime.datetime | None = None) -> bool:
        return self.status in CASE_WAITING_FOR_FACILITY and self.due_at < (now or timezone.now())

    def shares(self, field: str) -> bool:
        return field in self.shared_fields


C = FacilityCase.Status

# A case's moves: every allowed one, and nothing else (``quotes.services.cases.case_transition``).
CASE_TRANSITIONS: dict[str, frozenset[str]] = {
    C.SENT: frozenset({C.OPENED, C.QUESTION, C.QUOTED, C.DECLINED, C.WITHDRAWN, C.CLOSED}),
    C.OPENED: frozenset({C.QUESTION, C.QUOTED, C.DECLINED, C.WITHDRAWN, C.CLOSED}),
    C.QUESTION: frozenset({C.OPENED, C.QUOTED, C.DECLINED, C.WITHDRAWN, C.CLOSED}),
    # Back to "opened" when the coordinator returns the quote for a correction.
    C.QUOTED: frozenset({C.OPENED, C.ACCEPTED, C.WITHDRAWN, C.CLOSED}),
    C.DECLINED: frozenset(),
    C.ACCEPTED: frozenset(),
    C.WITHDRAWN: frozenset(),
    C.CLOSED: frozenset(),
}
CASE_OPEN_STATUSES = frozenset(status for status, moves in CASE_TRANSITIONS.items() if moves)
CASE_WAITING_FOR_FACILITY = FacilityCase.WAITING_FOR_FACILITY


class FacilityCaseChange(models.Model):
    """One move of a case: who (a coordinator, a facility user, or nobody for the system), when, from, to."""

    case = models.ForeignKey(FacilityCase, on_delete=models.CASCADE, related_name="changes")
    from_status = models.CharField(max_length=12, choices=FacilityCase.Status.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=FacilityCase.Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("case change")
        verbose_name_plural = _("case changes")

    def __str__(self) -> str:
        return f"{self.from_status or '—'} → {self.to_status}"


class Message(models.Model):
    """One message in a conversation on a request: with the patient, or with one facility's case.

    Notifications only say that a message is waiting, never what it says.
    """

    class Channel(models.TextChoices):
        PATIENT = "patient", _("With the patient")
        CASE = "case", _("With a facility")

    class Author(models.TextChoices):
        PATIENT = "patient", _("Patient")
        STAFF = "staff", _("Medtour")
        FACILITY = "facility", _("Facility")

    quote_request = models.ForeignKey(QuoteRequest, on_delete=models.CASCADE, related_name="messages")
    channel = models.CharField(_("conversation"), max_length=10, choices=Channel.choices)
    case = models.ForeignKey(FacilityCase, null=True, blank=True, on_delete=models.CASCADE, related_name="messages")
    author_kind = models.CharField(_("from"), max_length=10, choices=Author.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(_("message"))
    created_at = models.DateTimeField(_("sent"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(channel="case", case__isnull=False) | models.Q(channel="patient", case__isnull=True),
                name="message_case_matches_channel",
            )
        ]

    def __str__(self) -> str:
        return gettext("Message %(pk)s on %(request)s") % {"pk": self.pk, "request": self.quote_request_id}


def quote_pdf_upload_to(instance: "FacilityQuote", filename: str) -> str:
    return f"facility-quotes/{secrets.token_hex(16)}"


class FacilityQuote(models.Model):
    """An itemised offer from one facility for one request: written by the facility on its case
    (or, for a facility outside the portal, by a coordinator), released to the patient by a
    coordinator."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted by the facility")
        RETURNED = "returned", _("Returned to the facility")
        SENT = "sent", _("Sent to the patient")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        EXPIRED = "expired", _("Expired")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    quote_request = models.ForeignKey(QuoteRequest, on_delete=models.CASCADE, related_name="facility_quotes")
    facility = models.ForeignKey("facilities.Facility", on_delete=models.PROTECT, related_name="quotes")
    case = models.OneToOneField(FacilityCase, null=True, blank=True, on_delete=models.CASCADE, related_name="quote")
    currency = models.CharField(_("currency"), max_length=3, choices=QuoteRequest.Currency.choices, default="USD")
    exclusions = models.TextField(_("not included"), blank=True)
    notes = models.TextField(_("notes for the patient"), blank=True)
    valid_until = models.DateField(_("valid until"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    # Bumped by every correction: a correction states the revision it saw, so two at once cannot both win.
    revision = models.PositiveIntegerField(_("revision"), default=1)
    pdf = models.FileField(
        _("the facility's own quote (PDF)"), upload_to=quote_pdf_upload_to, storage=private_storage, blank=True
    )
    pdf_name = models.CharField(_("PDF file name"), max_length=200, blank=True)
    review_comment = models.TextField(_("coordinator's comment to the facility"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("facility quote")
        verbose_name_plural = _("facility quotes")
        constraints = [
            models.UniqueConstraint(fields=["quote_request", "facility"], name="one_quote_per_facility_and_request")
        ]

    def __str__(self) -> str:
        return gettext("%(facility)s for %(request)s") % {"facility": self.facility, "request": self.quote_request}

    @property
    def total(self):
        return sum((item.amount for item in self.items.all() if item.amount is not None), start=0)


class FacilityQuoteItem(models.Model):
    class Category(models.TextChoices):
        SURGEON = "surgeon", _("Surgeon's fee")
        ANAESTHESIA = "anaesthesia", _("Anaesthesia")
        IMPLANTS = "implants", _("Implants")
        HOSPITAL_NIGHTS = "hospital_nights", _("Hospital nights")
        TESTS = "tests", _("Tests and scans")
        MEDICATION = "medication", _("Medication")
        PHYSIOTHERAPY = "physiotherapy", _("Physiotherapy")
        FOLLOW_UP = "follow_up", _("Follow-up visits")
        HOTEL = "hotel", _("Hotel")
        TRANSFERS = "transfers", _("Transfers")
        OTHER = "other", _("Other")

    class State(models.TextChoices):
        INCLUDED = "included", _("Included")
        INCLUDED_FREE = "included_free", _("Included at no extra charge")
        NOT_INCLUDED = "not_included", _("Not included")
        NOT_APPLICABLE = "not_applicable", _("Not applicable")

    quote = models.ForeignKey(FacilityQuote, on_delete=models.CASCADE, related_name="items")
    category = models.CharField(_("item"), max_length=20, choices=Category.choices)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.INCLUDED)
    description = models.CharField(_("details"), max_length=300, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("quote line")
        verbose_name_plural = _("quote lines")
        constraints = [
            # An amount exactly when the line is included with an amount, and never below zero.
            models.CheckConstraint(
                condition=models.Q(state="included", amount__isnull=False, amount__gte=0)
                | (~models.Q(state="included") & models.Q(amount__isnull=True)),
                name="quote_item_amount_matches_state",
            )
        ]

    def __str__(self) -> str:
        if self.state == self.State.INCLUDED:
            return f"{self.get_category_display()}: {self.amount}"
        return f"{self.get_category_display()}: {self.get_state_display()}"
