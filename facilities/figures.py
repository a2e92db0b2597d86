"""The directory-wide figures, kept up to date as the directory changes, never computed by a visitor.

The home page, the procedure list and pages and the directory's country list show figures over
every listed facility: how many are listed in each country, and for each procedure and country how
many offer it and from what price (lowest and median, in US dollars). At 100,000 facilities
computing them read some 300,000 prices, and the first visitor after any change waited for it.
They are now rows (``CountryFigure``, ``OfferFigure``) that every write recomputes for the
countries it touches, in its own transaction:

- a facility saved or deleted (its country, and the one it left), a price saved or deleted, an
  accreditation saved or deleted (through ``facility_listing_refresh``), facilities published or
  unpublished in bulk: ``refresh_countries`` for their countries;
- a new exchange rate, a bulk load, the daily listing refresh, ``migrate``: ``rebuild``.

Listings also start and end with the date, with no write at all. So the figures are kept for two
days, today and tomorrow (the stored listing windows are exact for both), and the pages read the
newest day that has begun: at midnight tomorrow's figures are there already. The mail worker's
loop (and the daily ``refresh_listings``) adds the next day's in the course of each day
(``keep_ahead``); were it stopped, the pages would go on showing the last day it made.

One country is recomputed from its listed facilities (the listing index) and their prices, a few
thousand rows at 100,000 facilities, under a lock on its ``CountryFigure`` rows: two writers
recomputing one country take turns, and the second sees what the first committed.
"""

import datetime
import statistics
from collections import defaultdict
from collections.abc import Iterable

from django.db import router, transaction
from django.db.models import Min, QuerySet, Subquery, Sum

from facilities.models import CountryFigure, Facility, FacilityProcedure, OfferFigure, listed_q, today


def kept_days() -> list[datetime.date]:
    """The days figures are kept for: today and tomorrow."""
    now = today()
    return [now, now + datetime.timedelta(days=1)]


def refresh_countries(countries: Iterable[str], *, using: str | None = None) -> None:
    """Recompute the figures of ``countries`` (codes) from the rows as they stand in this transaction."""
    codes = sorted({str(code) for code in countries if code})
    if not codes:
        return
    using = using or router.db_for_write(CountryFigure)
    days = kept_days()
    with transaction.atomic(using=using):
        # The lock rows first, then locked in a fixed order: writers never wait on each other in a ring.
        locks = CountryFigure.objects.using(using)
        locks.bulk_create(
            [CountryFigure(country=code, day=day) for day in days for code in codes], ignore_conflicts=True
        )
        list(locks.select_for_update().filter(country__in=codes, day__in=days).order_by("day", "country"))
        for day in days:
            for code in codes:
                _recompute(code, day, using)


def rebuild(*, using: str | None = None) -> None:
    """Recompute every country's figures for the kept days, and drop the days gone by."""
    using = using or router.db_for_write(CountryFigure)
    with transaction.atomic(using=using):
        known = set(CountryFigure.objects.using(using).values_list("country", flat=True))
        present = set(Facility.objects.using(using).order_by().values_list("country", flat=True).distinct())
        refresh_countries(known | present, using=using)
        first = kept_days()[0]
        CountryFigure.objects.using(using).filter(day__lt=first).delete()
        OfferFigure.objects.using(using).filter(day__lt=first).delete()
        CountryFigure.objects.using(using).exclude(country__in=present).delete()
        OfferFigure.objects.using(using).exclude(country__in=present).delete()


def keep_ahead(*, using: str | None = None) -> bool:
    """Make tomorrow's figures if they are not there yet (once a day); whether it did."""
    using = using or router.db_for_write(CountryFigure)
    if CountryFigure.objects.using(using).filter(day=kept_days()[-1]).exists():
        return False
    if not Facility.objects.using(using).exists():
        return False
    rebuild(using=using)
    return True


def refresh_facilities(facility_ids: Iterable[int], *, also: Iterable[str] = ()) -> None:
    """Recompute the figures of the countries of ``facility_ids`` (and of the codes in ``also``)."""
    ids = list(facility_ids)
    countries = set(Facility.objects.filter(pk__in=ids).values_list("country", flat=True)) if ids else set()
    refresh_countries(countries | set(also))


def _recompute(code: str, day: datetime.date, using: str) -> None:
    listed = Facility.objects.using(using).filter(listed_q(on=day), country=code)
    prices: dict[int, list[int | None]] = defaultdict(list)
    offers = FacilityProcedure.objects.using(using).filter(facility__in=listed.values("pk")).order_by()
    for procedure_id, usd_from in offers.values_list("procedure_id", "usd_from").iterator(chunk_size=5000):
        prices[procedure_id].append(usd_from)
    figures = []
    for procedure_id, found in prices.items():
        priced = [price for price in found if price is not None]
        figures.append(
            OfferFigure(
                procedure_id=procedure_id,
                country=code,
                day=day,
                offers=len(found),
                priced=len(priced),
                lowest_usd=min(priced) if priced else None,
                median_usd=statistics.median(priced) if priced else None,
            )
        )
    OfferFigure.objects.using(using).filter(country=code, day=day).delete()
    OfferFigure.objects.using(using).bulk_create(figures)
    CountryFigure.objects.using(using).filter(country=code, day=day).update(listed=listed.count())


# What the pages read: the newest kept day that has begun, within the same query ------------------


def _current(model) -> QuerySet:
    # The day from the country rows, which every kept day has (a day may have no offer rows).
    newest = CountryFigure.objects.filter(day__lte=today()).order_by("-day").values("day")[:1]
    return model.objects.filter(day=Subquery(newest))


def listed_per_country() -> dict[str, int]:
    """Listed facilities per country code (countries with none left out)."""
    return dict(_current(CountryFigure).filter(listed__gt=0).values_list("country", "listed"))


def offers_per_country(procedure_id: int) -> dict[str, int]:
    """Listed facilities offering one procedure, per country code."""
    return dict(_current(OfferFigure).filter(procedure_id=procedure_id, offers__gt=0).values_list("country", "offers"))


def procedure_totals(procedure_ids: Iterable[int]) -> dict[int, dict]:
    """For each procedure: how many listed facilities offer it (``n``) and the lowest price (``low``)."""
    rows = (
        _current(OfferFigure)
        .filter(procedure__in=list(procedure_ids))
        .order_by()
        .values("procedure")
        .annotate(n=Sum("offers"), low=Min("lowest_usd"))
    )
    return {row["procedure"]: row for row in rows}


def country_prices(procedure_id: int) -> list[tuple[str, int, float, int]]:
    """(country, lowest, median, facilities with a price) for one procedure, where any has a price."""
    return list(
        _current(OfferFigure)
        .filter(procedure_id=procedure_id, priced__gt=0)
        .values_list("country", "lowest_usd", "median_usd", "priced")
    )
