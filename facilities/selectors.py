"""Reads of the directory shared by the public pages, the admin and the quotes app."""

import datetime
import math
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import F, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Lower
from django.utils.translation import ngettext
from django_countries.fields import Country

from facilities import figures as kept_figures
from facilities.models import (
    Accreditation,
    Facility,
    FacilityPhoto,
    FacilityProcedure,
    FacilityResponsiveness,
    Procedure,
    listed_q,
    today,
)
from facilities.translation import in_language
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
        .annotate(names=GroupConcat(in_language("language__name")))
        .values("names")
    )
    return queryset.annotate(
        cover_thumbnail=Subquery(cover.values("thumbnail")[:1]),
        cover_alt=Subquery(cover.rewrite(False).values(text=in_language("alt_text"))[:1]),
        language_names=Subquery(spoken),
    ).prefetch_related(
        Prefetch(
            "accreditations",
            queryset=Accreditation.objects.current().select_related("body").order_by("body__abbreviation"),
            to_attr="current_accreditations",
        )
    )


def listed_facility_ids(*, ids: Iterable[int]) -> set[int]:
    """Which of these facilities are listed today, in one query: ``Facility.objects.listed()`` asked of a few.

    For code outside the directory (a quote's facility, a patient's chosen hospitals) that must
    say whether a facility is public without restating the rule.
    """
    ids = list(ids)
    if not ids:
        return set()
    return set(Facility.objects.listed().filter(pk__in=ids).values_list("pk", flat=True))


def facility_page_ids(results: QuerySet, *, offset: int, limit: int, total: int) -> list[int]:
    """The ids of one page of ``results``, in order, read without building the cards of other rows.

    A page deep into the results is read from the far end in reverse order, so the last page
    costs what the first does and no page walks more than half of the results.
    """
    end = min(offset + limit, total)
    if offset > total // 2:
        reversed_ids = results.reverse().values_list("pk", flat=True)[total - end : total - offset]
        return list(reversed_ids)[::-1]
    return list(results.values_list("pk", flat=True)[offset:end])


def facility_cards_for_ids(ids: list[int], *, procedure: Procedure | None = None) -> list[Facility]:
    """The cards of a page of facilities, in the order of ``ids``, with the chosen procedure's price
    (in the facility's own currency, ``facility.currency``)."""
    if not ids:
        return []
    queryset = facility_cards(Facility.objects.filter(pk__in=ids))
    if procedure is not None:
        offer = FacilityProcedure.objects.filter(facility=OuterRef("pk"), procedure=procedure)
        queryset = queryset.annotate(
            procedure_price_from=Subquery(offer.values("price_from")[:1]),
            procedure_price_to=Subquery(offer.values("price_to")[:1]),
        )
    position = {pk: n for n, pk in enumerate(ids)}
    cards = sorted(queryset.order_by(), key=lambda facility: position[facility.pk])
    on = today()
    for facility in cards:
        mark_accreditation_expiry(facility, on=on)
    return cards


def days_left_if_expiring(ends_on: datetime.date | None, *, on: datetime.date) -> int | None:
    """Days from ``on`` to ``ends_on`` when that is within the warning window, else None.

    The admin's "Listed – accreditation expiring" window (``ACCREDITATION_WARNING_DAYS``): a day
    that is ``on`` itself gives 0 ("expires today").
    """
    if ends_on is None or ends_on < on:
        return None
    days = (ends_on - on).days
    return days if days <= settings.ACCREDITATION_WARNING_DAYS else None


def mark_accreditation_expiry(facility: Facility, *, on: datetime.date) -> None:
    """Set the public warnings about running out of accreditation, from data already loaded.

    ``facility.accreditation_expires_in``: days until the facility's accreditation cover ends
    (``listed_until``, the last day it stays listed), when within the warning window: a renewal
    recorded ahead that follows without a gap extends the cover, so it raises no alarm. Each of its
    ``current_accreditations`` gets ``expires_in`` the same way, from its own ``expires_on``.
    """
    facility.accreditation_expires_in = days_left_if_expiring(facility.listed_until, on=on)
    for accreditation in getattr(facility, "current_accreditations", ()):
        accreditation.expires_in = days_left_if_expiring(accreditation.expires_on, on=on)


def facility_for_page(*, slug: str) -> Facility | None:
    """A listed facility with everything its page shows (with ``mark_accreditation_expiry``), or None."""
    facility = (
        Facility.objects.listed()
        .filter(slug=slug)
        .select_related("responsiveness")
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
    if facility is not None:
        mark_accreditation_expiry(facility, on=today())
    return facility


@dataclass(frozen=True)
class Responsiveness:
    """What the public facility page says about how the facility answers Medtour's cases."""

    usually_quotes_within: str  # "2 days", "5 hours"; "" when it has not quoted yet
    usually_answers_within: str
    in_time_percent: int
    answered: int


def _within(delta: datetime.timedelta) -> str:
    """A length of time the way a patient reads it: whole hours under a day, else days rounded up."""
    hours = max(1, round(delta.total_seconds() / 3600))
    if hours < 24:
        return ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours}
    days = math.ceil(hours / 24)
    return ngettext("%(n)d day", "%(n)d days", days) % {"n": days}


def public_responsiveness(facility: Facility) -> Responsiveness | None:
    """The facility's answering figures for its public page, only once it has answered enough
    cases (``FacilityResponsiveness.PUBLIC_MINIMUM_ANSWERED``) for them to mean something."""
    try:
        figures = facility.responsiveness
    except FacilityResponsiveness.DoesNotExist:
        return None
    if not figures.is_public or figures.median_first_answer is None:
        return None
    return Responsiveness(
        usually_quotes_within=_within(figures.median_quote) if figures.median_quote is not None else "",
        usually_answers_within=_within(figures.median_first_answer),
        in_time_percent=round(100 * figures.in_time_share),
        answered=figures.cases_answered,
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

    @property
    def median_dollars(self) -> int:
        return round(self.median)


def listed_offers() -> QuerySet:
    """Prices of published procedures at listed facilities: the only prices shown in public."""
    return FacilityProcedure.objects.filter(listed_q("facility__"), procedure__is_published=True)


def procedures_with_stats(queryset: QuerySet | None = None) -> list[Procedure]:
    """Published procedures with how many listed facilities offer each and from what price.

    The lowest price is in US dollars (the reference figures, ``facilities.pricing``). Two queries
    whatever the size of the directory: the procedures, then their kept figures
    (``facilities.figures``: a row per procedure and country, recomputed by every write).
    """
    queryset = Procedure.objects.published() if queryset is None else queryset
    procedures = list(queryset.select_related("category"))
    stats = kept_figures.procedure_totals(procedure.pk for procedure in procedures)
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
        .order_by(F("usd_from").asc(nulls_last=True), Lower("facility__name"), "pk")[:limit]
    )


def cost_by_country(*, procedure: Procedure) -> list[CountryCost]:
    """Lowest and median starting price per country from the live prices, cheapest country first.

    In US dollars, from each price's reference figure (``facilities.pricing``): prices in
    different currencies compare in one. Read from the kept figures (``facilities.figures``), a
    row per country, whatever the number of facilities.
    """
    costs = [
        CountryCost(country=Country(code), lowest=lowest, median=median, facilities=n)
        for code, lowest, median, n in kept_figures.country_prices(procedure.pk)
    ]
    return sorted(costs, key=lambda cost: (cost.lowest, cost.country.name))


def destinations() -> list[tuple[Country, int]]:
    """Countries with listed facilities and how many, most first (the kept figures)."""
    counts = kept_figures.listed_per_country().items()
    return sorted(((Country(code), n) for code, n in counts), key=lambda item: (-item[1], item[0].name))
