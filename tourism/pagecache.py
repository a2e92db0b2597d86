"""Caching of public directory data, invalidated when staff change the directory.

Every cached value is keyed by the *directory generation*, today's date and the active language:

- the generation is a random token kept in the cache; ``directory_changed()`` replaces it, which
  makes every earlier entry unreachable at once (they then age out). It is called whenever staff
  change facilities, accreditations, prices, procedures, photos or languages.
- the date makes listings turn over at midnight, when accreditations start or expire, without
  anyone changing anything.

A timeout bounds how long any entry lives even if an invalidation were missed. Nothing cached here
holds a CSRF token or any patient data: only directory data that every visitor sees alike.

``public_page`` caches whole pages for anonymous visitors on the same terms (see its docstring);
``facilities.signals`` calls ``directory_changed()`` after every committed change to the directory.
"""

import functools
import hashlib
import secrets
from collections.abc import Callable, Iterable
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseBase, QueryDict
from django.utils import translation
from django.utils.cache import patch_vary_headers

from tourism import dates

T = TypeVar("T")

GENERATION_KEY = "directory:generation"
# Long enough to pay, short enough that a missed invalidation heals itself quickly.
DEFAULT_TIMEOUT = 600


def directory_generation() -> str:
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        generation = secrets.token_hex(6)
        # add(): two processes starting at once agree on one generation.
        if not cache.add(GENERATION_KEY, generation, timeout=None):
            generation = cache.get(GENERATION_KEY) or generation
    return generation


def directory_changed() -> None:
    """Make every cached page and figure of the directory stale, in every process."""
    cache.set(GENERATION_KEY, secrets.token_hex(6), timeout=None)


def cache_enabled() -> bool:
    return getattr(settings, "DIRECTORY_CACHE", True)


def data_key(name: str, *parts: object) -> str:
    """The key of a cached page or figure: the generation, the date, the language and ``parts``.

    The language is in every key, not only in the pages': a figure holds names (procedures,
    countries) in the language it was computed in, and a page's path alone would let one language
    read another's entry wherever the path is the same.
    """
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    language = translation.get_language() or settings.LANGUAGE_CODE
    return f"directory:{directory_generation()}:{dates.today().isoformat()}:{language}:{name}:{digest}"


def cached_data(name: str, parts: tuple, compute: Callable[[], T], timeout: int = DEFAULT_TIMEOUT) -> T:
    """``compute()``'s value, from the cache when the directory has not changed since."""
    if not cache_enabled():
        return compute()
    key = data_key(name, *parts)
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, timeout)
    return value


# Longer query strings are nearly always robots trying parameters: each would be an entry of its own.
MAX_CACHED_QUERY_STRING = 512
# The headers a hit rebuilds. A response carrying any other (Cache-Control, whether private,
# no-store, no-cache or public, Vary on anything but Cookie, ...) is not stored: a hit would lose it.
REBUILT_HEADERS = {"content-type", "content-length"}


def _no_session(request: HttpRequest) -> bool:
    """Whether the visitor has no session: no cookie, or one that names no live session.

    A made-up, expired or deleted ``sessionid`` must not make a visitor dearer than one without:
    the session is looked up (one query by primary key; SessionMiddleware then deletes the cookie
    on the way out), and a session holding nothing counts as none.
    """
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return True
    session = getattr(request, "session", None)
    return session is not None and not session.keys()


def _no_messages(request: HttpRequest) -> bool:
    """Whether no message is waiting to be shown (a messages cookie that holds none counts as none)."""
    if getattr(settings, "MESSAGE_COOKIE_NAME", "messages") not in request.COOKIES:
        return True
    storage = getattr(request, "_messages", None)
    return storage is not None and not len(storage)


def anonymous_get(request: HttpRequest) -> bool:
    """A GET from someone with neither a session nor pending messages: they see what everyone sees."""
    return (
        request.method == "GET"
        and cache_enabled()
        and len(request.META.get("QUERY_STRING", "")) <= MAX_CACHED_QUERY_STRING
        and _no_session(request)
        and _no_messages(request)
    )


def only_known_parameters(request: HttpRequest, params: Iterable[str]) -> None:
    """Leave in ``request`` only the query parameters its page reads (``params``), in the order given.

    Everything else (``?utm_source=``, ``?n=123``, a robot's guesses) changes nothing on the page,
    so it must not make a cache entry of its own: the view sees, and the key holds, the request as
    if it had not been there. ``request.GET`` and the query string are replaced together, so a
    link made from either (``get_full_path``) agrees with the key.
    """
    known = QueryDict(mutable=True)
    wanted = set(params)
    for name, values in request.GET.lists():
        if name in wanted:
            known.setlist(name, values)
    if list(known.lists()) == list(request.GET.lists()):
        return
    known._mutable = False
    request.GET = known
    request.META["QUERY_STRING"] = known.urlencode()


def page_key(request: HttpRequest, name: str = "page") -> str:
    # The scheme and host appear in canonical links and structured data; prices are shown in the
    # visitor's currency (tourism.money.DisplayCurrencyMiddleware).
    currency = getattr(request, "display_currency", "")
    return data_key(name, request.scheme, request.get_host(), request.path, sorted(request.GET.lists()), currency)


def _storable(request: HttpRequest, response: HttpResponseBase) -> bool:
    """True for a page that says nothing about this visitor and would be served alike to the next."""
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if {name.lower() for name in response.headers} - REBUILT_HEADERS - {"vary"}:
        return False
    if {field.strip().lower() for field in response.get("Vary", "").split(",")} - {"", "cookie"}:
        return False
    # get_token() raises this flag: the page holds a CSRF token (or a bad CSRF cookie is being
    # replaced); either way the response is this visitor's alone.
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return False
    # A session written to would get its cookie on the way out, after this decorator has run.
    session = getattr(request, "session", None)
    if session is not None and session.modified:
        return False
    storage = getattr(request, "_messages", None)
    # Shown messages (iterating marks them used) or new ones; a messages cookie that was unreadable
    # is marked used too, but then there is nothing in it to show.
    return storage is None or not (storage.added_new or (storage.used and len(storage)))


def public_page(
    view: Callable[..., HttpResponseBase] | None = None, *, params: Iterable[str] = ()
) -> Callable[..., HttpResponseBase]:
    """Serve a public page's HTML from the cache to anonymous visitors (the view must be GET-safe).

    ``params`` names the query parameters the page reads (``@public_page(params=("q", "page"))``);
    for anonymous visitors every other parameter is dropped before the view runs and before the key
    is made (``only_known_parameters``), so no made-up parameter can add an entry.

    Only a GET without a session or messages (``anonymous_get``) is served from the cache or stored, and only
    a 200 response, not streamed, setting no cookie and no header but its Content-Type (so no
    Cache-Control: put ``cache_control`` outside this decorator), that used neither the CSRF token,
    the session nor the messages. The body and Content-Type are stored; a hit rebuilds the response
    without running the view (no database query at all) and the middleware then adds its headers
    as usual. The key holds the directory generation and the date (``data_key``), so an edit by
    staff or midnight turns every page over. It is taken before the view runs: a page rendered from
    data that changed meanwhile lands under a key nobody asks for any more.
    """
    params = tuple(params)
    if view is None:
        return functools.partial(public_page, params=params)

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponseBase:
        if request.method == "GET" and cache_enabled() and _no_session(request):
            only_known_parameters(request, params)
        if not anonymous_get(request):
            return view(request, *args, **kwargs)
        key = page_key(request)
        stored = cache.get(key)
        if stored is not None:
            content, content_type = stored
            response = HttpResponse(content, content_type=content_type)
        else:
            response = view(request, *args, **kwargs)

            def store(rendered: HttpResponseBase) -> None:
                if _storable(request, rendered):
                    cache.set(key, (rendered.content, rendered["Content-Type"]), DEFAULT_TIMEOUT)

            if getattr(response, "is_rendered", True):
                store(response)
            else:
                # A TemplateResponse: whether it uses the CSRF token is known only once rendered.
                response.add_post_render_callback(store)
        # What this page shows depends on the visitor's cookies (none here, a session elsewhere).
        patch_vary_headers(response, ("Cookie",))
        return response

    return wrapped
