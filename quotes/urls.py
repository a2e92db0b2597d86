from django.urls import path

from quotes import views

app_name = "quotes"

urlpatterns = [
    path("", views.request_quote, name="request"),
    path("thanks/", views.thanks, name="thanks"),
    # The patient's private status page and their actions on it (POST only). Their addresses carry
    # no token: it travels in a cookie, scoped to this prefix, set when the e-mail link is opened.
    path("status/", views.status_page, name="status_page"),
    path("status/reply/", views.reply, name="status_reply"),
    path("status/accept/", views.accept, name="status_accept"),
    path("status/decline/", views.decline, name="status_decline"),
    path("status/withdraw/", views.withdraw, name="status_withdraw"),
    path("status/sharing/", views.sharing_answer, name="status_sharing"),
    path("status/message/", views.message, name="status_message"),
    path("status/erasure/", views.erasure, name="status_erasure"),
    # The link in our e-mails: exchanges its token for the cookie and sends the browser on.
    path("status/<str:token>/", views.status, name="status"),
]
