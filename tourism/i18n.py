"""Languages: which one a visitor gets, the switcher, and the same page's address in each language.

The language of a page is its address: ``/es/…``, ``/de/…``, ``/ar/…``, English unprefixed
(``i18n_patterns`` in tourism/urls.py, read by Django's ``LocaleMiddleware``). So every page
is cached, linked and indexed per language, and what a visitor reads never depends on a header a
cache cannot see.

Two things choose the address for a visitor who has not picked one:

- ``PreferredLanguageMiddleware``: a GET of an English (unprefixed) page by someone whose language
  cookie or, failing that, ``Accept-Language`` asks for another of our languages is sent to that
  language's page. Someone who chose English in the switcher has the cookie and stays.
- ``switch_language``: the switcher's links go through it; it remembers the choice in the language
  cookie and sends the visitor to the same page in that language.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import translate_url as django_translate_url
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache

LANGUAGE_CODES = tuple(code for code, _name in settings.LANGUAGES)


def path_language(path: str) -> str | None:
    """The language a path's prefix names, or None for an unprefixed (English or language-less) path."""
    return translation.get_language_from_path(path)


def translate_path(url: str, language: str) -> str:
    """``url`` (a path with an optional query string) as the same page in ``language``.

    A path outside the translated URLs (the admin, /healthz) or one that names no page comes back
    unchanged. Django's ``translate_url`` resolves the path in the active language, so it is run
    in the language the path itself is in.
    """
    with translation.override(path_language(urlsplit(url).path) or settings.LANGUAGE_CODE):
        return django_translate_url(url, language)


def is_translated_path(path: str) -> bool:
    """Whether ``path`` is a page that exists in every language (one of the ``i18n_patterns``)."""
    return len({translate_path(path, code) for code in LANGUAGE_CODES}) == len(LANGUAGE_CODES)


def alternates(path: str) -> list[tuple[str, str]]:
    """``(language, path)`` of this page in each language, or nothing when it is not translated."""
    paths = [(code, translate_path(path, code)) for code in LANGUAGE_CODES]
    return paths if len({p for _code, p in paths}) == len(paths) else []


class PreferredLanguageMiddleware:
    """Send a first GET of an English page to the page in the visitor's own language.

    Only unprefixed, translated pages are redirected, only for GET and HEAD, and only when the
    cookie (a choice made in the switcher) or, without one, ``Accept-Language`` names one of our
    other languages. Robots, which send neither, index the English pages; the redirect varies on
    both headers, so no shared cache hands it to someone else.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in ("GET", "HEAD") and path_language(request.path_info) is None:
            wanted = translation.get_language_from_request(request, check_path=False)
            if wanted != settings.LANGUAGE_CODE and wanted in LANGUAGE_CODES:
                target = translate_path(request.get_full_path(), wanted)
                if urlsplit(target).path != request.path:
                    response = HttpResponseRedirect(target)
                    patch_vary_headers(response, ("Accept-Language", "Cookie"))
                    return response
        return self.get_response(request)


def _safe_next(request: HttpRequest) -> str:
    """``?next=`` if it is a path on this site, else the home page."""
    next_url = request.GET.get("next", "")
    if not next_url.startswith("/") or not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return "/"
    return next_url


@never_cache
def switch_language(request: HttpRequest, language: str) -> HttpResponse:
    """The switcher's link: remember ``language`` and show the page named by ``?next=`` in it.

    A GET (the switcher is a list of links, usable without scripts and on cached pages, which hold
    no CSRF token); all it changes is the visitor's own language cookie. ``next`` must be a path
    on this site, else the home page.
    """
    if language not in LANGUAGE_CODES:
        raise Http404("No such language")
    response = HttpResponseRedirect(translate_path(_safe_next(request), language))
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


@never_cache
def choose_currency(request: HttpRequest) -> HttpResponse:
    """The currency chooser's GET form: remember ``?currency=`` and go back to ``?next=``.

    Like the language switcher, it works on cached pages (no CSRF token) and changes only the
    visitor's own cookie. An unknown currency is a 400; ``next`` must be a path on this site.
    """
    from tourism import money

    code = money.valid_code(request.GET.get("currency"))
    if code is None:
        return HttpResponse(
            translation.gettext("Choose one of the currencies in the list."), status=400, content_type="text/plain"
        )
    response = HttpResponseRedirect(_safe_next(request))
    response.set_cookie(
        money.COOKIE_NAME,
        code,
        max_age=money.COOKIE_AGE,
        path="/",
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return response
