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
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from quotes.storage import private_storage

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


class QuoteRequestQuerySet(models.QuerySet):
    """The questions asked of many requests at once; each rule is written here and nowhere else."""

    def open(self) -> "QuoteRequestQuerySet":
        """Requests that can still move: not accepted and not closed."""
        return self.filter(open_q())

    def finished(self) -> "QuoteRequestQuerySet":
        """Accepted or closed: the workflow is over (and the request can be erased)."""
        return self.exclude(status__in=OPEN_STATUSES)

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
    """The open rule as a condition (for aggregates); ``QuoteRequestQuerySet.open`` applies it."""
    return models.Q(status__in=OPEN_STATUSES)


def overdue_q(now: datetime.datetime | None = None) -> models.Q:
    """The overdue rule as a condition: submitted, and the first-reply target has passed.

    ``QuoteRequest.is_overdue`` is the same rule for one request in hand (a test holds them equal).
    """
    return models.Q(status=QuoteRequest.Status.SUBMITTED, first_reply_due_at__lt=now or timezone.now())


class QuoteRequest(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        IN_REVIEW = "in_review", _("In review")
        AWAITING_PATIENT = "awaiting_patient", _("Waiting for your information")
        SENT_TO_FACILITIES = "sent_to_facilities", _("Sent to hospitals")
        QUOTED = "quoted", _("Quotes ready")
        ACCEPTED = "accepted", _("Quote accepted")
        CLOSED = "closed", _("Closed")

    class CloseReason(models.TextChoices):
        DECLINED = "declined", _("Declined by the patient")
        NO_SUITABLE_FACILITY = "no_suitable_facility", _("No suitable facility")
        DUPLICATE = "duplicate", _("Duplicate")
        SPAM = "spam", _("Spam")
        WITHDRAWN = "withdrawn", _("Withdrawn by the patient")

    class Currency(models.TextChoices):
        USD = "USD", "US dollar (USD)"
        EUR = "EUR", "Euro (EUR)"
        GBP = "GBP", "Pound sterling (GBP)"
        CAD = "CAD", "Canadian dollar (CAD)"
        AUD = "AUD", "Australian dollar (AUD)"
        AED = "AED", "UAE dirham (AED)"
        CHF = "CHF", "Swiss franc (CHF)"
        NOK = "NOK", "Norwegian krone (NOK)"

    reference = models.CharField(_("reference"), max_length=12, unique=True, editable=False)
    status = models.CharField(
        _("status"), max_length=24, choices=Status.choices, default=Status.SUBMITTED, db_index=True
    )
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

    first_reply_due_at = models.DateTimeField(_("first reply due"), db_index=True)
    first_replied_at = models.DateTimeField(_("first replied"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed or accepted"), null=True, blank=True, db_index=True)
    erased_at = models.DateTimeField(_("personal data erased"), null=True, blank=True)
    status_salt = models.CharField(max_length=32, editable=False)
    status_token_hash = models.CharField(max_length=64, unique=True, editable=False)
    # The form's one-time key: a repeated POST of the same form finds the request it made.
    submission_key = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("submitted"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = QuoteRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("quote request")
        verbose_name_plural = _("quote requests")
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
        return self.status == self.Status.SUBMITTED and self.first_reply_due_at < (now or timezone.now())


S = QuoteRequest.Status

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


def attachment_upload_to(instance: "QuoteAttachment", filename: str) -> str:
    # The stored name is random: the patient's file name never reaches the file system.
    return f"quote-files/{instance.quote_request.created_at:%Y/%m}/{secrets.token_hex(16)}"


class QuoteAttachment(models.Model):
    class Kind(models.TextChoices):
        PDF = "pdf", "PDF"
        JPEG = "jpeg", "JPEG image"
        PNG = "png", "PNG image"
        WEBP = "webp", "WebP image"
        HEIC = "heic", "HEIC image"
        DICOM = "dicom", "DICOM image"
        DICOM_ZIP = "dicom_zip", "ZIP of DICOM images"

    quote_request = models.ForeignKey(QuoteRequest, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(
        _("file"), upload_to=attachment_upload_to, storage=private_storage, max_length=200, blank=True
    )
    original_name = models.CharField(_("original name"), max_length=200)
    kind = models.CharField(_("type"), max_length=12, choices=Kind.choices)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    from_patient_reply = models.BooleanField(_("sent with a reply"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    deleted_at = models.DateTimeField(_("file deleted"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("medical file")
        verbose_name_plural = _("medical files")

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
        return f"Assignment {self.pk} on {self.quote_request_id}"


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
        return f"Erasure of {self.quote_request_id}"


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
    """Every time a member of staff opens a medical file."""

    attachment = models.ForeignKey(QuoteAttachment, on_delete=models.CASCADE, related_name="accesses")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    accessed_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-accessed_at"]
        verbose_name = _("medical file access")
        verbose_name_plural = _("medical file accesses")

    def __str__(self) -> str:
        return f"{self.user} opened file {self.attachment_id}"


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
        return f"Note {self.pk} on {self.quote_request_id}"


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
        return f"Reply {self.pk} on {self.quote_request_id}"


class FacilityQuote(models.Model):
    """An itemised offer from one facility for one request."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENT = "sent", _("Sent to the patient")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        EXPIRED = "expired", _("Expired")

    quote_request = models.ForeignKey(QuoteRequest, on_delete=models.CASCADE, related_name="facility_quotes")
    facility = models.ForeignKey("facilities.Facility", on_delete=models.PROTECT, related_name="quotes")
    currency = models.CharField(_("currency"), max_length=3, choices=QuoteRequest.Currency.choices, default="USD")
    exclusions = models.TextField(_("not included"), blank=True)
    notes = models.TextField(_("notes for the patient"), blank=True)
    valid_until = models.DateField(_("valid until"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("facility quote")
        verbose_name_plural = _("facility quotes")
        constraints = [
            models.UniqueConstraint(fields=["quote_request", "facility"], name="one_quote_per_facility_and_request")
        ]

    def __str__(self) -> str:
        return f"{self.facility} for {self.quote_request}"

    @property
    def total(self):
        return sum((item.amount for item in self.items.all()), start=0)


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

    quote = models.ForeignKey(FacilityQuote, on_delete=models.CASCADE, related_name="items")
    category = models.CharField(_("item"), max_length=20, choices=Category.choices)
    description = models.CharField(_("details"), max_length=300, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("quote line")
        verbose_name_plural = _("quote lines")
        constraints = [models.CheckConstraint(condition=models.Q(amount__gte=0), name="quote_item_amount_not_negative")]

    def __str__(self) -> str:
        return f"{self.get_category_display()}: {self.amount}"
