from django.urls import path

from quotes import views

app_name = "quotes"

urlpatterns = [
    path("", views.request_quote, name="request"),
    path("thanks/", views.thanks, name="thanks"),
    path("status/<str:token>/", views.status, name="status"),
    # The patient's actions on their status page (POST only).
    path("status/<str:token>/reply/", views.reply, name="status_reply"),
    path("status/<str:token>/accept/", views.accept, name="status_accept"),
    path("status/<str:token>/decline/", views.decline, name="status_decline"),
    path("status/<str:token>/withdraw/", views.withdraw, name="status_withdraw"),
    path("status/<str:token>/sharing/", views.sharing_answer, name="status_sharing"),
    path("status/<str:token>/message/", views.message, name="status_message"),
    path("status/<str:token>/erasure/", views.erasure, name="status_erasure"),
]
