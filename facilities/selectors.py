"""Reads of the directory shared by the public pages."""

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery

from facilities.models import Accreditation, Facility, FacilityPhoto, FacilityProcedure
from tourism.db import GroupConcat


def facility_cards(queryset: QuerySet) -> QuerySet:
    """Everything a result card shows, in a fixed number of queries whatever the page size.

    The cover photo and the languages come as subquery annotations; the current accreditations
    (with their bodies) as one prefetch.
    """
    cover = FacilityPhoto.objects.filter(facility=OuterRef("pk")).order_by("position", "pk")
    spoken = (
        Facility.languages.through.objects.filter(facility=OuterRef("pk"))
        .order_by()
        .values("facility")
        .annotate(names=GroupConcat("language__name"))
        .values("names")
    )
    return queryset.annotate(
        cover_thumbnail=Subquery(cover.values("thumbnail")[:1]),
        cover_alt=Subquery(cover.values("alt_text")[:1]),
        language_names=Subquery(spoken),
    ).prefetch_related(
        Prefetch(
            "accreditations",
            queryset=Accreditation.objects.current().select_related("body").order_by("body__abbreviation"),
            to_attr="current_accreditations",
        )
    )


def facility_for_page(*, slug: str) -> Facility | None:
    """A listed facility with everything its page shows, or None."""
    return (
        Facility.objects.listed()
        .filter(slug=slug)
        .prefetch_related(
            "photos",
            "languages",
            Prefetch(
                "accreditations",
                queryset=Accreditation.objects.current().select_related("body").order_by("body__abbreviation"),
                to_attr="current_accreditations",
            ),
            Prefetch(
                "offered_procedures",
                queryset=FacilityProcedure.objects.filter(procedure__is_published=True)
                .select_related("procedure__category")
                .order_by("procedure__category__position", "procedure__name"),
                to_attr="prices",
            ),
        )
        .first()
    )


def split_names(joined: str | None) -> list[str]:
    return sorted(joined.split(GroupConcat.SEPARATOR)) if joined else []
