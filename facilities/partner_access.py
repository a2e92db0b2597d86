"""Who may use the partner portal (``/partners/``): facility users, signed in with their second
factor. Shared by every portal view (cases in ``quotes.partner_views``, the facility's own
profile and colleagues in ``facilities.partner_views``)."""

import functools

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers

from facilities.models import FacilityMembership
from tourism.two_factor import verified_required


def private(response: HttpResponse) -> HttpResponse:
    """Portal pages are about one facility's cases: never cached, never indexed, no referrer out."""
    add_never_cache_headers(response)
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "same-origin"
    return response


def partner_view(view):
    """Signed in with the second factor, and a member of a facility's office; else refused.

    The view gets ``request.membership`` (with its facility). Someone signed in without a
    membership (a member of staff, say) gets a page that says the portal is for facility offices.
    """

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        membership = FacilityMembership.objects.select_related("facility").filter(user_id=request.user.pk).first()
        if membership is None:
            return private(render(request, "partners/not_a_member.html", status=403))
        request.membership = membership
        return private(view(request, *args, **kwargs))

    return verified_required(wrapper)


def manager_view(view):
    """A portal view only a facility's manager may use (colleagues, profile proposals)."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not request.membership.is_manager:
            return render(request, "partners/managers_only.html", {"membership": request.membership}, status=403)
        return view(request, *args, **kwargs)

    return partner_view(wrapper)
