"""The staff admin's site: only active staff who have passed the second factor get in.

It is Django's ``AdminSite`` (``MedtourAdminConfig`` makes it ``admin.site``), with two changes:
``has_permission`` asks for a verified session as well (``tourism.two_factor``), and the admin's
own login page sends people to the site's sign-in (``/account/sign-in/``), which asks for the
password and then the second factor, keeping where they were going. Someone who has signed in
fully but is not staff (a facility user) is told so instead of being sent round in a circle.
"""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache

from tourism import two_factor
from tourism.account_views import wanted_url


class MedtourAdminSite(admin.AdminSite):
    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return user.is_active and user.is_staff and two_factor.is_verified(user)

    @method_decorator(never_cache)
    def login(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        index = reverse("admin:index", current_app=self.name)
        if self.has_permission(request):
            return HttpResponseRedirect(index)
        user = request.user
        if user.is_authenticated and (two_factor.is_verified(user) or not two_factor.second_factor_required(user)):
            # Fully signed in, but not staff: signing in again would not change that.
            context = {"admin": True, "partner_home": None}
            if not user.is_staff and two_factor.second_factor_required(user):
                context["partner_home"] = settings.PARTNER_HOME
            return TemplateResponse(request, "account/no_access.html", context, status=403)
        return redirect_to_login(wanted_url(request) or index, reverse("account:sign_in"))
