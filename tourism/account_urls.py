"""Signing in and out, with the second factor (``tourism.account_views``): mounted at /account/."""

from django.urls import path

from tourism import account_views

app_name = "account"

urlpatterns = [
    path("sign-in/", account_views.sign_in, name="sign_in"),
    path("second-factor/", account_views.second_factor, name="second_factor"),
    path("setup/", account_views.setup, name="setup"),
    path("recovery-codes/", account_views.recovery_codes, name="recovery_codes"),
    path("sign-out/", account_views.sign_out, name="sign_out"),
]
