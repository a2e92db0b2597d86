"""Fixtures for every test: an empty cache, so no page or count cached by one test shows in another;
a check that only tests marked ``subprocess`` (or ``e2e``) start other processes, so that
``make pytest-fast``, which leaves those out, never runs a slow one by mistake; and sessions made by
``client.force_login`` that have passed the second factor, as a real sign-in's would have.

``unverified_login(client, user)`` (a fixture) signs a test client in with the password step only.
"""

import subprocess

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.utils import translation
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from tourism import two_factor

_force_login_without_second_factor = Client.force_login


@pytest.fixture(autouse=True)
def _english_to_start_with():
    # A request leaves its language active in the thread (LocaleMiddleware does not undo it): each
    # test starts in English whatever the one before it browsed in.
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _processes_only_where_marked(request, monkeypatch):
    if request.node.get_closest_marker("subprocess") or request.node.get_closest_marker("e2e"):
        return

    def refuse(*args, **kwargs):
        raise AssertionError(
            f"{request.node.nodeid} starts a process: mark it @pytest.mark.subprocess "
            "(make pytest-fast leaves those out)"
        )

    # Inside Popen's own clean-up, so a refused start leaves no half-made process object behind.
    monkeypatch.setattr(subprocess.Popen, "_execute_child", refuse)


@pytest.fixture(autouse=True)
def _force_login_passes_the_second_factor(monkeypatch):
    """``client.force_login(user)`` (and ``admin_client``) give a verified session, for users who need one.

    The user gets a confirmed authenticator device if they have none, and the session records it
    under django-otp's key, as ``django_otp.login`` does after a right code.
    """

    def force_login(self, user, backend=None):
        _force_login_without_second_factor(self, user, backend)
        if not two_factor.second_factor_required(user):
            return
        device = two_factor.confirmed_totp_device(user) or TOTPDevice.objects.create(
            user=user, name="Test authenticator", confirmed=True
        )
        session = self.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()

    monkeypatch.setattr(Client, "force_login", force_login)


@pytest.fixture
def unverified_login():
    """Sign a test client in with the password step only: ``unverified_login(client, user)``."""

    def login(client: Client, user) -> None:
        _force_login_without_second_factor(client, user)

    return login
