"""Root URLs: site pages, the directory, quotes and the staff admin."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from tourism import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("facilities/", include("facilities.urls")),
    path("quote/", include("quotes.urls")),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler400 = "tourism.views.bad_request"
handler404 = "tourism.views.page_not_found"
handler500 = "tourism.views.server_error"
