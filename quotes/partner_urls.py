"""The facility portal, at ``/partners/`` (``quotes.partner_views``)."""

from django.urls import path

from facilities import partner_urls as facility_pages
from quotes import partner_team as team
from quotes import partner_views as views

app_name = "partners"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("cases/<str:reference>/", views.case_detail, name="case"),
    path("cases/<str:reference>/message/", views.case_message, name="case_message"),
    path("cases/<str:reference>/decline/", views.case_decline_view, name="case_decline"),
    path("cases/<str:reference>/quote/", views.case_quote, name="case_quote"),
    path("cases/<str:reference>/quote/pdf/", views.case_quote_pdf, name="case_quote_pdf"),
    path("cases/<str:reference>/files/<int:attachment_id>/", views.case_file, name="case_file"),
    path("join/", team.join, name="join"),
    path("join/<str:token>/", team.join_link, name="join_link"),
    path("team/", team.team, name="team"),
    path("team/invite/", team.team_invite, name="team_invite"),
    path("team/<int:membership_id>/remove/", team.team_remove, name="team_remove"),
    path("team/invitations/<int:invitation_id>/withdraw/", team.team_revoke, name="team_revoke"),
    *facility_pages.urlpatterns,
]
