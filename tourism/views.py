"""Site-wide views that read no app's data: the privacy and contact pages, robots.txt, health check, errors.

Pages that show the directory (home, accreditation) live in ``facilities.views``.
"""

import logging
import re
import secrets

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django.views.static import serve

from tourism.models import Counter
from tourism.pagecache import public_page
from tourism.seo import site_base_url

logger = logging.getLogger(__name__)


def operator_contact() -> dict[str, str]:
    """Who runs the site and how to reach them (settings ``CONTACT_*`` and ``OPERATOR_*``,
    from ``MEDTOUR_CONTACT_*`` and ``MEDTOUR_OPERATOR_*``).

    An empty value means "not given": the pages leave that item out. The phone is shown as typed and
    dialled from its digits (with its leading "+"); WhatsApp's links take the international number
    as digits alone (https://wa.me/<digits>), without a leading "+" or "00".
    """
    phone = settings.CONTACT_PHONE
    # "+44 (0)20 ...": the bracketed trunk zero is dialled only from inside the country.
    phone_digits = re.sub(r"\D", "", phone.replace("(0)", "") if phone.startswith("+") else phone)
    whatsapp = settings.CONTACT_WHATSAPP
    whatsapp_digits = re.sub(r"\D", "", whatsapp.replace("(0)", "")).removeprefix("00")
    return {
        "operator_name": settings.OPERATOR_NAME,
        "operator_address": settings.OPERATOR_ADDRESS,
        "contact_email": settings.CONTACT_EMAIL,
        "contact_phone": phone if phone_digits else "",
        "contact_phone_link": f"tel:{'+' if phone.startswith('+') else ''}{phone_digits}" if phone_digits else "",
        "contact_whatsapp": whatsapp if whatsapp_digits else "",
        "contact_whatsapp_link": f"https://wa.me/{whatsapp_digits}" if whatsapp_digits else "",
        "contact_hours": settings.CONTACT_HOURS,
    }


@require_safe
@public_page
def privacy(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "pages/privacy.html",
        {
            "retention_months": getattr(settings, "QUOTE_RETENTION_MONTHS", 24),
            "first_reply_hours": getattr(settings, "QUOTE_FIRST_REPLY_HOURS", 48),
            **operator_contact(),
        },
    )


@require_safe
@public_page
def contact(request: HttpRequest) -> HttpResponse:
    return render(request, "pages/contact.html", operator_contact())


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    # The admin is left out on purpose: robots.txt is public, and naming the admin's path here
    # would undo moving it (DJANGO_ADMIN_PATH). Its pages are not linked from anywhere public.
    # The quote form in every language, the language switcher and the currency chooser (each link
    # is a redirect to a page that the sitemaps list under its own address).
    quote_forms = []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            quote_forms.append(reverse("quotes:request"))
    lines = [
        "User-agent: *",
        *(f"Disallow: {path}" for path in quote_forms),
        f"Disallow: {reverse('switch_language', args=[settings.LANGUAGE_CODE]).rsplit('/', 2)[0]}/",
        f"Disallow: {reverse('choose_currency')}",
        f"Sitemap: {site_base_url(request)}{reverse('sitemap')}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


# How long the health check waits for the database's write lock: a probe that waited as long as a
# request does (SQLite's 20-second busy timeout) would itself time out in the load balancer.
HEALTH_WRITE_WAIT_SECONDS = 2


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """200 "ok"; 200 "degraded" while the cache does not answer (the site works without it, slower,
    and must stay in the load balancer); 503 when the database does not answer, or answers but
    cannot write (read-only, or its write lock held longer than ``HEALTH_WRITE_WAIT_SECONDS``): a
    patient's request could not be saved."""
    from tourism.cache import cache_answers

    cache_state = "ok" if cache_answers() else "unavailable"
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("Health check: the database did not answer")
        return JsonResponse({"status": "error", "database": "unavailable", "cache": cache_state}, status=503)
    try:
        _write_probe(wait_seconds=HEALTH_WRITE_WAIT_SECONDS)
    except DatabaseError as exc:
        logger.error("Health check: the database answers but cannot write (%s)", exc)
        return JsonResponse({"status": "error", "database": "not_writable", "cache": cache_state}, status=503)
    return JsonResponse({"status": "ok" if cache_state == "ok" else "degraded", "database": "ok", "cache": cache_state})


def _write_probe(*, wait_seconds: float) -> None:
    """Write a row to the database in a transaction that is rolled back, so nothing is left behind.

    Raises ``DatabaseError`` when it cannot write within ``wait_seconds``: a read-only database, a
    full disk, or a write lock held longer than that. The row is a security counter that expired
    long ago (``tourism.models.Counter``): an ordinary insert, as a patient's request would need.
    On SQLite the transaction begins IMMEDIATE (settings), which takes the file's write lock, and
    the busy timeout is lowered for the probe; on PostgreSQL lock and statement timeouts bound it.
    """
    milliseconds = max(1, int(wait_seconds * 1000))
    usual_timeout = None
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA busy_timeout")
            (usual_timeout,) = cursor.fetchone()
            cursor.execute(f"PRAGMA busy_timeout = {milliseconds}")
    try:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute(f"SET LOCAL lock_timeout = {milliseconds}")
                    cursor.execute(f"SET LOCAL statement_timeout = {milliseconds}")
            Counter.objects.create(key=f"health-probe:{secrets.token_hex(8)}", count=0, expires_at=0)
            transaction.set_rollback(True)
    finally:
        if usual_timeout is not None:
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA busy_timeout = {int(usual_timeout)}")


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    # A form whose body could not be parsed (tourism.multipart) says so, rather than blame the address.
    return render(request, "400.html", {"unreadable_form": isinstance(exception, MultiPartParserError)}, status=400)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # Rendered without a request context: the failure may lie in a context processor.
    from django.template import loader

    return HttpResponse(loader.get_template("500.html").render({"site_name": "Medtour"}), status=500)


def media_in_debug(request: HttpRequest, path: str, document_root=None, show_indexes=False) -> HttpResponse:
    """Django's development file view, with a name too long (or not a path) answered as not found."""
    try:
        return serve(request, path, document_root=document_root, show_indexes=show_indexes)
    except (OSError, ValueError) as exc:
        raise Http404("No such file.") from exc
