"""The site's public address, for canonical links, Open Graph and structured data."""

from django.conf import settings
from django.http import HttpRequest


def site_base_url(request: HttpRequest | None) -> str:
    """MEDTOUR_SITE_URL when set (behind proxies it is the only reliable answer), else the host asked for."""
    if settings.SITE_URL:
        return settings.SITE_URL.rstrip("/")
    if request is None:
        return ""
    return f"{request.scheme}://{request.get_host()}"
