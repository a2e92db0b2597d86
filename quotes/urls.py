from django.urls import path

from quotes import views

app_name = "quotes"

urlpatterns = [
    path("", views.request_quote, name="request"),
    path("thanks/", views.thanks, name="thanks"),
    path("status/<str:token>/", views.status, name="status"),
]
