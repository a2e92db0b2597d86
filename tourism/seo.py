"""The site's public address: for canonical links, Open Graph and structured data, and for links in mail."""

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest


def site_base_url(request: HttpRequest | None) -> str:
    """MEDTOUR_SITE_URL when set (behind proxies it is the only reliable answer), else the host asked for."""
    if settings.SITE_URL:
        return settings.SITE_URL.rstrip("/")
    if request is None:
        return ""
    try:
        return f"{request.scheme}://{request.get_host()}"
    except DisallowedHost:
        # A Host not in DJANGO_ALLOWED_HOSTS: the 400 page is being rendered for it. Links stay
        # relative rather than naming a host we do not serve (and rather than failing with a 500).
        return ""


# Where a development machine serves the site when MEDTOUR_SITE_URL is not given (`make run`
# passes its own HOST and PORT; production refuses to start without the setting).
DEVELOPMENT_SITE_URL = "http://127.0.0.1:8000"


def mail_base_url() -> str:
    """The site's address for links in e-mails and commands: MEDTOUR_SITE_URL, never a Host header.

    Mail is sent by a worker long after the request that caused it, and a Host header is whatever
    the client wrote: only the configured address is both known and trustworthy there.
    """
    return (settings.SITE_URL or DEVELOPMENT_SITE_URL).rstrip("/")
