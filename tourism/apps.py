from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class TourismConfig(AppConfig):
    name = "tourism"
    verbose_name = "Medtour site"
    # apps.py holds the admin's configuration too: this one is what "tourism" in INSTALLED_APPS means.
    default = True

    def ready(self) -> None:
        from tourism import checks  # noqa: F401 (registers the checks)


class MedtourAdminConfig(admin_apps.AdminConfig):
    """Django's admin, with our site as ``admin.site``: every ``@admin.register`` lands on it."""

    default = False
    default_site = "tourism.admin_site.MedtourAdminSite"
