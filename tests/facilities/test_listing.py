"""The listing rule: only published facilities with a current accreditation are public."""

import datetime
import io

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from facilities.models import Accreditation, Facility
from tests.factories import make_accreditation, make_body, make_facility

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


# One definition of "listed": every place that says it agrees with Facility.objects.listed() -----


def facilities_in_every_state() -> dict[str, Facility]:
    """One facility per way of being listed or not, including windows left behind by bulk writes."""
    states = {
        "listed": make_facility(),
        "listed, expiring soon": make_facility(accredited=False),
        "listed across a renewal": make_facility(accredited=False),
        "unpublished, accredited": make_facility(is_published=False),
        "unpublished, nothing": make_facility(is_published=False, accredited=False),
        "no accreditation": make_facility(accredited=False),
        "expired": make_facility(accredited=False),
        "suspended": make_facility(accredited=False),
        "not yet in force": make_facility(accredited=False),
        "in a gap": make_facility(accredited=False),
        # Bulk writes send no signal: the stored window keeps saying what it said until the daily
        # refresh. The site follows the window, so the admin must too.
        "revoked in bulk": make_facility(),
        "awarded in bulk": make_facility(accredited=False),
    }
    for name, facility in states.items():
        Facility.objects.filter(pk=facility.pk).update(name=name.capitalize())
    make_accreditation(facility=states["listed, expiring soon"], expires_on=TODAY + 5 * DAY)
    make_accreditation(facility=states["listed across a renewal"], awarded_on=TODAY - 300 * DAY, expires_on=TODAY)
    make_accreditation(facility=states["listed across a renewal"], awarded_on=TODAY + DAY, expires_on=TODAY + 700 * DAY)
    make_accreditation(facility=states["expired"], awarded_on=TODAY - 900 * DAY, expires_on=TODAY - DAY)
    make_accreditation(facility=states["suspended"], status=Accreditation.Status.SUSPENDED)
    make_accreditation(facility=states["not yet in force"], awarded_on=TODAY + DAY, expires_on=TODAY + 900 * DAY)
    make_accreditation(facility=states["in a gap"], awarded_on=TODAY - 900 * DAY, expires_on=TODAY - 2 * DAY)
    make_accreditation(facility=states["in a gap"], awarded_on=TODAY + 3 * DAY, expires_on=TODAY + 900 * DAY)
    states["revoked in bulk"].accreditations.update(status=Accreditation.Status.REVOKED)
    Accreditation.objects.bulk_create(
        [
            Accreditation(
                facility=states["awarded in bulk"],
                body=make_body(),
                programme="Hospital Accreditation",
                awarded_on=TODAY - 10 * DAY,
                expires_on=TODAY + 700 * DAY,
            )
        ]
    )
    for facility in states.values():
        facility.refresh_from_db()
    return states


def test_the_fixture_covers_both_sides_of_the_rule_and_both_stale_windows():
    states = facilities_in_every_state()
    listed = set(Facility.objects.listed().values_list("pk", flat=True))
    assert {name for name, facility in states.items() if facility.pk in listed} == {
        "listed",
        "listed, expiring soon",
        "listed across a renewal",
        "revoked in bulk",
    }
    # The two stale windows are where a copy of the rule that reads the records disagrees.
    assert not states["revoked in bulk"].accreditations.current().exists()
    assert states["awarded in bulk"].accreditations.current().exists()


def test_admin_listing_column_and_filters_say_listed_exactly_for_listed_facilities(admin_client):
    from django.contrib import admin
    from django.utils.html import strip_tags

    states = facilities_in_every_state()
    listed = set(Facility.objects.listed().values_list("name", flat=True))
    everyone = {facility.name for facility in states.values()}
    url = reverse("admin:facilities_facility_changelist")

    response = admin_client.get(url)
    rows = response.context["cl"].result_list
    model_admin = admin.site._registry[Facility]
    said_listed = {row.name for row in rows if strip_tags(model_admin.listing_state(row)).startswith("Listed")}
    assert len(rows) == len(states)
    assert said_listed == listed
    html = response.content.decode()
    assert html.count("state-ok") + html.count("state-warn") == len(listed)
    assert html.count("Listed – accreditation expiring") == 1

    def names(**params) -> set[str]:
        return {row.name for row in admin_client.get(url, params).context["cl"].result_list}

    assert names(listing="listed") == listed
    assert names(listing="not_listed") == everyone - listed
    published = set(Facility.objects.filter(is_published=True).values_list("name", flat=True))
    assert names(accreditation="current", is_published__exact="1") == listed
    assert names(accreditation="expired", is_published__exact="1") == published - listed
    assert names(accreditation="current") == set(Facility.objects.accredited().values_list("name", flat=True))


def test_admin_publish_warns_exactly_for_the_facilities_that_stay_off_the_site(admin_client):
    states = facilities_in_every_state()
    url = reverse("admin:facilities_facility_changelist")
    warned = set()
    # One at a time: a count over several could come out right with two wrong answers cancelling.
    for name, facility in states.items():
        response = admin_client.post(url, {"action": "publish", "_selected_action": [facility.pk]}, follow=True)
        messages = [str(message) for message in response.context["messages"]]
        if "1 selected facility has no current accreditation and stays off the public site." in messages:
            warned.add(name)
    assert Facility.objects.filter(is_published=False).count() == 0
    listed = set(Facility.objects.listed().values_list("pk", flat=True))
    assert warned == {name for name, facility in states.items() if facility.pk not in listed}
    assert "awarded in bulk" in warned
    assert "revoked in bulk" not in warned


def test_public_site_selector_and_report_agree_with_listed(client):
    import json

    from django.core.management import call_command

    from facilities.selectors import listed_facility_ids

    states = facilities_in_every_state()
    listed = set(Facility.objects.listed().values_list("pk", flat=True))
    assert listed_facility_ids(ids=[facility.pk for facility in states.values()]) == listed
    assert listed_facility_ids(ids=[states["listed"].pk]) == {states["listed"].pk}
    assert listed_facility_ids(ids=[states["awarded in bulk"].pk]) == set()
    assert listed_facility_ids(ids=[]) == set()

    shown = {facility.pk for facility in client.get(reverse("facilities:list")).context["facilities"]}
    assert shown == listed
    for facility in states.values():
        status = client.get(reverse("facilities:detail", args=[facility.slug])).status_code
        assert status == (200 if facility.pk in listed else 404), facility.name

    out = io.StringIO()
    call_command("accreditation_report", "--json", stdout=out)
    dropouts = {row["facility"] for row in json.loads(out.getvalue())["not_listed"]}
    published = Facility.objects.filter(is_published=True)
    assert dropouts == set(published.exclude(pk__in=listed).values_list("slug", flat=True))


def test_with_listing_annotates_the_listed_rule_and_the_cover_it_runs_on():
    states = facilities_in_every_state()
    listed = set(Facility.objects.listed().values_list("pk", flat=True))
    annotated = {facility.pk: facility for facility in Facility.objects.with_listing()}
    assert {pk for pk, facility in annotated.items() if facility.is_listed} == listed
    assert annotated[states["listed, expiring soon"].pk].accredited_until == TODAY + 5 * DAY
    assert annotated[states["listed across a renewal"].pk].accredited_until == TODAY + 700 * DAY
    assert annotated[states["unpublished, accredited"].pk].accredited_until == TODAY + 365 * DAY
    assert annotated[states["not yet in force"].pk].accredited_until is None
    assert annotated[states["expired"].pk].accredited_until is None


def test_listed_on_another_day_is_the_published_half_of_accredited_on_that_day():
    facility = make_facility(accredited=False)
    make_accreditation(facility=facility, awarded_on=TODAY + 10 * DAY, expires_on=TODAY + 20 * DAY)
    hidden = make_facility(is_published=False, accredited=False)
    make_accreditation(facility=hidden, awarded_on=TODAY + 10 * DAY, expires_on=TODAY + 20 * DAY)
    later = TODAY + 15 * DAY
    assert set(Facility.objects.accredited(on=later)) == {facility, hidden}
    assert list(Facility.objects.listed(on=later)) == [facility]
    assert not Facility.objects.listed().exists()
