"""The second factor: who must have one, their devices, and the check for views outside the admin.

Everyone who can open medical files signs in with a password and then a second factor: staff
(coordinators and directory editors alike), superusers, and facility users (anyone with a
``facilities.FacilityMembership``). The second factor is a TOTP code from an authenticator app
(``django_otp.plugins.otp_totp``), or one of ten single-use recovery codes
(``django_otp.plugins.otp_static``) for the day the phone is lost.

``django_otp.middleware.OTPMiddleware`` marks each request's user as verified or not, from the
device recorded in the session when the second step succeeded (``verified_login``). The admin asks
for it in ``tourism.admin_site``; every other view that shows medical files is wrapped in
``verified_required`` (the partner portal: ``from tourism.two_factor import verified_required``).
The pages that ask for the codes are ``tourism.account_views``; the throttle on wrong codes is
``tourism.login_guard``'s, like the password's.
"""

import functools
import secrets
from base64 import b32encode

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django_otp import devices_for_user, user_has_device
from django_otp import login as otp_login
from django_otp import verify_token as otp_verify_token
from django_otp.models import Device
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

RECOVERY_CODE_COUNT = 10
# Recovery codes: 10 lowercase letters and digits (no 0, 1, 8 or 9: base32), about 50 bits each.
RECOVERY_CODE_LENGTH = 10
TOTP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"

User = AbstractBaseUser | AnonymousUser


def second_factor_required(user: User) -> bool:
    """Whether ``user`` can open medical files, and so must sign in with a second factor."""
    if not user.is_authenticated:
        return False
    if user.is_staff or user.is_superuser:
        return True
    # The facilities app owns the membership; this module only knows its reverse name (a one-to-one:
    # reading it queries once, then Django remembers the answer, "none" included, on the user).
    return hasattr(user, "facility_membership")


def is_verified(user: User) -> bool:
    """Whether this request's user has passed the second factor in this session."""
    check = getattr(user, "is_verified", None)  # Set by OTPMiddleware; absent outside a request.
    return bool(user.is_authenticated and check is not None and check())


def has_confirmed_device(user: User) -> bool:
    """Whether ``user`` has a working second factor (else the next sign-in sets one up)."""
    return user_has_device(user, confirmed=True)


def confirmed_totp_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).order_by("pk").first()


def totp_device_start(*, user: AbstractBaseUser) -> TOTPDevice:
    """The authenticator device ``user`` is setting up: the one begun earlier, else a new one.

    It stays unconfirmed, and so counts for nothing, until a code from the app confirms it.
    """
    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)


def totp_device_confirm(*, device: TOTPDevice, code: str) -> TOTPDevice | None:
    """Confirm an authenticator device being set up with a code from its app; None if the code is wrong."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(pk=device.pk, confirmed=False).first()
        if device is None or not device.verify_token(code):
            return None
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    return device


def totp_secret(device: TOTPDevice) -> str:
    """The device's key as people type it into an app: base32, in groups of four."""
    text = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def totp_current_code(device: TOTPDevice) -> str:
    """The code the device's app shows now (for development and tests)."""
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift)
    return str(code).zfill(device.digits)


def totp_code_verify(*, user: AbstractBaseUser, code: str) -> Device | None:
    """The confirmed authenticator device that accepts ``code``, if one does (each code works once)."""
    for device in TOTPDevice.objects.devices_for_user(user, confirmed=True):
        verified = otp_verify_token(user, device.persistent_id, code)
        if verified is not None:
            return verified
    return None


def normalise_recovery_code(code: str) -> str:
    """Recovery codes are shown as ``abcde-fghij``; any case, spaces or dashes are accepted."""
    return "".join(code.split()).replace("-", "").lower()


def recovery_code_use(*, user: AbstractBaseUser, code: str) -> Device | None:
    """Use up one of ``user``'s recovery codes; the device, if ``code`` was one of them."""
    code = normalise_recovery_code(code)
    if not code:
        return None
    for device in StaticDevice.objects.devices_for_user(user, confirmed=True):
        # Under a row lock: two requests racing with the same code cannot both use it.
        verified = otp_verify_token(user, device.persistent_id, code)
        if verified is not None:
            return verified
    return None


def _new_recovery_code() -> str:
    alphabet = "abcdefghijklmnopqrstuvwxyz234567"
    return "".join(secrets.choice(alphabet) for _ in range(RECOVERY_CODE_LENGTH))


def recovery_codes_generate(*, user: AbstractBaseUser) -> list[str]:
    """Give ``user`` ten new single-use recovery codes, replacing any earlier ones; return them.

    This is the only time the codes can be shown: the page that asked shows them once.
    """
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    with transaction.atomic():
        device, _created = StaticDevice.objects.get_or_create(
            user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True}
        )
        device.token_set.all().delete()
        device.token_set.bulk_create([device.token_set.model(device=device, token=code) for code in codes])
    return [f"{code[:5]}-{code[5:]}" for code in codes]


def recovery_codes_remaining(user: AbstractBaseUser) -> int:
    return sum(device.token_set.count() for device in StaticDevice.objects.devices_for_user(user, confirmed=True))


def devices_reset(*, user: AbstractBaseUser) -> int:
    """Remove all of ``user``'s second-factor devices (so they set one up at their next sign-in)."""
    removed = 0
    with transaction.atomic():
        for device in devices_for_user(user, confirmed=None):
            device.delete()
            removed += 1
    return removed


def totp_device_replace(*, user: AbstractBaseUser, key_hex: str | None = None) -> TOTPDevice:
    """A confirmed authenticator device for ``user`` (a random key unless given), replacing their others.

    For development and demos only (``manage.py second_factor``): real accounts set up their own
    app at sign-in, so that nobody else ever sees the key.
    """
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        device = TOTPDevice(user=user, name=TOTP_DEVICE_NAME, confirmed=True)
        if key_hex is not None:
            device.key = key_hex
        device.full_clean(exclude=["user"])
        device.save()
    return device


def demo_device(user: AbstractBaseUser, key_hex: str) -> TOTPDevice:
    """A confirmed authenticator device with a known key, for a demo account: anyone who knows the
    key can make the account's codes, so never use it for a real one."""
    return totp_device_replace(user=user, key_hex=key_hex)


def verified_login(request: HttpRequest, device: Device) -> None:
    """Record in the session that its user has passed the second factor with ``device``."""
    # A new session key as the session gains rights, as Django's login() does for the password.
    request.session.cycle_key()
    otp_login(request, device)


def verified_required(view):
    """Let only signed-in users who have passed the second factor through to ``view``.

    Anyone else goes to the step they are missing, and comes back here afterwards: the sign-in
    page when signed out, the code step when the password is done, or the set-up of an
    authenticator app when they have none yet. It decides nothing about *what* a user may see:
    the view still checks that (e.g. that the user belongs to the facility whose case it shows).
    """

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        if not is_verified(user):
            step = "account:second_factor" if has_confirmed_device(user) else "account:setup"
            return redirect_to_login(request.get_full_path(), reverse(step))
        return view(request, *args, **kwargs)

    return wrapper
