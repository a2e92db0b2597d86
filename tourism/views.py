"""Site-wide views: home, the accreditation and privacy pages, robots.txt, health check, errors."""

import logging

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from facilities.models import Accreditation, AccreditationBody, Facility, Procedure
from facilities.selectors import destinations, procedures_with_stats
from tourism.pagecache import public_page
from tourism.seo import site_base_url

logger = logging.getLogger(__name__)

POPULAR_PROCEDURES = 6


@require_safe
@public_page
def home(request: HttpRequest) -> HttpResponse:
    procedures = procedures_with_stats(Procedure.objects.published().order_by("category__position", "name"))
    popular = sorted(procedures, key=lambda p: (-p.facility_count, p.name))[:POPULAR_PROCEDURES]
    places = destinations()
    return render(
        request,
        "home.html",
        {
            "procedures": procedures,
            "popular": [p for p in popular if p.facility_count],
            "destinations": places,
            "listed_count": sum(n for _, n in places),
        },
    )


@require_safe
@public_page
def accreditation(request: HttpRequest) -> HttpResponse:
    counts = dict(
        Accreditation.objects.current()
        .filter(facility__in=Facility.objects.listed().values("pk"))
        .order_by()
        .values("body")
        .annotate(n=Count("facility", distinct=True))
        .values_list("body", "n")
    )
    bodies = list(AccreditationBody.objects.order_by("name"))
    for body in bodies:
        body.listed_count = counts.get(body.pk, 0)
    return render(request, "pages/accreditation.html", {"bodies": bodies})


@require_safe
@public_page
def privacy(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "pages/privacy.html",
        {
            "retention_months": getattr(settings, "QUOTE_RETENTION_MONTHS", 24),
            "first_reply_hours": getattr(settings, "QUOTE_FIRST_REPLY_HOURS", 48),
        },
    )


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = [
        "User-agent: *",
        f"Disallow: {reverse('admin:index')}",
        f"Disallow: {reverse('quotes:request')}",
        f"Sitemap: {site_base_url(request)}{reverse('sitemap')}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("Health check: the database did not answer")
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "400.html", status=400)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # Rendered without a request context: the failure may lie in a context processor.
    from django.template import loader

    return HttpResponse(loader.get_template("500.html").render({"site_name": "Medtour"}), status=500)
