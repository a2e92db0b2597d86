"""Loading the fictional demo directory (``facilities.demo_data``) into the database.

``load_demo_directory()`` is what ``manage.py load_demo`` runs first (the command lives in
``quotes``, which then adds the demo quote requests); ``generate_facilities`` reuses the reference
data and the photo drawings.

Safe to run again, and ``make run`` does on every start: rows are matched on their natural keys
and a row that already exists is left as it is, so staff edits to demo rows survive. With
``refresh`` existing demo rows are put back to the demo values (saving only what differs, so a
second refresh on the same day changes nothing, not even ``updated_at``). Photos are drawn
with Pillow and go through the normal upload service, so they get the same renditions as a
photo uploaded by staff.
"""

import datetime
import io
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models, transaction
from PIL import Image, ImageDraw

from facilities import demo_data, demo_procedures, demo_translations
from facilities.models import (
    Accreditation,
    AccreditationBody,
    Facility,
    FacilityPhoto,
    FacilityProcedure,
    Language,
    Procedure,
    ProcedureCategory,
)
from facilities.services import facility_listing_refresh, facility_photo_add
from tourism import dates, money
from tourism.pagecache import directory_changed
from tourism.rates import RateRow, record_rates

PHOTO_SIZE = (1200, 800)

PHOTO_VIEWS = [
    ("Illustration of the main building of {name}", "Main building"),
    ("Illustration of {name} at dusk, with lit windows", "The hospital in the evening"),
    ("Illustration of the garden in front of {name}", "Garden used for walks during recovery"),
]


def sync(model: type[models.Model], lookup: dict, values: dict, *, refresh: bool) -> tuple[models.Model, str]:
    """Create one row, or (with ``refresh``) update it, saving only when something differs.

    Returns (obj, outcome). ``update_or_create`` would save every time and bump ``auto_now`` fields.
    """
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        return model.objects.create(**lookup, **values), "created"
    if not refresh:
        return obj, "unchanged"
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if not changed:
        return obj, "unchanged"
    for name in changed:
        setattr(obj, name, values[name])
    obj.save()
    return obj, "updated"


def load_reference_data(*, refresh: bool = False) -> None:
    """Bodies, languages, categories and procedures (with their information pages): what facilities point at."""
    for body in demo_data.BODIES:
        sync(
            AccreditationBody,
            {"slug": body.slug},
            {
                "name": body.name,
                "abbreviation": body.abbreviation,
                "website": body.website,
                "assesses": body.assesses,
                "country": body.country,
                **demo_translations.translated(f"body:{body.slug}", {"assesses": body.assesses}),
            },
            refresh=refresh,
        )
    for code, name in demo_data.LANGUAGES:
        sync(
            Language,
            {"code": code},
            {"name": name, **demo_translations.translated(f"language:{code}", {"name": name})},
            refresh=refresh,
        )
    categories = {}
    for category in demo_data.CATEGORIES:
        categories[category.slug], _ = sync(
            ProcedureCategory,
            {"slug": category.slug},
            {
                "name": category.name,
                "position": category.position,
                "description": category.description,
                **demo_translations.translated(
                    f"category:{category.slug}", {"name": category.name, "description": category.description}
                ),
            },
            refresh=refresh,
        )
    procedures, created = {}, set()
    for procedure in demo_data.PROCEDURES:
        procedures[procedure.slug], outcome = sync(
            Procedure,
            {"slug": procedure.slug},
            {
                "name": procedure.name,
                "category": categories[procedure.category],
                "summary": procedure.summary,
                "is_published": True,
                **demo_procedures.PAGES[procedure.slug].values(),
                **demo_translations.translated(
                    f"procedure:{procedure.slug}",
                    {
                        "name": procedure.name,
                        "summary": procedure.summary,
                        **demo_procedures.PAGES[procedure.slug].texts(),
                    },
                ),
                **demo_translations.review(),
            },
            refresh=refresh,
        )
        if outcome == "created":
            created.add(procedure.slug)
    # Related pages once every procedure exists. The relation is symmetrical and the demo pages list
    # each pair on both sides, so setting it only when it differs keeps a second run a no-op.
    for slug, procedure in procedures.items():
        if not (refresh or slug in created):
            continue
        wanted = {procedures[other].pk for other in demo_procedures.PAGES[slug].related}
        if set(procedure.related.values_list("pk", flat=True)) != wanted:
            procedure.related.set(wanted)


def _blend(top: tuple[int, int, int], bottom: tuple[int, int, int], t: float) -> tuple[int, int, int]:
    return tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True))


def illustration(seed: str, view: int = 0, size: tuple[int, int] = PHOTO_SIZE) -> Image.Image:
    """A simple drawing of a hospital building; the same seed always gives the same picture.

    ``view`` 0 is a daytime view, 1 the same kind of building at dusk, 2 a garden in front of it.
    """
    rng = random.Random(seed)
    width, height = size
    dusk = view == 1
    if dusk:
        sky = (rng.choice([(38, 42, 92), (52, 36, 88)]), rng.choice([(236, 140, 92), (250, 176, 110)]))
    else:
        sky = (rng.choice([(64, 136, 214), (82, 160, 222), (48, 118, 190)]), (206, 230, 246))
    # A one-pixel-wide gradient stretched sideways is far cheaper than drawing line by line.
    column = Image.new("RGB", (1, height))
    column.putdata([_blend(*sky, y / (height - 1)) for y in range(height)])
    image = column.resize(size)
    draw = ImageDraw.Draw(image)

    horizon = int(height * rng.uniform(0.68, 0.76))
    sun_x, sun_y, sun_r = rng.randint(80, width - 80), rng.randint(60, horizon // 2), rng.randint(35, 60)
    draw.ellipse((sun_x - sun_r, sun_y - sun_r, sun_x + sun_r, sun_y + sun_r), fill=(255, 226, 150))
    hills = [(0, horizon)] + [(x, horizon - rng.randint(20, 110)) for x in range(0, width + 150, 150)]
    draw.polygon([*hills, (width, horizon)], fill=(96, 132, 110) if not dusk else (60, 70, 84))
    ground = rng.choice([(120, 168, 96), (142, 176, 104), (108, 150, 92)])
    draw.rectangle((0, horizon, width, height), fill=ground if not dusk else _blend(ground, (30, 30, 50), 0.5))

    facade = rng.choice([(236, 232, 222), (226, 222, 214), (240, 236, 228), (214, 224, 232), (232, 220, 204)])
    accent = rng.choice([(0, 122, 108), (34, 94, 168), (196, 58, 58), (118, 82, 160), (208, 120, 40)])
    glass = (255, 214, 120) if dusk else rng.choice([(150, 190, 220), (132, 178, 206), (168, 204, 226)])

    def block(left: int, right: int, top: int) -> None:
        draw.rectangle((left, top, right, horizon), fill=facade, outline=_blend(facade, (0, 0, 0), 0.25), width=3)
        draw.rectangle((left - 6, top - 14, right + 6, top), fill=accent)
        cols, rows = max(2, (right - left) // 70), max(2, (horizon - top - 90) // 62)
        step_x = (right - left) / cols
        for row in range(rows):
            y = top + 28 + row * 62
            for col in range(cols):
                x = left + step_x * col + step_x * 0.22
                lit = not dusk or rng.random() < 0.7
                draw.rectangle((x, y, x + step_x * 0.56, y + 34), fill=glass if lit else (70, 80, 100))

    main_w = rng.randint(480, 700)
    main_left = rng.randint(120, width - main_w - 120)
    main_top = rng.randint(170, 260)
    wing_w = rng.randint(200, 300)
    if main_left > width - main_left - main_w:
        wing_left = max(20, main_left - wing_w + 40)
    else:
        wing_left = min(width - wing_w - 20, main_left + main_w - 40)
    block(wing_left, wing_left + wing_w, main_top + rng.randint(110, 180))
    block(main_left, main_left + main_w, main_top)

    door_x = main_left + main_w // 2
    draw.rectangle((door_x - 60, horizon - 95, door_x + 60, horizon), fill=_blend(glass, (40, 60, 80), 0.4))
    draw.rectangle((door_x - 90, horizon - 112, door_x + 90, horizon - 95), fill=accent)
    # A medical cross on a white panel makes the building read as a hospital at thumbnail size.
    cx, cy, half = door_x, main_top - 80, 52
    draw.rectangle((cx - half, cy - half, cx + half, cy + half), fill=(250, 250, 250), outline=accent, width=4)
    draw.rectangle((cx - 14, cy - 38, cx + 14, cy + 38), fill=accent)
    draw.rectangle((cx - 38, cy - 14, cx + 38, cy + 14), fill=accent)

    if view == 2:
        draw.polygon(
            [(door_x - 40, horizon), (door_x + 40, horizon), (door_x + 220, height), (door_x - 220, height)],
            fill=(214, 200, 170),
        )
    trees = rng.randint(8, 14) if view == 2 else rng.randint(3, 6)
    spots = []
    for _ in range(trees):
        tx = rng.randint(20, width - 20)
        ty = rng.randint(horizon + 10, height - 40) if view == 2 else horizon + rng.randint(-5, 40)
        spots.append((ty, tx, rng.randint(28, 60) if view == 2 else rng.randint(22, 40)))
    # Nearer trees (lower in the picture) are drawn last so they overlap the ones behind.
    for ty, tx, tr in sorted(spots):
        draw.rectangle((tx - 6, ty - tr // 2, tx + 6, ty + tr), fill=(100, 72, 50))
        leaf = rng.choice([(58, 120, 70), (72, 140, 80), (46, 104, 64)])
        draw.ellipse((tx - tr, ty - tr * 2, tx + tr, ty), fill=leaf if not dusk else _blend(leaf, (20, 20, 40), 0.5))
    return image


def photo_upload(seed: str, view: int) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    illustration(seed, view).save(buffer, format="JPEG", quality=88)
    return SimpleUploadedFile(f"{seed}-{view}.jpg", buffer.getvalue(), content_type="image/jpeg")


def load_demo_rates(today: datetime.date) -> None:
    """The demo's exchange rates, dated yesterday (a day already published, as real rates are)."""
    on = today - datetime.timedelta(days=1)
    record_rates(
        [
            RateRow(currency=code, on=on, per_usd=Decimal(rate), source=demo_data.DEMO_RATES_SOURCE)
            for code, rate in demo_data.DEMO_RATES.items()
        ]
    )


def demo_currency(country: str) -> str:
    return demo_data.DEMO_FACILITY_CURRENCY.get(country, money.REFERENCE)


def local_price(dollars: int, currency: str) -> int:
    """A demo price written in US dollars, as the facility would give it in its own currency (rounded)."""
    if currency == money.REFERENCE:
        return dollars
    return int(money.approximately(Decimal(dollars) * Decimal(demo_data.DEMO_RATES[currency])))


def load_facility(
    data: demo_data.FacilityData, today: datetime.date, *, photos: bool = True, refresh: bool = False
) -> str:
    currency = demo_currency(data.country)
    facility, outcome = sync(
        Facility,
        {"slug": data.slug},
        {
            "name": data.name,
            "kind": data.kind,
            "country": data.country,
            "city": data.city,
            "address": data.address,
            "description": data.description,
            **demo_translations.translated(f"facility:{data.slug}", {"description": data.description}),
            "has_interpreter": data.interpreter,
            "has_airport_transfer": data.airport_transfer,
            "has_accommodation_help": data.accommodation,
            "has_visa_letters": data.visa_letters,
            "year_established": data.year_established,
            "beds": data.beds,
            "website": data.url,
            "is_published": data.is_published,
            "currency": currency,
        },
        refresh=refresh,
    )
    if refresh or outcome == "created":
        facility.languages.set(Language.objects.filter(code__in=data.languages))

    bodies = {body.slug: body for body in AccreditationBody.objects.all()}
    for accreditation in data.accreditations:
        body = bodies[accreditation.body]
        awarded_on = today - datetime.timedelta(days=accreditation.awarded_days_ago)
        sync(
            Accreditation,
            {"facility": facility, "body": body, "programme": accreditation.programme},
            {
                "level": accreditation.level,
                "awarded_on": awarded_on,
                "expires_on": today + datetime.timedelta(days=accreditation.expires_in_days),
                "last_survey_on": awarded_on - datetime.timedelta(days=accreditation.survey_days_before_award),
                "verification_url": body.website,
                "status": accreditation.status,
            },
            refresh=refresh,
        )

    procedures = {procedure.slug: procedure for procedure in Procedure.objects.all()}
    for offer in data.offers:
        sync(
            FacilityProcedure,
            {"facility": facility, "procedure": procedures[offer.procedure]},
            {
                "price_from": local_price(offer.price_from, currency),
                "price_to": local_price(offer.price_to, currency),
                "includes": offer.includes,
                "notes": offer.notes,
                **demo_translations.translated_offer(offer.includes, offer.notes),
            },
            refresh=refresh,
        )

    # Photos are only added to a facility that has none, so staff uploads are never disturbed.
    if photos and not facility.photos.exists():
        for position in range(data.photos):
            alt_text, caption = PHOTO_VIEWS[position]
            photo = facility_photo_add(
                facility=facility,
                upload=photo_upload(data.slug, position),
                alt_text=alt_text.format(name=data.name),
                caption=caption,
                position=position,
            )
            FacilityPhoto.objects.filter(pk=photo.pk).update(
                **demo_translations.translated_photo(alt_text, caption, data.name)
            )
    elif refresh:
        # Demo photos still as loaded get their alt text and caption in every language.
        for photo in facility.photos.all():
            if photo.position < len(PHOTO_VIEWS):
                alt_text, caption = PHOTO_VIEWS[photo.position]
                if (photo.alt_text, photo.caption) == (alt_text.format(name=data.name), caption):
                    FacilityPhoto.objects.filter(pk=photo.pk).update(
                        **demo_translations.translated_photo(alt_text, caption, data.name)
                    )
    return outcome


@dataclass
class DemoDirectoryResult:
    """What ``load_demo_directory`` did, and the directory's totals once it had."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    listed: int = 0
    demo_facilities: int = 0
    totals: dict[str, int] = field(default_factory=dict)

    def lines(self) -> list[str]:
        totals = self.totals
        return [
            f"Demo facilities: {self.created} created, {self.updated} updated, {self.unchanged} unchanged; "
            f"{self.listed} of {self.demo_facilities} listed.",
            f"Totals: {totals['bodies']} accreditation bodies, {totals['accreditations']} accreditations "
            f"({totals['expiring']} expiring within 60 days), {totals['procedures']} procedures, "
            f"{totals['prices']} prices, {totals['languages']} languages, {totals['photos']} photos.",
        ]


def load_demo_directory(*, refresh: bool = False, photos: bool = True) -> DemoDirectoryResult:
    """Reference data and every demo facility, in one transaction; the page cache turns over after it."""
    outcomes = {"created": 0, "updated": 0, "unchanged": 0}
    on = dates.today()
    with transaction.atomic():
        load_reference_data(refresh=refresh)
        load_demo_rates(on)
        for data in demo_data.FACILITIES:
            outcomes[load_facility(data, on, photos=photos, refresh=refresh)] += 1
        # Windows of every facility, including ones loaded before or changed in bulk since.
        facility_listing_refresh()
        transaction.on_commit(directory_changed)

    demo = Facility.objects.filter(slug__in=[data.slug for data in demo_data.FACILITIES])
    return DemoDirectoryResult(
        **outcomes,
        listed=demo.listed().count(),
        demo_facilities=demo.count(),
        totals={
            "bodies": AccreditationBody.objects.count(),
            "accreditations": Accreditation.objects.count(),
            "expiring": Accreditation.objects.expiring_within(60).count(),
            "procedures": Procedure.objects.count(),
            "prices": FacilityProcedure.objects.count(),
            "languages": Language.objects.count(),
            "photos": FacilityPhoto.objects.count(),
        },
    )
