"""Sign-in throttling: guessing passwords, or second-factor codes, is paused after repeated failures.

Attempts are counted per username and per client address by ``tourism.throttle``, in the database
(``tourism.models.Counter``), where no flood of page requests can push a count or a lock out.
After ``LOGIN_MAX_FAILURES_PER_USERNAME`` failures for one username, or
``LOGIN_MAX_FAILURES_PER_ADDRESS`` from one address, within ``LOGIN_LOCKOUT_MINUTES``, every attempt
is refused for that many minutes, even one with the right password: otherwise the lock would tell a
guesser when they had it right. A successful sign-in clears its username's count. Usernames and
addresses are hashed before they become keys, and unknown usernames are counted like real ones
so the lock reveals nothing.

An attempt is counted *before* its password is checked (``Attempt.begin``), in one atomic statement:
so however many attempts arrive at once, no more than the limit ever reach the password check
(checking first and counting after let 10 of 31 simultaneous attempts be checked against a limit
of 5). A wrong password leaves its count; a right one takes the address's count back and clears
the username's.

The second step (``tourism.two_factor``) is locked the same way, with counts of its own: after
``SECOND_FACTOR_MAX_FAILURES`` wrong codes for one account, or ``LOGIN_MAX_FAILURES_PER_ADDRESS``
from one address, codes are refused for ``LOGIN_LOCKOUT_MINUTES`` (``code_attempt``).
django-otp's own per-device back-off (1, 2, 4… seconds, kept in the database) stays on beneath it.

Both sign-in forms, the admin's and the site's (``/account/sign-in/``), share ``ThrottledSignInMixin``.
"""

import logging
import math
import time

from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from tourism import throttle
from tourism.throttle import Limit, client_address

logger = logging.getLogger(__name__)


def _key(kind: str, value: str) -> str:
    return f"login-guard:{kind}:{throttle.private_digest('login', kind, value)}"


class Attempt:
    """One try at a step (a password, or a code) for some subjects (a username, an address).

    ``subjects`` are (kind, value, limit, cleared on success): a username's count is cleared when
    its password is right; an address's only gives back the one count of the attempt.
    """

    def __init__(self, subjects: list[tuple[str, str, int, bool]], *, step: str) -> None:
        self.subjects = subjects
        self.step = step
        self.window = settings.LOGIN_LOCKOUT_MINUTES * 60
        self.counts: list[int] = []

    def begin(self) -> Limit:
        """Count this attempt; whether it may go on to the check (not while a subject is locked)."""
        now = time.time()
        locks = [_key(f"{kind}-locked", value) for kind, value, *_rest in self.subjects]
        retry_after = max(throttle.held_for(key, now=now) for key in locks)
        if retry_after:
            return Limit(allowed=False, retry_after=retry_after)
        self.counts = [
            throttle.count(_key(f"{kind}-failures", value), timeout=self.window, now=now)
            for kind, value, *_rest in self.subjects
        ]
        # Over the limit: the attempts before this one, still being checked, have used it up.
        over = [subject for subject, n in zip(self.subjects, self.counts, strict=True) if n > subject[2]]
        for kind, value, *_rest in over:
            self._lock(kind, value, now)
        return Limit(allowed=not over, retry_after=self.window if over else 0)

    def failed(self) -> Limit:
        """The check failed: lock each subject that has reached its limit."""
        now = time.time()
        reached = [subject for subject, n in zip(self.subjects, self.counts, strict=True) if n >= subject[2]]
        for kind, value, *_rest in reached:
            self._lock(kind, value, now)
        return Limit(allowed=not reached, retry_after=self.window if reached else 0)

    def succeeded(self) -> None:
        now = time.time()
        for kind, value, _limit, cleared in self.subjects:
            key = _key(f"{kind}-failures", value)
            if cleared:
                throttle.forget(key)
            else:
                throttle.uncount(key, now=now)

    def _lock(self, kind: str, value: str, now: float) -> None:
        # The count is left to expire with its window (never after the lock): forgetting it here
        # would let an attempt that checked for a lock a moment ago count from one again.
        throttle.hold(_key(f"{kind}-locked", value), seconds=self.window, now=now)
        logger.warning("%s paused for %d minutes: too many failures for one %s", self.step, self.window // 60, kind)


def password_attempt(*, username: str, address: str) -> Attempt:
    """A sign-in attempt for this username from this address."""
    return Attempt(
        [
            ("username", username.strip().casefold(), settings.LOGIN_MAX_FAILURES_PER_USERNAME, True),
            ("address", address, settings.LOGIN_MAX_FAILURES_PER_ADDRESS, False),
        ],
        step="Staff sign-in",
    )


def code_attempt(*, user_id: int, address: str) -> Attempt:
    """A second-factor code for this account from this address."""
    return Attempt(
        [
            ("code-user", str(user_id), settings.SECOND_FACTOR_MAX_FAILURES, True),
            ("code-address", address, settings.LOGIN_MAX_FAILURES_PER_ADDRESS, False),
        ],
        step="Second-factor step",
    )


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
        attempt = password_attempt(username=username, address=address)
        limit = attempt.begin()
        if not limit.allowed:
            raise self._throttled(limit)
        try:
            cleaned_data = super().clean()
        except ValidationError:
            limit = attempt.failed()
            if not limit.allowed:
                raise self._throttled(limit) from None
            raise
        attempt.succeeded()
        return cleaned_data

    def _throttled(self, limit: Limit) -> ValidationError:
        return throttled_error(limit, self.error_messages["throttled"])


class ThrottledAdminAuthenticationForm(ThrottledSignInMixin, AdminAuthenticationForm):
    """The admin's login form with the throttle in front of the password check."""

    error_messages = {**AdminAuthenticationForm.error_messages, "throttled": THROTTLED_SIGN_IN}


class ThrottledAuthenticationForm(ThrottledSignInMixin, AuthenticationForm):
    """Django's sign-in form (any active user) with the throttle in front of the password check."""

    error_messages = {**AuthenticationForm.error_messages, "throttled": THROTTLED_SIGN_IN}
