"""Staff admin for the directory: pages render, filters, flags, actions and photo uploads."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from facilities.models import Facility, FacilityPhoto
from tests.factories import (
    image_bytes,
    make_accreditation,
    make_body,
    make_facility,
    make_offer,
    make_photo,
    make_procedure,
    make_upload,
    png_claiming_size,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


@pytest.fixture
def directory():
    facility = make_facility(name="Listed Hospital")
    make_offer(facility=facility)
    make_photo(facility=facility)
    return facility


@pytest.mark.parametrize(
    "model",
    [
        "facility",
        "accreditation",
        "accreditationbody",
        "language",
        "procedure",
        "procedurecategory",
        "facilityprocedure",
        "facilityphoto",
    ],
)
def test_changelist_add_and_change_pages_render(admin_client, directory, model):
    assert admin_client.get(reverse(f"admin:facilities_{model}_changelist")).status_code == 200
    assert admin_client.get(reverse(f"admin:facilities_{model}_add")).status_code == 200
    obj = {
        "facility": directory,
        "accreditation": directory.accreditations.first(),
        "accreditationbody": directory.accreditations.first().body,
        "procedure": directory.offered_procedures.first().procedure,
        "procedurecategory": directory.offered_procedures.first().procedure.category,
        "facilityprocedure": directory.offered_procedures.first(),
        "facilityphoto": directory.photos.first(),
    }.get(model)
    if obj is not None:
        assert admin_client.get(reverse(f"admin:facilities_{model}_change", args=[obj.pk])).status_code == 200


def test_changelist_search_and_filters_render(admin_client, directory):
    url = reverse("admin:facilities_facility_changelist")
    for params in [
        {"q": "Listed"},
        {"is_published__exact": "1"},
        {"country": "TR"},
        {"accreditation": "current"},
        {"accreditation": "expiring"},
        {"accreditation": "expired"},
        {"listing": "listed"},
        {"listing": "not_listed"},
        {"listing": "no-such-value"},
    ]:
        assert admin_client.get(url, params).status_code == 200, params
    url = reverse("admin:facilities_accreditation_changelist")
    for value in ["current", "expiring", "expired", "not_active"]:
        assert admin_client.get(url, {"validity": value}).status_code == 200


def changelist_names(admin_client, **params) -> set[str]:
    response = admin_client.get(reverse("admin:facilities_facility_changelist"), params)
    assert response.status_code == 200
    return {facility.name for facility in response.context["cl"].result_list}


def test_accreditation_state_filter(admin_client):
    make_facility(name="Long valid")
    soon = make_facility(name="Expiring soon", accredited=False)
    make_accreditation(facility=soon, expires_on=TODAY + 20 * DAY)
    lapsed = make_facility(name="Lapsed", accredited=False)
    make_accreditation(facility=lapsed, awarded_on=TODAY - 900 * DAY, expires_on=TODAY - DAY)
    assert changelist_names(admin_client, accreditation="current") == {"Long valid", "Expiring soon"}
    assert changelist_names(admin_client, accreditation="expiring") == {"Expiring soon"}
    assert changelist_names(admin_client, accreditation="expired") == {"Lapsed"}


def test_published_but_unlisted_facility_is_flagged(admin_client):
    make_facility(name="Fine")
    lapsed = make_facility(name="Lapsed", accredited=False)
    make_accreditation(facility=lapsed, awarded_on=TODAY - 900 * DAY, expires_on=TODAY - DAY)
    make_facility(name="Draft", is_published=False, accredited=False)
    html = admin_client.get(reverse("admin:facilities_facility_changelist")).content.decode()
    assert html.count("Not listed: no current accreditation") == 1
    assert "state-alert" in html


@pytest.mark.parametrize("params", [{}, {"listing": "not_listed"}, {"accreditation": "expiring"}, {"o": "6.7"}])
def test_changelist_query_count_does_not_grow(
    admin_client, django_assert_num_queries, django_assert_max_num_queries, params
):
    for _ in range(3):
        make_facility()
    url = reverse("admin:facilities_facility_changelist")
    with django_assert_max_num_queries(20) as few:
        admin_client.get(url, params)
    for n in range(20):
        facility = make_facility(is_published=n % 2 == 0, accredited=n % 3 != 0)
        make_accreditation(facility=facility, expires_on=TODAY + (n + 1) * DAY)
    with django_assert_num_queries(len(few.captured_queries)):
        admin_client.get(url, params)


def test_publish_and_unpublish_actions(admin_client):
    draft = make_facility(name="Draft", is_published=False)
    unaccredited = make_facility(name="Unaccredited", is_published=False, accredited=False)
    url = reverse("admin:facilities_facility_changelist")
    response = admin_client.post(
        url, {"action": "publish", "_selected_action": [draft.pk, unaccredited.pk]}, follow=True
    )
    messages = [str(m) for m in response.context["messages"]]
    assert "2 facilities published." in messages
    assert any("no current accreditation" in m for m in messages)
    assert set(Facility.objects.listed().values_list("name", flat=True)) == {"Draft"}

    admin_client.post(url, {"action": "unpublish", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.is_published is False
    assert not Facility.objects.listed().exists()


TRANSLATED_PHOTO = {"alt_text": "alt_text_en", "caption": "caption_en"}


def _facility_form(facility: Facility, photo_rows: list[dict]) -> dict:
    data = {
        "name": facility.name,
        "slug": facility.slug,
        "kind": facility.kind,
        "is_published": "on",
        "country": facility.country.code,
        "city": facility.city,
        "address": "",
        # Translated fields have a field per language in the admin (facilities/translation.py).
        "description_en": "d",
        "year_established": "",
        "beds": "",
        "website": "",
        "office_language": "en",
        "currency": "USD",
    }
    for prefix, count in [("accreditations", 0), ("offered_procedures", 0)]:
        data.update({f"{prefix}-TOTAL_FORMS": count, f"{prefix}-INITIAL_FORMS": 0})
    data.update({"photos-TOTAL_FORMS": len(photo_rows), "photos-INITIAL_FORMS": 0})
    for i, row in enumerate(photo_rows):
        data.update({f"photos-{i}-{TRANSLATED_PHOTO.get(key, key)}": value for key, value in row.items()})
    return data


def test_photo_upload_in_the_facility_admin_makes_renditions(admin_client):
    facility = make_facility(accredited=False)
    url = reverse("admin:facilities_facility_change", args=[facility.pk])
    upload = make_upload("front.jpg", image_bytes(size=(2400, 1600)))
    row = {"upload": upload, "alt_text": "Front of the hospital", "caption": "", "position": 0}
    response = admin_client.post(url, _facility_form(facility, [row]))
    assert response.status_code == 302, response.context["errors"] if response.context else response
    photo = FacilityPhoto.objects.get(facility=facility)
    assert (photo.width, photo.height) == (1600, 1067)
    assert photo.thumbnail.storage.exists(photo.thumbnail.name)


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("bomb.png", png_claiming_size(30_000, 30_000), "too many pixels"),
        ("fake.jpg", b"not an image at all", "not an image we can read"),
        ("empty.jpg", b"", "The submitted file is empty"),
    ],
)
def test_bad_photo_upload_gets_a_form_error_and_saves_nothing(admin_client, name, content, message):
    facility = make_facility(accredited=False)
    url = reverse("admin:facilities_facility_change", args=[facility.pk])
    row = {"upload": make_upload(name, content), "alt_text": "x", "caption": "", "position": 0}
    response = admin_client.post(url, _facility_form(facility, [row]))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not FacilityPhoto.objects.exists()


def test_oversized_photo_upload_gets_a_form_error(admin_client, settings):
    settings.PHOTO_MAX_UPLOAD_BYTES = 5_000
    facility = make_facility(accredited=False)
    url = reverse("admin:facilities_facility_change", args=[facility.pk])
    row = {"upload": make_upload(content=image_bytes(size=(900, 900)) + b"\0" * 6000), "alt_text": "x", "position": 0}
    response = admin_client.post(url, _facility_form(facility, [row]))
    assert response.status_code == 200
    assert "photos can be at most" in response.content.decode()
    assert not FacilityPhoto.objects.exists()


def test_photo_row_without_a_file_is_refused(admin_client):
    facility = make_facility(accredited=False)
    url = reverse("admin:facilities_facility_change", args=[facility.pk])
    response = admin_client.post(url, _facility_form(facility, [{"alt_text": "x", "position": 0}]))
    assert response.status_code == 200
    assert "Choose a photo to upload." in response.content.decode()


def test_replacing_a_photo_keeps_the_row_and_changes_the_files(admin_client):
    photo = make_photo()
    old_name = photo.large.name
    url = reverse("admin:facilities_facilityphoto_change", args=[photo.pk])
    response = admin_client.post(
        url,
        {
            "facility": photo.facility_id,
            "upload": make_upload(content=image_bytes(size=(500, 500))),
            "alt_text_en": "New",
            "alt_text_es": "Nueva",
            "caption_en": "",
            "position": 0,
        },
    )
    assert response.status_code == 302
    photo.refresh_from_db()
    assert (photo.alt_text_en, photo.alt_text_es, photo.alt_text) == ("New", "Nueva", "New")
    assert photo.large.name != old_name
    assert (photo.width, photo.height) == (500, 500)


def test_accreditation_admin_rejects_expiry_before_award(admin_client):
    facility = make_facility(accredited=False)
    body = make_body()
    response = admin_client.post(
        reverse("admin:facilities_accreditation_add"),
        {
            "facility": facility.pk,
            "body": body.pk,
            "programme": "Hospital",
            "level": "",
            "awarded_on": TODAY.isoformat(),
            "expires_on": (TODAY - DAY).isoformat(),
            "status": "active",
            "verification_url": "",
        },
    )
    assert response.status_code == 200
    assert "cannot expire before it is awarded" in response.content.decode()


def test_price_range_must_not_be_inverted_in_admin(admin_client):
    facility = make_facility()
    procedure = make_procedure()
    response = admin_client.post(
        reverse("admin:facilities_facilityprocedure_add"),
        {
            "facility": facility.pk,
            "procedure": procedure.pk,
            "price_from": 20_000,
            "price_to": 10_000,
            "includes": "",
            "notes": "",
        },
    )
    assert response.status_code == 200
    assert "upper price must not be below" in response.content.decode()


def test_autocomplete_endpoints_answer(admin_client, directory):
    for model, field in [("accreditation", "body"), ("facilityprocedure", "procedure"), ("facility", "languages")]:
        response = admin_client.get(
            reverse("admin:autocomplete"),
            {"app_label": "facilities", "model_name": model, "field_name": field, "term": ""},
        )
        assert response.status_code == 200, (model, field)


def test_procedure_admin_shows_sections_preview_link_and_offers(admin_client):
    procedure = make_procedure(name="Kyphoplasty", is_published=False)
    make_offer(procedure=procedure, facility=make_facility(name="Offering Hospital"), price_from=4_321, price_to=5_000)
    html = admin_client.get(reverse("admin:facilities_procedure_change", args=[procedure.pk])).content.decode()
    for section in [
        "Who it is for",
        "How it is done",
        "Benefits and risks",
        "Recovery and travel",
        "Related and review",
    ]:
        assert section in html
    assert f'href="{procedure.get_absolute_url()}"' in html
    assert "Preview (not published)" in html
    assert "Offering Hospital" in html and "4321" in html
    # The preview link works for the staff user even though the page is not public.
    assert admin_client.get(procedure.get_absolute_url()).status_code == 200
    changelist = admin_client.get(reverse("admin:facilities_procedure_changelist")).content.decode()
    assert "Kyphoplasty" in changelist


def test_procedure_admin_refuses_inverted_fact_ranges(admin_client):
    procedure = make_procedure()
    data = {
        "name": procedure.name,
        "slug": procedure.slug,
        "category": procedure.category_id,
        "is_published": "on",
        "hospital_nights_min": 5,
        "hospital_nights_max": 2,
        "offers-TOTAL_FORMS": 0,
        "offers-INITIAL_FORMS": 0,
    }
    response = admin_client.post(reverse("admin:facilities_procedure_change", args=[procedure.pk]), data)
    assert response.status_code == 200
    assert "The longest hospital stay must not be below the shortest." in response.content.decode()


def test_changelist_sorts_by_accredited_until_and_by_listing(admin_client):
    make_facility(name="Later")  # accredited for a year
    soon = make_facility(name="Sooner", accredited=False)
    make_accreditation(facility=soon, expires_on=TODAY + 20 * DAY)
    make_facility(name="Draft", is_published=False, accredited=False)
    url = reverse("admin:facilities_facility_changelist")
    for order, names in [("7", ["Sooner", "Later"]), ("-7", ["Later", "Sooner"])]:
        response = admin_client.get(url, {"o": order, "accreditation": "current"})
        assert [f.name for f in response.context["cl"].result_list] == names
    by_listing = [f.name for f in admin_client.get(url, {"o": "6.1"}).context["cl"].result_list]
    assert by_listing == ["Draft", "Later", "Sooner"]
