"""The portal's form for proposing changes to a facility's listing.

It is filled in with the live values, reads what the manager typed into plain values and hands them
to ``facilities.proposals.proposal_submit``, which decides what changed and whether it may be
proposed. Its own checks are only about reading the input (types, lengths, known choices); the
service's refusals are shown next to the fields they are about (``add_service_errors``).
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from facilities.models import AccreditationBody, Facility, FacilityProcedure, Language, Procedure
from facilities.proposals import (
    MAX_ALT_TEXT_LENGTH,
    MAX_DESCRIPTION_LENGTH,
    MAX_INCLUDES_LENGTH,
    MAX_MESSAGE_LENGTH,
    MAX_PRICE,
    MAX_PROGRAMME_LENGTH,
    MAX_URL_LENGTH,
    current_services,
)
from tourism.text import VisibleCharField

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _price_field(label) -> forms.IntegerField:
    return forms.IntegerField(label=label, required=False, min_value=1, max_value=MAX_PRICE)


def _includes_field() -> forms.CharField:
    return VisibleCharField(
        label=_("What the price includes"),
        required=False,
        max_length=MAX_INCLUDES_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ProfileProposalForm(forms.Form):
    """The whole listing as the manager wants it, with one row per offer and one for a new offer."""

    description = VisibleCharField(
        label=_("Description"),
        required=False,
        max_length=MAX_DESCRIPTION_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Plain text; a blank line starts a new paragraph."),
    )
    languages = forms.ModelMultipleChoiceField(
        label=_("Languages your staff speak with patients"),
        queryset=Language.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    services = forms.MultipleChoiceField(
        label=_("Services for international patients"),
        choices=Facility.Service.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    new_procedure = forms.ModelChoiceField(
        label=_("Add a procedure you offer"),
        queryset=Procedure.objects.none(),
        required=False,
        empty_label=_("Choose a procedure"),
    )
    # Labelled with the facility's currency in __init__.
    new_price_from = _price_field(_("Price from"))
    new_price_to = _price_field(_("Price to"))
    new_includes = _includes_field()
    photo = forms.FileField(
        label=_("A new photo (optional)"),
        required=False,
        help_text=_("JPEG, PNG or WebP. Camera details such as the location are removed before it is shown."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    photo_alt_text = VisibleCharField(
        label=_("What the photo shows"),
        required=False,
        max_length=MAX_ALT_TEXT_LENGTH,
        help_text=_("For people who cannot see it, e.g. “The main entrance of the hospital”."),
    )
    certificate = forms.FileField(
        label=_("A new accreditation certificate (optional)"),
        required=False,
        help_text=_("A PDF, or a JPEG, PNG or WebP image of it. Only Medtour's editors see the file."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png,image/webp"}),
    )
    certificate_body = forms.ModelChoiceField(
        label=_("Accreditation body"),
        queryset=AccreditationBody.objects.order_by("abbreviation"),
        required=False,
        empty_label=_("Choose the body"),
    )
    certificate_programme = VisibleCharField(
        label=_("Programme"),
        required=False,
        max_length=MAX_PROGRAMME_LENGTH,
        help_text=_("e.g. Hospital Accreditation"),
    )
    certificate_awarded_on = forms.DateField(label=_("Awarded on"), required=False, widget=DATE_INPUT)
    certificate_expires_on = forms.DateField(label=_("Expires on"), required=False, widget=DATE_INPUT)
    certificate_verification_url = forms.URLField(
        label=_("Link where the accreditation can be checked (optional)"),
        required=False,
        max_length=MAX_URL_LENGTH,
        assume_scheme="https",
    )
    message = VisibleCharField(
        label=_("Note for Medtour's editors (optional)"),
        required=False,
        max_length=MAX_MESSAGE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, facility: Facility, offers: list[FacilityProcedure], **kwargs):
        super().__init__(*args, **kwargs)
        self.facility = facility
        self.offers = offers
        offered = [offer.procedure_id for offer in offers]
        self.fields["new_procedure"].queryset = Procedure.objects.published().exclude(pk__in=offered).order_by("name")
        self.fields["description"].initial = facility.description
        self.fields["languages"].initial = [language.pk for language in facility.languages.all()]
        self.fields["services"].initial = current_services(facility)
        low_label = _("Price from (%(currency)s)") % {"currency": facility.currency}
        high_label = _("Price to (%(currency)s)") % {"currency": facility.currency}
        self.fields["new_price_from"].label, self.fields["new_price_to"].label = low_label, high_label
        for offer in offers:
            prefix = f"offer_{offer.procedure_id}"
            self.fields[f"{prefix}_price_from"] = _price_field(low_label)
            self.fields[f"{prefix}_price_to"] = _price_field(high_label)
            self.fields[f"{prefix}_includes"] = _includes_field()
            self.fields[f"{prefix}_price_from"].initial = offer.price_from
            self.fields[f"{prefix}_price_to"].initial = offer.price_to
            self.fields[f"{prefix}_includes"].initial = offer.includes

    @property
    def offer_rows(self) -> list[dict]:
        """Each current offer with its three fields, for the template."""
        return [
            {
                "offer": offer,
                "price_from": self[f"offer_{offer.procedure_id}_price_from"],
                "price_to": self[f"offer_{offer.procedure_id}_price_to"],
                "includes": self[f"offer_{offer.procedure_id}_includes"],
            }
            for offer in self.offers
        ]

    def clean(self):
        data = super().clean()
        for offer in self.offers:
            prefix = f"offer_{offer.procedure_id}"
            low, high = data.get(f"{prefix}_price_from"), data.get(f"{prefix}_price_to")
            unread = {f"{prefix}_price_from", f"{prefix}_price_to"} & set(self.errors)
            if (low is None or high is None) and not unread:
                self.add_error(
                    f"{prefix}_price_from",
                    ValidationError(_("Give both prices for a procedure you offer."), code="required"),
                )
        new = [data.get(name) for name in ("new_procedure", "new_price_from", "new_price_to")]
        if any(value is not None for value in new) or data.get("new_includes"):
            for name, value in zip(("new_procedure", "new_price_from", "new_price_to"), new, strict=True):
                if value is None and name not in self.errors:
                    self.add_error(
                        name, ValidationError(_("Fill in the whole line to add a procedure."), code="required")
                    )
        return data

    def changes(self) -> dict:
        data = self.cleaned_data
        prices = [
            {
                "procedure": offer.procedure_id,
                "price_from": data[f"offer_{offer.procedure_id}_price_from"],
                "price_to": data[f"offer_{offer.procedure_id}_price_to"],
                "includes": data[f"offer_{offer.procedure_id}_includes"],
            }
            for offer in self.offers
        ]
        if data.get("new_procedure") is not None:
            prices.append(
                {
                    "procedure": data["new_procedure"].pk,
                    "price_from": data["new_price_from"],
                    "price_to": data["new_price_to"],
                    "includes": data["new_includes"],
                }
            )
        return {
            "description": data["description"],
            "languages": [language.pk for language in data["languages"]],
            "services": list(data["services"]),
            "prices": prices,
        }

    def submission(self) -> dict:
        """Keyword arguments for ``proposal_submit`` (but the membership)."""
        data = self.cleaned_data
        return {
            "changes": self.changes(),
            "photo": data.get("photo"),
            "photo_alt_text": data["photo_alt_text"],
            "certificate": data.get("certificate"),
            "certificate_body": data.get("certificate_body"),
            "certificate_programme": data["certificate_programme"],
            "certificate_awarded_on": data.get("certificate_awarded_on"),
            "certificate_expires_on": data.get("certificate_expires_on"),
            "certificate_verification_url": data["certificate_verification_url"],
            "message": data["message"],
        }

    def add_service_errors(self, error: ValidationError) -> None:
        """Show the service's refusals by the fields they name; the rest at the top of the form."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for field, errors in error.error_dict.items():
            self.add_error(field if field in self.fields else None, errors)


class OfficeLanguageForm(forms.Form):
    """The language Medtour writes to the office in: a setting of its own, not part of the listing."""

    office_language = forms.ChoiceField(
        label=_("Language of Medtour's e-mails to your office"),
        choices=Facility._meta.get_field("office_language").choices,
        help_text=_("New cases, reminders and messages about patients come in this language."),
    )
