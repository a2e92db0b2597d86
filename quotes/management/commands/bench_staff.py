"""Measure the coordinators' pages with ``--requests N`` quote requests in the database.

Run through ``make bench`` (``bench/run.py``), once per size, each size in a database of its own
(``var/bench-staff-1k/``, ``var/bench-staff-200k/``) that keeps its requests between runs. The
directory must be loaded (``load_demo``); the requests are topped up to ``N`` with
``generate_requests`` (their history included). Each page is requested in-process by a
coordinator with a verified second factor (Django test client, DEBUG off): queries, median and
95th-percentile time. Figures are printed (and written as JSON with ``--json``), never asserted.

The pages: the request list as it opens, with each filter, searched by reference, e-mail and
phone, sorted by patient, and its last page; one request's page (with its cases and quotes); the
admin index with the coordinators' dashboard; and the partner portal's inbox of the facility
with the most cases.
"""

import json
import statistics
import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from facilities.models import FacilityMembership
from quotes.models import FacilityCase, QuoteRequest
from quotes.roles import COORDINATORS
from tourism.pagination import CappedPaginator

PER_PAGE = 50  # QuoteRequestAdmin.list_per_page


def _verified_client(user) -> Client:
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="bench", confirmed=True
    )
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def _coordinator():
    user, _created = get_user_model().objects.get_or_create(
        username="bench-staff", defaults={"is_staff": True, "email": "staff@bench.example.invalid"}
    )
    group = Group.objects.filter(name=COORDINATORS).first()
    if group is not None:
        user.groups.add(group)
    return user


def _office_user(facility_id: int):
    user, _created = get_user_model().objects.get_or_create(
        username=f"bench-office-{facility_id}", defaults={"email": f"office{facility_id}@bench.example.invalid"}
    )
    FacilityMembership.objects.get_or_create(user=user, defaults={"facility_id": facility_id, "role": "manager"})
    return user


def measure(client: Client, label: str, url: str, repeat: int, max_seconds: float) -> dict:
    client.get(url)  # Warm up (templates, the session, the cache of the directory).
    times, queries, status = [], 0, 0
    deadline = time.perf_counter() + max_seconds
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        queries, status = len(captured), response.status_code
        if time.perf_counter() > deadline and len(times) >= 3:
            break
    times.sort()
    return {
        "page": label,
        "url": url,
        "status": status,
        "queries": queries,
        "median_ms": round(statistics.median(times), 2),
        "p95_ms": round(times[min(len(times) - 1, round(0.95 * (len(times) - 1)))], 2),
        "n": len(times),
    }


def staff_pages() -> list[tuple[str, str]]:
    """(label, URL) of every page measured, made from the data in the database."""
    changelist = reverse("admin:quotes_quoterequest_changelist")
    total = QuoteRequest.objects.count()
    # The last page the list offers: it counts no further than its paginator's cap.
    last_page = max(1, -(-min(total, CappedPaginator.cap) // PER_PAGE))
    # A request in the middle of the list's age, and one that went to hospitals and was quoted.
    sample = QuoteRequest.objects.order_by("created_at")[total // 2]
    quoted = QuoteRequest.objects.filter(status=QuoteRequest.Status.QUOTED).order_by("pk").first() or sample
    procedure_id = QuoteRequest.objects.values_list("procedure_id", flat=True).first()
    return [
        ("request list", changelist),
        ("request list: open", f"{changelist}?status=open"),
        ("request list: unassigned", f"{changelist}?assignee=unassigned"),
        ("request list: overdue", f"{changelist}?overdue=yes"),
        ("request list: one status", f"{changelist}?status=submitted"),
        ("request list: one procedure", f"{changelist}?procedure__id__exact={procedure_id}"),
        ("request list: one country", f"{changelist}?country_of_residence=GB"),
        ("request list: search reference", f"{changelist}?q={sample.reference}"),
        ("request list: search e-mail", f"{changelist}?q={sample.email}"),
        ("request list: search phone", f"{changelist}?q={sample.phone.replace(' ', '')}"),
        ("request list: by patient", f"{changelist}?o=2"),
        ("request list: oldest first", f"{changelist}?o=6"),
        ("request list: last page", f"{changelist}?p={last_page}"),
        ("request page", reverse("admin:quotes_quoterequest_change", args=[quoted.pk])),
        ("dashboard (admin index)", reverse("admin:index")),
    ]


class Command(BaseCommand):
    help = "Time the coordinators' pages with N quote requests (make bench; tops the requests up first)."

    def add_arguments(self, parser):
        parser.add_argument("--requests", type=int, required=True, help="Requests in the database to measure with.")
        parser.add_argument("--repeat", type=int, default=20)
        parser.add_argument("--max-seconds", type=float, default=5.0, help="Time cap per page.")
        parser.add_argument("--json", type=Path, dest="json_path")

    def handle(self, *args, requests: int, repeat: int, max_seconds: float, json_path: Path | None, **options):
        have = QuoteRequest.objects.count()
        built = 0.0
        if have < requests:
            started = time.perf_counter()
            call_command("generate_requests", f"--count={requests - have}", stdout=self.stdout)
            built = time.perf_counter() - started
        client = _verified_client(_coordinator())
        pages = [measure(client, label, url, repeat, max_seconds) for label, url in staff_pages()]
        busiest = (
            FacilityCase.objects.values("facility").annotate(n=Count("pk")).order_by("-n").values_list("facility", "n")
        ).first()
        if busiest is not None:
            office = _verified_client(_office_user(busiest[0]))
            inbox = measure(
                office, f"portal inbox ({busiest[1]:,} cases)", reverse("partners:inbox"), repeat, max_seconds
            )
            pages.append(inbox)

        count = QuoteRequest.objects.count()
        self.stdout.write(f"\nStaff pages ({connection.vendor}, {count:,} requests), up to {repeat} requests per page:")
        self.stdout.write(f"{'page':<36}{'status':>7}{'queries':>9}{'median ms':>11}{'p95 ms':>9}{'n':>5}")
        for page in pages:
            self.stdout.write(
                f"{page['page']:<36}{page['status']:>7}{page['queries']:>9}{page['median_ms']:>11.1f}"
                f"{page['p95_ms']:>9.1f}{page['n']:>5}"
            )
        if json_path:
            json_path.write_text(
                json.dumps({"requests": count, "built_seconds": round(built, 1), "pages": pages}, indent=2)
            )
