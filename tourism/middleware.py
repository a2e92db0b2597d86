"""Request guards and headers that apply to every page, including the admin; public media."""

from collections.abc import Callable

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.http import Http404, HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.module_loading import import_string
from django.views.static import serve


class RejectNullBytesMiddleware:
    """Answer 400 to a URL carrying a NUL character.

    No page of ours takes one, and PostgreSQL refuses them in text, so a filter value such as
    ``?country=%00`` that reaches a query unvalidated (the admin's list filters do) would
    otherwise end in a server error.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists()
        ):
            return HttpResponse(render_to_string("400.html", request=request), status=400)
        return self.get_response(request)


def content_security_policy() -> str:
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in settings.CONTENT_SECURITY_POLICY.items())


class ContentSecurityPolicyMiddleware:
    """Add the site's Content-Security-Policy (settings.CONTENT_SECURITY_POLICY) to every response.

    A view that sets its own policy keeps it. With DEBUG on, Django's technical error pages (inline
    styles and scripts) go without one so that they stay readable; DEBUG is never on in production.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Content-Security-Policy" not in response and not (settings.DEBUG and response.status_code >= 400):
            response["Content-Security-Policy"] = content_security_policy()
        # robots.txt does not name the admin (that would reveal a moved DJANGO_ADMIN_PATH), so its
        # pages say "do not index" themselves, in case their address leaks into a link.
        if request.path.startswith("/" + settings.ADMIN_PATH):
            response.setdefault("X-Robots-Tag", "noindex, nofollow")
        return response


class PublicMediaMiddleware:
    """Serve public uploads (facility photo renditions) from MEDIA_ROOT under MEDIA_URL.

    WhiteNoise serves only the static files collected at start-up, so uploads need their own
    route. This one answers only while the default storage is the local file system and MEDIA_URL
    a path on this site (with object storage the photos have their own URLs), reads nothing but
    MEDIA_ROOT (medical files live elsewhere and have no URL at all), refuses paths leading out of
    it and never lists folders. A missing file falls through to the normal 404 page.
    """

    MAX_AGE = 86400

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        prefix = settings.MEDIA_URL
        if (
            settings.SERVE_MEDIA
            and request.method in ("GET", "HEAD")
            and prefix.startswith("/")
            and prefix != "/"
            and request.path.startswith(prefix)
            and issubclass(import_string(settings.STORAGES["default"]["BACKEND"]), FileSystemStorage)
        ):
            try:
                response = serve(request, request.path.removeprefix(prefix), document_root=settings.MEDIA_ROOT)
            except (Http404, OSError, ValueError):
                # Not a file here; a name the file system cannot even look up (too long, say:
                # OSError) or cannot be a path (ValueError) is as absent as a missing one.
                pass
            else:
                response.headers.setdefault("Cache-Control", f"public, max-age={self.MAX_AGE}")
                return response
        return self.get_response(request)
