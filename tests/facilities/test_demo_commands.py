"""The ``load_demo`` and ``generate_facilities`` management commands."""

import io
import re

import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command, get_commands
from django.db.models import Count
from PIL import Image

from facilities.demo_data import FACILITIES
from facilities.demo_procedures import PAGES, TEXT_FIELDS
from facilities.models import (
    Accreditation,
    AccreditationBody,
    Facility,
    FacilityMembership,
    FacilityPhoto,
    FacilityProcedure,
    FacilityResponsiveness,
    Language,
    Procedure,
    ProcedureCategory,
)

pytestmark = pytest.mark.django_db

EXPIRED_ONLY = {"centro-rehabilitacion-cerros-orientales", "centro-columna-costa-jabega"}
SUSPENDED_ONLY = "tamarind-court-hospital"
UNPUBLISHED = "luzanky-spine-clinic"
RENEWED = "ege-meridian-hospital"
DEMO_SLUGS = [data.slug for data in FACILITIES]

PROCEDURE_SLUGS = {
    "lumbar-spinal-fusion",
    "minimally-invasive-lumbar-discectomy",
    "laminectomy",
    "vertebroplasty",
    "kyphoplasty",
    "minimally-invasive-spinal-infection-surgery",
    "minimally-invasive-spinal-tumour-surgery",
    "cervical-disc-replacement",
    "post-operative-pain-management",
}

MODELS = [
    AccreditationBody,
    Accreditation,
    Language,
    ProcedureCategory,
    Procedure,
    Procedure.related.through,
    Facility,
    Facility.languages.through,
    FacilityProcedure,
    FacilityPhoto,
    # Made by the demo requests' half: the facility users and the figures of the facilities they answer for.
    FacilityMembership,
    FacilityResponsiveness,
]


def load_demo(**options) -> str:
    out = io.StringIO()
    call_command("load_demo", stdout=out, **options)
    return out.getvalue()


def snapshot() -> dict:
    """Every row of every demo model, as plain values, including ``updated_at``."""
    return {model._meta.label: sorted(map(repr, model.objects.values_list())) for model in MODELS}


@pytest.fixture
def demo_without_photos():
    # Drawing photos is the slow part; tests about the data itself skip it.
    load_demo(no_photos=True)


def test_load_demo_fills_the_directory(demo_without_photos):
    assert Facility.objects.count() >= 30
    assert Facility.objects.values("country").distinct().count() >= 10
    assert AccreditationBody.objects.count() >= 5
    assert set(Procedure.objects.published().values_list("slug", flat=True)) == PROCEDURE_SLUGS
    assert Procedure.objects.get(slug="post-operative-pain-management").category.slug == "pain-management"
    assert Facility.objects.listed().count() >= 25
    assert Language.objects.count() >= 15


FACT_FIELDS = [
    "operation_hours_min",
    "operation_hours_max",
    "hospital_nights_min",
    "hospital_nights_max",
    "days_before_flying",
    "return_to_normal_weeks_min",
    "return_to_normal_weeks_max",
]

# Rough days to stay near the hospital before a long flight, mostly because of the risk of blood clots.
FLYING_DAYS = {
    "lumbar-spinal-fusion": (10, 14),
    "minimally-invasive-lumbar-discectomy": (5, 7),
    "vertebroplasty": (2, 4),
    "kyphoplasty": (2, 4),
}


def test_demo_procedures_have_complete_information_pages(demo_without_photos):
    procedures = Procedure.objects.filter(slug__in=PROCEDURE_SLUGS).prefetch_related("related")
    assert procedures.count() == len(PROCEDURE_SLUGS) == len(PAGES)
    for procedure in procedures:
        texts = {name: getattr(procedure, name) for name in ["also_known_as", "summary", *TEXT_FIELDS]}
        for name, text in texts.items():
            assert text.strip(), (procedure.slug, name)
            assert "<" not in text and ">" not in text, (procedure.slug, name)
        for name in TEXT_FIELDS:
            assert 60 <= len(texts[name].split()) <= 250, (procedure.slug, name)
        for name in FACT_FIELDS:
            assert getattr(procedure, name) is not None, (procedure.slug, name)
        assert procedure.operation_hours_min <= procedure.operation_hours_max
        assert procedure.hospital_nights_min <= procedure.hospital_nights_max
        assert procedure.return_to_normal_weeks_min <= procedure.return_to_normal_weeks_max
        assert procedure.days_before_flying >= 1
        assert procedure.anaesthesia in Procedure.Anaesthesia.values
        assert "not clinically reviewed" in procedure.medical_reviewer
        assert procedure.last_reviewed_on is not None
        related = {other.slug for other in procedure.related.all()}
        assert 2 <= len(related) <= 4, procedure.slug
        assert related == set(PAGES[procedure.slug].related)
        assert related <= PROCEDURE_SLUGS - {procedure.slug}
        # What every page must tell someone travelling: decide with your surgeon, how to fly, when to get help.
        assert re.search(r"\byour own\b[^.]*\bsurgeon\b", texts["indications"]), procedure.slug
        assert "compression stockings" in texts["recovery"], procedure.slug
        assert "bladder" in texts["aftercare"] and "breathlessness" in texts["aftercare"], procedure.slug


def test_demo_procedure_text_uses_only_paragraphs_and_lists():
    for page in PAGES.values():
        for name in TEXT_FIELDS:
            text = getattr(page, name)
            assert "\n\n\n" not in text and text == text.strip(), (page.slug, name)
            for block in text.split("\n\n"):
                lines = block.split("\n")
                # Either a paragraph on one line, or a list whose every line is an item.
                assert len(lines) == 1 or all(line.startswith("- ") for line in lines), (page.slug, name)
                assert not any(mark in block for mark in ("**", "__", "](", "#", "&")), (page.slug, name)


def test_demo_procedure_facts_are_realistic():
    for slug, (low, high) in FLYING_DAYS.items():
        assert low <= PAGES[slug].days_before_flying <= high, slug
    for page in PAGES.values():
        assert 0 < page.operation_hours[0] <= page.operation_hours[1] <= 8, page.slug
        assert page.hospital_nights[1] <= 21 and page.return_to_normal_weeks[1] <= 52, page.slug
        # The relation is symmetrical in the database, so the pages must agree both ways.
        for other in page.related:
            assert page.slug in PAGES[other].related, (page.slug, other)


def test_listed_facilities_offer_procedures_at_sane_prices(demo_without_photos):
    offers = Facility.objects.listed().annotate(n=Count("offered_procedures")).values_list("n", flat=True)
    assert all(3 <= n <= 7 for n in offers)
    assert all(offer.price_from <= offer.price_to for offer in FacilityProcedure.objects.all())
    assert not FacilityProcedure.objects.filter(includes="").exists()
    assert all(website.endswith(".example") for website in Facility.objects.values_list("website", flat=True))


def test_listing_rule_on_the_demo_data(demo_without_photos):
    listed = set(Facility.objects.listed().values_list("slug", flat=True))
    assert not listed & EXPIRED_ONLY
    assert SUSPENDED_ONLY not in listed
    assert UNPUBLISHED not in listed
    assert RENEWED in listed
    renewed = Accreditation.objects.filter(facility__slug=RENEWED)
    assert renewed.count() == 2 and renewed.current().count() == 1
    assert Accreditation.objects.filter(facility__slug=UNPUBLISHED).current().exists()
    assert not Accreditation.objects.filter(facility__slug=SUSPENDED_ONLY).current().exists()


def test_some_demo_accreditations_expire_within_60_days(demo_without_photos):
    expiring = Accreditation.objects.expiring_within(60)
    assert expiring.values("facility").distinct().count() >= 3
    assert Facility.objects.listed().filter(accreditations__in=expiring).distinct().count() >= 3


def test_listed_facilities_have_photos_without_exif():
    load_demo()
    for facility in Facility.objects.listed().prefetch_related("photos"):
        photos = list(facility.photos.all())
        assert 1 <= len(photos) <= 3, facility.slug
        for photo in photos:
            assert photo.alt_text.startswith("Illustration of")
            for file in (photo.large, photo.thumbnail):
                assert default_storage.exists(file.name)
                with default_storage.open(file.name) as handle, Image.open(handle) as image:
                    assert image.format == "JPEG"
                    assert not image.getexif()
                    assert "exif" not in image.info


def test_load_demo_twice_changes_nothing():
    load_demo()
    before = snapshot()
    output = load_demo()
    assert snapshot() == before
    assert "0 created, 0 updated" in output


def test_load_demo_reports_the_directory_then_the_requests():
    lines = load_demo(no_photos=True).splitlines()
    facilities = Facility.objects.filter(slug__in=DEMO_SLUGS)
    assert lines[0] == (
        f"Demo facilities: {len(DEMO_SLUGS)} created, 0 updated, 0 unchanged; "
        f"{facilities.listed().count()} of {len(DEMO_SLUGS)} listed."
    )
    assert re.fullmatch(
        r"Totals: \d+ accreditation bodies, \d+ accreditations \(\d+ expiring within 60 days\), "
        r"\d+ procedures, \d+ prices, \d+ languages, 0 photos\.",
        lines[1],
    )
    assert lines[2].startswith("Demo quote requests: ")


def test_load_demo_is_a_quotes_command_and_facilities_has_none_of_its_own():
    # The directory half lives in facilities; the command that adds the requests must not.
    assert get_commands()["load_demo"] == "quotes"


def generate(count: int, **options) -> None:
    call_command("generate_facilities", count=count, stdout=io.StringIO(), **options)


def test_generate_facilities_makes_listed_facilities():
    generate(50)
    synthetic = Facility.objects.filter(slug__startswith="synthetic-")
    assert synthetic.count() == 50
    assert synthetic.listed().count() == 50
    counted = synthetic.annotate(
        offers=Count("offered_procedures", distinct=True),
        photos_n=Count("photos", distinct=True),
        languages_n=Count("languages", distinct=True),
    )
    for facility in counted:
        assert 2 <= facility.offers <= 4
        assert facility.photos_n >= 1
        assert facility.languages_n >= 1
    # A handful of stored renditions is shared by every synthetic photo.
    names = set(FacilityPhoto.objects.values_list("large", flat=True))
    assert len(names) <= 8
    assert all(default_storage.exists(name) for name in names)


def test_generate_facilities_twice_never_reuses_a_slug():
    generate(50, seed=7)
    generate(50, seed=7)
    slugs = list(Facility.objects.filter(slug__startswith="synthetic-").values_list("slug", flat=True))
    assert len(slugs) == 100
    assert len(set(slugs)) == 100
    assert Facility.objects.listed().count() == 100


@pytest.mark.parametrize("count", [0, -5])
def test_generate_facilities_refuses_a_non_positive_count(count):
    with pytest.raises(CommandError):
        generate(count)
    assert not Facility.objects.exists()


def test_load_demo_keeps_staff_edits_unless_asked_to_refresh():
    call_command("load_demo", "--no-photos", stdout=io.StringIO())
    procedure = Procedure.objects.get(slug="kyphoplasty")
    procedure.summary = "Edited by an editor."
    procedure.save()
    offer = FacilityProcedure.objects.first()
    offer.price_from, offer.price_to = 1, 2
    offer.save()

    call_command("load_demo", "--no-photos", stdout=io.StringIO())
    procedure.refresh_from_db()
    offer.refresh_from_db()
    assert procedure.summary == "Edited by an editor."
    assert (offer.price_from, offer.price_to) == (1, 2)

    call_command("load_demo", "--no-photos", "--refresh", stdout=io.StringIO())
    procedure.refresh_from_db()
    offer.refresh_from_db()
    assert procedure.summary != "Edited by an editor."
    assert offer.price_from > 2
