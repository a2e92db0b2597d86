"""Sign-in throttling: guessing passwords, or second-factor codes, is paused after repeated failures.

Password failures are counted per username and per client address by ``tourism.throttle``, in the
shared cache (with Redis as the cache, REDIS_URL, the counts hold across processes and servers).
After ``LOGIN_MAX_FAILURES_PER_USERNAME`` failures for one username, or
``LOGIN_MAX_FAILURES_PER_ADDRESS`` from one address, within ``LOGIN_LOCKOUT_MINUTES``, every attempt
is refused for that many minutes, even one with the right password: otherwise the lock would tell a
guesser when they had it right. A successful sign-in clears its username's count. Usernames and
addresses are hashed before they become cache keys, and unknown usernames are counted like real ones
so the lock reveals nothing. While the cache does not answer, nothing is counted and nothing is
locked: sign-in stays open (rather than shutting every member of staff out) and ``tourism.cache``
logs a warning.

The second step (``tourism.two_factor``) is locked the same way, with counts of its own: after
``SECOND_FACTOR_MAX_FAILURES`` wrong codes for one account, or ``LOGIN_MAX_FAILURES_PER_ADDRESS``
from one address, codes are refused for ``LOGIN_LOCKOUT_MINUTES`` (``code_check`` and friends).
django-otp's own per-device back-off (1, 2, 4… seconds, kept in the database) stays on beneath it.

Both sign-in forms, the admin's and the site's (``/account/sign-in/``), share ``ThrottledSignInMixin``.
"""

import logging
import math
import time

from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from tourism import throttle
from tourism.throttle import Limit, client_address

logger = logging.getLogger(__name__)


def _key(kind: str, value: str) -> str:
    return f"login-guard:{kind}:{throttle.private_digest('login', kind, value)}"


def _password_subjects(username: str, address: str) -> list[tuple[str, str, int]]:
    return [
        ("username", username.strip().casefold(), settings.LOGIN_MAX_FAILURES_PER_USERNAME),
        ("address", address, settings.LOGIN_MAX_FAILURES_PER_ADDRESS),
    ]


def _code_subjects(user_id: int, address: str) -> list[tuple[str, str, int]]:
    return [
        ("code-user", str(user_id), settings.SECOND_FACTOR_MAX_FAILURES),
        ("code-address", address, settings.LOGIN_MAX_FAILURES_PER_ADDRESS),
    ]


def _check(subjects: list[tuple[str, str, int]]) -> Limit:
    now = time.time()
    retry_after = 0
    for kind, value, _limit in subjects:
        # The lock holds its end time: the cache's own expiry may be coarser than ours.
        locked_until = cache.get(_key(f"{kind}-locked", value))
        if locked_until and locked_until > now:
            retry_after = max(retry_after, math.ceil(locked_until - now))
    return Limit(allowed=not retry_after, retry_after=retry_after)


def _record_failure(subjects: list[tuple[str, str, int]], *, step: str) -> Limit:
    now = time.time()
    window = settings.LOGIN_LOCKOUT_MINUTES * 60
    retry_after = 0
    for kind, value, limit in subjects:
        key = _key(f"{kind}-failures", value)
        if throttle.count(key, timeout=window) >= limit:
            cache.set(_key(f"{kind}-locked", value), now + window, timeout=window)
            throttle.forget(key)
            retry_after = window
            logger.warning("%s paused for %d minutes: too many failures for one %s", step, window // 60, kind)
    return Limit(allowed=not retry_after, retry_after=retry_after)


def check(*, username: str, address: str) -> Limit:
    """Whether a sign-in attempt for this username from this address may be tried now."""
    return _check(_password_subjects(username, address))


def record_failure(*, username: str, address: str) -> Limit:
    """Count a failed attempt; lock the username or the address when it reaches its limit."""
    return _record_failure(_password_subjects(username, address), step="Staff sign-in")


def record_success(*, username: str) -> None:
    throttle.forget(_key("username-failures", username.strip().casefold()))


def code_check(*, user_id: int, address: str) -> Limit:
    """Whether a second-factor code for this account from this address may be tried now."""
    return _check(_code_subjects(user_id, address))


def code_record_failure(*, user_id: int, address: str) -> Limit:
    """Count a wrong code; lock the account's second step or the address when it reaches its limit."""
    return _record_failure(_code_subjects(user_id, address), step="Second-factor step")


def code_record_success(*, user_id: int) -> None:
    throttle.forget(_key("code-user-failures", str(user_id)))


THROTTLED_SIGN_IN = _(
    "Too many failed sign-in attempts. For your security, signing in is paused: please try again in %(wait)s."
)
THROTTLED_CODE = _("Too many wrong codes. For your security, this step is paused: please try again in %(wait)s.")


def throttled_error(limit: Limit, message: str) -> ValidationError:
    """The form error for a paused step: ``message`` with how long the pause still lasts."""
    minutes = max(1, math.ceil(limit.retry_after / 60))
    wait = ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}
    return ValidationError(message, code="throttled", params={"wait": wait})


class ThrottledSignInMixin:
    """The throttle in front of an ``AuthenticationForm``'s password check (and its other checks)."""

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is None or not password:
            return super().clean()  # A missing field: nothing is checked, nothing counted.
        address = client_address(self.request) if self.request is not None else "unknown"
        limit = check(username=username, address=address)
        if not limit.allowed:
            raise self._throttled(limit)
        try:
            cleaned_data = super().clean()
        except ValidationError:
            limit = record_failure(username=username, address=address)
            if not limit.allowed:
                raise self._throttled(limit) from None
            raise
        record_success(username=username)
        return cleaned_data

    def _throttled(self, limit: Limit) -> ValidationError:
        return throttled_error(limit, self.error_messages["throttled"])


class ThrottledAdminAuthenticationForm(ThrottledSignInMixin, AdminAuthenticationForm):
    """The admin's login form with the throttle in front of the password check."""

    error_messages = {**AdminAuthenticationForm.error_messages, "throttled": THROTTLED_SIGN_IN}


class ThrottledAuthenticationForm(ThrottledSignInMixin, AuthenticationForm):
    """Django's sign-in form (any active user) with the throttle in front of the password check."""

    error_messages = {**AuthenticationForm.error_messages, "throttled": THROTTLED_SIGN_IN}
