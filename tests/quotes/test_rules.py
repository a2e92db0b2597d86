"""One definition per rule: every place that asks "overdue?", "open?", "whom to tell?" or "who may
be given a request?" gives the same answer as the rule's one home, on the same data."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from quotes.labels import STAFF_STATUS_LABELS
from quotes.management.commands.remind_overdue import OLDEST_SHOWN
from quotes.models import OPEN_STATUSES, AssignmentChange, Erasure, QuoteRequest, StaffNote, StatusChange
from quotes.roles import COORDINATORS
from quotes.selectors import assignable_users, coordinator_addresses, dashboard_figures, overdue_requests
from quotes.services.errors import NotAssignableError
from quotes.services.retention import quote_request_erase
from quotes.services.staff import quote_request_assign
from tests.factories import make_quote_request, make_staff

pytestmark = pytest.mark.django_db

S = QuoteRequest.Status
HOUR = datetime.timedelta(hours=1)


@pytest.fixture
def requests_in_every_state():
    """A request for each status, each with its first-reply target passed, near and far."""
    now = timezone.now()
    made = []
    for status in S.values:
        for offset in (-50 * HOUR, -HOUR, -datetime.timedelta(seconds=1), HOUR, 50 * HOUR):
            made.append(make_quote_request(status=status, first_reply_due_at=now + offset))
    return made


def test_is_overdue_agrees_with_the_queryset_rule(requests_in_every_state):
    now = timezone.now()
    by_rule = set(QuoteRequest.objects.overdue(now).values_list("pk", flat=True))
    by_instance = {quote_request.pk for quote_request in requests_in_every_state if quote_request.is_overdue(now)}
    assert by_rule == by_instance
    assert by_rule  # The data holds overdue requests, and others.
    assert len(by_rule) < len(requests_in_every_state)
    assert set(QuoteRequest.objects.not_overdue(now).values_list("pk", flat=True)).isdisjoint(by_rule)


def test_open_agrees_with_is_open_and_the_table(requests_in_every_state):
    opened = set(QuoteRequest.objects.open().values_list("pk", flat=True))
    assert opened == {quote_request.pk for quote_request in requests_in_every_state if quote_request.is_open}
    assert opened == set(QuoteRequest.objects.filter(status__in=OPEN_STATUSES).values_list("pk", flat=True))
    assert opened.isdisjoint(QuoteRequest.objects.finished().values_list("pk", flat=True))


def test_the_dashboard_the_admin_filter_and_the_reminder_count_the_same_overdue_requests(
    requests_in_every_state, admin_client, admin_user
):
    expected = set(QuoteRequest.objects.overdue().values_list("reference", flat=True))
    assert dashboard_figures(user=admin_user).overdue == len(expected)
    assert set(overdue_requests().values_list("reference", flat=True)) == expected

    page = admin_client.get("/admin/quotes/quoterequest/?overdue=yes").content.decode()
    shown = {quote_request.reference for quote_request in requests_in_every_state if quote_request.reference in page}
    assert shown == expected

    out = io.StringIO()
    call_command("remind_overdue", "--dry-run", stdout=out)
    listed = {
        quote_request.reference
        for quote_request in requests_in_every_state
        if quote_request.reference in out.getvalue()
    }
    # The reminder counts them all and names the longest overdue few (a digest: OLDEST_SHOWN).
    assert f"{len(expected)} overdue quote request" in out.getvalue()
    assert listed <= expected and len(listed) == min(len(expected), OLDEST_SHOWN)


def test_the_dashboard_counts_per_status_open_unassigned_and_mine(requests_in_every_state, admin_user):
    mine = requests_in_every_state[5]
    QuoteRequest.objects.filter(pk=mine.pk).update(assignee=admin_user)
    figures = dashboard_figures(user=admin_user)
    assert set(figures.per_status) == set(STAFF_STATUS_LABELS)
    # Open statuses: all their requests; finished ones: those accepted or closed in the last 30 days.
    recent = timezone.now() - datetime.timedelta(days=figures.finished_window_days)
    finished = QuoteRequest.objects.filter(closed_at__gte=recent)
    assert figures.per_status == {
        status: (QuoteRequest.objects if status in OPEN_STATUSES else finished).filter(status=status).count()
        for status in S.values
    }
    assert sum(figures.per_status.values()) > 0
    assert figures.unassigned == QuoteRequest.objects.open().unassigned().count()
    assert figures.mine == QuoteRequest.objects.open().assigned_to(admin_user).count() == (1 if mine.is_open else 0)


@pytest.fixture
def coordinator():
    return make_staff(username="cora", email="cora@medtour.localhost", group=COORDINATORS)


def test_whom_to_tell_is_the_assignee_or_else_the_team(coordinator, settings):
    settings.COORDINATOR_EMAILS = ["team@medtour.localhost", "CORA@medtour.localhost"]
    make_staff(username="gone", email="gone@medtour.localhost", group=COORDINATORS, is_active=False)
    quote_request = make_quote_request()
    # The team: the shared addresses, then active coordinators' own, each once whatever its case.
    assert coordinator_addresses() == ["team@medtour.localhost", "CORA@medtour.localhost"]
    assert coordinator_addresses(quote_request=quote_request) == coordinator_addresses()
    quote_request_assign(quote_request=quote_request, assignee=coordinator, actor=coordinator)
    assert coordinator_addresses(quote_request=quote_request) == ["cora@medtour.localhost"]


def test_only_active_coordinators_and_superusers_can_be_given_requests(coordinator, admin_user):
    editor = make_staff(username="ed", email="ed@medtour.localhost")
    retired = make_staff(username="old", email="old@medtour.localhost", group=COORDINATORS, is_active=False)
    quote_request = make_quote_request()
    for refused in (editor, retired):
        with pytest.raises(NotAssignableError):
            quote_request_assign(quote_request=quote_request, assignee=refused, actor=admin_user)
    assert set(assignable_users()) == {coordinator, admin_user}
    assert quote_request_assign(quote_request=quote_request, assignee=admin_user, actor=admin_user) is not None
    quote_request.refresh_from_db()
    assert quote_request.assignee == admin_user
    assert AssignmentChange.objects.filter(quote_request=quote_request).count() == 1


def test_assignment_is_recorded_as_an_assignment_not_a_note(coordinator, admin_user):
    quote_request = make_quote_request()
    quote_request_assign(quote_request=quote_request, assignee=coordinator, actor=admin_user)
    assert quote_request_assign(quote_request=quote_request, assignee=coordinator, actor=admin_user) is None
    quote_request_assign(quote_request=quote_request, assignee=None, actor=coordinator)
    changes = list(AssignmentChange.objects.filter(quote_request=quote_request))
    assert [(c.from_assignee, c.to_assignee, c.actor) for c in changes] == [
        (None, coordinator, admin_user),
        (coordinator, None, coordinator),
    ]
    assert not StaffNote.objects.filter(quote_request=quote_request).exists()


def test_erasure_is_recorded_as_an_erasure_not_a_move(admin_user):
    quote_request = make_quote_request(status=S.CLOSED, closed_reason=QuoteRequest.CloseReason.WITHDRAWN)
    history = StatusChange.objects.filter(quote_request=quote_request).count()
    erasure = quote_request_erase(quote_request=quote_request, actor=admin_user, reason=Erasure.Reason.PATIENT_REQUEST)
    assert (erasure.reason, erasure.actor) == (Erasure.Reason.PATIENT_REQUEST, admin_user)
    assert StatusChange.objects.filter(quote_request=quote_request).count() == history
    assert not StatusChange.objects.filter(quote_request=quote_request, from_status=S.CLOSED, to_status=S.CLOSED)
    quote_request.refresh_from_db()
    assert quote_request.erased_at is not None and quote_request.name == ""


def test_purge_erases_what_due_for_purge_names_and_records_the_retention_reason():
    old = timezone.now() - datetime.timedelta(days=800)
    due = make_quote_request(status=S.CLOSED, closed_at=old)
    kept_open = make_quote_request(status=S.IN_REVIEW, closed_at=old)
    recent = make_quote_request(status=S.ACCEPTED, closed_at=timezone.now())
    assert list(QuoteRequest.objects.due_for_purge(months=24)) == [due]
    call_command("purge_requests", "--months", "24", stdout=io.StringIO())
    assert Erasure.objects.get().quote_request == due
    assert Erasure.objects.get().reason == Erasure.Reason.RETENTION
    for untouched in (kept_open, recent):
        untouched.refresh_from_db()
        assert untouched.erased_at is None
