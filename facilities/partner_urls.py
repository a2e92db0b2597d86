"""The facility's own pages in the partner portal (its profile, its colleagues); included in the
``partners`` namespace by ``quotes.partner_urls``."""

from django.urls import path

from facilities import partner_views as views

urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("profile/propose/", views.profile_propose, name="profile_propose"),
    path("profile/office-language/", views.office_language_set, name="office_language"),
    path("profile/proposals/<int:pk>/withdraw/", views.proposal_withdraw_view, name="proposal_withdraw"),
]
