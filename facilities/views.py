"""The public directory: the filterable list of listed facilities and each facility's page."""

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from facilities.filters import FacilityFilter
from facilities.models import Facility, FacilityPhoto
from facilities.selectors import facility_cards, facility_for_page, split_names

MAX_PAGE_DIGITS = 7


@require_safe
def facility_list(request: HttpRequest) -> HttpResponse:
    filterset = FacilityFilter(request.GET, queryset=Facility.objects.listed())
    notes = list(filterset.problems)

    paginator = Paginator(facility_cards(filterset.results), settings.DIRECTORY_PAGE_SIZE)
    # The total comes from the country facets, already counted in one query.
    paginator.count = filterset.total

    raw_page = request.GET.get("page", "1").strip() or "1"
    if raw_page.isdigit() and len(raw_page) <= MAX_PAGE_DIGITS:
        number = int(raw_page)
    else:
        notes.append(_("“%(page)s” is not a page number, so here is the first page.") % {"page": raw_page[:20]})
        number = 1
    if number < 1 or number > paginator.num_pages:
        raise Http404(_("There is no page %(page)s of these results.") % {"page": number})
    page = paginator.page(number)

    facilities = list(page.object_list)
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
            "facilities": facilities,
            "total": paginator.count,
            "chosen_procedure": filterset.chosen_procedure,
            "notes": notes,
            "is_filtered": any(value for key, value in request.GET.items() if key not in {"page", "sort"}),
        },
    )


@require_safe
def facility_detail(request: HttpRequest, slug: str) -> HttpResponse:
    facility = facility_for_page(slug=slug)
    if facility is None:
        raise Http404(_("No listed facility has this address."))
    return render(request, "facilities/facility_detail.html", {"facility": facility})
