"""Root URLs: site pages, the directory, procedures, quotes, the sitemap and the staff admin.

The one module of ``tourism`` that imports the apps: it is where they are put together.
"""

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path

from facilities import views as directory_views
from facilities.sitemaps import SITEMAPS
from tourism import i18n, views
from tourism.login_guard import ThrottledAdminAuthenticationForm

# Password guessing against staff accounts is throttled (tourism.login_guard).
admin.site.login_form = ThrottledAdminAuthenticationForm

# Pages people read exist in every language: /es/…, /de/…, /ar/…, English without a prefix
# (tourism.i18n). The admin, the sitemaps and the machine-read addresses have one address each.
urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("robots.txt", views.robots_txt, name="robots"),
    path(
        "sitemap.xml",
        sitemap_views.index,
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap-section"},
        name="sitemap",
    ),
    path("sitemap-<section>.xml", sitemap_views.sitemap, {"sitemaps": SITEMAPS}, name="sitemap-section"),
    path("language/<str:language>/", i18n.switch_language, name="switch_language"),
    path("currency/", i18n.choose_currency, name="choose_currency"),
    path(settings.ADMIN_PATH, admin.site.urls),
]

urlpatterns += i18n_patterns(
    path("", directory_views.home, name="home"),
    path("accreditation/", directory_views.accreditation, name="accreditation"),
    path("privacy/", views.privacy, name="privacy"),
    path("contact/", views.contact, name="contact"),
    path("facilities/", include("facilities.urls")),
    path("procedures/", include("facilities.procedure_urls")),
    path("quote/", include("quotes.urls")),
    path("partners/", include("quotes.partner_urls")),
    path("account/", include("tourism.account_urls")),
    prefix_default_language=False,
)

if settings.DEBUG:
    from django.conf.urls.static import static

    # Like the media middleware: a name the file system cannot look up is a 404, not a 500.
    urlpatterns += static(settings.MEDIA_URL, view=views.media_in_debug, document_root=settings.MEDIA_ROOT)

handler400 = "tourism.views.bad_request"
handler404 = "tourism.views.page_not_found"
handler500 = "tourism.views.server_error"
