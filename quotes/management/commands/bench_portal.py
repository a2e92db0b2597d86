"""Measure the partner portal's inbox and case page at 10 and at 10,000 cases of one facility.

Run through ``make bench`` (``bench/run.py``), which points it at a database of its own
(``var/bench-portal/``). Two facilities are built once (bulk inserts, reused on later runs): one
whose office has 10 cases and one whose office has 10,000, spread over every status. Each page
is then requested in-process by a signed-in facility user with a verified second factor (Django
test client, DEBUG off): queries per page, median and 95th-percentile time. Figures are printed
(and written as JSON with ``--json``), never asserted.
"""

import datetime
import json
import secrets
import statistics
import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from facilities.models import Facility, FacilityMembership, Language
from quotes.consents import CONSENT_VERSION
from quotes.models import FacilityCase, QuoteRequest, hash_token, new_case_reference, new_reference, status_token
from quotes.selectors import INBOX_FOLDERS

SIZES = (10, 10_000)
BATCH = 1000
STATUSES = list(FacilityCase.Status.values)


def _facility(size: int) -> Facility:
    slug = f"bench-portal-{size}"
    facility = Facility.objects.filter(slug=slug).first()
    if facility is None:
        facility = Facility.objects.create(
            name=f"Bench portal hospital ({size:,} cases)", slug=slug, country="TR", city="Bench"
        )
    return facility


def _office_user(facility: Facility, size: int):
    User = get_user_model()
    user, _created = User.objects.get_or_create(
        username=f"bench-portal-{size}", defaults={"email": f"office{size}@bench.example"}
    )
    FacilityMembership.objects.get_or_create(user=user, defaults={"facility": facility})
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="bench", confirmed=True
    )
    return user, device


def _fill(facility: Facility, size: int) -> None:
    """Top the facility up to ``size`` cases, each on a request of its own, in bulk."""
    have = FacilityCase.objects.filter(facility=facility).count()
    language = Language.objects.get_or_create(code="en", defaults={"name": "English"})[0]
    now = timezone.now()
    while have < size:
        count = min(BATCH, size - have)
        with transaction.atomic():
            requests = []
            for _ in range(count):
                salt = secrets.token_hex(16)
                requests.append(
                    QuoteRequest(
                        reference=new_reference(),
                        status=QuoteRequest.Status.SENT_TO_FACILITIES,
                        name="Bench patient",
                        email="bench@example.org",
                        phone="+44 20 7946 0000",
                        country_of_residence="GB",
                        preferred_language=language,
                        suggest_facilities=True,
                        condition="Bench case: lower back pain.",
                        consent_version=CONSENT_VERSION,
                        consent_health_data_at=now,
                        consent_sharing_at=now,
                        first_reply_due_at=now,
                        status_salt=salt,
                        status_token_hash=hash_token(status_token(salt)),
                        submission_key=secrets.token_hex(16),
                    )
                )
            QuoteRequest.objects.bulk_create(requests)
            saved = QuoteRequest.objects.filter(submission_key__in=[r.submission_key for r in requests])
            cases = []
            for n, quote_request in enumerate(saved):
                status = STATUSES[(have + n) % len(STATUSES)]
                sent = now - datetime.timedelta(hours=(have + n) % 500)
                cases.append(
                    FacilityCase(
                        reference=new_case_reference(),
                        quote_request=quote_request,
                        facility=facility,
                        status=status,
                        shared_fields=["age_band", "country_of_residence", "condition"],
                        due_at=sent + datetime.timedelta(days=3),
                        remind_at=sent + datetime.timedelta(days=2),
                        closed_at=None if status in FacilityCase.Status.values[:4] else sent,
                    )
                )
            FacilityCase.objects.bulk_create(cases)
        have += count


def _measure(client: Client, url: str, repeat: int) -> dict:
    client.get(url)  # Warm up.
    times, queries, status = [], 0, 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        queries, status = len(captured), response.status_code
    times.sort()
    return {
        "url": url,
        "status": status,
        "queries": queries,
        "median_ms": round(statistics.median(times), 2),
        "p95_ms": round(times[min(len(times) - 1, round(0.95 * (len(times) - 1)))], 2),
    }


class Command(BaseCommand):
    help = "Time the partner portal's inbox and a case page at 10 and at 10,000 cases (make bench)."

    def add_arguments(self, parser):
        parser.add_argument("--repeat", type=int, default=30)
        parser.add_argument(
            "--sizes", default=",".join(str(n) for n in SIZES), help="Cases of the small and the large office."
        )
        parser.add_argument("--json", type=Path, dest="json_path")

    def handle(self, *args, repeat: int, json_path: Path | None, sizes: str, **options):
        results = []
        for size in [int(n) for n in sizes.split(",")][:2]:
            facility = _facility(size)
            started = time.perf_counter()
            _fill(facility, size)
            built = time.perf_counter() - started
            user, device = _office_user(facility, size)
            client = Client()
            client.force_login(user)
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()
            pages = [
                _measure(client, reverse("partners:inbox") + f"?folder={folder}", repeat) for folder in INBOX_FOLDERS
            ]
            pages.append(_measure(client, reverse("partners:inbox") + "?folder=closed&page=9999", repeat))
            case = FacilityCase.objects.filter(facility=facility, status=FacilityCase.Status.OPENED).first()
            pages.append(_measure(client, reverse("partners:case", kwargs={"reference": case.reference}), repeat))
            results.append({"cases": size, "built_seconds": round(built, 1), "pages": pages})

        self.stdout.write(f"\nPartner portal ({connection.vendor}), {repeat} requests per page:")
        self.stdout.write(f"{'page':<44}{'cases':>8}{'status':>8}{'queries':>9}{'median ms':>11}{'p95 ms':>9}")
        for result in results:
            for page in result["pages"]:
                self.stdout.write(
                    f"{page['url']:<44}{result['cases']:>8,}{page['status']:>8}{page['queries']:>9}"
                    f"{page['median_ms']:>11.1f}{page['p95_ms']:>9.1f}"
                )
        small, large = (result["pages"] for result in results)
        for few, many in zip(small, large, strict=True):
            if few["queries"] != many["queries"]:
                self.stdout.write(f"  queries differ for {few['url']}: {few['queries']} vs {many['queries']}")
        ratio = statistics.median(m["median_ms"] / f["median_ms"] for f, m in zip(small, large, strict=True))
        self.stdout.write(f"Median time ratio, 10,000 cases / 10 cases: {ratio:.2f}")
        if json_path:
            json_path.write_text(json.dumps(results, indent=2))
