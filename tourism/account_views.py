"""Signing in at /account/: the password, then the second factor (or setting one up), and signing out.

Who needs the second factor, and the devices, are ``tourism.two_factor``'s; the throttles are
``tourism.login_guard``'s. After the password a user is signed in to Django but not *verified*: the
admin and every ``verified_required`` view still send them to the code step. A user with no
authenticator app yet sets one up here, and only then: a session that has passed the password alone
can never add a device to an account that has one. Success leads to a safe ``next`` address, or to
the user's own pages: the admin for staff, the partner portal for facility users.

Recovery codes are shown only in the response to the request that made them (never kept to show
later, never put in a URL), and no page here is cached.
"""

import logging
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from tourism import two_factor
from tourism.account_forms import RecoveryCodeForm, SetupCodeForm, SignInForm, TOTPCodeForm

logger = logging.getLogger(__name__)


def wanted_url(request: HttpRequest) -> str | None:
    """The ``next`` address asked for, if it is one of this site's own; else None."""
    wanted = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME, "")
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return None


def landing_url(user) -> str:
    """Where a user goes after signing in when no ``next`` was asked for."""
    if user.is_staff:
        return reverse("admin:index")
    if two_factor.second_factor_required(user):
        return settings.PARTNER_HOME  # A facility user: the partner portal.
    return reverse("home")


def _after_sign_in(request: HttpRequest) -> str:
    return wanted_url(request) or landing_url(request.user)


def _step(url_name: str, request: HttpRequest) -> HttpResponseRedirect:
    """Go on to another step of signing in, keeping ``next``."""
    url = reverse(url_name)
    if wanted := wanted_url(request):
        url = f"{url}?{urlencode({REDIRECT_FIELD_NAME: wanted})}"
    return HttpResponseRedirect(url)


def _next_step(request: HttpRequest) -> HttpResponseRedirect:
    """For a signed-in user: the step they still need, or where they were going."""
    user = request.user
    if two_factor.is_verified(user):
        return HttpResponseRedirect(_after_sign_in(request))
    if two_factor.has_confirmed_device(user):
        return _step("account:second_factor", request)
    return _step("account:setup", request)


def _no_access(request: HttpRequest) -> HttpResponse:
    return render(request, "account/no_access.html", status=403)


def _second_step_guard(request: HttpRequest) -> HttpResponse | None:
    """What to do instead of a second step: sign in first, no access, or already verified."""
    user = request.user
    if not user.is_authenticated:
        return _step("account:sign_in", request)
    if not two_factor.second_factor_required(user):
        return _no_access(request)
    if two_factor.is_verified(user):
        return HttpResponseRedirect(_after_sign_in(request))
    return None


@never_cache
@sensitive_post_parameters("password")
@require_http_methods(["GET", "HEAD", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated and two_factor.second_factor_required(request.user):
        return _next_step(request)
    form = SignInForm(request, data=request.POST if request.method == "POST" else None)
    if form.is_valid():
        auth_login(request, form.get_user())
        return _next_step(request)
    return render(request, "account/sign_in.html", {"form": form, "next": wanted_url(request)})


@never_cache
@sensitive_post_parameters("code", "recovery_code")
@require_http_methods(["GET", "HEAD", "POST"])
def second_factor(request: HttpRequest) -> HttpResponse:
    if (instead := _second_step_guard(request)) is not None:
        return instead
    user = request.user
    if not two_factor.has_confirmed_device(user):
        return _step("account:setup", request)
    posted = request.POST if request.method == "POST" else None
    with_recovery_code = posted is not None and "recovery_code" in posted
    code_form = TOTPCodeForm(None if with_recovery_code else posted, request=request, user=user)
    recovery_form = RecoveryCodeForm(posted if with_recovery_code else None, request=request, user=user)
    form = recovery_form if with_recovery_code else code_form
    if posted is not None and form.is_valid():
        two_factor.verified_login(request, form.device)
        if with_recovery_code:
            left = two_factor.recovery_codes_remaining(user)
            logger.info("A recovery code was used to sign in (user %s, %d left)", user.pk, left)
            messages.warning(
                request,
                ngettext(
                    "You signed in with a recovery code, which cannot be used again. You have %(n)d left.",
                    "You signed in with a recovery code, which cannot be used again. You have %(n)d left.",
                    left,
                )
                % {"n": left},
            )
        return HttpResponseRedirect(_after_sign_in(request))
    return render(
        request,
        "account/second_factor.html",
        {
            "code_form": code_form,
            "recovery_form": recovery_form,
            "with_recovery_code": with_recovery_code,
            "next": wanted_url(request),
        },
    )


def _qr_code_svg(device) -> str:
    qr = segno.make(device.config_url, error="m")
    # segno draws the SVG from the device's own key and settings: no text anyone typed is in it.
    return mark_safe(
        qr.svg_inline(
            scale=5,
            border=4,
            dark="#000",
            light="#fff",
            title=_("QR code to add Medtour to your authenticator app"),
            svgclass="qr-code",
            lineclass=None,
        )
    )


@never_cache
@sensitive_post_parameters("code")
@require_http_methods(["GET", "HEAD", "POST"])
def setup(request: HttpRequest) -> HttpResponse:
    if (instead := _second_step_guard(request)) is not None:
        return instead
    user = request.user
    if two_factor.has_confirmed_device(user):
        # Only an account without a second factor may add one before passing it.
        return _step("account:second_factor", request)
    device = two_factor.totp_device_start(user=user)
    form = SetupCodeForm(request.POST if request.method == "POST" else None, request=request, user=user, device=device)
    if form.is_valid():
        two_factor.verified_login(request, form.device)
        logger.info("Authenticator app set up (user %s)", user.pk)
        codes = two_factor.recovery_codes_generate(user=user)
        return render(
            request,
            "account/recovery_codes.html",
            {"codes": codes, "first_time": True, "continue_url": _after_sign_in(request)},
        )
    return render(
        request,
        "account/setup.html",
        {
            "form": form,
            "qr_code": _qr_code_svg(device),
            "secret": two_factor.totp_secret(device),
            "next": wanted_url(request),
        },
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@two_factor.verified_required
def recovery_codes(request: HttpRequest) -> HttpResponse:
    user = request.user
    context = {"continue_url": landing_url(user)}
    if request.method == "POST":
        context["codes"] = two_factor.recovery_codes_generate(user=user)
        logger.info("Recovery codes made again (user %s)", user.pk)
    else:
        context["remaining"] = two_factor.recovery_codes_remaining(user)
    return render(request, "account/recovery_codes.html", context)


@never_cache
@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    auth_logout(request)
    messages.success(request, _("You have signed out."))
    return redirect("account:sign_in")
