"""The sign-in forms: the password step, and the codes of the second step (``tourism.account_views``).

Both steps are throttled by ``tourism.login_guard``. A code's format is checked first and a code
that cannot be one is not counted (like an empty password); every well-formed wrong code is.
"""

import re

from django import forms
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device
from django_otp.plugins.otp_totp.models import TOTPDevice

from tourism import login_guard, two_factor
from tourism.throttle import client_address


class SignInForm(login_guard.ThrottledAuthenticationForm):
    """Username and password, for everyone who can open medical files (staff and facility users)."""

    error_messages = {
        **login_guard.ThrottledAuthenticationForm.error_messages,
        "no_access": _(
            "This account has no access to medical files or to the staff pages, so there is nothing to "
            "sign in to here. Patients follow their request through the private link in their e-mail."
        ),
    }

    def confirm_login_allowed(self, user: AbstractBaseUser) -> None:
        super().confirm_login_allowed(user)
        if not two_factor.second_factor_required(user):
            raise ValidationError(self.error_messages["no_access"], code="no_access")


def _code_widget(**attrs) -> forms.TextInput:
    return forms.TextInput(
        attrs={"autocomplete": "one-time-code", "autocapitalize": "off", "spellcheck": "false", **attrs}
    )


class _CodeForm(forms.Form):
    """One code for ``user``, tried against the throttle; ``device`` is the one that accepted it."""

    field_name = "code"
    error_messages = {
        "wrong": _("That code is not right. Check it and try again."),
        "throttled": login_guard.THROTTLED_CODE,
    }

    def __init__(self, *args, request: HttpRequest, user: AbstractBaseUser, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        self.user = user
        self.device: Device | None = None

    def verify(self, code: str) -> Device | None:
        raise NotImplementedError

    def clean(self):
        cleaned_data = super().clean()
        code = cleaned_data.get(self.field_name)
        if not code:
            return cleaned_data  # The field's own error says what is wrong; nothing is counted.
        address = client_address(self.request)
        attempt = login_guard.code_attempt(user_id=self.user.pk, address=address)
        limit = attempt.begin()
        if not limit.allowed:
            raise login_guard.throttled_error(limit, self.error_messages["throttled"])
        device = self.verify(code)
        if device is None:
            limit = attempt.failed()
            if not limit.allowed:
                raise login_guard.throttled_error(limit, self.error_messages["throttled"])
            raise ValidationError(self.error_messages["wrong"], code="wrong_code")
        attempt.succeeded()
        self.device = device
        return cleaned_data


class TOTPCodeForm(_CodeForm):
    """The 6-digit code from the authenticator app."""

    code = forms.CharField(
        label=_("6-digit code from your authenticator app"),
        max_length=12,
        widget=_code_widget(inputmode="numeric", pattern="[0-9 ]*", autofocus=True),
        error_messages={"required": _("Enter the 6-digit code from your authenticator app.")},
    )

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())
        if not re.fullmatch(r"\d{6}", code):
            raise ValidationError(_("Enter the 6 digits your authenticator app shows."), code="format")
        return code

    def verify(self, code: str) -> Device | None:
        return two_factor.totp_code_verify(user=self.user, code=code)


class RecoveryCodeForm(_CodeForm):
    """One of the ten recovery codes; it is used up."""

    field_name = "recovery_code"
    recovery_code = forms.CharField(
        label=_("Recovery code"),
        max_length=32,
        widget=_code_widget(),
        help_text=_("One of the codes you saved when you set up your authenticator app, such as abcde-fghij."),
        error_messages={"required": _("Enter one of your recovery codes.")},
    )

    def clean_recovery_code(self) -> str:
        code = two_factor.normalise_recovery_code(self.cleaned_data["recovery_code"])
        if not re.fullmatch(rf"[a-z2-7]{{{two_factor.RECOVERY_CODE_LENGTH}}}", code):
            raise ValidationError(_("A recovery code is 10 letters and digits, such as abcde-fghij."), code="format")
        return code

    def verify(self, code: str) -> Device | None:
        return two_factor.recovery_code_use(user=self.user, code=code)


class SetupCodeForm(TOTPCodeForm):
    """The first code from a newly added authenticator app, which confirms it."""

    def __init__(self, *args, device: TOTPDevice, **kwargs):
        super().__init__(*args, **kwargs)
        self.pending_device = device

    def verify(self, code: str) -> Device | None:
        return two_factor.totp_device_confirm(device=self.pending_device, code=code)
