"""The sitemaps: listed facilities, published procedures and the site's own pages, one set per language.

Each language has its own sections (``sitemap-facilities.xml`` for English, whose addresses carry
no prefix, ``sitemap-facilities-es.xml`` and so on), and every entry names the same page in the
other languages as ``hreflang`` alternates, English being the ``x-default``.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db.models import QuerySet
from django.urls import reverse

from facilities.models import Facility, Procedure


class _InLanguage:
    """The sitemap's items paired with one language, sliced lazily (a page of 5,000 is one query)."""

    def __init__(self, items, language: str):
        self.items = items
        self.language = language

    def count(self) -> int:
        return self.items.count() if isinstance(self.items, QuerySet) else len(self.items)

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [(item, self.language) for item in self.items[index]]
        return (self.items[index], self.language)


class SiteSitemap(Sitemap):
    """Entries use MEDTOUR_SITE_URL when it is set, like canonical links do.

    ``language`` is the language this section lists; the alternates name every language.
    """

    i18n = True
    alternates = True
    x_default = True
    language = settings.LANGUAGE_CODE

    def _items(self):
        return _InLanguage(self.items(), self.language)

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


SECTIONS = {"pages": PageSitemap, "procedures": ProcedureSitemap, "facilities": FacilitySitemap}


def _section_name(section: str, language: str) -> str:
    return section if language == settings.LANGUAGE_CODE else f"{section}-{language}"


SITEMAPS = {
    _section_name(section, code): type(f"{sitemap.__name__}_{code}", (sitemap,), {"language": code})
    for code, _name in settings.LANGUAGES
    for section, sitemap in SECTIONS.items()
}
