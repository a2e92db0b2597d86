"""Quote request URLs. The form itself comes with the quote-request issue."""

from django.urls import path

from quotes import views

app_name = "quotes"

urlpatterns = [
    path("", views.request_quote, name="request"),
]
