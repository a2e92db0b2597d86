"""Reads of the directory shared by the public pages."""

import statistics
from dataclasses import dataclass

from django.db.models import Count, Min, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce, Lower
from django_countries.fields import Country

from facilities.models import Accreditation, Facility, FacilityPhoto, FacilityProcedure, Procedure
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


# Procedures ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CountryCost:
    country: Country
    lowest: int
    median: float
    facilities: int


def listed_offers() -> QuerySet:
    """Prices of published procedures at listed facilities: the only prices shown in public."""
    return FacilityProcedure.objects.filter(
        facility__in=Facility.objects.listed().values("pk"), procedure__is_published=True
    )


def procedures_with_stats(queryset: QuerySet | None = None) -> QuerySet:
    """Published procedures annotated with how many listed facilities offer them and from what price."""
    queryset = Procedure.objects.published() if queryset is None else queryset
    offers = listed_offers().filter(procedure=OuterRef("pk")).order_by().values("procedure")
    return queryset.select_related("category").annotate(
        facility_count=Coalesce(Subquery(offers.annotate(n=Count("pk")).values("n")), 0),
        lowest_price=Subquery(offers.annotate(low=Min("price_from")).values("low")),
    )


def procedure_offers(*, procedure: Procedure) -> list[FacilityProcedure]:
    """The listed facilities offering a procedure, cheapest first, with their current accreditations."""
    return list(
        listed_offers()
        .filter(procedure=procedure)
        .select_related("facility")
        .prefetch_related(
            Prefetch(
                "facility__accreditations",
                queryset=Accreditation.objects.current().select_related("body").order_by("body__abbreviation"),
                to_attr="current_accreditations",
            )
        )
        .order_by("price_from", Lower("facility__name"))
    )


def cost_by_country(offers: list[FacilityProcedure]) -> list[CountryCost]:
    """Lowest and median starting price per country, from the live prices, cheapest country first."""
    by_country: dict[str, list[FacilityProcedure]] = {}
    for offer in offers:
        by_country.setdefault(offer.facility.country.code, []).append(offer)
    costs = [
        CountryCost(
            country=group[0].facility.country,
            lowest=min(offer.price_from for offer in group),
            median=statistics.median(offer.price_from for offer in group),
            facilities=len({offer.facility_id for offer in group}),
        )
        for group in by_country.values()
    ]
    return sorted(costs, key=lambda cost: (cost.lowest, cost.country.name))


def destinations() -> list[tuple[Country, int]]:
    """Countries with listed facilities and how many, most first."""
    rows = Facility.objects.listed().order_by().values("country").annotate(n=Count("pk"))
    return sorted(((Country(row["country"]), row["n"]) for row in rows), key=lambda item: (-item[1], item[0].name))
