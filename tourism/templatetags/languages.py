"""The language switcher and the ``hreflang`` alternates of the page being shown (``tourism.i18n``)."""

from urllib.parse import urlencode, urlsplit, urlunsplit

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from tourism.i18n import alternates

register = template.Library()

# The pages whose query string is what the visitor is looking at (search, filters, sort, page).
KEEPS_QUERY = {"facilities:list", "procedures:list"}


@register.simple_tag(takes_context=True)
def language_alternates(context) -> list[dict]:
    """This page's address in each language, for ``<link rel="alternate" hreflang>``.

    Made from the canonical URL (which keeps ``?page=`` on later pages of a list); empty for a page
    that exists in one language only (the admin, error pages of unknown addresses).
    """
    canonical = urlsplit(context.get("canonical_url", ""))
    found = alternates(urlunsplit(("", "", canonical.path, canonical.query, "")))
    if not found:
        return []
    links = [
        {"hreflang": code, "href": urlunsplit((canonical.scheme, canonical.netloc, *urlsplit(path)[2:4], ""))}
        for code, path in found
    ]
    english = next(link["href"] for link in links if link["hreflang"] == settings.LANGUAGE_CODE)
    return [*links, {"hreflang": "x-default", "href": english}]


def this_page(request) -> str:
    """Where the switcher and the currency chooser come back to: this page.

    A list keeps its search, filters and page; elsewhere the query is dropped: the quote form's
    ?procedure= and ?facility= are echoed nowhere else either.
    """
    if request is None:
        return "/"
    keeps_query = getattr(request.resolver_match, "view_name", None) in KEEPS_QUERY
    return request.get_full_path() if keeps_query else request.path


@register.inclusion_tag("includes/language_switcher.html", takes_context=True)
def language_switcher(context) -> dict:
    """Links to this page in every other language, each through ``switch_language`` (remembered)."""
    here = this_page(context.get("request"))
    current = translation.get_language()
    languages = []
    for code, name in settings.LANGUAGES:
        info = translation.get_language_info(code)
        languages.append(
            {
                "code": code,
                "name": name,
                "bidi": info["bidi"],
                "current": code == current,
                "href": f"{reverse('switch_language', args=[code])}?{urlencode({'next': here})}",
            }
        )
    return {"languages": languages}
