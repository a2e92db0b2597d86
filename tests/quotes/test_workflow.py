"""The workflow service: every allowed move, every illegal one, races, audit rows and e-mails."""

import functools
import itertools
import os
import subprocess
import sys
import threading
import time

import pytest
from django.conf import settings
from django.db import connection

from quotes import models as quote_models
from quotes.models import TRANSITIONS, FacilityQuote, Notification, QuoteRequest, StatusChange
from quotes.services.errors import MoveIncompleteError, TransitionError
from quotes.services.outbox import notifications_send
from quotes.services.workflow import quote_request_transition
from tests.factories import make_case, make_facility_quote, make_quote_request, make_staff
from tests.quotes.helpers import OPEN_STATUSES, STATUSES, WORKFLOW_MOVES

S = QuoteRequest.Status
ALLOWED = sorted(WORKFLOW_MOVES)
ILLEGAL = sorted(set(itertools.product(STATUSES, STATUSES)) - set(WORKFLOW_MOVES))
# A path from "submitted" to each status, through allowed moves only.
PATH = {
    S.SUBMITTED: [],
    S.IN_REVIEW: [S.IN_REVIEW],
    S.AWAITING_PATIENT: [S.IN_REVIEW, S.AWAITING_PATIENT],
    S.SENT_TO_FACILITIES: [S.IN_REVIEW, S.SENT_TO_FACILITIES],
    S.QUOTED: [S.IN_REVIEW, S.SENT_TO_FACILITIES, S.QUOTED],
    S.ACCEPTED: [S.IN_REVIEW, S.SENT_TO_FACILITIES, S.QUOTED, S.ACCEPTED],
    S.CLOSED: [S.CLOSED],
}


def test_the_code_has_the_designed_workflow():
    """The other tests here take their moves from WORKFLOW_MOVES; this one holds the code to it."""
    assert sorted(S.values) == sorted(STATUSES)
    assert sorted((a, b) for a, moves in TRANSITIONS.items() for b in moves) == ALLOWED
    assert sorted(quote_models.OPEN_STATUSES) == sorted(OPEN_STATUSES)


@pytest.fixture
def staff(db):
    return make_staff(username="coordinator", email="coordinator@medtour.localhost")


def move(quote_request: QuoteRequest, to_status: str, actor=None) -> QuoteRequest:
    extra = {}
    if to_status == S.CLOSED:
        extra["reason"] = QuoteRequest.CloseReason.NO_SUITABLE_FACILITY
    if to_status == S.AWAITING_PATIENT:
        extra["note"] = "Please send your latest MRI report."
    if to_status == S.QUOTED and not quote_request.facility_quotes.exists():
        make_facility_quote(quote_request=quote_request)
    if to_status == S.SENT_TO_FACILITIES:
        make_case(quote_request=quote_request)  # Sending is sharing a case.
    return quote_request_transition(
        quote_request=quote_request, from_status=quote_request.status, to_status=to_status, actor=actor, **extra
    )


def request_in(status: str, actor) -> QuoteRequest:
    quote_request = make_quote_request()
    for step in PATH[status]:
        quote_request = move(quote_request, step, actor=None if step == S.ACCEPTED else actor)
    assert quote_request.status == status
    return quote_request


@pytest.mark.django_db
@pytest.mark.parametrize("from_status, to_status", ALLOWED, ids=[f"{a}->{b}" for a, b in ALLOWED])
def test_allowed_move(staff, from_status, to_status):
    quote_request = request_in(from_status, staff)
    before = StatusChange.objects.filter(quote_request=quote_request).count()
    actor = None if to_status == S.ACCEPTED else staff  # Only the patient accepts.
    moved = move(quote_request, to_status, actor=actor)
    assert moved.status == to_status
    assert QuoteRequest.objects.get(pk=quote_request.pk).status == to_status
    changes = StatusChange.objects.filter(quote_request=quote_request)
    assert changes.count() == before + 1
    last = changes.last()
    assert (last.from_status, last.to_status, last.actor) == (from_status, to_status, actor)


@pytest.mark.django_db
@pytest.mark.parametrize("from_status, to_status", ILLEGAL, ids=[f"{a}->{b}" for a, b in ILLEGAL])
def test_illegal_move_is_refused_and_changes_nothing(staff, from_status, to_status):
    quote_request = request_in(from_status, staff)
    before = StatusChange.objects.filter(quote_request=quote_request).count()
    with pytest.raises(TransitionError) as exc:
        move(quote_request, to_status, actor=None if to_status == S.ACCEPTED else staff)
    assert "cannot be moved" in str(exc.value)
    assert QuoteRequest.objects.get(pk=quote_request.pk).status == from_status
    assert StatusChange.objects.filter(quote_request=quote_request).count() == before


@pytest.mark.django_db
def test_staff_cannot_accept_for_the_patient_or_invent_a_status(staff):
    quote_request = request_in(S.QUOTED, staff)
    with pytest.raises(TransitionError, match="Only the patient"):
        quote_request_transition(
            quote_request=quote_request, from_status=quote_request.status, to_status=S.ACCEPTED, actor=staff
        )
    with pytest.raises(TransitionError, match="not a status"):
        quote_request_transition(
            quote_request=quote_request, from_status=quote_request.status, to_status="teleported", actor=staff
        )
    assert QuoteRequest.objects.get(pk=quote_request.pk).status == S.QUOTED


@pytest.mark.django_db
def test_closing_needs_a_reason_and_records_it(staff):
    quote_request = make_quote_request()
    with pytest.raises(MoveIncompleteError, match="why"):
        quote_request_transition(
            quote_request=quote_request, from_status=quote_request.status, to_status=S.CLOSED, actor=staff
        )
    with pytest.raises(MoveIncompleteError, match="why"):
        quote_request_transition(
            quote_request=quote_request,
            from_status=quote_request.status,
            to_status=S.CLOSED,
            actor=staff,
            reason="bored",
        )
    moved = quote_request_transition(
        quote_request=quote_request,
        from_status=quote_request.status,
        to_status=S.CLOSED,
        actor=staff,
        reason="duplicate",
    )
    assert moved.closed_reason == "duplicate"
    assert moved.closed_at is not None


@pytest.mark.django_db
def test_asking_the_patient_needs_a_note(staff):
    quote_request = move(make_quote_request(), S.IN_REVIEW, actor=staff)
    with pytest.raises(MoveIncompleteError, match="patient should send"):
        quote_request_transition(
            quote_request=quote_request,
            from_status=quote_request.status,
            to_status=S.AWAITING_PATIENT,
            actor=staff,
            note="  ",
        )
    assert QuoteRequest.objects.get(pk=quote_request.pk).status == S.IN_REVIEW


@pytest.mark.django_db
def test_sending_quotes_needs_a_valid_itemised_quote(staff):
    quote_request = request_in(S.SENT_TO_FACILITIES, staff)
    make_facility_quote(quote_request=quote_request, lines=())
    make_facility_quote(quote_request=quote_request, valid_days=-1)
    with pytest.raises(MoveIncompleteError, match="facility quote"):
        quote_request_transition(
            quote_request=quote_request, from_status=quote_request.status, to_status=S.QUOTED, actor=staff
        )
    good = make_facility_quote(quote_request=quote_request)
    quote_request_transition(
        quote_request=quote_request, from_status=quote_request.status, to_status=S.QUOTED, actor=staff
    )
    good.refresh_from_db()
    assert good.status == FacilityQuote.Status.SENT
    assert good.sent_at is not None
    assert quote_request.facility_quotes.filter(status=FacilityQuote.Status.DRAFT).count() == 2


@pytest.mark.django_db
def test_first_staff_reply_is_timed_and_patient_moves_are_not(staff):
    quote_request = make_quote_request()
    assert quote_request.first_replied_at is None
    moved = move(quote_request, S.IN_REVIEW, actor=staff)
    assert moved.first_replied_at is None  # Starting the review: the patient hears nothing.
    moved = move(moved, S.AWAITING_PATIENT, actor=staff)
    assert moved.first_replied_at is not None
    stamped = moved.first_replied_at
    moved = move(move(moved, S.IN_REVIEW, actor=staff), S.CLOSED, actor=staff)
    assert moved.first_replied_at == stamped  # Only the first reply is timed.
    withdrawn = make_quote_request()
    closed = quote_request_transition(
        quote_request=withdrawn, from_status=withdrawn.status, to_status=S.CLOSED, reason="withdrawn"
    )
    assert closed.first_replied_at is None


@pytest.mark.django_db
def test_stale_copy_loses_the_race(staff):
    quote_request = make_quote_request()
    other_copy = QuoteRequest.objects.get(pk=quote_request.pk)
    move(quote_request, S.IN_REVIEW, actor=staff)
    with pytest.raises(TransitionError, match="Someone else changed this request first"):
        quote_request_transition(
            quote_request=other_copy, from_status=other_copy.status, to_status=S.CLOSED, actor=staff, reason="spam"
        )
    assert QuoteRequest.objects.get(pk=quote_request.pk).status == S.IN_REVIEW
    assert StatusChange.objects.filter(quote_request=quote_request, to_status=S.CLOSED).count() == 0


@pytest.mark.django_db(transaction=True)
def test_two_staff_acting_at_once_exactly_one_wins(staff):
    # Threads need a server database; SQLite's in-memory test database is not one (see the next test).
    if connection.vendor == "sqlite":
        pytest.skip("covered for SQLite by the two-process test on a database file")
    quote_request = make_quote_request()
    other = make_staff(username="second", email="second@medtour.localhost")
    barrier = threading.Barrier(2)
    results: dict[str, str] = {}

    def act(name: str, user, to_status: str, reason: str = "") -> None:
        try:
            copy = QuoteRequest.objects.get(pk=quote_request.pk)
            barrier.wait(timeout=10)
            # The status this racer read before the barrier, not whatever the other has written since.
            quote_request_transition(
                quote_request=copy, from_status=copy.status, to_status=to_status, actor=user, reason=reason
            )
            results[name] = "won"
        except TransitionError:
            results[name] = "lost"
        finally:
            connection.close()

    threads = [
        threading.Thread(target=act, args=("review", staff, S.IN_REVIEW)),
        threading.Thread(target=act, args=("close", other, S.CLOSED, "spam")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results.values()) == ["lost", "won"]
    final = QuoteRequest.objects.get(pk=quote_request.pk)
    winner = "review" if results["review"] == "won" else "close"
    assert final.status == (S.IN_REVIEW if winner == "review" else S.CLOSED)
    moves = StatusChange.objects.filter(quote_request=quote_request).exclude(from_status="")
    assert moves.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "status, template",
    [
        (S.AWAITING_PATIENT, "patient_information_needed"),
        (S.QUOTED, "patient_quotes_ready"),
        (S.CLOSED, "patient_closed"),
    ],
)
def test_moves_queue_the_patient_mail_in_the_same_transaction(staff, status, template, mailoutbox,
                                                               django_capture_on_commit_callbacks):  # fmt: skip
    quote_request = request_in(PATH[status][-2] if len(PATH[status]) > 1 else S.SUBMITTED, staff)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        move(quote_request, status, actor=staff)
    notification = Notification.objects.filter(quote_request=quote_request, template=template).get()
    assert notification.recipient == "ana@example.org"
    # Queued with the move; sent by the worker, never by the request itself.
    assert notification.status == Notification.Status.PENDING
    assert not [m for m in mailoutbox if m.to == ["ana@example.org"]]
    notifications_send()
    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT
    [mail] = [m for m in mailoutbox if m.to == ["ana@example.org"]]
    assert quote_request.reference in mail.subject
    assert f"/quote/status/{quote_request.status_token}/" in mail.body


@pytest.mark.django_db
def test_staff_moves_without_patient_mail_send_none(staff):
    quote_request = make_quote_request()
    before = Notification.objects.count()
    move(quote_request, S.IN_REVIEW, actor=staff)
    move(quote_request, S.SENT_TO_FACILITIES, actor=staff)
    assert Notification.objects.count() == before


@pytest.mark.django_db
def test_spam_is_closed_silently(staff):
    quote_request = make_quote_request()
    before = Notification.objects.count()
    quote_request_transition(
        quote_request=quote_request, from_status=quote_request.status, to_status=S.CLOSED, actor=staff, reason="spam"
    )
    assert Notification.objects.count() == before


@pytest.mark.django_db
def test_patient_moves_tell_the_assignee_or_the_coordinators(staff, settings):
    settings.COORDINATOR_EMAILS = ["team@medtour.localhost"]
    quote_request = make_quote_request()
    quote_request_transition(
        quote_request=quote_request, from_status=quote_request.status, to_status=S.CLOSED, reason="withdrawn"
    )
    mail = Notification.objects.get(quote_request=quote_request, template="coordinator_patient_action")
    assert mail.recipient == "team@medtour.localhost"
    assert mail.context["action"] == "withdrew the request"

    assigned = make_quote_request()
    QuoteRequest.objects.filter(pk=assigned.pk).update(assignee=staff)
    assigned.refresh_from_db()
    quote_request_transition(
        quote_request=assigned, from_status=assigned.status, to_status=S.CLOSED, reason="withdrawn"
    )
    mail = Notification.objects.get(quote_request=assigned, template="coordinator_patient_action")
    assert mail.recipient == staff.email


@pytest.mark.django_db
def test_a_failed_transaction_leaves_no_audit_row_or_mail(staff, monkeypatch):
    quote_request = make_quote_request()
    before = (StatusChange.objects.count(), Notification.objects.count())

    def broken(*args, **kwargs):
        raise RuntimeError("mail queue down")

    monkeypatch.setattr("quotes.services.workflow._move_mail", broken)
    with pytest.raises(RuntimeError):
        quote_request_transition(
            quote_request=quote_request,
            from_status=quote_request.status,
            to_status=S.CLOSED,
            actor=staff,
            reason="duplicate",
        )
    assert QuoteRequest.objects.get(pk=quote_request.pk).status == S.SUBMITTED
    assert (StatusChange.objects.count(), Notification.objects.count()) == before


RACE_SCRIPT = """
import sys, time
import django
django.setup()
from django.conf import settings
from django.contrib.auth.models import User
from quotes.models import QuoteRequest
from quotes.services.errors import TransitionError
from quotes.services.workflow import quote_request_transition

pk, seen, start, to_status, name = int(sys.argv[1]), sys.argv[2], float(sys.argv[3]), sys.argv[4], sys.argv[5]
user = User.objects.get(username=name)
copy = QuoteRequest.objects.get(pk=pk)
time.sleep(max(0.0, start - time.time()))
# Each racer acts on the status it was shown before the race, as a person acts on the page in front
# of them. A racer that started late would otherwise read the status its rival had just written and
# make a second, legal move from there: two winners.
try:
    quote_request_transition(quote_request=copy, from_status=seen, to_status=to_status, actor=user, reason="spam")
    print("won")
except TransitionError:
    print("lost")
"""

SETUP_SCRIPT = """
import django
django.setup()
from django.conf import settings
from tests.factories import make_quote_request, make_staff
make_staff(username="first")
make_staff(username="second")
quote_request = make_quote_request()
print(quote_request.pk, quote_request.status)
"""


@pytest.mark.subprocess
def test_two_processes_on_one_sqlite_file_exactly_one_wins(tmp_path):
    """The SQLite set-up a site really runs: a database file shared by several processes."""
    if connection.vendor != "sqlite":
        pytest.skip("the threaded test covers server databases")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tourism.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'race.sqlite3'}",
        "MEDTOUR_DATA_DIR": str(tmp_path),
        "PYTHONPATH": str(settings.BASE_DIR),
    }
    run = functools.partial(subprocess.run, env=env, cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=120)
    assert run([sys.executable, "manage.py", "migrate", "-v0"]).returncode == 0
    setup = run([sys.executable, "-c", SETUP_SCRIPT])
    assert setup.returncode == 0, setup.stderr
    pk, seen = setup.stdout.strip().splitlines()[-1].split()
    assert seen == S.SUBMITTED
    start = str(time.time() + 3)
    racers = [
        subprocess.Popen(
            [sys.executable, "-c", RACE_SCRIPT, pk, seen, start, to_status, name],
            env=env, cwd=settings.BASE_DIR, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for to_status, name in [(S.IN_REVIEW, "first"), (S.CLOSED, "second")]
    ]  # fmt: skip
    outcomes = []
    for racer in racers:
        out, err = racer.communicate(timeout=120)
        assert racer.returncode == 0, err
        outcomes.append(out.strip())
    assert sorted(outcomes) == ["lost", "won"]
    check = run(
        [sys.executable, "-c", "import django; django.setup(); from quotes.models import StatusChange as C; "
         f"print(C.objects.filter(quote_request_id={pk}).exclude(from_status='').count())"]
    )  # fmt: skip
    assert check.stdout.strip().splitlines()[-1] == "1", check.stderr


@pytest.mark.django_db
def test_a_request_is_sent_to_facilities_only_by_sharing_it_with_one(staff):
    quote_request = request_in(S.IN_REVIEW, staff)
    with pytest.raises(MoveIncompleteError, match="Share the request with at least one facility"):
        quote_request_transition(
            quote_request=quote_request, from_status=S.IN_REVIEW, to_status=S.SENT_TO_FACILITIES, actor=staff
        )
    # A case that has ended does not count: it went to nobody who still has it.
    make_case(quote_request=quote_request, status="declined")
    with pytest.raises(MoveIncompleteError):
        quote_request_transition(
            quote_request=quote_request, from_status=S.IN_REVIEW, to_status=S.SENT_TO_FACILITIES, actor=staff
        )
    quote_request.refresh_from_db()
    assert quote_request.status == S.IN_REVIEW
