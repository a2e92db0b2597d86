"""The directory-wide figures (facilities.figures): kept by every kind of write in its own
transaction, equal at every step to the figures computed from scratch, ready for tomorrow before
midnight, and read by the pages without a pass over the facilities or their prices (issue 15)."""

import datetime
import random
import statistics
from collections import defaultdict
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from facilities import figures
from facilities.models import CountryFigure, Facility, FacilityProcedure, OfferFigure, listed_q, today
from facilities.services import facility_listing_refresh, facility_set_published
from tests.factories import make_accreditation, make_facility, make_offer, make_procedure
from tourism.models import ExchangeRate

pytestmark = pytest.mark.django_db

COUNTRIES = ["TR", "IN", "DE", "MX"]


def from_scratch(day: datetime.date) -> tuple[dict, dict]:
    """What the figures must be on ``day``: straight from the facilities and their prices."""
    listed = Facility.objects.filter(listed_q(on=day))
    per_country = defaultdict(int)
    for country in listed.values_list("country", flat=True):
        per_country[country] += 1
    prices = defaultdict(list)
    for procedure_id, country, usd in FacilityProcedure.objects.filter(facility__in=listed).values_list(
        "procedure_id", "facility__country", "usd_from"
    ):
        prices[(procedure_id, country)].append(usd)
    offers = {}
    for key, found in prices.items():
        priced = [price for price in found if price is not None]
        offers[key] = (
            len(found),
            len(priced),
            min(priced, default=None),
            statistics.median(priced) if priced else None,
        )
    return dict(per_country), offers


def kept(day: datetime.date) -> tuple[dict, dict]:
    per_country = dict(CountryFigure.objects.filter(day=day, listed__gt=0).values_list("country", "listed"))
    offers = {
        (row.procedure_id, row.country.code): (row.offers, row.priced, row.lowest_usd, row.median_usd)
        for row in OfferFigure.objects.filter(day=day)
    }
    return per_country, offers


def assert_kept_as_computed(step: str) -> None:
    for day in figures.kept_days():
        assert kept(day) == from_scratch(day), f"{step} ({day})"


def test_every_kind_of_write_keeps_the_figures_equal_to_a_fresh_count():
    rng = random.Random(15)
    procedures = [make_procedure() for _ in range(3)]
    facilities = []
    for step in range(40):
        action = rng.choice(["facility", "offer", "offer", "price", "delete offer", "expire", "publish", "move"])
        if action == "facility" or len(facilities) < 3:
            facilities.append(make_facility(country=rng.choice(COUNTRIES), accredited=rng.random() < 0.8))
        elif action == "offer":
            facility, procedure = rng.choice(facilities), rng.choice(procedures)
            if not FacilityProcedure.objects.filter(facility=facility, procedure=procedure).exists():
                low = rng.randrange(3_000, 30_000, 500)
                make_offer(facility=facility, procedure=procedure, price_from=low, price_to=low + 2_000)
        elif action == "price":
            offer = FacilityProcedure.objects.order_by("?").first()
            if offer:
                offer.price_from = rng.randrange(1_000, 9_000, 100)
                offer.price_to = offer.price_from + 500
                offer.save()
        elif action == "delete offer":
            offer = FacilityProcedure.objects.order_by("?").first()
            if offer:
                offer.delete()
        elif action == "expire":
            # Tomorrow it is no longer accredited: today's figures count it, tomorrow's do not.
            facility = rng.choice(facilities)
            for accreditation in facility.accreditations.all():
                accreditation.expires_on = today()
                accreditation.save()
        elif action == "publish":
            facility = rng.choice(facilities)
            facility_set_published(ids=[facility.pk], published=not Facility.objects.get(pk=facility.pk).is_published)
        elif action == "move":
            facility = Facility.objects.get(pk=rng.choice(facilities).pk)
            facility.country = rng.choice(COUNTRIES)
            facility.save()
        assert_kept_as_computed(f"step {step}: {action}")

    # A price in another currency, then a new rate for it: every dollar figure moves.
    facility = Facility.objects.filter(listed_q()).first()
    facility.currency = "EUR"
    facility.save()
    assert_kept_as_computed("currency")
    ExchangeRate.objects.create(currency="EUR", on=today(), per_usd=Decimal("0.5"), source="test")
    assert_kept_as_computed("rate")
    # A whole facility deleted, its prices with it.
    Facility.objects.filter(pk=facility.pk).first().delete()
    assert_kept_as_computed("facility deleted")


def test_an_accreditation_added_lists_its_facility_in_the_figures_at_once():
    facility = make_facility(country="IN", accredited=False)
    make_offer(facility=facility, procedure=make_procedure())
    assert figures.listed_per_country() == {}
    make_accreditation(facility=facility)
    assert figures.listed_per_country() == {"IN": 1}
    assert_kept_as_computed("accredited")


def test_at_midnight_the_pages_read_tomorrows_figures_made_the_day_before(monkeypatch):
    facility = make_facility(country="DE", accredited=False)
    make_accreditation(facility=facility, awarded_on=today() - datetime.timedelta(days=30), expires_on=today())
    procedure = make_procedure()
    make_offer(facility=facility, procedure=procedure, price_from=9_000, price_to=9_500)
    assert figures.listed_per_country() == {"DE": 1}
    assert figures.procedure_totals([procedure.pk])[procedure.pk]["n"] == 1
    tomorrow = today() + datetime.timedelta(days=1)
    monkeypatch.setattr("tourism.dates.today", lambda: tomorrow)
    with CaptureQueriesContext(connection) as queries:
        assert figures.listed_per_country() == {}
        assert figures.procedure_totals([procedure.pk]) == {}
    assert not any('facilities_facility"' in query["sql"] for query in queries.captured_queries)


def test_the_worker_makes_tomorrows_figures_once_a_day(monkeypatch):
    make_facility(country="MX")
    assert not figures.keep_ahead()  # Made already, with the write.
    later = today() + datetime.timedelta(days=1)
    monkeypatch.setattr("tourism.dates.today", lambda: later)
    assert figures.keep_ahead()
    assert not figures.keep_ahead()
    # The day gone by is dropped, the two kept days are there and right.
    assert set(CountryFigure.objects.values_list("day", flat=True)) == set(figures.kept_days())
    assert_kept_as_computed("kept ahead")


def test_a_stopped_worker_leaves_the_last_figures_it_made(monkeypatch):
    make_facility(country="MX")
    much_later = today() + datetime.timedelta(days=5)
    monkeypatch.setattr("tourism.dates.today", lambda: much_later)
    assert figures.listed_per_country() == {"MX": 1}  # Tomorrow's (of then): stale by a few days, not empty.


def test_rebuild_repairs_figures_written_around():
    make_offer(facility=make_facility(country="TR"), procedure=make_procedure())
    OfferFigure.objects.all().delete()
    CountryFigure.objects.update(listed=99)
    facility_listing_refresh()  # The daily run (and every migrate) rebuilds.
    assert_kept_as_computed("rebuilt")


def test_pages_read_the_figures_not_the_prices(client, settings):
    settings.DIRECTORY_CACHE = False
    procedure = make_procedure(is_published=True)
    for country in COUNTRIES:
        make_offer(facility=make_facility(country=country), procedure=procedure)
    for url in [reverse("home"), "/procedures/", procedure.get_absolute_url()]:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counted = [
            query["sql"]
            for query in queries.captured_queries
            if "COUNT(" in query["sql"].upper() or "MIN(" in query["sql"].upper()
        ]
        assert not any("facilities_facilityprocedure" in sql for sql in counted), url
    html = client.get(reverse("facilities:list")).content.decode()
    assert "Germany (1)" in html and "Mexico (1)" in html
