"""The listing rule: only published facilities with a current accreditation are public."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from facilities.models import Accreditation, Facility
from tests.factories import make_accreditation, make_facility

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


def listed_slugs() -> set[str]:
    return set(Facility.objects.listed().values_list("slug", flat=True))


def test_published_and_currently_accredited_is_listed():
    facility = make_facility()
    assert listed_slugs() == {facility.slug}


def test_unpublished_is_not_listed():
    make_facility(is_published=False)
    assert listed_slugs() == set()


def test_no_accreditation_is_not_listed():
    make_facility(accredited=False)
    assert listed_slugs() == set()


def test_expired_accreditation_is_not_listed():
    facility = make_facility(accredited=False)
    make_accreditation(facility=facility, awarded_on=TODAY - 800 * DAY, expires_on=TODAY - DAY)
    assert listed_slugs() == set()


def test_accreditation_is_current_on_its_last_day_and_not_the_day_after():
    facility = make_facility(accredited=False)
    make_accreditation(facility=facility, awarded_on=TODAY - 400 * DAY, expires_on=TODAY)
    assert listed_slugs() == {facility.slug}
    assert Facility.objects.listed(on=TODAY + DAY).count() == 0


def test_accreditation_not_yet_awarded_does_not_count():
    facility = make_facility(accredited=False)
    make_accreditation(facility=facility, awarded_on=TODAY + DAY, expires_on=TODAY + 400 * DAY)
    assert listed_slugs() == set()


@pytest.mark.parametrize(
    "status", [Accreditation.Status.SUSPENDED, Accreditation.Status.REVOKED, Accreditation.Status.WITHDRAWN]
)
def test_inactive_accreditation_does_not_count(status):
    facility = make_facility(accredited=False)
    make_accreditation(facility=facility, status=status)
    assert listed_slugs() == set()


def test_renewal_after_expiry_lists_the_facility_again(client):
    facility = make_facility(accredited=False)
    make_accreditation(facility=facility, awarded_on=TODAY - 1200 * DAY, expires_on=TODAY - 10 * DAY)
    assert client.get(reverse("facilities:detail", args=[facility.slug])).status_code == 404

    make_accreditation(facility=facility, awarded_on=TODAY - 5 * DAY, expires_on=TODAY + 1000 * DAY)
    assert listed_slugs() == {facility.slug}
    assert client.get(reverse("facilities:detail", args=[facility.slug])).status_code == 200


def test_several_current_accreditations_list_the_facility_once(client):
    facility = make_facility()
    make_accreditation(facility=facility)
    assert list(Facility.objects.listed()) == [facility]
    response = client.get(reverse("facilities:list"))
    assert response.context["total"] == 1
    assert [f.pk for f in response.context["facilities"]] == [facility.pk]


@pytest.mark.parametrize("kind", ["unpublished", "expired", "suspended", "none"])
def test_unlisted_facility_is_absent_from_list_and_its_page_is_404(client, kind):
    visible = make_facility(name="Visible Hospital")
    if kind == "unpublished":
        hidden = make_facility(name="Hidden Hospital", is_published=False)
    else:
        hidden = make_facility(name="Hidden Hospital", accredited=False)
        if kind == "expired":
            make_accreditation(facility=hidden, awarded_on=TODAY - 900 * DAY, expires_on=TODAY - DAY)
        elif kind == "suspended":
            make_accreditation(facility=hidden, status=Accreditation.Status.SUSPENDED)

    page = client.get(reverse("facilities:list")).content.decode()
    assert "Visible Hospital" in page
    assert "Hidden Hospital" not in page
    assert client.get(reverse("facilities:detail", args=[hidden.slug])).status_code == 404
    assert client.get(reverse("facilities:detail", args=[visible.slug])).status_code == 200


def test_accreditation_cannot_expire_before_award():
    facility = make_facility(accredited=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_accreditation(facility=facility, awarded_on=TODAY, expires_on=TODAY - DAY)
