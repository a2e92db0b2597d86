"""The listing rule: only published facilities with a current accreditation are public."""

import datetime
import io

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


# The stored listing window ------------------------------------------------------------------------


def window(facility: Facility) -> tuple:
    facility.refresh_from_db(fields=["listed_from", "listed_until"])
    return facility.listed_from, facility.listed_until


def exact_listed() -> set[str]:
    """The listing rule asked of the accreditation records directly, without the stored window."""
    return set(Facility.objects.accredited_on(TODAY).filter(is_published=True).values_list("slug", flat=True))


@pytest.mark.parametrize(
    ("spans", "expected"),
    [
        ([], (None, None)),
        ([(-10, 10)], (-10, 10)),
        ([(-10, -1)], (None, None)),
        # Touching and overlapping spans make one stretch; a gap splits them.
        ([(-10, 0), (1, 20)], (-10, 20)),
        ([(-10, 5), (0, 20), (30, 40)], (-10, 20)),
        ([(-10, -2), (0, 20)], (0, 20)),
        # Nothing covers today: the next stretch to come is kept, and it does not list the facility.
        ([(-30, -5), (5, 20), (25, 30)], (5, 20)),
        ([(5, 20), (21, 30)], (5, 30)),
    ],
)
def test_listing_window_merges_spans_without_gaps(spans, expected):
    from facilities.listing import listing_window

    as_dates = [(TODAY + start * DAY, TODAY + end * DAY) for start, end in spans]
    got = listing_window(reversed(as_dates), TODAY)
    assert got == tuple(None if n is None else TODAY + n * DAY for n in expected)


def test_window_follows_every_change_to_the_accreditations():
    facility = make_facility(accredited=False)
    assert window(facility) == (None, None)

    first = make_accreditation(facility=facility, awarded_on=TODAY - 100 * DAY, expires_on=TODAY + 10 * DAY)
    assert window(facility) == (TODAY - 100 * DAY, TODAY + 10 * DAY)

    # A renewal that starts the day after the first ends extends the same stretch.
    renewal = make_accreditation(facility=facility, awarded_on=TODAY + 11 * DAY, expires_on=TODAY + 900 * DAY)
    assert window(facility) == (TODAY - 100 * DAY, TODAY + 900 * DAY)

    # Suspending the current one hides the facility in the same save.
    first.status = Accreditation.Status.SUSPENDED
    first.save()
    assert window(facility) == (TODAY + 11 * DAY, TODAY + 900 * DAY)
    assert listed_slugs() == set()

    first.status = Accreditation.Status.ACTIVE
    first.save()
    assert listed_slugs() == {facility.slug}

    first.delete()
    renewal.delete()
    assert window(facility) == (None, None)
    assert listed_slugs() == set()


def test_accreditation_moved_to_another_facility_refreshes_both():
    left = make_facility(accredited=False)
    joined = make_facility(accredited=False)
    accreditation = make_accreditation(facility=left)
    assert listed_slugs() == {left.slug}

    accreditation.facility = joined
    accreditation.save()
    assert listed_slugs() == {joined.slug}
    assert window(left) == (None, None)


def test_stored_window_agrees_with_the_accreditation_records():
    """Many facilities with random histories: the fast test and the exact one list the same."""
    import random

    rng = random.Random(7)  # noqa: S311  (test data)
    statuses = list(Accreditation.Status)
    for n in range(60):
        facility = make_facility(accredited=False, is_published=rng.random() < 0.8, slug=f"random-{n}")
        for _ in range(rng.randint(0, 3)):
            start = rng.randint(-900, 60)
            make_accreditation(
                facility=facility,
                awarded_on=TODAY + start * DAY,
                expires_on=TODAY + (start + rng.randint(0, 900)) * DAY,
                status=rng.choice(statuses) if rng.random() < 0.3 else Accreditation.Status.ACTIVE,
            )
    exact = exact_listed()
    assert 10 < len(exact) < 60
    assert listed_slugs() == exact


def test_bulk_writes_are_repaired_by_the_daily_refresh(monkeypatch):
    from django.core.management import call_command

    facility = make_facility(accredited=False)
    make_accreditation(facility=facility, awarded_on=TODAY - 50 * DAY, expires_on=TODAY + 5 * DAY)
    later = make_accreditation(facility=facility, awarded_on=TODAY + 20 * DAY, expires_on=TODAY + 500 * DAY)
    # A bulk write sends no signal: the window still shows the accreditation that is now revoked...
    facility.accreditations.exclude(pk=later.pk).update(status=Accreditation.Status.REVOKED)
    assert listed_slugs() == {facility.slug}
    # ...until the refresh, which hides the facility until the later accreditation starts.
    call_command("refresh_listings", stdout=io.StringIO())
    assert listed_slugs() == set()
    assert window(facility) == (TODAY + 20 * DAY, TODAY + 500 * DAY)

    # Twenty days on the stored window lists it again, with no further refresh needed.
    future = TODAY + 20 * DAY
    monkeypatch.setattr("facilities.models.today", lambda: future)
    assert set(Facility.objects.listed().values_list("slug", flat=True)) == {facility.slug}


def test_window_never_lists_past_the_expiry_without_any_refresh(monkeypatch):
    facility = make_facility(accredited=False)
    make_accreditation(facility=facility, awarded_on=TODAY - 50 * DAY, expires_on=TODAY + 5 * DAY)
    assert listed_slugs() == {facility.slug}
    after = TODAY + 6 * DAY
    monkeypatch.setattr("facilities.models.today", lambda: after)
    assert listed_slugs() == set()
