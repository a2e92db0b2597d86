from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class TourismConfig(AppConfig):
    name = "tourism"
    verbose_name = "Medtour site"
    # apps.py holds the admin's configuration too: this one is what "tourism" in INSTALLED_APPS means.
    default = True

    def ready(self) -> None:
        from django.http import multipartparser

        from tourism import checks  # noqa: F401 (registers the checks)
        from tourism.multipart import HEADER_LIMIT

        # Each part of a form's upload may have headers this long (Django's own limit, 1,024 bytes,
        # is passed by a real file name, and then the whole form is lost): see tourism.multipart.
        multipartparser.MAX_TOTAL_HEADER_SIZE = max(multipartparser.MAX_TOTAL_HEADER_SIZE, HEADER_LIMIT)


class MedtourAdminConfig(admin_apps.AdminConfig):
    """Django's admin, with our site as ``admin.site``: every ``@admin.register`` lands on it."""

    default = False
    default_site = "tourism.admin_site.MedtourAdminSite"
