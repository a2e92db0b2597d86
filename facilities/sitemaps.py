"""The sitemap: listed facilities, published procedures and the site's own pages."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from facilities.models import Facility, Procedure


class SiteSitemap(Sitemap):
    """Entries use MEDTOUR_SITE_URL when it is set, like canonical links do."""

    def get_domain(self, site=None) -> str:
        return urlsplit(settings.SITE_URL).netloc if settings.SITE_URL else super().get_domain(site)

    def get_protocol(self, protocol=None) -> str:
        return urlsplit(settings.SITE_URL).scheme if settings.SITE_URL else super().get_protocol(protocol)


class FacilitySitemap(SiteSitemap):
    changefreq = "weekly"
    priority = 0.7
    limit = 5000

    def items(self):
        return Facility.objects.listed().only("slug", "updated_at").order_by("pk")

    def lastmod(self, facility: Facility):
        return facility.updated_at


class ProcedureSitemap(SiteSitemap):
    changefreq = "monthly"
    priority = 0.8

    def items(self):
        return Procedure.objects.published().only("slug", "updated_at").order_by("pk")

    def lastmod(self, procedure: Procedure):
        return procedure.updated_at


class PageSitemap(SiteSitemap):
    changefreq = "weekly"

    def items(self) -> list[str]:
        return ["home", "facilities:list", "procedures:list", "accreditation", "privacy", "contact"]

    def location(self, name: str) -> str:
        return reverse(name)


SITEMAPS = {"pages": PageSitemap, "procedures": ProcedureSitemap, "facilities": FacilitySitemap}
