"""Placeholder until the second factor lands: only checks that someone is signed in."""

import functools

from django.conf import settings
from django.contrib.auth.views import redirect_to_login


def verified_required(view):
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        return view(request, *args, **kwargs)

    return wrapper
