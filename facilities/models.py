"""The facility directory: accreditation bodies and dated accreditation records, facilities and
their photos, procedures, and what each facility offers at what indicative price.

The one rule everything public depends on lives here: a facility is *listed* only while it is
published and holds a current accreditation (``Facility.objects.listed()``).
"""

import datetime
import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Case, DateField, Exists, F, OuterRef, Q, When
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from tourism import dates, money
from tourism.storage import private_storage


def today() -> datetime.date:
    # Read through the module at each call: moving ``tourism.dates.today`` moves the listing too.
    return dates.today()


class AccreditationBody(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    abbreviation = models.CharField(_("abbreviation"), max_length=30)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    website = models.URLField(_("website"), blank=True)
    assesses = models.TextField(_("what it assesses"), blank=True)
    country = CountryField(_("country"), blank=True, help_text=_("For national bodies; empty for international ones."))

    class Meta:
        ordering = ["abbreviation"]
        verbose_name = _("accreditation body")
        verbose_name_plural = _("accreditation bodies")

    def __str__(self) -> str:
        return f"{self.abbreviation} – {self.name}" if self.abbreviation != self.name else self.name


class AccreditationQuerySet(models.QuerySet):
    def current(self, on: datetime.date | None = None) -> "AccreditationQuerySet":
        on = on or today()
        return self.filter(status=Accreditation.Status.ACTIVE, awarded_on__lte=on, expires_on__gte=on)

    def expiring_within(self, days: int, on: datetime.date | None = None) -> "AccreditationQuerySet":
        on = on or today()
        return self.current(on).filter(expires_on__lte=on + datetime.timedelta(days=days))


class Accreditation(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        REVOKED = "revoked", _("Revoked")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    facility = models.ForeignKey("Facility", on_delete=models.CASCADE, related_name="accreditations")
    body = models.ForeignKey(AccreditationBody, on_delete=models.PROTECT, related_name="accreditations")
    programme = models.CharField(_("programme"), max_length=200, help_text=_("e.g. Hospital Accreditation"))
    level = models.CharField(_("level"), max_length=100, blank=True, help_text=_("e.g. Gold, Diamond"))
    awarded_on = models.DateField(_("awarded on"))
    expires_on = models.DateField(_("expires on"))
    last_survey_on = models.DateField(_("last survey on"), null=True, blank=True)
    verification_url = models.URLField(_("verification link"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AccreditationQuerySet.as_manager()

    class Meta:
        ordering = ["-expires_on"]
        verbose_name = _("accreditation")
        verbose_name_plural = _("accreditations")
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__gte=F("awarded_on")),
                name="accreditation_expires_after_award",
                violation_error_message=_("An accreditation cannot expire before it is awarded."),
            ),
        ]
        indexes = [models.Index(fields=["facility", "status", "expires_on"], name="accreditation_current_idx")]

    def __str__(self) -> str:
        return f"{self.body.abbreviation} {self.programme} ({self.facility_id})"

    def is_current(self, on: datetime.date | None = None) -> bool:
        on = on or today()
        return self.status == self.Status.ACTIVE and self.awarded_on <= on <= self.expires_on


class Language(models.Model):
    code = models.CharField(_("code"), max_length=12, unique=True, help_text=_("ISO 639-1 code, e.g. 'en'."))
    name = models.CharField(_("name"), max_length=60, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("language")
        verbose_name_plural = _("languages")

    def __str__(self) -> str:
        return self.name


def accredited_q(prefix: str = "", on: datetime.date | None = None) -> Q:
    """The accreditation half of the listing test, on a facility reached through ``prefix``, for today.

    Reads the stored listing window; see ``FacilityQuerySet.accredited`` and ``facilities.listing``.
    """
    on = on or today()
    return Q(**{f"{prefix}listed_from__lte": on, f"{prefix}listed_until__gte": on})


def listed_q(prefix: str = "", on: datetime.date | None = None) -> Q:
    """The listing test on a facility reached through ``prefix`` (e.g. ``"facility__"``), for today.

    Reads the stored listing window; see ``FacilityQuerySet.listed`` and ``facilities.listing``.
    """
    return Q(**{f"{prefix}is_published": True}) & accredited_q(prefix, on)


class FacilityQuerySet(models.QuerySet):
    def listed(self, on: datetime.date | None = None) -> "FacilityQuerySet":
        """Published facilities holding a current accreditation: the only ones shown in public.

        This is the one definition of *listed*: everything else that needs it (the admin's
        columns and filters, ``with_listing``, ``facilities.selectors.listed_facility_ids``,
        ``listed_q`` for joins) is built on it or on ``accredited``.
        """
        return self.accredited(on).filter(is_published=True)

    def accredited(self, on: datetime.date | None = None) -> "FacilityQuerySet":
        """Facilities, published or not, holding a current accreditation on a day (today by default).

        For today this reads the stored listing window (``listed_from``..``listed_until``, kept by
        ``facility_listing_refresh``), an indexed range test instead of a look-up of the
        accreditations for every facility. For any other day it asks the accreditations directly.
        """
        if on is None or on == today():
            return self.filter(accredited_q())
        return self.accredited_on(on)

    def with_listing(self) -> "FacilityQuerySet":
        """Each facility with ``is_listed`` and ``accredited_until``, by ``listed`` and ``accredited``, today.

        ``accredited_until`` is the last day of the accreditation cover the listing runs on, or
        None when the facility holds no current accreditation. Both are subqueries on the primary
        key, so a page of facilities stays one query however many rows it has.
        """
        manager = self.model._default_manager
        accredited = Exists(manager.accredited().filter(pk=OuterRef("pk")))
        return self.annotate(
            is_listed=Exists(manager.listed().filter(pk=OuterRef("pk"))),
            accredited_until=Case(When(accredited, then=F("listed_until")), default=None, output_field=DateField()),
        )

    def accredited_on(self, on: datetime.date) -> "FacilityQuerySet":
        """Facilities with an accreditation current on a day, from the accreditation records."""
        return self.filter(Exists(Accreditation.objects.current(on).filter(facility=OuterRef("pk"))))


class Facility(models.Model):
    class Kind(models.TextChoices):
        HOSPITAL = "hospital", _("Hospital")
        SPECIALIST_HOSPITAL = "specialist_hospital", _("Specialist hospital")
        CLINIC = "clinic", _("Clinic")
        REHABILITATION = "rehabilitation", _("Rehabilitation centre")

    class Service(models.TextChoices):
        INTERPRETER = "interpreter", _("Medical interpreter")
        AIRPORT_TRANSFER = "airport_transfer", _("Airport transfer")
        ACCOMMODATION = "accommodation", _("Help with accommodation")
        VISA_LETTER = "visa_letter", _("Visa invitation letter")

    # Each service is a boolean column so it can be filtered and indexed on every database.
    SERVICE_FIELDS = {
        Service.INTERPRETER: "has_interpreter",
        Service.AIRPORT_TRANSFER: "has_airport_transfer",
        Service.ACCOMMODATION: "has_accommodation_help",
        Service.VISA_LETTER: "has_visa_letters",
    }

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=220, unique=True)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices, default=Kind.HOSPITAL)
    country = CountryField(_("country"), db_index=True)
    city = models.CharField(_("city"), max_length=100, db_index=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    languages = models.ManyToManyField(
        Language, blank=True, related_name="facilities", verbose_name=_("languages spoken")
    )
    has_interpreter = models.BooleanField(_("medical interpreter"), default=False)
    has_airport_transfer = models.BooleanField(_("airport transfer"), default=False)
    has_accommodation_help = models.BooleanField(_("help with accommodation"), default=False)
    has_visa_letters = models.BooleanField(_("visa invitation letters"), default=False)
    # What the international-patient office reads: its e-mails and its portal are in this language.
    office_language = models.CharField(
        _("office's language"),
        max_length=12,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_("The language of the e-mails Medtour sends to this facility's office."),
    )
    # Its indicative prices are entered, stored and always shown in this currency (tourism.money).
    currency = models.CharField(
        _("currency of its prices"),
        max_length=3,
        choices=money.Currency.choices,
        default=money.REFERENCE,
        help_text=_("The currency the facility gives its prices in. Visitors see them converted beside it."),
    )
    year_established = models.PositiveSmallIntegerField(_("year established"), null=True, blank=True)
    beds = models.PositiveIntegerField(_("beds"), null=True, blank=True)
    website = models.URLField(_("website"), blank=True)
    is_published = models.BooleanField(_("published"), default=False, db_index=True)
    # The stretch of days (today's, or else the next) covered without a gap by active
    # accreditations: derived from the accreditation records by ``facility_listing_refresh``,
    # never edited by hand. Empty when no active accreditation reaches today or later.
    listed_from = models.DateField(_("accredited from"), null=True, blank=True, editable=False)
    listed_until = models.DateField(_("accredited until"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = FacilityQuerySet.as_manager()

    class Meta:
        ordering = [Lower("name")]
        verbose_name = _("facility")
        verbose_name_plural = _("facilities")
        indexes = [
            models.Index(fields=["country", "city"], name="facility_place_idx"),
            models.Index(Lower("name"), name="facility_name_lower_idx"),
            # Counts per country of listed facilities read this index alone, never the table.
            models.Index(fields=["country", "is_published", "listed_until", "listed_from"], name="facility_listed_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("facilities:detail", kwargs={"slug": self.slug})

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # What ``facilities.signals`` compares with on save: a new currency re-reads every price.
        instance._saved_currency = instance.__dict__.get("currency")
        # And the directory's figures (facilities.figures) recount the country it leaves.
        instance._saved_country = instance.__dict__.get("country")
        return instance

    @property
    def services(self) -> list[str]:
        """Labels of the international-patient services offered, in a fixed order."""
        return [label for service, label in self.Service.choices if getattr(self, self.SERVICE_FIELDS[service])]


def photo_upload_to(instance: "FacilityPhoto", filename: str) -> str:
    # Rendition names are made by the image service; this only chooses the folder.
    return f"facility-photos/{filename}"


class FacilityPhoto(models.Model):
    facility = models.ForeignKey(Facility, on_delete=models.CASCADE, related_name="photos")
    large = models.ImageField(
        _("large rendition"), upload_to=photo_upload_to, width_field="width", height_field="height"
    )
    thumbnail = models.ImageField(_("thumbnail rendition"), upload_to=photo_upload_to)
    width = models.PositiveIntegerField(editable=False, default=0)
    height = models.PositiveIntegerField(editable=False, default=0)
    alt_text = models.CharField(
        _("alt text"), max_length=200, help_text=_("What the photo shows, for people who cannot see it.")
    )
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        indexes = [models.Index(fields=["facility", "position"], name="photo_order_idx")]

    def __str__(self) -> str:
        return self.alt_text


class ProcedureCategory(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)
    slug = models.SlugField(_("slug"), max_length=140, unique=True)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("procedure category")
        verbose_name_plural = _("procedure categories")

    def __str__(self) -> str:
        return self.name


class ProcedureQuerySet(models.QuerySet):
    def published(self) -> "ProcedureQuerySet":
        return self.filter(is_published=True)


class Procedure(models.Model):
    """A procedure information page: structured, plain text, with facts as fields.

    Text fields are plain text written by staff: blank lines separate paragraphs and lines that
    start with "- " make a list (see the ``prose`` template filter). HTML is never rendered.
    """

    class Anaesthesia(models.TextChoices):
        GENERAL = "general", _("General anaesthesia")
        REGIONAL = "regional", _("Spinal or regional anaesthesia")
        SEDATION = "sedation", _("Local anaesthesia with sedation")
        LOCAL = "local", _("Local anaesthesia")
        NONE = "none", _("No anaesthesia")

    name = models.CharField(_("name"), max_length=200, unique=True)
    slug = models.SlugField(_("slug"), max_length=220, unique=True)
    category = models.ForeignKey(ProcedureCategory, on_delete=models.PROTECT, related_name="procedures")
    also_known_as = models.CharField(_("also known as"), max_length=300, blank=True)
    summary = models.TextField(_("summary"), blank=True, help_text=_("One or two sentences for lists and search."))
    overview = models.TextField(_("overview"), blank=True)
    indications = models.TextField(_("who it is for"), blank=True)
    contraindications = models.TextField(_("who should not have it"), blank=True)
    techniques = models.TextField(
        _("how it is done"), blank=True, help_text=_("Techniques; minimally invasive and open, where that applies.")
    )
    benefits = models.TextField(_("benefits"), blank=True)
    risks = models.TextField(_("risks and complications"), blank=True)
    recovery = models.TextField(_("recovery timeline"), blank=True)
    aftercare = models.TextField(_("aftercare back home"), blank=True)
    questions = models.TextField(_("questions to ask the surgeon"), blank=True)

    operation_hours_min = models.DecimalField(
        _("operation length from (hours)"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    operation_hours_max = models.DecimalField(
        _("operation length to (hours)"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    hospital_nights_min = models.PositiveSmallIntegerField(_("hospital stay from (nights)"), null=True, blank=True)
    hospital_nights_max = models.PositiveSmallIntegerField(_("hospital stay to (nights)"), null=True, blank=True)
    days_before_flying = models.PositiveSmallIntegerField(
        _("days to stay nearby before flying home"), null=True, blank=True
    )
    return_to_normal_weeks_min = models.PositiveSmallIntegerField(
        _("back to normal activity from (weeks)"), null=True, blank=True
    )
    return_to_normal_weeks_max = models.PositiveSmallIntegerField(
        _("back to normal activity to (weeks)"), null=True, blank=True
    )
    anaesthesia = models.CharField(_("anaesthesia"), max_length=20, choices=Anaesthesia.choices, blank=True)

    related = models.ManyToManyField("self", blank=True, verbose_name=_("related procedures"))
    medical_reviewer = models.CharField(
        _("medical reviewer"),
        max_length=200,
        blank=True,
        help_text=_("Name and qualification, e.g. 'Dr A. Example, FRCS'."),
    )
    last_reviewed_on = models.DateField(_("last reviewed on"), null=True, blank=True)
    # Per language (facilities/translation.py: translation_reviewer_es, ...): who checked that the
    # translation says what the reviewed English says, and when. Empty in English.
    translation_reviewer = models.CharField(
        _("translation reviewed by"),
        max_length=200,
        blank=True,
        help_text=_("Name and qualification of the person who checked this translation against the English."),
    )
    translation_reviewed_on = models.DateField(_("translation reviewed on"), null=True, blank=True)
    is_published = models.BooleanField(_("published"), default=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProcedureQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("procedure")
        verbose_name_plural = _("procedures")
        constraints = [
            models.CheckConstraint(
                condition=Q(operation_hours_max__gte=F("operation_hours_min"))
                | Q(operation_hours_max__isnull=True)
                | Q(operation_hours_min__isnull=True),
                name="procedure_operation_hours_range",
                violation_error_message=_("The longest operation time must not be below the shortest."),
            ),
            models.CheckConstraint(
                condition=Q(hospital_nights_max__gte=F("hospital_nights_min"))
                | Q(hospital_nights_max__isnull=True)
                | Q(hospital_nights_min__isnull=True),
                name="procedure_hospital_nights_range",
                violation_error_message=_("The longest hospital stay must not be below the shortest."),
            ),
            models.CheckConstraint(
                condition=Q(return_to_normal_weeks_max__gte=F("return_to_normal_weeks_min"))
                | Q(return_to_normal_weeks_max__isnull=True)
                | Q(return_to_normal_weeks_min__isnull=True),
                name="procedure_recovery_weeks_range",
                violation_error_message=_("The longest recovery time must not be below the shortest."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("procedures:detail", kwargs={"slug": self.slug})


class FacilityProcedure(models.Model):
    facility = models.ForeignKey(Facility, on_delete=models.CASCADE, related_name="offered_procedures")
    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="offers")
    # In the facility's currency, as the facility gave them.
    price_from = models.PositiveIntegerField(_("price from"), help_text=_("In the facility's own currency."))
    price_to = models.PositiveIntegerField(_("price to"), help_text=_("In the facility's own currency."))
    # The same prices in whole US dollars at the currency's newest rate: what filters, sorting and
    # the directory's figures read, so that prices in different currencies compare on one indexed
    # column. Derived, never typed: kept by ``save`` and by ``refresh_reference_prices`` when a rate
    # or the facility's currency changes. Empty while the currency has no rate at all.
    usd_from = models.PositiveIntegerField(_("price from in US dollars (reference)"), null=True, editable=False)
    usd_to = models.PositiveIntegerField(_("price to in US dollars (reference)"), null=True, editable=False)
    includes = models.TextField(_("what the price includes"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["procedure__name"]
        verbose_name = _("procedure price")
        verbose_name_plural = _("procedure prices")
        constraints = [
            models.UniqueConstraint(fields=["facility", "procedure"], name="facility_procedure_unique"),
            models.CheckConstraint(
                condition=Q(price_to__gte=F("price_from")),
                name="facility_procedure_price_range",
                violation_error_message=_("The upper price must not be below the lower price."),
            ),
        ]
        indexes = [models.Index(fields=["procedure", "usd_from"], name="offer_usd_price_idx")]

    def __str__(self) -> str:
        return gettext("%(procedure)s at %(facility)s") % {"procedure": self.procedure, "facility": self.facility}

    def save(self, *args, **kwargs) -> None:
        currency = self.facility.currency
        # Read afresh, not from the cache: a rate entered in this same transaction counts.
        rates = {} if currency == money.REFERENCE else money.stored_rates({currency})
        self.usd_from = money.to_usd(self.price_from, currency, rates) if self.price_from is not None else None
        self.usd_to = money.to_usd(self.price_to, currency, rates) if self.price_to is not None else None
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"price_from", "price_to"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "usd_from", "usd_to"}
        super().save(*args, **kwargs)


# The directory's own figures, kept as it changes (facilities.figures) ---------------------------


class CountryFigure(models.Model):
    """How many facilities are listed in one country, as of the last change there.

    Kept by ``facilities.figures`` in the transaction of every change that could move it, and
    rebuilt whole every day (listings start and end with the date): the home page, the
    directory's country list and the destinations read these few rows, never the facilities.
    Its row is also the lock that lets one process at a time recompute the country.
    """

    country = CountryField(_("country"))
    # Listings start and end with the date: the figures are kept for today and for tomorrow, so
    # that at midnight tomorrow's are there already (facilities.figures).
    day = models.DateField(_("day"))
    listed = models.PositiveIntegerField(_("listed facilities"), default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("country figure")
        verbose_name_plural = _("country figures")
        constraints = [models.UniqueConstraint(fields=["day", "country"], name="country_figure_unique")]

    def __str__(self) -> str:
        return f"{self.day} {self.country.code}: {self.listed}"


class OfferFigure(models.Model):
    """The listed facilities in one country that offer one procedure, and their starting prices in
    US dollars (lowest and median of those with a price): what procedure pages and lists show."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="+")
    country = CountryField(_("country"))
    day = models.DateField(_("day"))
    offers = models.PositiveIntegerField(_("listed facilities offering it"))
    priced = models.PositiveIntegerField(_("of which with a price"))
    lowest_usd = models.PositiveIntegerField(_("lowest starting price in US dollars"), null=True)
    median_usd = models.FloatField(_("median starting price in US dollars"), null=True)

    class Meta:
        verbose_name = _("offer figure")
        verbose_name_plural = _("offer figures")
        constraints = [models.UniqueConstraint(fields=["day", "procedure", "country"], name="offer_figure_unique")]

    def __str__(self) -> str:
        return f"{self.procedure_id} in {self.country.code}: {self.offers}"


# The facility's own people: its international-patient office ---------------------------------


class FacilityMembership(models.Model):
    """A facility user: a person of one facility's international-patient office.

    A user belongs to one facility at most, and sees nothing of any other. Facility users are not
    staff: they never see the admin, only the partner portal (``/partners/``).
    """

    class Role(models.TextChoices):
        MANAGER = "manager", _("Manager")
        CASE_HANDLER = "case_handler", _("Case handler")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="facility_membership", verbose_name=_("user")
    )
    facility = models.ForeignKey(Facility, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.CASE_HANDLER)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("joined"), auto_now_add=True)

    class Meta:
        ordering = ["facility", "user"]
        verbose_name = _("facility user")
        verbose_name_plural = _("facility users")

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}, {self.facility_id})"

    @property
    def is_manager(self) -> bool:
        return self.role == self.Role.MANAGER


def invitation_token(salt: str) -> str:
    """The secret in an invitation link, from the invitation's salt and the site's key.

    Only the salt and the token's hash are stored, yet the mail sent later can carry the link.
    """
    return salted_hmac("medtour.facilities.invitation", salt, algorithm="sha256").hexdigest()[:43]


def hash_invitation_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class FacilityInvitationQuerySet(models.QuerySet):
    def usable(self, now=None) -> "FacilityInvitationQuerySet":
        """Neither used, withdrawn nor expired."""
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now or timezone.now())


class FacilityInvitation(models.Model):
    """An invitation to join a facility's office: a link to set a password, usable once, for 72 hours."""

    facility = models.ForeignKey(Facility, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mail"))
    role = models.CharField(_("role"), max_length=20, choices=FacilityMembership.Role.choices)
    salt = models.CharField(max_length=32, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = FacilityInvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("facility invitation")
        verbose_name_plural = _("facility invitations")

    def __str__(self) -> str:
        return gettext("Invitation %(pk)s to %(facility)s") % {"pk": self.pk, "facility": self.facility_id}

    @staticmethod
    def new_salt() -> str:
        return secrets.token_hex(16)

    @property
    def token(self) -> str:
        return invitation_token(self.salt)


# A facility's proposed changes to its own listing ----------------------------------------------


def proposal_upload_to(instance, filename: str) -> str:
    return f"facility-proposals/{secrets.token_hex(16)}"


class ProfileChangeProposal(models.Model):
    """A facility manager's proposed change to the facility's listing, live only once approved.

    ``changes`` holds the proposed values by field: ``description`` (text), ``languages`` (language
    ids), ``services`` (``Facility.Service`` values offered), ``prices`` (a list of
    ``{"procedure": id, "price_from": n, "price_to": n, "includes": text}``). A photo or a new
    accreditation certificate comes as a file in private storage, shown to the editor before
    approval and never public before it.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Not approved")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    facility = models.ForeignKey(Facility, on_delete=models.CASCADE, related_name="proposals")
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("proposed by")
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PENDING)
    changes = models.JSONField(_("proposed values"), default=dict, blank=True)
    photo = models.FileField(_("photo"), upload_to=proposal_upload_to, storage=private_storage, blank=True)
    photo_alt_text = models.CharField(_("what the photo shows"), max_length=200, blank=True)
    certificate = models.FileField(
        _("accreditation certificate"), upload_to=proposal_upload_to, storage=private_storage, blank=True
    )
    certificate_body = models.ForeignKey(
        AccreditationBody, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    certificate_programme = models.CharField(_("programme"), max_length=200, blank=True)
    certificate_awarded_on = models.DateField(_("awarded on"), null=True, blank=True)
    certificate_expires_on = models.DateField(_("expires on"), null=True, blank=True)
    certificate_verification_url = models.URLField(_("verification link"), blank=True)
    message = models.TextField(_("note for the editors"), blank=True)
    created_at = models.DateTimeField(_("proposed"), auto_now_add=True, db_index=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision_note = models.TextField(_("editor's note"), blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("profile change proposal")
        verbose_name_plural = _("profile change proposals")
        indexes = [models.Index(fields=["status", "created_at"], name="proposal_queue_idx")]

    def __str__(self) -> str:
        return gettext("Proposal %(pk)s for %(facility)s") % {"pk": self.pk, "facility": self.facility_id}


class FacilityResponsiveness(models.Model):
    """How a facility answers the cases Medtour shares with it, measured from the cases' timestamps.

    Kept up to date by ``quotes.services.responsiveness`` each time a case of the facility is
    answered, so that no page computes it; the public facility page shows it only from
    ``PUBLIC_MINIMUM_ANSWERED`` answered cases on (fewer would say more about chance than about
    the hospital).
    """

    PUBLIC_MINIMUM_ANSWERED = 5

    facility = models.OneToOneField(Facility, on_delete=models.CASCADE, related_name="responsiveness")
    cases_received = models.PositiveIntegerField(_("cases received"), default=0)
    cases_answered = models.PositiveIntegerField(_("cases answered"), default=0)
    cases_quoted = models.PositiveIntegerField(_("cases quoted"), default=0)
    cases_declined = models.PositiveIntegerField(_("cases declined"), default=0)
    answered_in_time = models.PositiveIntegerField(_("answered in time"), default=0)
    median_first_answer = models.DurationField(_("median time to first answer"), null=True, blank=True)
    median_quote = models.DurationField(_("median time to quote"), null=True, blank=True)
    updated_at = models.DateTimeField(_("measured"), auto_now=True)

    class Meta:
        verbose_name = _("facility responsiveness")
        verbose_name_plural = _("facility responsiveness")

    def __str__(self) -> str:
        return gettext("Responsiveness of %(facility)s") % {"facility": self.facility_id}

    @property
    def is_public(self) -> bool:
        return self.cases_answered >= self.PUBLIC_MINIMUM_ANSWERED

    @property
    def in_time_share(self) -> float | None:
        """Of the cases answered, the share answered by their due time (0 to 1)."""
        return self.answered_in_time / self.cases_answered if self.cases_answered else None

    @property
    def decline_share(self) -> float | None:
        """Of the cases answered, the share declined (0 to 1)."""
        return self.cases_declined / self.cases_answered if self.cases_answered else None

    @property
    def answered_in_time_share(self) -> float | None:
        return self.answered_in_time / self.cases_answered if self.cases_answered else None

    @property
    def decline_rate(self) -> float | None:
        return self.cases_declined / self.cases_answered if self.cases_answered else None
