"""The workflow service: every allowed move, every illegal one, races, audit rows and e-mails."""

import datetime
import functools
import itertools
import os
import subprocess
import sys
import threading
import time

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection
from django.utils import timezone

from quotes.forms import new_form_stamp
from quotes.models import TRANSITIONS, FacilityQuote, FacilityQuoteItem, Notification, QuoteRequest, StatusChange
from quotes.services import TransitionError, quote_request_submit, quote_request_transition
from tests.factories import make_facility, make_language, make_procedure

S = QuoteRequest.Status
ALL = list(S.values)
ALLOWED = sorted((a, b) for a, moves in TRANSITIONS.items() for b in moves)
ILLEGAL = sorted((a, b) for a, b in itertools.product(ALL, ALL) if b not in TRANSITIONS[a])
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


@pytest.fixture
def staff(db):
    return User.objects.create_user("coordinator", "coordinator@medtour.localhost", is_staff=True)


def new_request(**data) -> QuoteRequest:
    facility = make_facility()
    fields = {
        "name": "Ana Patient",
        "email": "ana@example.org",
        "phone": "+44 20 7946 0000",
        "country_of_residence": "GB",
        "preferred_language": make_language(),
        "procedure": make_procedure(),
        "facilities": [facility],
        "condition": "Back pain",
    }
    fields.update(data)
    return quote_request_submit(
        data=fields, files=[], submission_key=new_form_stamp()[:32], site_url="http://testserver"
    ).quote_request


def add_quote(quote_request: QuoteRequest, *, valid_days: int = 30, lines: int = 2) -> FacilityQuote:
    quote = FacilityQuote.objects.create(
        quote_request=quote_request,
        facility=make_facility(),
        valid_until=timezone.localdate() + datetime.timedelta(days=valid_days),
    )
    for n in range(lines):
        FacilityQuoteItem.objects.create(quote=quote, category="surgeon", amount=1000 + n)
    return quote


def move(quote_request: QuoteRequest, to_status: str, actor=None) -> QuoteRequest:
    extra = {}
    if to_status == S.CLOSED:
        extra["reason"] = QuoteRequest.CloseReason.NO_SUITABLE_FACILITY
    if to_status == S.AWAITING_PATIENT:
        extra["note"] = "Please send your latest MRI report."
    if to_status == S.QUOTED and not quote_request.facility_quotes.exists():
        add_quote(quote_request)
    return quote_request_transition(quote_request=quote_request, to_status=to_status, actor=actor, **extra)


def request_in(status: str, actor) -> QuoteRequest:
    quote_request = new_request()
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
        quote_request_transition(quote_request=quote_request, to_status=S.ACCEPTED, actor=staff)
    with pytest.raises(TransitionError, match="not a status"):
        quote_request_transition(quote_request=quote_request, to_status="teleported", actor=staff)
    assert QuoteRequest.objects.get(pk=quote_request.pk).status == S.QUOTED


@pytest.mark.django_db
def test_closing_needs_a_reason_and_records_it(staff):
    quote_request = new_request()
    with pytest.raises(TransitionError, match="why"):
        quote_request_transition(quote_request=quote_request, to_status=S.CLOSED, actor=staff)
    with pytest.raises(TransitionError, match="why"):
        quote_request_transition(quote_request=quote_request, to_status=S.CLOSED, actor=staff, reason="bored")
    moved = quote_request_transition(quote_request=quote_request, to_status=S.CLOSED, actor=staff, reason="duplicate")
    assert moved.closed_reason == "duplicate"
    assert moved.closed_at is not None


@pytest.mark.django_db
def test_asking_the_patient_needs_a_note(staff):
    quote_request = move(new_request(), S.IN_REVIEW, actor=staff)
    with pytest.raises(TransitionError, match="patient should send"):
        quote_request_transition(quote_request=quote_request, to_status=S.AWAITING_PATIENT, actor=staff, note="  ")
    assert QuoteRequest.objects.get(pk=quote_request.pk).status == S.IN_REVIEW


@pytest.mark.django_db
def test_sending_quotes_needs_a_valid_itemised_quote(staff):
    quote_request = request_in(S.SENT_TO_FACILITIES, staff)
    add_quote(quote_request, lines=0)
    add_quote(quote_request, valid_days=-1)
    with pytest.raises(TransitionError, match="facility quote"):
        quote_request_transition(quote_request=quote_request, to_status=S.QUOTED, actor=staff)
    good = add_quote(quote_request)
    quote_request_transition(quote_request=quote_request, to_status=S.QUOTED, actor=staff)
    good.refresh_from_db()
    assert good.status == FacilityQuote.Status.SENT
    assert good.sent_at is not None
    assert quote_request.facility_quotes.filter(status=FacilityQuote.Status.DRAFT).count() == 2


@pytest.mark.django_db
def test_first_staff_reply_is_timed_and_patient_moves_are_not(staff):
    quote_request = new_request()
    assert quote_request.first_replied_at is None
    moved = move(quote_request, S.IN_REVIEW, actor=staff)
    assert moved.first_replied_at is not None
    withdrawn = new_request()
    closed = quote_request_transition(quote_request=withdrawn, to_status=S.CLOSED, reason="withdrawn")
    assert closed.first_replied_at is None


@pytest.mark.django_db
def test_stale_copy_loses_the_race(staff):
    quote_request = new_request()
    other_copy = QuoteRequest.objects.get(pk=quote_request.pk)
    move(quote_request, S.IN_REVIEW, actor=staff)
    with pytest.raises(TransitionError, match="Someone else changed this request first"):
        quote_request_transition(quote_request=other_copy, to_status=S.CLOSED, actor=staff, reason="spam")
    assert QuoteRequest.objects.get(pk=quote_request.pk).status == S.IN_REVIEW
    assert StatusChange.objects.filter(quote_request=quote_request, to_status=S.CLOSED).count() == 0


@pytest.mark.django_db(transaction=True)
def test_two_staff_acting_at_once_exactly_one_wins(staff):
    # Threads need a server database; SQLite's in-memory test database is not one (see the next test).
    if connection.vendor == "sqlite":
        pytest.skip("covered for SQLite by the two-process test on a database file")
    quote_request = new_request()
    other = User.objects.create_user("second", "second@medtour.localhost", is_staff=True)
    barrier = threading.Barrier(2)
    results: dict[str, str] = {}

    def act(name: str, user, to_status: str, reason: str = "") -> None:
        try:
            copy = QuoteRequest.objects.get(pk=quote_request.pk)
            barrier.wait(timeout=10)
            quote_request_transition(quote_request=copy, to_status=to_status, actor=user, reason=reason)
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
    assert notification.status == Notification.Status.SENT
    [mail] = [m for m in mailoutbox if m.to == ["ana@example.org"]]
    assert quote_request.reference in mail.subject
    assert f"/quote/status/{quote_request.status_token}/" in mail.body


@pytest.mark.django_db
def test_staff_moves_without_patient_mail_send_none(staff):
    quote_request = new_request()
    before = Notification.objects.count()
    move(quote_request, S.IN_REVIEW, actor=staff)
    move(quote_request, S.SENT_TO_FACILITIES, actor=staff)
    assert Notification.objects.count() == before


@pytest.mark.django_db
def test_spam_is_closed_silently(staff):
    quote_request = new_request()
    before = Notification.objects.count()
    quote_request_transition(quote_request=quote_request, to_status=S.CLOSED, actor=staff, reason="spam")
    assert Notification.objects.count() == before


@pytest.mark.django_db
def test_patient_moves_tell_the_assignee_or_the_coordinators(staff, settings):
    settings.COORDINATOR_EMAILS = ["team@medtour.localhost"]
    quote_request = new_request()
    quote_request_transition(quote_request=quote_request, to_status=S.CLOSED, reason="withdrawn")
    mail = Notification.objects.get(quote_request=quote_request, template="coordinator_patient_action")
    assert mail.recipient == "team@medtour.localhost"
    assert mail.context["action"] == "withdrew the request"

    assigned = new_request()
    QuoteRequest.objects.filter(pk=assigned.pk).update(assignee=staff)
    assigned.refresh_from_db()
    quote_request_transition(quote_request=assigned, to_status=S.CLOSED, reason="withdrawn")
    mail = Notification.objects.get(quote_request=assigned, template="coordinator_patient_action")
    assert mail.recipient == staff.email


@pytest.mark.django_db
def test_a_failed_transaction_leaves_no_audit_row_or_mail(staff, monkeypatch):
    quote_request = new_request()
    before = (StatusChange.objects.count(), Notification.objects.count())

    def broken(*args, **kwargs):
        raise RuntimeError("mail queue down")

    monkeypatch.setattr("quotes.services._queue_move_mail", broken)
    with pytest.raises(RuntimeError):
        quote_request_transition(quote_request=quote_request, to_status=S.CLOSED, actor=staff, reason="duplicate")
    assert QuoteRequest.objects.get(pk=quote_request.pk).status == S.SUBMITTED
    assert (StatusChange.objects.count(), Notification.objects.count()) == before


RACE_SCRIPT = """
import sys, time
import django
django.setup()
from django.conf import settings
from django.contrib.auth.models import User
from quotes.models import QuoteRequest
from quotes.services import TransitionError, quote_request_transition

pk, start, to_status, name = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3], sys.argv[4]
user = User.objects.get(username=name)
copy = QuoteRequest.objects.get(pk=pk)
time.sleep(max(0.0, start - time.time()))
try:
    quote_request_transition(quote_request=copy, to_status=to_status, actor=user, reason="spam")
    print("won")
except TransitionError:
    print("lost")
"""

SETUP_SCRIPT = """
import django
django.setup()
from django.conf import settings
from django.contrib.auth.models import User
from tests.quotes.test_workflow import new_request
User.objects.create_user("first", is_staff=True)
User.objects.create_user("second", is_staff=True)
print(new_request().pk)
"""


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
    pk = setup.stdout.strip().splitlines()[-1]
    start = str(time.time() + 3)
    racers = [
        subprocess.Popen(
            [sys.executable, "-c", RACE_SCRIPT, pk, start, to_status, name],
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
