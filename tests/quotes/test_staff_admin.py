"""The coordinators' admin: the request list and its filters, the request page and its workflow
buttons, assignment, notes, erasure, facility quotes, the dashboard, and who may see any of it."""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.template import Context
from django.template.defaultfilters import filesizeformat
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from facilities.roles import DIRECTORY_EDITORS
from quotes.models import (
    AssignmentChange,
    Erasure,
    FacilityCase,
    FacilityQuote,
    Notification,
    PatientMessage,
    QuoteAttachment,
    QuoteRequest,
    SharingConsent,
    StaffNote,
    StatusChange,
)
from quotes.roles import COORDINATORS
from quotes.services.cases import CaseShare, cases_send
from quotes.templatetags.quote_dashboard import quote_dashboard
from tests.factories import (
    build_quote_request,
    make_attachment,
    make_facility,
    make_facility_quote,
    make_facility_user,
    make_offer,
    make_procedure,
    make_quote_request,
    make_staff,
)
from tests.quotes.helpers import PDF, element_text, tags

pytestmark = pytest.mark.django_db

S = QuoteRequest.Status
CHANGELIST = "admin:quotes_quoterequest_changelist"


@pytest.fixture
def coordinator():
    return make_staff(username="cora", group=COORDINATORS, first_name="Cora", last_name="Ordinator")


@pytest.fixture
def other_coordinator():
    return make_staff(username="otto", group=COORDINATORS, first_name="Otto", last_name="Other")


@pytest.fixture
def editor():
    return make_staff(username="edith", group=DIRECTORY_EDITORS)


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client


def change_url(quote_request) -> str:
    return reverse("admin:quotes_quoterequest_change", args=[quote_request.pk])


def action_url(quote_request, action: str) -> str:
    return reverse(f"admin:quotes_quoterequest_{action}", args=[quote_request.pk])


def shown(response) -> set[str]:
    return {quote_request.reference for quote_request in response.context["cl"].result_list}


def flash(response) -> list[tuple[str, str]]:
    return [(message.level_tag, str(message)) for message in response.context["messages"]]


# The list ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["superuser", "coordinator"])
def test_list_renders_for_superusers_and_coordinators(client, admin_user, coordinator, who):
    quote_request = make_quote_request(procedure=make_procedure(name="Lumbar fusion"), assignee=coordinator)
    client.force_login(admin_user if who == "superuser" else coordinator)
    response = client.get(reverse(CHANGELIST))
    assert response.status_code == 200
    html = response.content.decode()
    assert quote_request.reference in html
    assert "Lumbar fusion" in html
    assert "Cora Ordinator" in html
    assert "1 d 23 h left" in html


@pytest.fixture
def worklist(coordinator, other_coordinator):
    now = timezone.now()
    fusion, discectomy = make_procedure(name="Lumbar fusion"), make_procedure(name="Discectomy")
    return {
        "overdue_mine": make_quote_request(
            name="Olga Overdue",
            email="olga@example.org",
            procedure=fusion,
            assignee=coordinator,
            first_reply_due_at=now - datetime.timedelta(hours=3),
        ),
        "review_unassigned": make_quote_request(
            status=S.IN_REVIEW,
            name="Rui Review",
            procedure=discectomy,
            country_of_residence="DE",
            first_reply_due_at=now - datetime.timedelta(hours=3),  # Replied, so not overdue.
            first_replied_at=now - datetime.timedelta(hours=5),
        ),
        "new_other": make_quote_request(name="Nina New", assignee=other_coordinator, country_of_residence="FR"),
        "closed_unassigned": make_quote_request(status=S.CLOSED, name="Carl Closed", closed_reason="spam"),
    }


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, {"overdue_mine", "review_unassigned", "new_other", "closed_unassigned"}),
        ({"assignee": "mine"}, {"overdue_mine"}),
        ({"assignee": "unassigned"}, {"review_unassigned", "closed_unassigned"}),
        ({"overdue": "yes"}, {"overdue_mine"}),
        ({"overdue": "no"}, {"review_unassigned", "new_other", "closed_unassigned"}),
        ({"status": "in_review"}, {"review_unassigned"}),
        ({"status": "submitted"}, {"overdue_mine", "new_other"}),
        ({"status": "open"}, {"overdue_mine", "review_unassigned", "new_other"}),
        ({"status": "open", "assignee": "unassigned"}, {"review_unassigned"}),
        ({"country_of_residence": "DE"}, {"review_unassigned"}),
        ({"q": "olga@example.org"}, {"overdue_mine"}),
        ({"q": "Nina"}, {"new_other"}),
    ],
)
def test_list_filters_give_the_right_rows(coordinator_client, worklist, params, expected):
    response = coordinator_client.get(reverse(CHANGELIST), params)
    assert response.status_code == 200
    assert shown(response) == {worklist[key].reference for key in expected}


def test_list_filters_by_procedure_and_reference(coordinator_client, worklist):
    fusion = worklist["overdue_mine"].procedure
    response = coordinator_client.get(reverse(CHANGELIST), {"procedure__id__exact": fusion.pk})
    assert shown(response) == {worklist["overdue_mine"].reference}
    reference = worklist["new_other"].reference
    assert shown(coordinator_client.get(reverse(CHANGELIST), {"q": reference})) == {reference}


def test_mine_depends_on_who_asks(client, worklist, other_coordinator):
    client.force_login(other_coordinator)
    assert shown(client.get(reverse(CHANGELIST), {"assignee": "mine"})) == {worklist["new_other"].reference}


def row_html(html: str, reference: str) -> str:
    """The changelist row that shows ``reference``."""
    rows = [row for row in re.findall(r"<tr[^>]*>.*?</tr>", html, re.S) if reference in row]
    assert len(rows) == 1, reference
    return rows[0]


def test_overdue_requests_are_shown_in_red(coordinator_client, worklist):
    html = coordinator_client.get(reverse(CHANGELIST)).content.decode()
    overdue_row = row_html(html, worklist["overdue_mine"].reference)
    assert "reply-overdue" in overdue_row and "state-alert" in overdue_row
    assert "Overdue by 3 h" in overdue_row
    for key in ("review_unassigned", "new_other", "closed_unassigned"):
        assert "reply-overdue" not in row_html(html, worklist[key].reference)
    assert "Replied" in row_html(html, worklist["review_unassigned"].reference)
    assert "left" in row_html(html, worklist["new_other"].reference)
    assert 'style="' not in html.split('id="result_list"')[1]


def test_list_query_count_does_not_grow_with_rows(coordinator_client, coordinator, django_assert_num_queries):
    procedure = make_procedure()
    QuoteRequest.objects.bulk_create([build_quote_request(procedure=procedure, assignee=coordinator) for _ in range(5)])
    url = reverse(CHANGELIST)
    coordinator_client.get(url)  # Warm the session and permission caches.
    with CaptureQueriesContext(connection) as few:
        assert coordinator_client.get(url).status_code == 200
    QuoteRequest.objects.bulk_create(
        [build_quote_request(procedure=procedure, assignee=coordinator) for _ in range(195)]
    )
    with django_assert_num_queries(len(few.captured_queries)):
        response = coordinator_client.get(url)
    assert len(response.context["cl"].result_list) == 50
    assert response.context["cl"].result_count == 200


# The request page --------------------------------------------------------------------------------


@pytest.fixture
def full_request(coordinator):
    quote_request = make_quote_request(
        name="Ana Patient",
        email="ana@example.org",
        condition="Lower back pain for two years.",
        medication="Ibuprofen 400 mg",
        procedure=make_procedure(name="Lumbar fusion"),
        preferred_countries=["TR", "DE"],
        budget_amount=Decimal("15000"),
        budget_currency="USD",
    )
    quote_request.preferred_facilities.set([make_facility(name="Anadolu Spine Hospital")])
    make_attachment(quote_request=quote_request, name="mri report.pdf", content=PDF * 30, kind="pdf")
    make_attachment(quote_request=quote_request, name="xray.jpg", content=b"\xff\xd8\xff" + b"0" * 2048, kind="jpeg")
    StaffNote.objects.create(quote_request=quote_request, author=coordinator, text="Called the patient.")
    PatientMessage.objects.create(quote_request=quote_request, text="Here is my latest scan.")
    return quote_request


def test_request_page_shows_the_submission_files_notes_and_history(coordinator_client, full_request):
    response = coordinator_client.get(change_url(full_request))
    assert response.status_code == 200
    html = response.content.decode()
    for text in [
        "Ana Patient",
        "ana@example.org",
        "Lower back pain for two years.",
        "Ibuprofen 400 mg",
        "Lumbar fusion",
        "Anadolu Spine Hospital",
        "Germany",
        "15,000.00 USD",
        "Called the patient.",
        "Here is my latest scan.",
    ]:
        assert text in html, text
    files = element_text(html, "attachments")
    assert "mri report.pdf" in files and "PDF" in files and "xray.jpg" in files and "JPEG image" in files
    attachments = list(full_request.attachments.all())
    for attachment in attachments:
        assert " ".join(filesizeformat(attachment.size).split()) in files  # e.g. "2.3 KB"
    links = [a["href"] for a in tags(html, "a", class_="download-link")]
    assert links == [
        reverse("admin:quotes_quoterequest_file", args=[full_request.pk, attachment.pk]) for attachment in attachments
    ]
    history = element_text(html, "status-history")
    assert "Submitted" in history
    # Nothing to save: every field is read-only and there is no Save button.
    assert not tags(html, "input", name="_save") and not tags(html, "input", name="_continue")
    assert not tags(html, "textarea", name="condition")
    assert 'style="' not in html.split('id="content"')[1]


def test_request_page_offers_only_the_moves_allowed_from_the_status(coordinator_client, full_request):
    html = coordinator_client.get(change_url(full_request)).content.decode()
    offered = [field["value"] for field in tags(html, "input", name="to_status")]
    assert offered == ["in_review", "closed"]
    assert "Start review" in html and "Send quotes to the patient" not in html
    reasons = {option["value"] for option in tags(html, "option")}
    assert set(QuoteRequest.CloseReason.values) <= reasons

    QuoteRequest.objects.filter(pk=full_request.pk).update(status=S.IN_REVIEW)
    html = coordinator_client.get(change_url(full_request)).content.decode()
    # Sending to facilities is sharing the case with them (the sharing panel), not a bare move.
    assert [f["value"] for f in tags(html, "input", name="to_status")] == ["awaiting_patient", "closed"]
    assert "Ask the patient for information" in html and "Share the case with facilities through Medtour" in html
    assert tags(html, "textarea", name="note")  # The question for the patient.

    QuoteRequest.objects.filter(pk=full_request.pk).update(status=S.QUOTED)
    html = coordinator_client.get(change_url(full_request)).content.decode()
    assert [f["value"] for f in tags(html, "input", name="to_status")] == ["closed"]  # Accepting is the patient's.

    QuoteRequest.objects.filter(pk=full_request.pk).update(status=S.CLOSED)
    html = coordinator_client.get(change_url(full_request)).content.decode()
    assert not tags(html, "input", name="to_status")


def test_the_request_page_refuses_a_direct_save(coordinator_client, full_request):
    response = coordinator_client.post(change_url(full_request), {"status": "closed", "name": "X"})
    assert response.status_code == 405
    full_request.refresh_from_db()
    assert (full_request.status, full_request.name) == (S.SUBMITTED, "Ana Patient")


def test_the_request_page_has_no_add_and_nobody_deletes(client, coordinator_client, admin_user, full_request):
    # Requests are erased (files removed, erasure recorded), never deleted.
    assert coordinator_client.get(reverse("admin:quotes_quoterequest_add")).status_code == 403
    assert coordinator_client.get(action_url(full_request, "delete")).status_code == 403
    assert "deletelink" not in coordinator_client.get(change_url(full_request)).content.decode()
    client.force_login(admin_user)
    assert "deletelink" not in client.get(change_url(full_request)).content.decode()
    assert client.get(action_url(full_request, "delete")).status_code == 403


# Moves -------------------------------------------------------------------------------------------

MOVES = [
    (S.SUBMITTED, S.IN_REVIEW, {}),
    (S.SUBMITTED, S.CLOSED, {"reason": "spam"}),
    (S.IN_REVIEW, S.AWAITING_PATIENT, {"note": "Please send your latest MRI."}),
    (S.AWAITING_PATIENT, S.IN_REVIEW, {}),
    (S.SENT_TO_FACILITIES, S.QUOTED, {}),
    (S.QUOTED, S.CLOSED, {"reason": "declined"}),
]


@pytest.mark.parametrize(("from_status", "to_status", "extra"), MOVES)
def test_each_move_writes_one_status_change_with_the_actor(
    coordinator_client, coordinator, from_status, to_status, extra, django_capture_on_commit_callbacks
):
    quote_request = make_quote_request(status=from_status)
    if to_status == S.QUOTED:
        make_facility_quote(quote_request=quote_request, lines=[("surgeon", 5000), ("surgeon", 1200)])
    before = StatusChange.objects.filter(quote_request=quote_request).count()
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(
            action_url(quote_request, "move"),
            {"from_status": from_status, "to_status": to_status, **extra},
            follow=True,
        )
    assert response.redirect_chain == [(change_url(quote_request), 302)]
    quote_request.refresh_from_db()
    assert quote_request.status == to_status
    changes = StatusChange.objects.filter(quote_request=quote_request)
    assert changes.count() == before + 1
    last = changes.last()
    assert (last.from_status, last.to_status, last.actor) == (from_status, to_status, coordinator)
    assert [level for level, _text in flash(response)] == ["success"]
    if to_status == S.CLOSED:
        assert quote_request.closed_reason == extra["reason"]
    if from_status == S.SUBMITTED:
        # Closing is a reply the patient gets; starting the review is not.
        assert (quote_request.first_replied_at is not None) == (to_status == S.CLOSED)


@pytest.mark.parametrize(
    ("from_status", "posted", "message"),
    [
        (S.SUBMITTED, {"to_status": S.QUOTED}, "cannot be moved to"),
        (S.SUBMITTED, {"to_status": S.CLOSED}, "Choose why"),  # No reason.
        (S.SUBMITTED, {"to_status": S.CLOSED, "reason": "bored"}, "Choose why"),
        (S.IN_REVIEW, {"to_status": S.AWAITING_PATIENT, "note": "  "}, "they will see your note"),
        (S.SENT_TO_FACILITIES, {"to_status": S.QUOTED}, "Add at least one facility quote"),
        (S.IN_REVIEW, {"to_status": S.SENT_TO_FACILITIES}, "not a move staff can make"),  # Only by sharing.
        (S.QUOTED, {"to_status": S.ACCEPTED}, "not a move staff can make"),
        (S.SUBMITTED, {"to_status": "flying"}, "not a move staff can make"),
        (S.CLOSED, {"to_status": S.IN_REVIEW}, "cannot be moved any more"),
        # Somebody else moved the request after this coordinator opened the page.
        (S.IN_REVIEW, {"to_status": S.CLOSED, "reason": "spam", "from_status": S.SUBMITTED}, "Someone else"),
    ],
)
def test_a_refused_move_shows_the_error_and_changes_nothing(coordinator_client, from_status, posted, message):
    quote_request = make_quote_request(status=from_status)
    before = list(StatusChange.objects.filter(quote_request=quote_request).values_list("pk", flat=True))
    response = coordinator_client.post(
        action_url(quote_request, "move"), {"from_status": from_status, **posted}, follow=True
    )
    assert response.status_code == 200
    [(level, text)] = flash(response)
    assert level == "error" and message in text
    quote_request.refresh_from_db()
    assert quote_request.status == from_status
    assert quote_request.closed_reason == ""
    assert list(StatusChange.objects.filter(quote_request=quote_request).values_list("pk", flat=True)) == before


def test_post_views_refuse_get(coordinator_client):
    quote_request = make_quote_request()
    for action in ("move", "assign", "note"):
        assert coordinator_client.get(action_url(quote_request, action), {"to_status": "in_review"}).status_code == 405
    quote_request.refresh_from_db()
    assert quote_request.status == S.SUBMITTED


def test_post_views_need_the_change_permission(client):
    viewer = make_staff(username="vera")
    viewer.user_permissions.add(*_perms("view_quoterequest", "add_staffnote"))
    client.force_login(viewer)
    quote_request = make_quote_request()
    assert client.get(change_url(quote_request)).status_code == 200  # May look...
    for action, data in [("move", {"to_status": "in_review"}), ("assign", {"assignee": ""}), ("note", {"text": "x"})]:
        assert client.post(action_url(quote_request, action), data).status_code == 403  # ...but not touch.
    assert not StaffNote.objects.exists()
    assert StatusChange.objects.filter(quote_request=quote_request).count() == 1


def _perms(*codenames):
    from django.contrib.auth.models import Permission

    return Permission.objects.filter(content_type__app_label="quotes", codename__in=codenames)


def test_post_views_are_csrf_protected(coordinator):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(coordinator)
    quote_request = make_quote_request()
    assert strict.post(action_url(quote_request, "move"), {"to_status": "in_review"}).status_code == 403
    quote_request.refresh_from_db()
    assert quote_request.status == S.SUBMITTED


# Assignment and notes ----------------------------------------------------------------------------


def test_assign_to_me(coordinator_client, coordinator):
    quote_request = make_quote_request()
    response = coordinator_client.post(action_url(quote_request, "assign"), {"assignee": "me"}, follow=True)
    quote_request.refresh_from_db()
    assert quote_request.assignee == coordinator
    assert flash(response) == [("success", f"{quote_request.reference} assigned to Cora Ordinator.")]
    change = AssignmentChange.objects.get(quote_request=quote_request)
    assert (change.from_assignee, change.to_assignee, change.actor) == (None, coordinator, coordinator)
    assert not StaffNote.objects.filter(quote_request=quote_request).exists()
    html = response.content.decode()
    assert "Cora Ordinator" in element_text(html, "workflow-assignee")
    assert "Cora Ordinator" in element_text(html, "assignment-history")


def test_assign_to_another_coordinator_and_back_to_nobody(coordinator_client, other_coordinator):
    quote_request = make_quote_request()
    html = coordinator_client.get(change_url(quote_request)).content.decode()
    assert str(other_coordinator.pk) in {option["value"] for option in tags(html, "option")}
    coordinator_client.post(action_url(quote_request, "assign"), {"assignee": str(other_coordinator.pk)})
    quote_request.refresh_from_db()
    assert quote_request.assignee == other_coordinator
    coordinator_client.post(action_url(quote_request, "assign"), {"assignee": ""})
    quote_request.refresh_from_db()
    assert quote_request.assignee is None
    changes = AssignmentChange.objects.filter(quote_request=quote_request)
    assert [(c.from_assignee, c.to_assignee) for c in changes] == [(None, other_coordinator), (other_coordinator, None)]


@pytest.mark.parametrize("who", ["editor", "plain staff", "inactive coordinator", "nonsense", "unknown id"])
def test_assigning_to_a_non_coordinator_is_refused(coordinator_client, editor, who):
    if who == "editor":
        value = str(editor.pk)
    elif who == "plain staff":
        value = str(make_staff(username="stan").pk)
    elif who == "inactive coordinator":
        value = str(make_staff(username="ina", group=COORDINATORS, is_active=False).pk)
    elif who == "nonsense":
        value = "²"
    else:
        value = "999999"
    quote_request = make_quote_request()
    response = coordinator_client.post(action_url(quote_request, "assign"), {"assignee": value}, follow=True)
    [(level, text)] = flash(response)
    assert level == "error" and "only to active coordinators" in text
    quote_request.refresh_from_db()
    assert quote_request.assignee is None
    assert not StaffNote.objects.exists()


def test_assign_to_me_is_refused_for_staff_outside_the_coordinators(client):
    helper = make_staff(username="hal")
    helper.user_permissions.add(*_perms("view_quoterequest", "change_quoterequest"))
    client.force_login(helper)
    quote_request = make_quote_request()
    response = client.post(action_url(quote_request, "assign"), {"assignee": "me"}, follow=True)
    assert flash(response)[0][0] == "error"
    quote_request.refresh_from_db()
    assert quote_request.assignee is None


def test_a_note_is_added(coordinator_client, coordinator):
    quote_request = make_quote_request()
    response = coordinator_client.post(
        action_url(quote_request, "note"), {"text": "  Patient prefers Istanbul.  "}, follow=True
    )
    note = StaffNote.objects.get(quote_request=quote_request)
    assert (note.text, note.author) == ("Patient prefers Istanbul.", coordinator)
    assert "Patient prefers Istanbul." in element_text(response.content.decode(), "staff-notes")


def test_an_empty_note_is_refused(coordinator_client):
    quote_request = make_quote_request()
    response = coordinator_client.post(action_url(quote_request, "note"), {"text": "   "}, follow=True)
    assert flash(response)[0][0] == "error"
    assert not StaffNote.objects.exists()


# Who sees what -----------------------------------------------------------------------------------


def test_directory_editors_see_no_quote_requests(client, editor):
    quote_request = make_quote_request()
    make_attachment(quote_request=quote_request)
    quote = make_facility_quote(quote_request=quote_request)
    client.force_login(editor)
    index = client.get(reverse("admin:index"))
    assert index.status_code == 200
    html = index.content.decode()
    assert "quote-dashboard" not in html
    assert reverse(CHANGELIST) not in html
    assert reverse("admin:facilities_facility_changelist") in html  # Their own work is there.
    for url in [
        reverse(CHANGELIST),
        change_url(quote_request),
        reverse("admin:quotes_facilityquote_changelist"),
        reverse("admin:quotes_facilityquote_change", args=[quote.pk]),
        reverse("admin:quotes_notification_changelist"),
    ]:
        assert client.get(url).status_code == 403, url
    for action in ("move", "assign", "note"):
        assert client.post(action_url(quote_request, action), {"to_status": "in_review"}).status_code == 403
    quote_request.refresh_from_db()
    assert quote_request.status == S.SUBMITTED


def test_staff_without_a_group_get_403(client):
    quote_request = make_quote_request()
    client.force_login(make_staff(username="sam"))
    assert client.get(reverse(CHANGELIST)).status_code == 403
    assert client.get(change_url(quote_request)).status_code == 403
    assert "quote-dashboard" not in client.get(reverse("admin:index")).content.decode()


def test_anonymous_visitors_are_sent_to_the_login(client):
    quote_request = make_quote_request()
    for response in [
        client.get(reverse(CHANGELIST)),
        client.get(change_url(quote_request)),
        client.post(action_url(quote_request, "move"), {"to_status": "in_review"}),
        client.get(reverse("admin:index")),
    ]:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))
    quote_request.refresh_from_db()
    assert quote_request.status == S.SUBMITTED


def test_coordinators_may_view_but_not_change_facilities(coordinator_client):
    facility = make_facility(name="Anadolu Spine Hospital")
    url = reverse("admin:facilities_facility_change", args=[facility.pk])
    response = coordinator_client.get(url)
    assert response.status_code == 200
    assert not tags(response.content.decode(), "input", name="_save")
    assert coordinator_client.post(url, {"name": "Renamed"}).status_code == 403
    assert coordinator_client.get(reverse("admin:facilities_facility_add")).status_code == 403
    facility.refresh_from_db()
    assert facility.name == "Anadolu Spine Hospital"


# Erasure -----------------------------------------------------------------------------------------


def test_erase_action_asks_first_then_erases_closed_requests_and_refuses_open_ones(
    coordinator_client, coordinator, django_capture_on_commit_callbacks
):
    closed = make_quote_request(status=S.CLOSED, closed_reason="withdrawn", name="Ana Patient", email="ana@example.org")
    file = make_attachment(quote_request=closed)
    stored_name = file.file.name
    open_one = make_quote_request(status=S.IN_REVIEW, name="Olle Open")
    data = {"action": "erase_personal_data", "_selected_action": [closed.pk, open_one.pk]}

    confirm = coordinator_client.post(reverse(CHANGELIST), data)
    assert confirm.status_code == 200
    assert "Will be erased" in confirm.content.decode() and "Will be refused" in confirm.content.decode()
    closed.refresh_from_db()
    assert closed.erased_at is None

    storage = QuoteAttachment._meta.get_field("file").storage
    assert storage.exists(stored_name)
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(reverse(CHANGELIST), {**data, "confirm": "yes"}, follow=True)
    messages = flash(response)
    assert ("success", "Personal data erased from 1 request.") in messages
    refusal = f"{open_one.reference}: Only closed or accepted requests can be erased. Close the request first."
    assert ("error", refusal) in messages
    closed.refresh_from_db()
    open_one.refresh_from_db()
    assert closed.erased_at is not None and closed.name == "" and closed.email == ""
    assert open_one.erased_at is None and open_one.name == "Olle Open"
    erasure = Erasure.objects.get(quote_request=closed)
    assert (erasure.actor, erasure.reason) == (coordinator, Erasure.Reason.PATIENT_REQUEST)
    assert not StatusChange.objects.filter(quote_request=closed, from_status=S.CLOSED, to_status=S.CLOSED).exists()
    assert not storage.exists(stored_name)

    # The page still renders, with the personal fields blank and no download link.
    page = coordinator_client.get(change_url(closed))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Ana Patient" not in html and "ana@example.org" not in html
    assert "(deleted)" in html and not tags(html, "a", class_="download-link")
    list_html = coordinator_client.get(reverse(CHANGELIST)).content.decode()
    assert "(erased)" in list_html


def test_erase_action_is_not_offered_without_the_change_permission(client):
    viewer = make_staff(username="vic")
    viewer.user_permissions.add(*_perms("view_quoterequest"))
    client.force_login(viewer)
    closed = make_quote_request(status=S.CLOSED, closed_reason="spam")
    response = client.get(reverse(CHANGELIST))
    assert "erase_personal_data" not in response.content.decode()
    client.post(
        reverse(CHANGELIST), {"action": "erase_personal_data", "_selected_action": [closed.pk], "confirm": "yes"}
    )
    closed.refresh_from_db()
    assert closed.erased_at is None and closed.name == "Ana Patient"


# Facility quotes ---------------------------------------------------------------------------------


def quote_form(quote_request, facility, lines, **overrides) -> dict:
    data = {
        "quote_request": quote_request.pk,
        "facility": facility.pk,
        "currency": "EUR",
        "valid_until": (timezone.localdate() + datetime.timedelta(days=30)).isoformat(),
        "exclusions": "Flights.",
        "notes": "",
        "items-TOTAL_FORMS": str(len(lines)),
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "1000",
        "_save": "Save",
    }
    for n, (category, amount, *state) in enumerate(lines):
        data.update(
            {
                f"items-{n}-category": category,
                f"items-{n}-state": state[0] if state else "included",
                f"items-{n}-description": "",
                f"items-{n}-amount": amount,
            }
        )
    data.update(overrides)
    return data


def test_add_a_facility_quote_with_three_lines_and_see_its_total(coordinator_client, coordinator):
    quote_request = make_quote_request(status=S.SENT_TO_FACILITIES)
    facility = make_facility(name="Anadolu Spine Hospital")
    page = coordinator_client.get(change_url(quote_request)).content.decode()
    add_link = tags(page, "a", id="add-facility-quote")[0]["href"]
    assert add_link == reverse("admin:quotes_facilityquote_add") + f"?quote_request={quote_request.pk}"
    form = coordinator_client.get(add_link)
    assert form.status_code == 200
    assert str(form.context["adminform"].form.initial["quote_request"]) == str(quote_request.pk)

    lines = [("surgeon", "9000.00"), ("implants", "3500.50"), ("hospital_nights", "1200")]
    response = coordinator_client.post(
        reverse("admin:quotes_facilityquote_add"), quote_form(quote_request, facility, lines)
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert response["Location"] == change_url(quote_request)
    quote = FacilityQuote.objects.get()
    assert quote.created_by == coordinator
    assert quote.status == FacilityQuote.Status.DRAFT
    assert quote.items.count() == 3 and quote.total == Decimal("13700.50")

    listing = coordinator_client.get(reverse("admin:quotes_facilityquote_changelist")).content.decode()
    assert "13,700.50 EUR" in listing
    page = coordinator_client.get(change_url(quote_request)).content.decode()
    quotes = element_text(page, "facility-quotes")
    assert "Anadolu Spine Hospital" in quotes and "13,700.50" in quotes and "EUR" in quotes and "Draft" in quotes


@pytest.mark.parametrize(
    "line, message",
    [
        (("surgeon", "", "included"), "Give the amount"),
        (("hotel", "300", "not_included"), "Only an item included at a price has an amount"),
        (("surgeon", "-5", "included"), "cannot be negative"),
        (("surgeon", "10", "perhaps"), "Select a valid choice"),
    ],
)
def test_a_quote_line_whose_amount_does_not_fit_its_state_is_refused_with_a_message(coordinator_client, line, message):
    quote_request = make_quote_request(status=S.SENT_TO_FACILITIES)
    response = coordinator_client.post(
        reverse("admin:quotes_facilityquote_add"), quote_form(quote_request, make_facility(), [line])
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not FacilityQuote.objects.exists()


def test_lines_included_at_no_charge_or_not_included_need_no_amount(coordinator_client):
    quote_request = make_quote_request(status=S.SENT_TO_FACILITIES)
    lines = [("surgeon", "9000"), ("hotel", "", "not_included"), ("transfers", "", "included_free")]
    response = coordinator_client.post(
        reverse("admin:quotes_facilityquote_add"), quote_form(quote_request, make_facility(), lines)
    )
    assert response.status_code == 302
    quote = FacilityQuote.objects.get()
    assert sorted(quote.items.values_list("state", flat=True)) == ["included", "included_free", "not_included"]
    assert quote.total == Decimal("9000")


def test_a_facility_that_is_not_listed_is_refused(coordinator_client):
    quote_request = make_quote_request(status=S.SENT_TO_FACILITIES)
    unpublished = make_facility(is_published=False)
    unaccredited = make_facility(accredited=False)
    for facility in (unpublished, unaccredited):
        data = quote_form(quote_request, facility, [("surgeon", "100")])
        response = coordinator_client.post(reverse("admin:quotes_facilityquote_add"), data)
        assert response.status_code == 200
        assert "facility" in response.context["adminform"].form.errors
    assert not FacilityQuote.objects.exists()


def test_a_quote_valid_until_yesterday_is_refused(coordinator_client):
    quote_request = make_quote_request(status=S.SENT_TO_FACILITIES)
    yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    data = quote_form(quote_request, make_facility(), [("surgeon", "100")], valid_until=yesterday)
    response = coordinator_client.post(reverse("admin:quotes_facilityquote_add"), data)
    assert response.status_code == 200
    assert "valid_until" in response.context["adminform"].form.errors
    assert not FacilityQuote.objects.exists()


def test_sent_quotes_are_read_only(coordinator_client):
    quote_request = make_quote_request(status=S.QUOTED)
    quote = make_facility_quote(
        quote_request=quote_request,
        lines=[("surgeon", 1000), ("surgeon", 250)],
        status=FacilityQuote.Status.SENT,
        exclusions="Flights.",
    )
    url = reverse("admin:quotes_facilityquote_change", args=[quote.pk])
    response = coordinator_client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert not tags(html, "input", name="_save")
    assert not tags(html, "textarea", name="exclusions")
    assert "1,250.00 USD" in html
    assert coordinator_client.post(url, {"exclusions": "Nothing", "valid_until": "2099-01-01"}).status_code == 403
    assert coordinator_client.post(reverse("admin:quotes_facilityquote_delete", args=[quote.pk])).status_code == 403
    quote.refresh_from_db()
    assert quote.exclusions == "Flights." and quote.items.count() == 2


def test_draft_quotes_can_be_edited_and_status_is_read_only(coordinator_client):
    quote_request = make_quote_request(status=S.SENT_TO_FACILITIES)
    quote = make_facility_quote(quote_request=quote_request, lines=[("surgeon", 1000)])
    line = quote.items.get()
    url = reverse("admin:quotes_facilityquote_change", args=[quote.pk])
    html = coordinator_client.get(url).content.decode()
    assert tags(html, "input", name="_save")
    assert not tags(html, "select", name="status") and not tags(html, "select", name="quote_request")
    data = quote_form(quote_request, quote.facility, [("surgeon", "1500"), ("hotel", "250")], status="sent")
    data.update({"items-INITIAL_FORMS": "1", "items-0-id": str(line.pk), "items-0-quote": str(quote.pk)})
    response = coordinator_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    quote.refresh_from_db()
    assert quote.status == FacilityQuote.Status.DRAFT  # Posting a status changes nothing.
    assert quote.total == Decimal("1750") and quote.exclusions == "Flights."


def test_facility_quote_list_query_count_does_not_grow(coordinator_client, django_assert_num_queries):
    url = reverse("admin:quotes_facilityquote_changelist")
    for _ in range(2):
        make_facility_quote(
            quote_request=make_quote_request(status=S.SENT_TO_FACILITIES), lines=[("surgeon", 100), ("surgeon", 200)]
        )
    coordinator_client.get(url)
    with CaptureQueriesContext(connection) as few:
        coordinator_client.get(url)
    for _ in range(8):
        make_facility_quote(
            quote_request=make_quote_request(status=S.SENT_TO_FACILITIES),
            lines=[("surgeon", 100), ("surgeon", 200), ("surgeon", 300)],
        )
    with django_assert_num_queries(len(few.captured_queries)):
        html = coordinator_client.get(url).content.decode()
    assert html.count("600.00 USD") == 8 and html.count("300.00 USD") == 2


# The dashboard -----------------------------------------------------------------------------------


@pytest.fixture
def dashboard_data(coordinator, other_coordinator):
    now = timezone.now()
    hour = datetime.timedelta(hours=1)
    make_quote_request(first_reply_due_at=now - hour)  # Submitted, overdue, unassigned.
    make_quote_request(first_reply_due_at=now - hour, assignee=coordinator)  # Submitted, overdue, mine.
    make_quote_request()  # Submitted, unassigned.
    for wait_hours, assignee in [(1, coordinator), (3, None), (10, other_coordinator)]:
        created = now - datetime.timedelta(days=2)
        make_quote_request(
            status=S.IN_REVIEW, assignee=assignee, created_at=created, first_replied_at=created + wait_hours * hour
        )
    created = now - datetime.timedelta(days=45)  # Too old for the median.
    make_quote_request(
        status=S.CLOSED,
        closed_reason="spam",
        created_at=created,
        first_replied_at=created + 100 * hour,
        closed_at=created + 101 * hour,  # Finished before the last 30 days: not among the finished.
    )
    make_quote_request(status=S.CLOSED, closed_reason="duplicate", closed_at=now - 2 * hour)
    make_quote_request(status=S.ACCEPTED, assignee=coordinator)  # Mine, but finished.


def test_dashboard_numbers_are_right(coordinator_client, dashboard_data):
    response = coordinator_client.get(reverse("admin:index"))
    html = response.content.decode()
    figures = {
        key: element_text(html, f"figure-{key}")
        for key in ["overdue", "unassigned", "mine", "median", "status-submitted", "status-in_review"]
    }
    assert figures["overdue"].startswith("2 overdue")
    assert figures["unassigned"].startswith("3 open and unassigned")
    assert figures["mine"].startswith("2 open and assigned to me")
    assert figures["median"].startswith("3 h 0 min") and "(3 replied)" in figures["median"]
    assert figures["status-submitted"] == "3 Submitted"
    assert figures["status-in_review"] == "3 In review"
    assert element_text(html, "figure-status-closed") == "1 Closed"
    assert element_text(html, "figure-status-accepted") == "1 Accepted"
    assert element_text(html, "figure-status-quoted") == "0 Quoted"
    # Each figure links to the list filtered the same way, which shows the same number of rows.
    assert "Finished in the last 30 days" in html
    for key, count in [
        ("overdue", 2),
        ("unassigned", 3),
        ("mine", 2),
        ("status-in_review", 3),
        ("status-closed", 1),
        ("status-accepted", 1),
    ]:
        [link] = re.findall(rf'id="figure-{key}">\s*<a href="([^"]+)"', html)
        listing = coordinator_client.get(link.replace("&amp;", "&"))
        assert listing.context["cl"].result_count == count, key


def test_dashboard_tag_values_and_fixed_query_count(rf, coordinator, dashboard_data, django_assert_num_queries):
    request = rf.get("/admin/")
    request.user = coordinator
    coordinator.has_perm("quotes.view_quoterequest")  # Load the permission cache first.
    # Three: the request figures, the first-reply times, and the overdue cases with their count.
    with django_assert_num_queries(3):
        figures = quote_dashboard(Context({"request": request}))
    assert figures["median_first_reply_seconds"] == 3 * 3600
    assert figures["median_sample"] == 3
    assert {row["status"]: row["count"] for row in figures["statuses"]} == {
        "submitted": 3,
        "in_review": 3,
        "awaiting_patient": 0,
        "sent_to_facilities": 0,
        "quoted": 0,
    }
    # Finished in the last 30 days, each linking to the list filtered so.
    assert {row["status"]: row["count"] for row in figures["finished"]} == {"accepted": 1, "closed": 1}
    assert all("finished=30d" in row["url"] for row in figures["finished"])
    assert (figures["overdue"]["count"], figures["unassigned"]["count"], figures["mine"]["count"]) == (2, 3, 2)


def test_dashboard_with_no_replies_yet(coordinator_client):
    make_quote_request()
    html = coordinator_client.get(reverse("admin:index")).content.decode()
    assert element_text(html, "figure-median").startswith("—")


def test_dashboard_is_shown_to_superusers_not_to_directory_editors(client, admin_user, editor):
    make_quote_request()
    client.force_login(admin_user)
    assert "quote-dashboard" in client.get(reverse("admin:index")).content.decode()
    client.force_login(editor)
    assert "quote-dashboard" not in client.get(reverse("admin:index")).content.decode()


def test_quote_form_autocompletes_requests_by_reference_and_facilities_by_name(coordinator_client):
    quote_request = make_quote_request(status=S.SENT_TO_FACILITIES, name="Ana Patient")
    make_facility(name="Anadolu Spine Hospital")
    url = reverse("admin:autocomplete")
    common = {"app_label": "quotes", "model_name": "facilityquote"}
    found = coordinator_client.get(url, {**common, "field_name": "quote_request", "term": quote_request.reference})
    assert found.status_code == 200
    assert found.json()["results"] == [{"id": str(quote_request.pk), "text": quote_request.reference}]
    found = coordinator_client.get(url, {**common, "field_name": "facility", "term": "Anadolu"})
    assert [row["text"] for row in found.json()["results"]] == ["Anadolu Spine Hospital"]


# Cases with facilities on the request page ----------------------------------------------------


def test_the_request_page_lists_its_cases_with_due_times_and_overdue_ones_marked(
    coordinator_client, coordinator, django_assert_num_queries
):
    quote_request = make_quote_request(status=S.IN_REVIEW)
    facilities = [make_facility(name=f"Spine Centre {n}") for n in range(3)]
    for facility in facilities:
        make_facility_user(facility=facility)
    cases_send(
        quote_request=quote_request,
        from_status=S.IN_REVIEW,
        shares=[CaseShare(facility_id=facilities[0].pk)],
        actor=coordinator,
    )
    coordinator_client.get(change_url(quote_request))  # Warm: first-request caches out of the count.
    with CaptureQueriesContext(connection) as one:
        coordinator_client.get(change_url(quote_request))
    quote_request.refresh_from_db()
    cases_send(
        quote_request=quote_request,
        from_status=S.SENT_TO_FACILITIES,
        shares=[CaseShare(facility_id=f.pk) for f in facilities[1:]],
        actor=coordinator,
    )
    late = FacilityCase.objects.filter(facility=facilities[2]).get()
    FacilityCase.objects.filter(pk=late.pk).update(due_at=timezone.now() - datetime.timedelta(hours=1))
    with django_assert_num_queries(len(one.captured_queries)):
        page = coordinator_client.get(change_url(quote_request)).content.decode()
    cases = element_text(page, "facility-cases")
    for facility in facilities:
        assert facility.name in cases
    assert late.reference in cases and "Overdue" in cases
    assert cases.count("Overdue") == 1


def test_editors_do_not_see_the_cases(client, editor):
    client.force_login(editor)
    quote_request = make_quote_request(status=S.IN_REVIEW)
    response = client.get(change_url(quote_request))
    assert "facility-cases" not in response.content.decode()


def test_the_coordinator_shares_the_case_ticking_what_each_facility_sees(coordinator_client):
    chosen, other = make_facility(name="Chosen Spine Clinic"), make_facility(name="Other Spine Clinic")
    for facility in (chosen, other):
        make_facility_user(facility=facility)
    quote_request = make_quote_request(status=S.IN_REVIEW, suggest_facilities=False)
    quote_request.preferred_facilities.set([chosen])
    report = make_attachment(quote_request=quote_request, name="mri.pdf")
    page = coordinator_client.get(change_url(quote_request)).content.decode()
    panel = element_text(page, "workflow-send")
    assert "Chosen Spine Clinic" in panel
    assert tags(page, "input", id=f"send-facility-{chosen.pk}")
    data = {
        "from_status": S.IN_REVIEW,
        "facility": [str(chosen.pk)],
        f"fields-{chosen.pk}": ["condition", "age_band"],
        f"files-{chosen.pk}": [str(report.pk)],
        f"summary-{chosen.pk}": "Two-level fusion likely.",
    }
    response = coordinator_client.post(action_url(quote_request, "send_cases"), data)
    assert response.status_code == 302
    case = FacilityCase.objects.get()
    assert case.facility == chosen and sorted(case.shared_fields) == ["age_band", "condition"]
    assert list(case.shared_attachments.all()) == [report] and case.summary == "Two-level fusion likely."
    quote_request.refresh_from_db()
    assert quote_request.status == S.SENT_TO_FACILITIES
    assert ("success", "Case shared with 1 facility.") in flash(coordinator_client.get(change_url(quote_request)))

    # A facility the patient did not agree to has no box, and posting it anyway is refused.
    page = coordinator_client.get(change_url(quote_request)).content.decode()
    assert not tags(page, "input", id=f"send-facility-{other.pk}")
    refused = coordinator_client.post(
        action_url(quote_request, "send_cases"), {"from_status": S.SENT_TO_FACILITIES, "facility": [str(other.pk)]}
    )
    assert refused.status_code == 302
    assert FacilityCase.objects.count() == 1
    assert any("has not agreed" in text for _level, text in flash(coordinator_client.get(change_url(quote_request))))


@pytest.mark.parametrize(
    "data",
    [
        {"facility": ["x"]},
        {"facility": ["²"]},
        {"facility": []},
        {"from_status": "nonsense", "facility": ["1"]},
        {"facility": ["1"], "files-1": ["../etc"]},
    ],
)
def test_garbled_sharing_posts_get_a_message_and_change_nothing(coordinator_client, data):
    quote_request = make_quote_request(status=S.IN_REVIEW)
    response = coordinator_client.post(action_url(quote_request, "send_cases"), data)
    assert response.status_code == 302
    assert not FacilityCase.objects.exists()
    assert QuoteRequest.objects.get(pk=quote_request.pk).status == S.IN_REVIEW
    assert [level for level, _text in flash(coordinator_client.get(change_url(quote_request)))] == ["error"]


def test_editors_cannot_share_cases(client, editor):
    client.force_login(editor)
    quote_request = make_quote_request(status=S.IN_REVIEW)
    response = client.post(action_url(quote_request, "send_cases"), {"facility": ["1"]})
    assert response.status_code == 403


def test_the_coordinator_asks_the_patient_about_a_facility_they_did_not_choose(coordinator_client):
    procedure = make_procedure()
    chosen = make_facility(name="Chosen Spine Clinic")
    other = make_facility(name="Offering Spine Clinic")
    make_offer(facility=other, procedure=procedure)
    quote_request = make_quote_request(status=S.IN_REVIEW, suggest_facilities=False, procedure=procedure)
    quote_request.preferred_facilities.set([chosen])
    page = coordinator_client.get(change_url(quote_request)).content.decode()
    assert "Offering Spine Clinic" in element_text(page, "workflow-send")
    assert "Ask the patient about this facility" in page
    response = coordinator_client.post(action_url(quote_request, "ask_sharing"), {"ask": str(other.pk)})
    assert response.status_code == 302
    consent = SharingConsent.objects.get()
    assert (consent.facility, consent.approved) == (other, None)
    page = coordinator_client.get(change_url(quote_request)).content.decode()
    assert "Waiting for the patient's answer about this facility." in page
    assert "Ask the patient about this facility" not in page
    again = coordinator_client.post(action_url(quote_request, "ask_sharing"), {"ask": str(other.pk)})
    assert again.status_code == 302 and SharingConsent.objects.count() == 1
    for garbage in ("", "x", "99999"):
        coordinator_client.post(action_url(quote_request, "ask_sharing"), {"ask": garbage})
    assert SharingConsent.objects.count() == 1


def test_the_coordinator_withdraws_one_case_and_the_office_is_told(coordinator_client, coordinator):
    facility = make_facility(name="Withdrawn Spine Clinic")
    office = make_facility_user(facility=facility, email="office@withdrawn.example")
    quote_request = make_quote_request(status=S.IN_REVIEW)
    (case,) = cases_send(
        quote_request=quote_request,
        from_status=S.IN_REVIEW,
        shares=[CaseShare(facility_id=facility.pk)],
        actor=coordinator,
    )
    url = reverse("admin:quotes_quoterequest_withdraw_case", args=[quote_request.pk, case.pk])
    page = coordinator_client.get(change_url(quote_request)).content.decode()
    assert f"Withdraw {case.reference}" in page
    assert coordinator_client.post(url, {"from_status": "nonsense"}).status_code == 302
    assert FacilityCase.objects.get(pk=case.pk).status == FacilityCase.Status.SENT
    response = coordinator_client.post(url, {"from_status": FacilityCase.Status.SENT})
    assert response.status_code == 302
    assert FacilityCase.objects.get(pk=case.pk).status == FacilityCase.Status.WITHDRAWN
    assert Notification.objects.filter(template="facility_case_withdrawn", recipient=office.email).exists()
    assert f"Withdraw {case.reference}" not in coordinator_client.get(change_url(quote_request)).content.decode()
    # A case of another request, through this request's address, is not found.
    other = make_quote_request(status=S.IN_REVIEW)
    elsewhere = reverse("admin:quotes_quoterequest_withdraw_case", args=[other.pk, case.pk])
    assert coordinator_client.post(elsewhere, {"from_status": "sent"}).status_code == 404


def test_the_list_reads_no_long_text_of_the_request_or_its_procedure(coordinator_client, worklist):
    """The medical summary and the procedure's guide (every section, every language) stay out of
    the list's query: they rode through its sort with every row, and the last page of 1,000
    requests took seconds."""
    from facilities.models import Procedure
    from quotes.admin import LIST_DEFERRED

    with CaptureQueriesContext(connection) as captured:
        response = coordinator_client.get(reverse(CHANGELIST))
    assert response.status_code == 200
    # The rows of the page: the one query that joins the procedure (list_select_related).
    [rows] = [q["sql"] for q in captured.captured_queries if 'JOIN "facilities_procedure"' in q["sql"]]
    long_texts = [name for name in LIST_DEFERRED if not name.startswith("procedure__")]
    assert "condition" in long_texts and any(name.startswith("procedure__") for name in LIST_DEFERRED)
    for name in long_texts:
        assert f'"quotes_quoterequest"."{name}"' not in rows
    for name in LIST_DEFERRED:
        if name.startswith("procedure__"):
            column = Procedure._meta.get_field(name.removeprefix("procedure__")).column
            assert f'"facilities_procedure"."{column}"' not in rows
    assert '"facilities_procedure"."name' in rows  # What the list shows is still read.
    # The request's own page still shows the medical summary.
    quote_request = worklist["review_unassigned"]
    page = coordinator_client.get(reverse("admin:quotes_quoterequest_change", args=[quote_request.pk]))
    assert quote_request.condition in page.content.decode()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("today", {"new"}),
        ("7d", {"new", "days"}),
        ("30d", {"new", "days", "weeks"}),
        ("year", {"new", "days", "weeks", "months"}),
        ("older", {"years"}),
        ("nonsense", {"new", "days", "weeks", "months", "years"}),
    ],
)
def test_the_list_filters_by_when_a_request_came_in(coordinator_client, value, expected):
    now = timezone.now()
    made = {
        "new": now,
        "days": now - datetime.timedelta(days=3),
        "weeks": now - datetime.timedelta(days=20),
        "months": now - datetime.timedelta(days=200),
        "years": now - datetime.timedelta(days=700),
    }
    requests = {key: make_quote_request() for key in made}
    for key, moment in made.items():
        QuoteRequest.objects.filter(pk=requests[key].pk).update(created_at=moment)
    with CaptureQueriesContext(connection) as captured:
        response = coordinator_client.get(reverse(CHANGELIST), {"submitted": value})
    assert response.status_code == 200
    assert shown(response) == {requests[key].reference for key in expected}
    # No list of years or months made from every row (the date hierarchy this replaces).
    assert not any("trunc" in q["sql"].lower() for q in captured.captured_queries)
