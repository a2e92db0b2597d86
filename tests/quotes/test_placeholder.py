"""The quote page placeholder: echoes only what names something public."""

import pytest
from django.urls import reverse

from tests.factories import make_facility, make_procedure

pytestmark = pytest.mark.django_db

URL = reverse("quotes:request")


def test_chosen_facility_and_procedure_are_shown(client):
    facility = make_facility(name="Anatolia Spine")
    procedure = make_procedure(name="Kyphoplasty")
    html = client.get(URL, {"facility": facility.slug, "procedure": procedure.slug}).content.decode()
    assert "<strong>Kyphoplasty</strong> at <strong>Anatolia Spine</strong>" in html


def test_unlisted_facility_and_unpublished_procedure_are_not_echoed(client):
    facility = make_facility(name="Hidden Clinic", is_published=False)
    procedure = make_procedure(name="Secret procedure", is_published=False)
    html = client.get(URL, {"facility": facility.slug, "procedure": procedure.slug}).content.decode()
    assert "Hidden Clinic" not in html
    assert "Secret procedure" not in html


@pytest.mark.parametrize("value", ["<script>", "x" * 5000, "../../etc", "ü-slug", "a b"])
def test_hostile_values_give_a_normal_page(client, value):
    response = client.get(URL, {"facility": value, "procedure": value})
    assert response.status_code == 200
    assert "<script>" not in response.content.decode().split("<main")[1]
