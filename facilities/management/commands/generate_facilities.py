"""``manage.py generate_facilities --count N``: many synthetic, listed facilities for benchmarks.

Everything is written with ``bulk_create`` in batches, one transaction per batch. Slugs are
``synthetic-<run>-<n>``, where the run number is one higher than any earlier run, so repeated
runs never collide. Photos are not drawn per facility: a small pool of renditions is made and
stored once per run, and every synthetic photo row points at one of those files.
"""

import datetime
import random
import re
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import reset_queries, transaction
from django.utils import timezone

from facilities import demo_data
from facilities.demo import PHOTO_VIEWS, load_reference_data, photo_upload
from facilities.images import make_renditions
from facilities.models import (
    Accreditation,
    AccreditationBody,
    Facility,
    FacilityPhoto,
    FacilityProcedure,
    Language,
    Procedure,
)
from facilities.services import facility_listing_refresh
from tourism.pagecache import directory_changed

SLUG_PREFIX = "synthetic"
FIRST_OF_RUN = re.compile(rf"{SLUG_PREFIX}-(\d+)-1")
PHOTO_POOL_SIZE = 8
ACCREDITATION_DAYS = 3 * 365

KINDS = [
    (Facility.Kind.HOSPITAL, "Hospital", (120, 600)),
    (Facility.Kind.SPECIALIST_HOSPITAL, "Spine Hospital", (40, 160)),
    (Facility.Kind.CLINIC, "Spine Clinic", (8, 30)),
    (Facility.Kind.REHABILITATION, "Rehabilitation Centre", (30, 120)),
]
KIND_WEIGHTS = [5, 3, 3, 1]
NAME_FIRST = ["Amber", "Birch", "Cedar", "Coral", "Ember", "Granite", "Harbour", "Juniper", "Linden", "Maple"]
NAME_FIRST += ["Meadow", "Olive", "Opal", "Pine", "Quartz", "Saffron", "Silver", "Willow"]
NAME_SECOND = ["Bay", "Bridge", "Court", "Crest", "Field", "Gate", "Grove", "Hill", "Park", "Point", "Vale", "View"]
STREETS = ["Harbour Road", "Garden Avenue", "Station Street", "Park Lane", "River Walk", "Hill Road", "Market Square"]
DESCRIPTION = (
    "Synthetic {kind} in {city}, generated for load testing. Its spine team offers {count} procedures "
    "to international patients."
)


def next_run() -> int:
    """One past the highest earlier run; every run has an ``n == 1`` facility, so only those are read."""
    firsts = Facility.objects.filter(slug__startswith=f"{SLUG_PREFIX}-", slug__endswith="-1")
    runs = [int(match[1]) for slug in firsts.values_list("slug", flat=True) if (match := FIRST_OF_RUN.fullmatch(slug))]
    run = max(runs, default=0) + 1
    # Guards against a run whose first facility was deleted or renamed.
    while Facility.objects.filter(slug__startswith=f"{SLUG_PREFIX}-{run}-").exists():
        run += 1
    return run


def make_photo_pool(run: int) -> list[dict]:
    """Renditions made and stored once; returned as the field values of a FacilityPhoto row."""
    large_field = FacilityPhoto._meta.get_field("large")
    thumbnail_field = FacilityPhoto._meta.get_field("thumbnail")
    pool = []
    for i in range(PHOTO_POOL_SIZE):
        view = i % len(PHOTO_VIEWS)
        renditions = make_renditions(photo_upload(f"{SLUG_PREFIX}-{run}-pool-{i}", view))
        large = large_field.storage.save(large_field.generate_filename(None, renditions.large.name), renditions.large)
        thumbnail = thumbnail_field.storage.save(
            thumbnail_field.generate_filename(None, renditions.thumbnail.name), renditions.thumbnail
        )
        pool.append(
            {
                "view": view,
                "large": large,
                "thumbnail": thumbnail,
                "width": renditions.width,
                "height": renditions.height,
            }
        )
    return pool


class Generator:
    """Builds one batch of facilities at a time from a single seeded random stream."""

    def __init__(self, *, run: int, seed: int, photo_pool: list[dict]) -> None:
        self.run = run
        self.rng = random.Random(seed)
        self.today = timezone.localdate()
        self.photo_pool = photo_pool
        self.procedures = list(Procedure.objects.published().values_list("pk", "slug"))
        self.language_ids = dict(Language.objects.values_list("code", "pk"))
        programmes = {body.slug: body for body in demo_data.BODIES}
        self.bodies = [
            (body.pk, body.website, body.country.code, programmes.get(body.slug))
            for body in AccreditationBody.objects.all()
        ]
        self.countries = sorted(demo_data.CITIES)

    def batch(self, numbers: range) -> None:
        rng = self.rng
        facilities, plans = [], []
        for n in numbers:
            country = rng.choice(self.countries)
            city = rng.choice(demo_data.CITIES[country])
            kind, label, (beds_min, beds_max) = rng.choices(KINDS, weights=KIND_WEIGHTS)[0]
            procedures = rng.sample(self.procedures, k=min(rng.randint(2, 4), len(self.procedures)))
            slug = f"{SLUG_PREFIX}-{self.run}-{n}"
            facilities.append(
                Facility(
                    name=f"{rng.choice(NAME_FIRST)} {rng.choice(NAME_SECOND)} {label} {n}",
                    slug=slug,
                    kind=kind,
                    country=country,
                    city=city,
                    address=f"{rng.randint(1, 250)} {rng.choice(STREETS)}, {city}",
                    description=DESCRIPTION.format(kind=kind.label.lower(), city=city, count=len(procedures)),
                    has_interpreter=rng.random() < 0.8,
                    has_airport_transfer=rng.random() < 0.7,
                    has_accommodation_help=rng.random() < 0.5,
                    has_visa_letters=rng.random() < 0.4,
                    year_established=rng.randint(1960, 2022),
                    beds=rng.randint(beds_min, beds_max),
                    website=f"https://{slug}.example",
                    is_published=True,
                )
            )
            plans.append((country, procedures))
        size = len(facilities)
        Facility.objects.bulk_create(facilities, batch_size=size)
        if facilities[0].pk is None:
            # Only for databases that cannot return primary keys from a bulk insert.
            pks = dict(Facility.objects.filter(slug__in=[f.slug for f in facilities]).values_list("slug", "pk"))
            for facility in facilities:
                facility.pk = pks[facility.slug]

        accreditations, offers, spoken, photos = [], [], [], []
        # The country code is kept from the plan: reading facility.country builds a Country object each time.
        for facility, (country, procedures) in zip(facilities, plans, strict=True):
            accreditations.append(self._accreditation(facility, country))
            offers.extend(self._offer(facility, country, pk, slug) for pk, slug in procedures)
            spoken.extend(
                Facility.languages.through(facility_id=facility.pk, language_id=language_id)
                for language_id in self._languages(country)
            )
            for position, photo in enumerate(rng.sample(self.photo_pool, k=rng.randint(1, 2))):
                alt_text, caption = PHOTO_VIEWS[photo["view"]]
                photos.append(
                    FacilityPhoto(
                        facility_id=facility.pk,
                        large=photo["large"],
                        thumbnail=photo["thumbnail"],
                        width=photo["width"],
                        height=photo["height"],
                        alt_text=alt_text.format(name=facility.name),
                        caption=caption,
                        position=position,
                    )
                )
        Accreditation.objects.bulk_create(accreditations, batch_size=size)
        FacilityProcedure.objects.bulk_create(offers, batch_size=size)
        Facility.languages.through.objects.bulk_create(spoken, batch_size=size)
        FacilityPhoto.objects.bulk_create(photos, batch_size=size)
        # bulk_create sends no signals: store the listing windows of this batch here.
        facility_listing_refresh(facility_ids=[facility.pk for facility in facilities])
        transaction.on_commit(directory_changed)

    def _accreditation(self, facility: Facility, country: str) -> Accreditation:
        rng = self.rng
        eligible = [body for body in self.bodies if body[2] in ("", country)] or self.bodies
        body_id, website, _country, known = rng.choice(eligible)
        # A three-year cycle that started between a month and three years ago, so it is current today.
        awarded_on = self.today - datetime.timedelta(days=rng.randint(30, ACCREDITATION_DAYS - 10))
        return Accreditation(
            facility_id=facility.pk,
            body_id=body_id,
            programme=rng.choice(known.programmes) if known and known.programmes else "Hospital Accreditation",
            level=rng.choice(known.levels) if known and known.levels else "",
            awarded_on=awarded_on,
            expires_on=awarded_on + datetime.timedelta(days=ACCREDITATION_DAYS),
            last_survey_on=awarded_on - datetime.timedelta(days=rng.randint(20, 90)),
            verification_url=website,
            status=Accreditation.Status.ACTIVE,
        )

    def _offer(self, facility: Facility, country: str, procedure_id: int, slug: str) -> FacilityProcedure:
        low, high = demo_data.PRICE_GUIDE.get(slug, (5_000, 15_000))
        factor = demo_data.COUNTRY_PRICE_INDEX.get(country, 1.0) * self.rng.uniform(0.85, 1.15)
        price_from = round(low * factor, -2)
        price_to = max(price_from, round(high * factor * self.rng.uniform(0.9, 1.1), -2))
        return FacilityProcedure(
            facility_id=facility.pk,
            procedure_id=procedure_id,
            price_from=int(price_from),
            price_to=int(price_to),
            # Generated facilities price in US dollars, so the reference figures are the prices
            # (bulk_create skips FacilityProcedure.save, which would set them).
            usd_from=int(price_from),
            usd_to=int(price_to),
            includes="Surgeon and anaesthesia fees, the hospital stay, pre-operative tests and one follow-up visit.",
        )

    def _languages(self, country: str) -> list[int]:
        local = demo_data.COUNTRY_LANGUAGES.get(country, [])
        codes = ["en", *self.rng.sample(local, k=min(self.rng.randint(1, 2), len(local)))]
        ids = [self.language_ids[code] for code in codes if code in self.language_ids]
        return ids or [self.rng.choice(list(self.language_ids.values()))]


class Command(BaseCommand):
    help = "Create N synthetic, listed facilities (with accreditation, prices, languages and photos) for benchmarks."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--count", type=int, required=True, help="How many facilities to create.")
        parser.add_argument("--seed", type=int, help="Random seed (default: the run number).")
        parser.add_argument("--batch-size", type=int, default=2_000, help="Facilities per transaction.")

    def handle(self, *args, count: int, seed: int | None, batch_size: int, **options) -> None:
        if count < 1:
            raise CommandError("--count must be a positive number.")
        if batch_size < 1:
            raise CommandError("--batch-size must be a positive number.")
        started = time.perf_counter()

        needed = (Procedure.objects.published(), AccreditationBody.objects.all(), Language.objects.all())
        if not all(queryset.exists() for queryset in needed):
            with transaction.atomic():
                load_reference_data()
        run = next_run()
        generator = Generator(run=run, seed=run if seed is None else seed, photo_pool=make_photo_pool(run))
        for start in range(1, count + 1, batch_size):
            with transaction.atomic():
                generator.batch(range(start, min(start + batch_size, count + 1)))
            # With DEBUG on, Django keeps the text of recent queries; these inserts are huge.
            reset_queries()
            if options["verbosity"] >= 2:
                self.stdout.write(f"  {min(start + batch_size - 1, count)} / {count}")

        elapsed = time.perf_counter() - started
        self.stdout.write(
            f"Created {count} synthetic facilities ({SLUG_PREFIX}-{run}-1 to {SLUG_PREFIX}-{run}-{count}) "
            f"in {elapsed:.1f} s ({count / elapsed:,.0f} per second)."
        )
