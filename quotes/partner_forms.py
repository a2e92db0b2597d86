"""The forms of the facility portal: a question, a decline, and the itemised quote.

They only read and check what the facility typed; what it means (the case's moves, who is told)
is ``quotes.services.cases``. The quote form turns its fields into a ``QuoteDraft`` and shows the
service's line-by-line refusals next to the lines they are about.
"""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from quotes.models import FacilityQuote, FacilityQuoteItem, QuoteAttachment, QuoteRequest
from quotes.services.cases import MAX_MESSAGE_LENGTH, MAX_SUMMARY_LENGTH, QuoteDraft, QuoteLine, parse_amount
from quotes.uploads import CheckedFile, check_upload
from tourism.text import VisibleCharField

State = FacilityQuoteItem.State
MAX_VALID_DAYS = 366


class CaseMessageForm(forms.Form):
    text = VisibleCharField(
        label=_("Your question or message to the Medtour coordinator"),
        max_length=MAX_MESSAGE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "The coordinator answers here and, where needed, asks the patient. Please do not ask for contact details."
        ),
    )

    def clean_text(self):
        text = self.cleaned_data["text"].strip()
        if "\x00" in text:
            raise ValidationError(_("The message contains characters we cannot store."))
        if not text:
            raise ValidationError(_("Write your message."))
        return text


class DeclineForm(forms.Form):
    reason = VisibleCharField(
        label=_("Why can you not take this case?"),
        max_length=MAX_SUMMARY_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only the Medtour coordinator reads this; it helps us send the patient elsewhere."),
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if "\x00" in reason:
            raise ValidationError(_("The reason contains characters we cannot store."))
        if not reason:
            raise ValidationError(_("Say why you decline."))
        return reason


class PartnerQuoteForm(forms.Form):
    """Every item category, each answered with a state (and an amount when included at a price)."""

    currency = forms.ChoiceField(label=_("Currency"), choices=QuoteRequest.Currency.choices)
    valid_until = forms.DateField(
        label=_("Valid until"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    exclusions = VisibleCharField(
        label=_("What the price does not include"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    notes = VisibleCharField(
        label=_("Notes for the patient"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    pdf = forms.FileField(
        label=_("Your own quote as a PDF (optional)"),
        required=False,
        help_text=_("A PDF of at most the size allowed for patients' files. It is checked before it is kept."),
    )
    revision = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1, max_value=1_000_000)

    def __init__(self, *args, quote: FacilityQuote | None = None, **kwargs):
        initial = kwargs.setdefault("initial", {})
        lines = {}
        if quote is not None:
            initial.update(
                currency=quote.currency,
                valid_until=quote.valid_until,
                exclusions=quote.exclusions,
                notes=quote.notes,
                revision=quote.revision,
            )
            lines = {item.category: item for item in quote.items.all()}
        else:
            initial.setdefault("valid_until", timezone.localdate() + datetime.timedelta(days=30))
        super().__init__(*args, **kwargs)
        self.categories = []
        for category, label in FacilityQuoteItem.Category.choices:
            item = lines.get(category)
            state_name, amount_name, details_name = (f"state-{category}", f"amount-{category}", f"details-{category}")
            self.fields[state_name] = forms.ChoiceField(
                label=label,
                choices=State.choices,
                widget=forms.RadioSelect,
                required=False,  # Checked below, with a message that names the line.
                initial=item.state if item else None,
            )
            self.fields[amount_name] = forms.CharField(
                label=_("Amount for “%(item)s”") % {"item": label},
                required=False,
                max_length=20,
                widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
                initial=item.amount if item and item.amount is not None else "",
            )
            self.fields[details_name] = VisibleCharField(
                label=_("Details for “%(item)s”") % {"item": label},
                required=False,
                max_length=300,
                initial=item.description if item else "",
            )
            self.categories.append((category, label, state_name, amount_name, details_name))

    @property
    def lines(self):
        """(label, state field, amount field, details field) for the template, in the form's order."""
        return [
            {"category": c, "label": label, "state": self[s], "amount": self[a], "details": self[d]}
            for c, label, s, a, d in self.categories
        ]

    def clean_valid_until(self):
        value = self.cleaned_data["valid_until"]
        if value > timezone.localdate() + datetime.timedelta(days=MAX_VALID_DAYS):
            raise ValidationError(_("A quote can be valid for at most a year."))
        return value

    def clean_pdf(self) -> CheckedFile | None:
        upload = self.cleaned_data.get("pdf")
        if not upload:
            return None
        checked = check_upload(upload)  # Raises ValidationError with a message naming the file.
        if checked.kind != QuoteAttachment.Kind.PDF:
            raise ValidationError(_("Send your quote as a PDF file; this file is not one."), code="file_type")
        return checked

    def clean(self):
        cleaned = super().clean()
        for _category, _label, _state, amount_name, details_name in self.categories:
            raw = cleaned.get(amount_name, "")
            try:
                cleaned[amount_name] = parse_amount(raw)
            except ValueError:
                self.add_error(amount_name, _("Write the amount as a number, such as 1250 or 1250.50."))
            for name in (amount_name, details_name):
                if "\x00" in str(cleaned.get(name) or ""):
                    self.add_error(name, _("This contains characters we cannot store."))
        for name in ("exclusions", "notes"):
            if "\x00" in (cleaned.get(name) or ""):
                self.add_error(name, _("This contains characters we cannot store."))
        return cleaned

    def draft(self) -> QuoteDraft:
        data = self.cleaned_data
        return QuoteDraft(
            currency=data["currency"],
            valid_until=data["valid_until"],
            exclusions=data.get("exclusions", ""),
            notes=data.get("notes", ""),
            lines=[
                QuoteLine(
                    category=category,
                    state=data.get(state_name) or "",
                    amount=data.get(amount_name),
                    description=(data.get(details_name) or "").strip(),
                )
                for category, _label, state_name, amount_name, details_name in self.categories
            ],
        )

    def add_service_errors(self, errors: dict[str, str]) -> None:
        """Put the service's refusals (``line-<category>``, field names, ``lines``) on the form."""
        for key, message in errors.items():
            if key.startswith("line-"):
                self.add_error(f"state-{key.removeprefix('line-')}", message)
            elif key in self.fields:
                self.add_error(key, message)
            else:
                self.add_error(None, message)
