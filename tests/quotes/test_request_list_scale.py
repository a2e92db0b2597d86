"""The request list at scale: its order kept by the database (``QuoteRequest.stage``), searches and
filters answered through indexes, a count that stops at a cap, and the countries listed without
reading every request (issue 15)."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from quotes import selectors
from quotes.admin import QuoteRequestAdmin
from quotes.models import (
    CASE_WAITING_FOR_FACILITY,
    OPEN_STATUSES,
    STAGE_AWAITING_REPLY,
    STAGE_FINISHED,
    STAGE_OPEN,
    FacilityCase,
    QuoteRequest,
)
from quotes.selectors import request_countries, requests_matching
from tests.factories import build_quote_request, make_case, make_quote_request, make_staff

S = QuoteRequest.Status
LIST = reverse("admin:quotes_quoterequest_changelist")


@pytest.fixture
def coordinator_client(client, db):
    client.force_login(make_staff(username="cora", group="Coordinators"))
    return client


def listed(client, **params) -> list[str]:
    response = client.get(LIST, params)
    assert response.status_code == 200
    return [row.reference for row in response.context["cl"].result_list]


# The stage column ---------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("status", S.values)
@pytest.mark.parametrize("replied", [False, True])
def test_the_database_keeps_the_stage_on_every_write(status, replied):
    now = timezone.now()
    quote_request = make_quote_request(status=status, first_replied_at=now if replied else None)
    quote_request.refresh_from_db()
    expected = STAGE_FINISHED if status not in OPEN_STATUSES else (STAGE_OPEN if replied else STAGE_AWAITING_REPLY)
    assert quote_request.stage == expected
    # A bulk update (the workflow's own compare-and-set moves are updates) moves it too.
    QuoteRequest.objects.filter(pk=quote_request.pk).update(status=S.CLOSED)
    assert QuoteRequest.objects.get(pk=quote_request.pk).stage == STAGE_FINISHED
    QuoteRequest.objects.filter(pk=quote_request.pk).update(status=S.IN_REVIEW, first_replied_at=None)
    assert QuoteRequest.objects.get(pk=quote_request.pk).stage == STAGE_AWAITING_REPLY


@pytest.mark.django_db
def test_open_and_overdue_read_from_the_stage_agree_with_the_status_rules():
    now = timezone.now()
    past, future = now - datetime.timedelta(hours=1), now + datetime.timedelta(hours=1)
    for status in S.values:
        for replied in (None, now):
            for due in (past, future):
                make_quote_request(status=status, first_replied_at=replied, first_reply_due_at=due)
    for quote_request in QuoteRequest.objects.all():
        assert (quote_request in QuoteRequest.objects.open()) == quote_request.is_open
        assert (quote_request in QuoteRequest.objects.overdue(now)) == quote_request.is_overdue(now)
        assert (quote_request in QuoteRequest.objects.finished()) == (not quote_request.is_open)


# Search ----------------------------------------------------------------------------------------


@pytest.fixture
def patients(db):
    return {
        "maria": make_quote_request(name="María López", email="Maria.Lopez@Example.org", phone="+34612345678"),
        "mark": make_quote_request(name="Mark Hill", email="mark@example.net", phone="+447700900123"),
        "ole": make_quote_request(name="Ole Nordmann", email="ole@example.no", phone="+4791234567"),
    }


@pytest.mark.parametrize(
    ("typed", "who"),
    [
        ("maría", {"maria"}),  # The name's start, in any case.
        ("MARÍA LÓP", {"maria"}),
        ("mar", {"maria", "mark"}),  # Names and e-mail addresses that start so.
        ("maria.lopez@example.org", {"maria"}),  # The e-mail address, in any case.
        ("MARK@EXAMPLE.NET", {"mark"}),
        ("  ole   nordmann ", {"ole"}),  # Spaces as typed do not matter.
        ("0034 612 345 678", {"maria"}),  # The phone, however it is typed.
        ("612-345-678", {"maria"}),
        ("07700 900123", {"mark"}),
        ("+47 912 34 567", {"ole"}),
        ("345678", {"maria"}),  # Its last digits.
        ("nobody", set()),
        ("%", set()),  # LIKE's wildcards are only characters.
        ("_", set()),
    ],
)
def test_search_finds_by_name_email_or_phone(coordinator_client, patients, typed, who):
    assert set(listed(coordinator_client, q=typed)) == {patients[key].reference for key in who}


def test_search_finds_the_reference_however_it_is_typed(coordinator_client, patients):
    reference = patients["mark"].reference  # MT-XXXXXXXX
    for typed in (reference, reference.lower(), reference[3:], reference[3:].lower(), f" {reference} "):
        assert listed(coordinator_client, q=typed) == [reference], typed


def _plans(queryset) -> str:
    """The database's plan for ``queryset``, as text."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")  # A tiny table would be read whole anyway.
            cursor.execute(f"EXPLAIN {sql}", params)
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return "\n".join(" ".join(str(part) for part in row) for row in cursor.fetchall())


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["MT-ABCD2345", "maria.lopez@example.org", "maría", "+34 612 345 678"])
def test_each_search_is_answered_through_indexes(typed):
    QuoteRequest.objects.bulk_create([build_quote_request(name=f"Patient {n}") for n in range(30)])
    plan = _plans(requests_matching(QuoteRequest.objects.all(), typed).order_by().values("pk"))
    if connection.vendor == "postgresql":
        assert "Seq Scan on quotes_quoterequest" not in plan, plan
        assert "Index" in plan, plan
    else:
        assert not re.search(r"SCAN quotes_quoterequest\b(?! USING)", plan), plan
        assert "INDEX" in plan, plan


# The count stops at a cap ---------------------------------------------------------------------------


@pytest.fixture
def small_cap(monkeypatch):
    monkeypatch.setattr(QuoteRequestAdmin.paginator, "cap", 60)
    return 60


def test_the_list_counts_no_further_than_the_cap(coordinator_client, small_cap):
    QuoteRequest.objects.bulk_create([build_quote_request() for _ in range(small_cap + 15)])
    with CaptureQueriesContext(connection) as queries:
        response = coordinator_client.get(LIST)
    cl = response.context["cl"]
    assert cl.result_count == small_cap and cl.paginator.more
    assert cl.paginator.num_pages == 2  # 50 and 10: the pages within the cap.
    html = response.content.decode()
    assert f"More than {small_cap} requests" in html
    assert f"Select all {small_cap}" not in html and "Select all 6" not in html  # It would name a wrong number.
    # One count, of at most cap + 1 rows; no count of the whole table.
    counts = [query["sql"] for query in queries.captured_queries if "COUNT(" in query["sql"].upper()]
    assert len(counts) == 1 and "LIMIT" in counts[0].upper()
    assert len(listed(coordinator_client, p=2)) == small_cap - 50
    assert coordinator_client.get(LIST, {"p": 3}).status_code == 302  # Past the cap: the admin's "?e=1".


def test_below_the_cap_the_list_says_exactly_how_many(coordinator_client, small_cap):
    QuoteRequest.objects.bulk_create([build_quote_request() for _ in range(small_cap)])
    response = coordinator_client.get(LIST)
    assert response.context["cl"].result_count == small_cap and not response.context["cl"].paginator.more
    html = response.content.decode()
    assert f"{small_cap} quote requests" in html and "result-count-capped" not in html


def test_columns_that_would_sort_every_request_are_not_sortable(coordinator_client, patients):
    html = coordinator_client.get(LIST).content.decode()
    sortable = set(re.findall(r'<th scope="col" class="sortable[^"]*column-(\w+)', html))
    assert sortable == {"reference", "patient", "age", "reply_target"}
    # Sorting by a column that is not offered falls back to the list's own order, never a 500.
    assert coordinator_client.get(LIST, {"o": "4"}).status_code in (200, 302)


# Filters --------------------------------------------------------------------------------------------


def test_the_country_filter_lists_each_country_once_in_name_order(coordinator_client):
    for country in ["NO", "DE", "NO", "GB", "DE", "NO"]:
        make_quote_request(country_of_residence=country)
    assert request_countries() == ["DE", "GB", "NO"]
    html = coordinator_client.get(LIST).content.decode()
    offered = re.findall(r'href="\?country_of_residence=(\w\w)"', html)
    assert offered == ["DE", "NO", "GB"]  # Germany, Norway, United Kingdom.
    assert len(listed(coordinator_client, country_of_residence="NO")) == 3


def test_request_countries_with_no_requests_is_empty(db):
    assert request_countries() == []


def test_the_finished_filter_reads_when_requests_were_accepted_or_closed(coordinator_client):
    now = timezone.now()
    recent = make_quote_request(status=S.CLOSED, closed_reason="spam", closed_at=now - datetime.timedelta(days=3))
    old = make_quote_request(status=S.ACCEPTED, closed_at=now - datetime.timedelta(days=90))
    make_quote_request()  # Open: never among the finished.
    assert listed(coordinator_client, finished="7d") == [recent.reference]
    assert set(listed(coordinator_client, finished="year")) == {recent.reference, old.reference}
    assert listed(coordinator_client, finished="older") == []


# Every query of the list and the dashboard reads through an index ------------------------------------


def _explain(sql: str, params) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")  # A tiny table would be read whole anyway.
            cursor.execute(f"EXPLAIN {sql}", params)
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return "\n".join(" ".join(str(part) for part in row) for row in cursor.fetchall())


READ_WHOLE = {
    # A pass over every request or case (an index scan in order is fine: the page's LIMIT ends it).
    "sqlite": re.compile(r"SCAN (quotes_quoterequest|quotes_facilitycase)\b(?! USING)"),
    "postgresql": re.compile(r"Seq Scan on (quotes_quoterequest|quotes_facilitycase)\b"),
}
# Sorting whatever matched rather than reading the index in the page's order (only a search, whose
# rows its indexes found, may sort them).
SORTED_WHOLE = re.compile(r"USE TEMP B-TREE FOR ORDER BY")


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"status": "open"},
        {"status": "submitted"},
        {"assignee": "unassigned"},
        {"assignee": "mine"},
        {"status": "open", "assignee": "unassigned"},
        {"overdue": "yes"},
        {"country_of_residence": "GB"},
        {"q": "MT-ABCD2345"},
        {"q": "ana@example.org"},
        {"q": "Ana"},
        {"q": "+44 20 7946 0000"},
        {"o": "2"},
        {"o": "-2"},
        {"o": "6"},
        {"o": "-6"},
        {"o": "7"},
    ],
)
def test_no_query_of_the_list_reads_every_request(coordinator_client, params):
    QuoteRequest.objects.bulk_create([build_quote_request(name=f"Ana {n}") for n in range(60)])
    with CaptureQueriesContext(connection) as queries:
        assert coordinator_client.get(LIST, params).status_code == 200
    reads = [query for query in queries.captured_queries if "quotes_quoterequest" in query["sql"]]
    assert reads
    for query in reads:
        plan = _explain(query["sql"].replace("%", "%%"), ())
        assert not READ_WHOLE[connection.vendor].search(plan), f"{query['sql']}\n{plan}"
        if "q" not in params:
            assert not SORTED_WHOLE.search(plan), f"{query['sql']}\n{plan}"


def test_no_query_of_the_dashboard_reads_every_request(coordinator_client):
    QuoteRequest.objects.bulk_create([build_quote_request() for _ in range(30)])
    with CaptureQueriesContext(connection) as queries:
        assert coordinator_client.get(reverse("admin:index")).status_code == 200
    reads = [
        query
        for query in queries.captured_queries
        if "quotes_quoterequest" in query["sql"] or "quotes_facilitycase" in query["sql"]
    ]
    assert len(reads) == 3
    for query in reads:
        plan = _explain(query["sql"].replace("%", "%%"), ())
        assert not READ_WHOLE[connection.vendor].search(plan), f"{query['sql']}\n{plan}"


# The dashboard's bounded reads -------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("status", FacilityCase.Status.values)
def test_a_case_is_overdue_by_its_kept_answer_time_exactly_when_the_rule_says(status):
    now = timezone.now()
    quote_request = make_quote_request(status=S.SENT_TO_FACILITIES)
    late = make_case(quote_request=quote_request, status=status, due_at=now - datetime.timedelta(hours=2))
    late.refresh_from_db()
    assert late.answer_due_at == (late.due_at if status in CASE_WAITING_FOR_FACILITY else None)
    assert (late in FacilityCase.objects.overdue(now)) == late.is_overdue(now)
    # A move by update() (as the services' compare-and-set moves are) moves it too.
    FacilityCase.objects.filter(pk=late.pk).update(status=FacilityCase.Status.OPENED)
    assert FacilityCase.objects.overdue(now).filter(pk=late.pk).exists()
    FacilityCase.objects.filter(pk=late.pk).update(status=FacilityCase.Status.QUOTED)
    assert not FacilityCase.objects.overdue(now).filter(pk=late.pk).exists()


def test_the_median_first_reply_is_taken_over_the_latest_replies_only(db, monkeypatch):
    monkeypatch.setattr(selectors, "MEDIAN_SAMPLE_MAX", 3)
    now = timezone.now()
    user = make_staff(username="cora", group="Coordinators")
    # Three recent replies after 1 hour, two older ones (still within 30 days) after 10 hours.
    for hours_ago, wait in [(1, 1), (2, 1), (3, 1), (50, 10), (60, 10)]:
        replied = now - datetime.timedelta(hours=hours_ago)
        make_quote_request(
            status=S.IN_REVIEW,
            created_at=replied - datetime.timedelta(hours=wait),
            first_replied_at=replied,
        )
    figures = selectors.dashboard_figures(user=user, now=now)
    assert figures.median_first_reply_seconds == 3600
    assert figures.median_sample == 3 and figures.median_capped
    monkeypatch.setattr(selectors, "MEDIAN_SAMPLE_MAX", 500)
    figures = selectors.dashboard_figures(user=user, now=now)
    assert figures.median_sample == 5 and not figures.median_capped
    assert figures.median_first_reply_seconds == 3600  # 1, 1, 1, 10, 10 hours.


def test_the_dashboard_says_when_the_median_is_of_the_latest_replies(coordinator_client, monkeypatch):
    monkeypatch.setattr(selectors, "MEDIAN_SAMPLE_MAX", 1)
    now = timezone.now()
    make_quote_request(status=S.IN_REVIEW, created_at=now - datetime.timedelta(hours=2), first_replied_at=now)
    html = coordinator_client.get(reverse("admin:index")).content.decode()
    assert "(the latest 1 replies)" in html


def test_count_each_counts_each_queryset_in_one_query(db, django_assert_num_queries):
    for country in ["GB", "GB", "DE"]:
        make_quote_request(country_of_residence=country)
    with django_assert_num_queries(1):
        counts = selectors.count_each(
            all=QuoteRequest.objects.all(),
            gb=QuoteRequest.objects.filter(country_of_residence="GB"),
            none=QuoteRequest.objects.filter(name="%' OR 1=1 --"),
        )
    assert counts == {"all": 3, "gb": 2, "none": 0}
