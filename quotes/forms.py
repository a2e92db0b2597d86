"""The public quote-request form."""

import datetime
import re
import secrets
import time

import phonenumbers
from django import forms
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import slug_re
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from django_countries.fields import LazyTypedChoiceField

from facilities.models import Facility, Language, Procedure
from quotes import consents
from quotes.models import PendingUpload, QuoteRequest
from quotes.uploads import ACCEPTED_DESCRIPTION, FILE_ACCEPT, check_uploads_separately
from tourism.text import VisibleCharField
from tourism.widgets import FastSelect, FastSelectMultiple

# What a phone number may be typed with: digits, an optional leading +, and the usual separators.
# (phonenumbers would also read letters as a keypad's, "+44 20 CALL NOW"; we do not.)
PHONE_CHARACTERS_RE = re.compile(r"^\+?[0-9 ()./-]+$")
PHONE_EXAMPLE = "+44 20 7946 0000"
FORM_SALT = "quotes.form"
FORM_MAX_AGE = 24 * 3600
MAX_CHOICES = 3
LONG_TEXT = 5000
SHORT_TEXT = 2000


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(MultipleFileField, self).clean(item, initial) for item in files]


class _StampSigner(signing.TimestampSigner):
    """Signs like ``TimestampSigner``, with the time the form counts as shown given by the caller."""

    def __init__(self, *, shown_at: float):
        super().__init__(salt=FORM_SALT)
        self.shown_at = shown_at

    def timestamp(self) -> str:
        return signing.b62_encode(int(self.shown_at))


def new_form_stamp(*, shown_at: float | None = None) -> str:
    """A signed, one-time key plus the time the form was shown (for the minimum fill time)."""
    if shown_at is None:
        return signing.TimestampSigner(salt=FORM_SALT).sign(secrets.token_hex(16))
    return _StampSigner(shown_at=shown_at).sign(secrets.token_hex(16))


def form_key(stamp: str) -> str | None:
    """The one-time key of a form stamp this site signed less than a day ago; None for any other text.

    The key is secret to the page it was shown on: it finds the files kept for that form.
    """
    try:
        return signing.TimestampSigner(salt=FORM_SALT).unsign(stamp or "", max_age=FORM_MAX_AGE)
    except signing.BadSignature:
        return None


def phone_parse(raw: str, *, region: str | None) -> phonenumbers.PhoneNumber | None:
    """The number the patient typed, read as dialled from ``region`` (a country code), or None.

    "00" works as the international prefix wherever one lives, as it does in most countries.
    """
    if not PHONE_CHARACTERS_RE.fullmatch(raw):
        return None
    candidates = [raw]
    if raw.startswith("00"):
        candidates.append("+" + raw[2:])
    for candidate in candidates:
        try:
            number = phonenumbers.parse(candidate, region or None)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number) and not number.extension:
            return number
    return None


def phone_international(value: str) -> str:
    """A stored (E.164) number written for people, "+34 612 34 56 78"; anything else as it is."""
    try:
        number = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        return value
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def _phone_example(region: str | None) -> str:
    number = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE) if region else None
    if number is None:
        return PHONE_EXAMPLE
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def _country_choices() -> list[tuple[str, str]]:
    # Nothing chosen until the patient chooses: an untouched field is an error, not Afghanistan.
    return [("", gettext("Choose your country")), *countries]


def _upload_check_attrs() -> dict[str, str]:
    """The limits and messages of the browser's check of chosen files (static/js/upload-check.js).

    The server checks everything again; this only spares a patient uploading a file it will refuse.
    The braces are filled in by the script.
    """
    return {
        "data-max-files": str(settings.QUOTE_MAX_FILES),
        "data-max-file-bytes": str(settings.QUOTE_MAX_FILE_BYTES),
        "data-max-total-bytes": str(settings.QUOTE_MAX_TOTAL_BYTES),
        "data-message-too-many": gettext(
            "That is {count} files with those already attached; you can send at most {limit}. Choose fewer."
        ),
        "data-message-too-large": gettext(
            "“{name}” is {size}; each file can be at most {limit}. Nothing was sent: choose a smaller file."
        ),
        "data-message-total": gettext(
            "Your files add up to {size}; together they can be at most {limit}. Nothing was sent: choose "
            "fewer or smaller files."
        ),
        "data-message-type": gettext("“{name}” is not a type we accept. We accept %(types)s.")
        % {"types": ACCEPTED_DESCRIPTION},
    }


# The error summary names each field briefly; the consents' full wording stays beside their boxes.
SUMMARY_LABELS = {
    "consent_health_data": _("Consent to process your health data"),
    "consent_sharing": _("Consent to share your request with hospitals"),
}


class QuoteRequestForm(forms.Form):
    name = VisibleCharField(label=_("Your full name"), max_length=200)
    email = forms.EmailField(label=_("E-mail"), max_length=254, help_text=_("We send your reference and replies here."))
    phone = forms.CharField(
        label=_("Phone, with country code"),
        max_length=32,
        help_text=_("For example +44 20 7946 0000. Spaces, dashes and 00 instead of + are fine."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
    )
    # Every country is an option: rendered without a template per option (tourism.widgets).
    country_of_residence = LazyTypedChoiceField(
        label=_("Country you live in"),
        choices=_country_choices,
        widget=FastSelect,
        error_messages={"required": _("Choose the country you live in.")},
    )
    age_band = forms.ChoiceField(
        label=_("Your age (optional)"),
        choices=[("", _("Prefer not to say")), *QuoteRequest.AgeBand.choices],
        required=False,
        help_text=_("Hospitals need it to judge a case; we share only the range, never your date of birth."),
    )
    preferred_language = forms.ModelChoiceField(
        label=_("Language for our replies"), queryset=Language.objects.order_by("name"), to_field_name="code"
    )
    procedure = forms.ModelChoiceField(
        label=_("Procedure"),
        queryset=Procedure.objects.published().select_related("category").order_by("name"),
        to_field_name="slug",
        required=False,
        empty_label=_("Not sure yet"),
    )
    facilities = forms.ModelMultipleChoiceField(
        label=_("Hospitals you would like a quote from"),
        queryset=Facility.objects.listed(),
        to_field_name="slug",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    countries = forms.MultipleChoiceField(
        label=_("Countries you would consider"),
        required=False,
        help_text=_("Up to three."),
        widget=FastSelectMultiple(attrs={"size": 6}),
    )
    suggest_facilities = forms.BooleanField(label=_("Suggest accredited hospitals for me"), required=False)
    travel_from = forms.DateField(
        label=_("Earliest date you could travel"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    travel_to = forms.DateField(
        label=_("Latest date you could travel"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    budget_amount = forms.DecimalField(
        label=_("Budget (optional)"), required=False, min_value=0, max_value=100_000_000, decimal_places=2
    )
    budget_currency = forms.ChoiceField(
        label=_("Currency"),
        choices=QuoteRequest.Currency.choices,
        initial=QuoteRequest.Currency.USD,
        required=False,
        widget=FastSelect,
    )
    condition = VisibleCharField(
        label=_("Your condition and symptoms"),
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What is wrong, since when, and how it affects you."),
    )
    diagnosis = VisibleCharField(
        label=_("Diagnosis so far"), max_length=SHORT_TEXT, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    previous_treatment = VisibleCharField(
        label=_("Treatment you have had"),
        max_length=SHORT_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    medication = VisibleCharField(
        label=_("Medicines you take now"),
        max_length=SHORT_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    allergies = VisibleCharField(
        label=_("Allergies"), max_length=SHORT_TEXT, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    files = MultipleFileField(
        label=_("Medical files (optional)"),
        required=False,
        help_text=_(
            "Scans, reports, letters: %(types)s. Up to %(count)s files, %(each)s MB each, %(total)s MB in all."
        ),
        widget=MultipleFileInput(attrs={"accept": FILE_ACCEPT, "data-upload-check": ""}),
    )
    consent_health_data = forms.BooleanField(label=_(consents.HEALTH_DATA), required=True)
    consent_sharing = forms.BooleanField(label=_(consents.SHARING), required=True)
    consent_marketing = forms.BooleanField(label=_(consents.MARKETING), required=False)

    # Anti-abuse: a field people never see, and the signed time the form was shown.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    stamp = forms.CharField(widget=forms.HiddenInput)

    error_css_class = "field-invalid"

    def __init__(
        self,
        *args,
        destinations: list[tuple[str, str]] | None = None,
        kept: list[PendingUpload] | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        # Files kept from this form's earlier attempt: they count towards the limits.
        self.kept = list(kept or [])
        # The new files that passed the checks, also when the form has errors (so they can be kept).
        self.passed_files = []
        self.fields["countries"].choices = destinations or []
        self.fields["files"].help_text = self.fields["files"].help_text % {
            "types": ACCEPTED_DESCRIPTION,
            "count": settings.QUOTE_MAX_FILES,
            "each": settings.QUOTE_MAX_FILE_BYTES // (1024 * 1024),
            "total": settings.QUOTE_MAX_TOTAL_BYTES // (1024 * 1024),
        }
        self.fields["files"].widget.attrs.update(_upload_check_attrs())
        self.fields["consent_health_data"].error_messages["required"] = _(
            "We can only prepare a quote if you agree that we may process your health information."
        )
        self.fields["consent_sharing"].error_messages["required"] = _(
            "We need to share your request with hospitals to get you a quote."
        )
        # Only the chosen hospitals are offered as checkboxes; the directory is where one chooses.
        if self.is_bound:
            chosen = (
                self.data.getlist("facilities") if hasattr(self.data, "getlist") else self.data.get("facilities", [])
            )
        else:
            chosen = self.initial.get("facilities", [])
        chosen = [slug for slug in chosen if isinstance(slug, str) and slug_re.fullmatch(slug)][: MAX_CHOICES * 2]
        self.fields["facilities"].widget.choices = [
            (facility.slug, f"{facility.name} – {facility.city}, {facility.country.name}")
            for facility in Facility.objects.listed().filter(slug__in=chosen)
        ]

    # Field checks --------------------------------------------------------------------------

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if len(name) < 2:
            raise ValidationError(_("Please give your full name."), code="name_too_short")
        return name

    def clean_phone(self) -> str:
        # Read as a number in clean(), once the country of residence is known.
        return " ".join(self.cleaned_data["phone"].split())

    def _clean_phone_number(self, data: dict) -> None:
        """Store the number as E.164, read as dialled from the patient's country; or say what to type."""
        region = data.get("country_of_residence") or None
        number = phone_parse(data["phone"], region=region)
        if number is not None:
            data["phone"] = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
            return
        if region:
            message = gettext(
                "We could not read this as a phone number. Type it as you would dial it in %(country)s, or "
                "with its country code, for example %(example)s."
            ) % {"country": countries.name(region), "example": _phone_example(region)}
        else:
            message = gettext(
                "We could not read this as a phone number. Type it with its country code, for example %(example)s."
            ) % {"example": PHONE_EXAMPLE}
        self.add_error("phone", ValidationError(message, code="phone"))

    def show_phone_as_read(self) -> None:
        """On a form shown again, write a number that was understood the way it was understood."""
        phone = getattr(self, "cleaned_data", {}).get("phone")
        if phone:
            self.data = self.data.copy()
            self.data["phone"] = phone_international(phone)

    def clean_facilities(self):
        facilities = self.cleaned_data["facilities"]
        if len(facilities) > MAX_CHOICES:
            raise ValidationError(_("Choose at most three hospitals."), code="too_many_facilities")
        return facilities

    def clean_countries(self) -> list[str]:
        chosen = self.cleaned_data["countries"]
        if len(chosen) > MAX_CHOICES:
            raise ValidationError(_("Choose at most three countries."), code="too_many_countries")
        return chosen

    def clean_travel_from(self):
        value = self.cleaned_data["travel_from"]
        if value and value < timezone.localdate():
            raise ValidationError(_("The earliest travel date cannot be in the past."), code="past_date")
        if value and value > timezone.localdate() + datetime.timedelta(days=3 * 365):
            raise ValidationError(_("Please choose a date within the next three years."), code="far_date")
        return value

    def clean_travel_to(self):
        value = self.cleaned_data["travel_to"]
        if value and value < timezone.localdate():
            raise ValidationError(_("The latest travel date cannot be in the past."), code="past_date")
        if value and value > timezone.localdate() + datetime.timedelta(days=3 * 365):
            raise ValidationError(_("Please choose a date within the next three years."), code="far_date")
        return value

    def clean_files(self):
        result = check_uploads_separately(self.cleaned_data["files"], kept=self.kept)
        self.passed_files = result.passed
        if result.errors:
            raise ValidationError(result.errors)
        return result.passed

    def clean_stamp(self) -> str:
        try:
            signing.TimestampSigner(salt=FORM_SALT).unsign(self.cleaned_data["stamp"], max_age=FORM_MAX_AGE)
        except signing.SignatureExpired as exc:
            raise ValidationError(
                _("This form was open for more than a day. Please check your answers and send it again."),
                code="stamp_expired",
            ) from exc
        except signing.BadSignature as exc:
            raise ValidationError(_("Please send the form again."), code="stamp_invalid") from exc
        return self.cleaned_data["stamp"]

    def clean(self):
        data = super().clean()
        if data.get("phone"):
            self._clean_phone_number(data)
        chose_nothing = not (data.get("facilities") or data.get("countries") or data.get("suggest_facilities"))
        if chose_nothing and "facilities" not in self.errors and "countries" not in self.errors:
            self.add_error(
                "suggest_facilities",
                ValidationError(
                    _("Choose a hospital or a country, or tick “Suggest accredited hospitals for me”."),
                    code="no_destination",
                ),
            )
        start, end = data.get("travel_from"), data.get("travel_to")
        if start and end and end < start:
            self.add_error("travel_to", ValidationError(_("The latest date must be after the earliest."), code="order"))
        if (
            data.get("budget_amount") is not None
            and not data.get("budget_currency")
            and "budget_currency" not in self.errors
        ):
            self.add_error(
                "budget_currency", ValidationError(_("Choose the currency of your budget."), code="currency")
            )
        return data

    # Abuse signals (the view asks them of a valid form, before anything is saved) --------------

    def honeypot_filled(self) -> bool:
        """The field people never see has something in it: a bot filled in every box."""
        return bool(self.data.get("website"))

    def sent_too_fast(self) -> bool:
        """Sent sooner after the form was shown than ``QUOTE_MIN_FILL_SECONDS``.

        On its own this is no proof of a bot (autofill, a patient who pasted their text): the view
        asks the patient to press Send again rather than pretending to accept the form.
        """
        try:
            signing.TimestampSigner(salt=FORM_SALT).unsign(
                self.data.get("stamp", ""), max_age=settings.QUOTE_MIN_FILL_SECONDS
            )
        except signing.SignatureExpired:
            return False
        except signing.BadSignature:
            return False  # Reported as a form error by clean_stamp.
        return True

    def restamp(self) -> None:
        """Give the form, shown again as typed, a new stamp that counts as read for the minimum time.

        The patient has just seen the form once: pressing Send again must be accepted at once.
        """
        self.data = self.data.copy()
        self.data["stamp"] = new_form_stamp(shown_at=time.time() - settings.QUOTE_MIN_FILL_SECONDS)

    # Showing errors ----------------------------------------------------------------------------

    def error_summary(self) -> list[dict[str, str]]:
        """One short line per field with errors, in form order, and the link to its field (if shown)."""
        items = []
        for bound in self:
            if not bound.errors:
                continue
            if bound.is_hidden:
                items.append({"anchor": "", "text": str(bound.errors[0])})
                continue
            first = self.errors.as_data()[bound.name][0]
            if bound.name in SUMMARY_LABELS:
                label = SUMMARY_LABELS[bound.name]
                error = gettext("required") if first.code == "required" else bound.errors[0]
            else:
                label, error = bound.label, bound.errors[0]
            text = gettext("%(label)s: %(error)s") % {"label": label, "error": error}
            # A group of checkboxes has no single id: its first box stands for it.
            anchor = bound.id_for_label or (f"{bound.auto_id}_0" if bound.auto_id else "")
            items.append({"anchor": anchor, "text": text})
        items += [{"anchor": "", "text": str(error)} for error in self.non_field_errors()]
        return items

    @property
    def submission_key(self) -> str:
        return self.cleaned_data["stamp"].split(":", 1)[0]

    # The fields ``quote_request_submit`` takes, by its argument names.
    SUBMITTED_FIELDS = (
        "name", "email", "phone", "country_of_residence", "age_band", "preferred_language", "condition", "procedure",
        "facilities", "countries", "suggest_facilities", "travel_from", "travel_to", "budget_amount",
        "budget_currency", "diagnosis", "previous_treatment", "medication", "allergies", "consent_marketing",
        "files",
    )  # fmt: skip

    def submission_fields(self) -> dict:
        """The cleaned form as ``quote_request_submit``'s keyword arguments (call after is_valid)."""
        data = self.cleaned_data
        fields = {name: data.get(name) for name in self.SUBMITTED_FIELDS}
        fields.update(
            facilities=data.get("facilities") or [],
            countries=data.get("countries") or [],
            suggest_facilities=bool(data.get("suggest_facilities")),
            consent_marketing=bool(data.get("consent_marketing")),
            budget_currency=data.get("budget_currency") or "",
            age_band=data.get("age_band") or "",
            files=data.get("files") or [],
        )
        for name in ("diagnosis", "previous_treatment", "medication", "allergies"):
            fields[name] = fields[name] or ""
        return fields
