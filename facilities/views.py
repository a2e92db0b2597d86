"""The public directory: the home page, the filterable list of listed facilities, each facility's
page, the procedure pages and the page about accreditation bodies."""

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_safe

from facilities.filters import FacilityFilter
from facilities.models import Accreditation, AccreditationBody, Facility, FacilityPhoto, Procedure
from facilities.search import procedures_matching
from facilities.selectors import (
    cost_by_country,
    destinations,
    facility_cards_for_ids,
    facility_for_page,
    facility_page_ids,
    procedure_offers,
    procedures_with_stats,
    public_responsiveness,
    split_names,
)
from facilities.structured_data import facility_json_ld, procedure_json_ld
from tourism import money
from tourism.pagecache import public_page
from tourism.seo import site_base_url

MAX_PAGE_DIGITS = 7
POPULAR_PROCEDURES = 6


@require_safe
@public_page
def home(request: HttpRequest) -> HttpResponse:
    procedures = procedures_with_stats(Procedure.objects.published().order_by("category__position", "name"))
    popular = sorted(procedures, key=lambda p: (-p.facility_count, p.name))[:POPULAR_PROCEDURES]
    places = destinations()
    # The page shows prices converted: the rates are read once, whatever it holds (tourism.money).
    money.request_rates(request)
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


# Facilities ---------------------------------------------------------------------------------------


@require_safe
@public_page(params=(*FacilityFilter.base_filters, "page"))
def facility_list(request: HttpRequest) -> HttpResponse:
    filterset = FacilityFilter(
        request.GET,
        queryset=Facility.objects.listed(),
        public=True,
        currency=money.display_currency(request),
        rates=money.request_rates(request),
    )
    notes = list(filterset.problems)

    results = filterset.results
    paginator = Paginator(results, settings.DIRECTORY_PAGE_SIZE)
    # The total comes from the country facets, already counted in one query.
    paginator.count = filterset.total

    number, note = _page_number(request.GET.get("page", ""), last=paginator.num_pages)
    if note:
        notes.append(note)
    page = paginator.page(number)

    # The page's ids first, then the cards of just those rows.
    offset = (number - 1) * paginator.per_page
    ids = facility_page_ids(results, offset=offset, limit=paginator.per_page, total=paginator.count)
    facilities = facility_cards_for_ids(ids, procedure=filterset.chosen_procedure)
    page.object_list = facilities
    photo_storage = FacilityPhoto._meta.get_field("thumbnail").storage
    for facility in facilities:
        facility.language_list = split_names(facility.language_names)
        facility.cover_url = photo_storage.url(facility.cover_thumbnail) if facility.cover_thumbnail else ""

    filterset.offer_countries_with_counts()
    return render(
        request,
        "facilities/facility_list.html",
        {
            "filter": filterset,
            "page_obj": page,
            "page_numbers": list(paginator.get_elided_page_range(number)),
            "facilities": facilities,
            "total": paginator.count,
            "chosen_procedure": filterset.chosen_procedure,
            "notes": notes,
            "canonical_url": site_base_url(request) + request.path + (f"?page={number}" if number > 1 else ""),
            "is_filtered": any(value for key, value in request.GET.items() if key not in {"page", "sort"}),
            "active_filters": filterset.active_filters(),
        },
    )


def _page_number(raw: str, *, last: int) -> tuple[int, str]:
    """The page to show for a ``page`` parameter, and a note when it is not the page asked for.

    A page past the end shows the last one (a list that has shrunk since its link was shared still
    answers), anything that is not a page number the first one; neither is an error.
    """
    raw = raw.strip() or "1"
    # ASCII only: "²" and other Unicode digits are digits to ``isdigit`` but not to ``int``.
    digits = raw.lstrip("0") if raw.isascii() and raw.isdigit() else ""
    if not digits:
        return 1, _("“%(page)s” is not a page number, so here is the first page.") % {"page": raw[:20]}
    if len(digits) > MAX_PAGE_DIGITS or int(digits) > last:
        return last, ngettext(
            "There is no page %(page)s: these results fit on %(count)d page, so here it is.",
            "There is no page %(page)s: these results fit on %(count)d pages, so here is the last one.",
            last,
        ) % {"page": raw[:20], "count": last}
    return int(digits), ""


@require_safe
@public_page
def facility_detail(request: HttpRequest, slug: str) -> HttpResponse:
    facility = facility_for_page(slug=slug)
    if facility is None:
        raise Http404(_("No listed facility has this address."))
    url = site_base_url(request) + facility.get_absolute_url()
    photos = list(facility.photos.all())
    image_url = request.build_absolute_uri(photos[0].large.url) if photos else ""
    # The page shows prices converted: the rates are read once, whatever it holds (tourism.money).
    money.request_rates(request)
    return render(
        request,
        "facilities/facility_detail.html",
        {
            "facility": facility,
            "photos": photos,
            "og_image": image_url,
            "facility_ld": facility_json_ld(facility=facility, url=url, image_url=image_url),
            "responsiveness": public_responsiveness(facility),
        },
    )


# Procedures ---------------------------------------------------------------------------------------

MAX_SEARCH = 100
# The cheapest few are shown; the directory (linked) lists them all with filters.
PROCEDURE_PAGE_FACILITIES = 12


@require_safe
@public_page(params=("q",))
def procedure_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:MAX_SEARCH]
    procedures = procedures_with_stats(
        Procedure.objects.published().order_by("category__position", "category__name", "name")
    )
    if query:
        # Matched in Python, in every language and without accents (facilities.search): the
        # published procedures are a short list, read (and their figures cached) for the page anyway.
        procedures = procedures_matching(procedures, query)
    groups: dict = {}
    for procedure in procedures:
        groups.setdefault(procedure.category, []).append(procedure)
    # The page shows prices converted: the rates are read once, whatever it holds (tourism.money).
    money.request_rates(request)
    return render(
        request,
        "facilities/procedure_list.html",
        {"groups": list(groups.items()), "query": query, "found": sum(len(group) for group in groups.values())},
    )


@require_safe
@public_page
def procedure_detail(request: HttpRequest, slug: str) -> HttpResponse:
    procedure = Procedure.objects.select_related("category").filter(slug=slug).first()
    if procedure is None:
        raise Http404(_("No procedure page has this address."))
    # Editors can preview a page before it is published; nobody else sees it.
    preview = not procedure.is_published
    if preview and not request.user.has_perm("facilities.change_procedure"):
        raise Http404(_("No procedure page has this address."))
    offers = procedure_offers(procedure=procedure, limit=PROCEDURE_PAGE_FACILITIES)
    costs = cost_by_country(procedure=procedure)
    # The page shows prices converted: the rates are read once, whatever it holds (tourism.money).
    money.request_rates(request)
    return render(
        request,
        "facilities/procedure_detail.html",
        {
            "procedure": procedure,
            "offers": offers,
            "costs": costs,
            "offer_total": sum(cost.facilities for cost in costs),
            "related": procedure.related.published().order_by("name"),
            "preview": preview,
            "procedure_ld": procedure_json_ld(
                procedure=procedure, url=site_base_url(request) + procedure.get_absolute_url()
            ),
        },
    )
