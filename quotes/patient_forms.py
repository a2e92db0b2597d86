"""Forms for what a patient can do on their private status page."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from quotes.forms import LONG_TEXT, MultipleFileField, MultipleFileInput
from quotes.uploads import ACCEPTED_DESCRIPTION, FILE_ACCEPT, check_uploads
from tourism.text import VisibleCharField


class PatientReplyForm(forms.Form):
    """The patient's answer to a coordinator's question: a message, and files if they have them."""

    message = VisibleCharField(
        label=_("Your answer"),
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("Please write your answer before sending.")},
    )
    files = MultipleFileField(
        label=_("Files (optional)"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": FILE_ACCEPT}),
    )

    error_css_class = "field-invalid"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "reply")
        super().__init__(*args, **kwargs)
        self.fields["files"].help_text = _(
            "Reports, scans, letters: %(types)s. Up to %(count)s files, %(each)s MB each, %(total)s MB in all."
        ) % {
            "types": ACCEPTED_DESCRIPTION,
            "count": settings.QUOTE_MAX_FILES,
            "each": settings.QUOTE_MAX_FILE_BYTES // (1024 * 1024),
            "total": settings.QUOTE_MAX_TOTAL_BYTES // (1024 * 1024),
        }

    def clean_message(self) -> str:
        message = self.cleaned_data["message"].strip()
        if not message:
            raise forms.ValidationError(_("Please write your answer before sending."), code="required")
        return message

    def clean_files(self):
        return check_uploads(self.cleaned_data["files"])


class PatientMessageForm(PatientReplyForm):
    """A message to the coordinator at any time the request is open, with files if the patient has them."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "message")
        super().__init__(*args, **kwargs)
        self.fields["message"].label = _("Your message")
        self.fields["message"].error_messages["required"] = _("Please write your message before sending.")

    def clean_message(self) -> str:
        message = self.cleaned_data["message"].strip()
        if not message:
            raise forms.ValidationError(_("Please write your message before sending."), code="required")
        if "\x00" in message:
            raise forms.ValidationError(_("Your message contains characters we cannot store."), code="invalid")
        return message


class AcceptQuoteForm(forms.Form):
    """Which quote the patient accepts (checked against their own request by the service)."""

    quote = forms.IntegerField(min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput)


class WithdrawForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I understand my request will be closed"),
        required=True,
        error_messages={"required": _("Please tick the box to confirm that you want to close your request.")},
    )

    error_css_class = "field-invalid"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "withdraw")
        super().__init__(*args, **kwargs)
