"""Reads of the directory shared by the public pages."""

import statistics
from dataclasses import dataclass

from django.db.models import Count, Min, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Lower
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


def procedures_with_stats(queryset: QuerySet | None = None) -> list[Procedure]:
    """Published procedures with how many listed facilities offer each and from what price.

    Two queries whatever the size of the directory: the procedures, then one grouped pass over the
    listed prices (cheaper than a correlated subquery per procedure).
    """
    queryset = Procedure.objects.published() if queryset is None else queryset
    procedures = list(queryset.select_related("category"))
    stats = {
        row["procedure"]: row
        for row in listed_offers()
        .filter(procedure__in=[procedure.pk for procedure in procedures])
        .order_by()
        .values("procedure")
        .annotate(n=Count("pk"), low=Min("price_from"))
    }
    for procedure in procedures:
        row = stats.get(procedure.pk, {})
        procedure.facility_count = row.get("n", 0)
        procedure.lowest_price = row.get("low")
    return procedures


def procedure_offers(*, procedure: Procedure, limit: int = 12) -> list[FacilityProcedure]:
    """The cheapest listed facilities offering a procedure, with their current accreditations."""
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
        .order_by("price_from", Lower("facility__name"), "pk")[:limit]
    )


def cost_by_country(*, procedure: Procedure) -> list[CountryCost]:
    """Lowest and median starting price per country from the live prices, cheapest country first.

    One narrow query of (country, price) pairs: a facility offers a procedure at most once, so each
    row is one facility. The median is taken in Python, the same way on every database.
    """
    prices: dict[str, list[int]] = {}
    rows = listed_offers().filter(procedure=procedure).values_list("facility__country", "price_from")
    for country, price in rows.iterator(chunk_size=5000):
        prices.setdefault(country, []).append(price)
    costs = [
        CountryCost(country=Country(code), lowest=min(group), median=statistics.median(group), facilities=len(group))
        for code, group in prices.items()
    ]
    return sorted(costs, key=lambda cost: (cost.lowest, cost.country.name))


def destinations() -> list[tuple[Country, int]]:
    """Countries with listed facilities and how many, most first."""
    rows = Facility.objects.listed().order_by().values("country").annotate(n=Count("pk"))
    return sorted(((Country(row["country"]), row["n"]) for row in rows), key=lambda item: (-item[1], item[0].name))
