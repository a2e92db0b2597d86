"""Measure the public pages in-process: queries per page and median / 95th-percentile time.

Run through ``make bench`` (``bench/run.py``), which points the site at its own database
(``var/bench-1k/``, ``var/bench-100k/``) so the benchmark never touches the development data.
Figures are printed, never asserted. ``--json`` also writes them, with the URLs measured and a
valid facility and procedure, for the load test that ``bench/run.py`` runs under gunicorn.
"""

import json
import statistics
import time
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client, override_settings

from facilities.models import Facility, FacilityProcedure

SLOWEST_SQL_CHARS = 600
MIN_SAMPLES = 5


def profile(executed: list[tuple[str, tuple]]) -> dict:
    """Each SELECT of a page run again to the last row, and the plan of the slowest.

    The page's own timing cannot say where the time goes: a cursor's ``execute`` (what an execute
    wrapper sees) returns at the first row, and SQLite produces the rest as they are fetched.
    """
    timed = []
    with connection.cursor() as cursor:
        for sql, params in executed:
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            started = time.perf_counter()
            cursor.execute(sql, params)
            cursor.fetchall()
            timed.append(((time.perf_counter() - started) * 1000, sql, params))
        if not timed:
            return {"sql_ms": 0.0, "slowest_query_ms": 0.0, "slowest_query": "", "slowest_plan": []}
        slowest_ms, slowest_sql, slowest_params = max(timed, key=lambda item: item[0])
        explain = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
        cursor.execute(explain + slowest_sql, slowest_params)
        plan = [str(row[-1]) for row in cursor.fetchall()]
    return {
        "sql_ms": round(sum(ms for ms, _sql, _params in timed), 2),
        "slowest_query_ms": round(slowest_ms, 2),
        "slowest_query": slowest_sql[:SLOWEST_SQL_CHARS],
        "slowest_plan": plan,
    }


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of an already sorted list."""
    return sorted_values[min(len(sorted_values) - 1, int(round(fraction * (len(sorted_values) - 1))))]


class Command(BaseCommand):
    help = "Fill a benchmark database to --facilities listed facilities and time the public pages."

    @staticmethod
    def time(client: Client, url: str, repeat: int, max_seconds: float) -> list[float]:
        """Sorted times in ms of up to ``repeat`` requests, stopping after ``max_seconds``."""
        timings = []
        page_started = time.perf_counter()
        for _ in range(repeat):
            started = time.perf_counter()
            client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
            if len(timings) >= MIN_SAMPLES and time.perf_counter() - page_started > max_seconds:
                break
        return sorted(timings)

    def add_arguments(self, parser):
        parser.add_argument("--facilities", type=int, default=10_000)
        parser.add_argument("--repeat", type=int, default=30, help="Requests per page (default %(default)s).")
        parser.add_argument(
            "--max-seconds",
            type=float,
            default=5.0,
            help=f"Stop timing a page after this long, once it has {MIN_SAMPLES} samples (default %(default)s).",
        )
        parser.add_argument("--json", dest="json_path", help="Also write the figures to this file.")

    def handle(self, *args, facilities: int, repeat: int, max_seconds: float, json_path: str | None, **options):
        if facilities < 1 or repeat < 1:
            raise CommandError("--facilities and --repeat must be positive.")
        if settings.DEBUG:
            self.stderr.write("DEBUG is on: timings include debug overhead (set DJANGO_DEBUG=false).")
        have = Facility.objects.listed().count()
        if have < facilities:
            call_command("generate_facilities", count=facilities - have, stdout=self.stdout)
        if connection.vendor == "postgresql":
            # What autovacuum does soon after a bulk load in production: without statistics the
            # planner takes the new tables for empty ones.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        listed = Facility.objects.listed()
        total = listed.count()
        # The same rows in every dataset: the first demo facility (the demo data is loaded first).
        sample = listed.order_by("pk").first()
        offer = FacilityProcedure.objects.filter(facility=sample).select_related("procedure").order_by("pk").first()
        procedure = offer.procedure.slug
        country = sample.country.code
        per_page = settings.DIRECTORY_PAGE_SIZE
        last_page = (total + per_page - 1) // per_page
        word = sample.name.split()[0].lower()
        pages = [
            # Not a page: the floor every page is compared with (one query, no template).
            ("health check", "/healthz"),
            ("home", "/"),
            ("directory", "/facilities/"),
            ("directory: country", f"/facilities/?country={country}"),
            ("directory: procedure, by price", f"/facilities/?procedure={procedure}&sort=price"),
            ("directory: text search", "/facilities/?q=spine"),
            ("directory: text search, few", f"/facilities/?q={word}"),
            ("directory: last page", f"/facilities/?page={last_page}"),
            ("facility page", sample.get_absolute_url()),
            ("procedure list", "/procedures/"),
            ("procedure page", offer.procedure.get_absolute_url()),
            ("quote form", "/quote/"),
            ("quote form, prefilled", f"/quote/?procedure={procedure}&facility={sample.slug}"),
        ]
        # The same pages in Arabic (right to left, content from the Arabic columns): they should
        # cost what the English ones do.
        in_arabic = ["home", "directory", "directory: procedure, by price", "facility page", "procedure page"]
        pages += [(f"{label} (ar)", "/ar" + url) for label, url in pages if label in in_arabic]
        client = Client()
        self.stdout.write(
            f"{total:,} listed facilities, {connection.vendor}, up to {repeat} requests per page "
            f"(at most {max_seconds:g} s each)\n"
        )
        self.stdout.write(
            f"{'':<38}{'without the cache':^60}{'with the cache':^29}\n"
            f"{'page':<38}{'status':>7}{'queries':>9}{'median ms':>11}{'p95 ms':>9}{'n':>5}{'SQL ms':>9}{'slowest':>10}"
            f"{'queries':>9}{'median ms':>11}{'p95 ms':>9}"
        )
        results = []
        for label, url in pages:
            client.cookies.clear()  # Every page as a first-time visitor sees it.
            # Without the cache: what the first visitor after a change to the directory waits.
            with override_settings(DIRECTORY_CACHE=False):
                client.get(url)  # Warm connections and templates.
                executed: list[tuple[str, tuple]] = []

                def count(execute, sql, params, many, context, executed=executed):
                    executed.append((sql, params))
                    return execute(sql, params, many, context)

                # An execute wrapper survives the reconnects Django makes between requests.
                with connection.execute_wrapper(count):
                    status = client.get(url).status_code
                timings = self.time(client, url, repeat, max_seconds)
            # With the cache, as every later visitor gets the page until the directory changes.
            cache.clear()
            client.get(url)
            cached_queries: list = []
            with connection.execute_wrapper(lambda execute, *a, q=cached_queries: q.append(a) or execute(*a)):
                client.get(url)
            cached = self.time(client, url, repeat, max_seconds)
            median, p95 = statistics.median(timings), percentile(timings, 0.95)
            sql = profile(executed)
            self.stdout.write(
                f"{label:<38}{status:>7}{len(executed):>9}{median:>11.1f}{p95:>9.1f}{len(timings):>5}"
                f"{sql['sql_ms']:>9.1f}{sql['slowest_query_ms']:>10.1f}"
                f"{len(cached_queries):>9}{statistics.median(cached):>11.1f}{percentile(cached, 0.95):>9.1f}"
            )
            results.append(
                {
                    "label": label,
                    "url": url,
                    "status": status,
                    "queries": len(executed),
                    "median_ms": round(median, 2),
                    "p95_ms": round(p95, 2),
                    "samples": len(timings),
                    "cached_queries": len(cached_queries),
                    "cached_median_ms": round(statistics.median(cached), 2),
                    "cached_p95_ms": round(percentile(cached, 0.95), 2),
                    **sql,
                }
            )
        # Measured again side by side, English and Arabic in turns, so that a change in the
        # machine's load (the table above takes minutes) weighs on both alike.
        self.stdout.write(
            "\nArabic against English, timed in turns (median ms; Arabic/English):\n"
            f"{'page':<38}{'without the cache':>30}{'with the cache':>30}{'queries':>10}"
        )
        urls = dict(pages)
        by_label = {result["label"]: result for result in results}
        comparison = []
        for label in in_arabic:
            english_url, arabic_url = urls[label], urls[f"{label} (ar)"]
            figures = {}
            for cached in (False, True):
                with override_settings(DIRECTORY_CACHE=cached):
                    english, arabic = [], []
                    for _round in range(4):
                        client.get(english_url)
                        client.get(arabic_url)
                        english += self.time(client, english_url, max(repeat // 4, MIN_SAMPLES), max_seconds / 4)
                        arabic += self.time(client, arabic_url, max(repeat // 4, MIN_SAMPLES), max_seconds / 4)
                figures[cached] = (statistics.median(english), statistics.median(arabic))
            (english_ms, arabic_ms), (english_cached, arabic_cached) = figures[False], figures[True]
            queries = f"{by_label[label]['queries']} / {by_label[f'{label} (ar)']['queries']}"
            self.stdout.write(
                f"{label:<38}{english_ms:>9.1f}{arabic_ms:>9.1f}{arabic_ms / english_ms:>11.2f}x"
                f"{english_cached:>9.2f}{arabic_cached:>9.2f}{arabic_cached / english_cached:>11.2f}x{queries:>10}"
            )
            comparison.append(
                {"label": label, "median_ms": figures[False], "cached_median_ms": figures[True], "queries": queries}
            )
        if json_path:
            report = {
                "listed_facilities": total,
                "vendor": connection.vendor,
                "debug": settings.DEBUG,
                "sample": {"facility": sample.slug, "procedure": procedure, "country": country},
                "pages": results,
                "arabic_against_english": comparison,
            }
            Path(json_path).write_text(json.dumps(report, indent=2))
