"""The ``load_demo`` and ``generate_facilities`` management commands."""

import io

import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db.models import Count
from PIL import Image

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

pytestmark = pytest.mark.django_db

EXPIRED_ONLY = {"centro-rehabilitacion-cerros-orientales", "centro-columna-costa-jabega"}
SUSPENDED_ONLY = "tamarind-court-hospital"
UNPUBLISHED = "luzanky-spine-clinic"
RENEWED = "ege-meridian-hospital"

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
    Facility,
    Facility.languages.through,
    FacilityProcedure,
    FacilityPhoto,
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
