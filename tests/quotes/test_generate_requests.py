"""``manage.py generate_requests``: synthetic requests for the staff benchmarks, each with the
history its status implies, and pages that open on them."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count
from django.urls import reverse

from quotes.models import OPEN_STATUSES, FacilityCase, FacilityQuote, Message, QuoteRequest, StatusChange
from tests.factories import make_facility, make_language, make_offer, make_procedure

pytestmark = pytest.mark.django_db
S = QuoteRequest.Status


@pytest.fixture
def directory():
    make_language(code="en", name="English")
    procedure = make_procedure()
    for n in range(4):
        make_offer(facility=make_facility(name=f"Listed {n}"), procedure=procedure)


def generate(count: int) -> str:
    out = io.StringIO()
    call_command("generate_requests", f"--count={count}", stdout=out)
    return out.getvalue()


def test_requests_come_with_the_history_their_status_implies(directory, admin_client):
    assert "Added 300 synthetic quote requests" in generate(300)
    requests = QuoteRequest.objects.all()
    assert requests.count() == 300
    statuses = dict(requests.values_list("status").annotate(n=Count("pk")))
    assert set(statuses) == set(S.values)  # Every status is there, closed the most.
    assert statuses[S.CLOSED] == max(statuses.values())
    assert requests.overdue().exists() and requests.exclude(pk__in=requests.overdue()).exists()
    for quote_request in requests.prefetch_related("status_changes", "cases", "facility_quotes__items"):
        changes = list(quote_request.status_changes.all())
        assert changes[0].from_status == "" and changes[0].to_status == S.SUBMITTED
        assert changes[-1].to_status == quote_request.status
        assert all(a.to_status == b.from_status for a, b in zip(changes, changes[1:], strict=False))
        assert [c.created_at for c in changes] == sorted(c.created_at for c in changes)
        assert changes[0].created_at == quote_request.created_at
        went_out = any(c.to_status == S.SENT_TO_FACILITIES for c in changes)
        assert bool(quote_request.cases.all()) == went_out
        if quote_request.status in (S.QUOTED, S.ACCEPTED):
            quotes = list(quote_request.facility_quotes.all())
            assert quotes and all(len(q.items.all()) == 5 for q in quotes)
        if quote_request.status == S.SUBMITTED:
            assert quote_request.first_replied_at is None
        if quote_request.status not in OPEN_STATUSES:
            assert quote_request.closed_at is not None
    assert Message.objects.filter(channel="case").count() == FacilityCase.objects.count()
    assert FacilityQuote.objects.filter(status=FacilityQuote.Status.ACCEPTED).exists()
    # Spread over time, not all made "now".
    oldest = requests.order_by("created_at").first().created_at
    newest = requests.order_by("-created_at").first().created_at
    assert (newest - oldest).days > 60
    # The staff pages open on them.
    assert admin_client.get(reverse("admin:quotes_quoterequest_changelist")).status_code == 200
    for quote_request in requests.filter(status__in=[S.QUOTED, S.CLOSED])[:3]:
        assert admin_client.get(reverse("admin:quotes_quoterequest_change", args=[quote_request.pk])).status_code == 200


def test_running_again_adds_more(directory):
    generate(40)
    generate(25)
    assert QuoteRequest.objects.count() == 65
    assert QuoteRequest.objects.values("reference").distinct().count() == 65
    assert StatusChange.objects.filter(from_status="").count() == 65


def test_it_needs_a_directory_and_a_count():
    with pytest.raises(CommandError, match="Load the directory first"):
        generate(5)
    with pytest.raises(CommandError, match="at least 1"):
        generate(0)


def test_bench_staff_measures_every_coordinator_page(directory, tmp_path):
    out = tmp_path / "staff.json"
    call_command("bench_staff", "--requests=60", "--repeat=2", f"--json={out}", stdout=io.StringIO())
    import json

    figures = json.loads(out.read_text())
    assert figures["requests"] == 60
    pages = {page["page"]: page for page in figures["pages"]}
    assert {"request list", "request list: search reference", "request list: last page", "request page"} <= set(pages)
    assert any(label.startswith("portal inbox") for label in pages)
    assert all(page["status"] == 200 and page["queries"] > 0 and page["median_ms"] > 0 for page in pages.values())
