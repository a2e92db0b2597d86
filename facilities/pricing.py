"""The US-dollar reference figure kept beside every indicative price (``FacilityProcedure.usd_from``).

Prices are entered in each facility's own currency; filters, sorting and the directory's figures
(lowest price per procedure, cost by country) compare them in one currency, on one indexed column.
``FacilityProcedure.save`` keeps the figure for the row it saves; ``refresh_reference_prices``
recomputes many rows in one statement per currency, when a rate is entered, changed or deleted
(``facilities.signals``, in the same transaction) or when a facility changes its currency.

The reference figure uses the newest rate whatever its age: an old rate orders prices better than
none. What a visitor *reads* is converted only at a fresh rate (``tourism.money.conversion``).
"""

from decimal import Decimal

from django.db.models import DecimalField, ExpressionWrapper, F, IntegerField, QuerySet, Value
from django.db.models.functions import Cast, Round

from facilities.models import FacilityProcedure
from tourism import money


def _in_usd(field: str, per_usd: Decimal):
    dollars = ExpressionWrapper(
        F(field) / Value(per_usd, output_field=DecimalField(max_digits=18, decimal_places=6)),
        output_field=DecimalField(max_digits=30, decimal_places=6),
    )
    return Cast(Round(dollars), IntegerField())


def refresh_reference_prices(*, currencies: set[str] | None = None, facility_ids: set[int] | None = None) -> int:
    """Recompute the dollar figures of the offers in ``currencies`` and/or of ``facility_ids``; the rows changed."""
    offers: QuerySet = FacilityProcedure.objects.all()
    if facility_ids is not None:
        offers = offers.filter(facility_id__in=facility_ids)
    if currencies is not None:
        offers = offers.filter(facility__currency__in=currencies)
    found = set(offers.values_list("facility__currency", flat=True).distinct())
    rates = money.stored_rates(found - {money.REFERENCE})
    changed = 0
    for currency in sorted(found):
        rows = FacilityProcedure.objects.filter(pk__in=offers.filter(facility__currency=currency).values("pk"))
        if currency == money.REFERENCE:
            changed += rows.update(usd_from=F("price_from"), usd_to=F("price_to"))
        elif currency in rates:
            per_usd = rates[currency].per_usd
            changed += rows.update(usd_from=_in_usd("price_from", per_usd), usd_to=_in_usd("price_to", per_usd))
        else:
            changed += rows.update(usd_from=None, usd_to=None)
    return changed
