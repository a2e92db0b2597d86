"""Measure the public pages in-process: queries per page and median / 95th-percentile time.

Run through ``make bench``, which points the site at its own database (var/bench/) so the
benchmark never touches the development data. Figures are printed, never asserted.
"""

import statistics
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client

from facilities.models import Facility, FacilityProcedure


class Command(BaseCommand):
    help = "Fill a benchmark database to --facilities listed facilities and time the directory pages."

    def add_arguments(self, parser):
        parser.add_argument("--facilities", type=int, default=10_000)
        parser.add_argument("--repeat", type=int, default=30, help="Requests per page (default %(default)s).")

    def handle(self, *args, facilities: int, repeat: int, **options):
        if facilities < 1 or repeat < 1:
            raise CommandError("--facilities and --repeat must be positive.")
        have = Facility.objects.listed().count()
        if have < facilities:
            call_command("generate_facilities", count=facilities - have, stdout=self.stdout)
        listed = Facility.objects.listed()
        total = listed.count()
        sample = listed.order_by("pk").first()
        offer = FacilityProcedure.objects.filter(facility=sample).select_related("procedure").first()
        procedure = offer.procedure.slug
        country = sample.country.code
        per_page = 12
        last_page = (total + per_page - 1) // per_page
        pages = [
            ("home", "/"),
            ("directory", "/facilities/"),
            ("directory: country", f"/facilities/?country={country}"),
            ("directory: procedure, by price", f"/facilities/?procedure={procedure}&sort=price"),
            ("directory: text search", "/facilities/?q=spine"),
            ("directory: last page", f"/facilities/?page={last_page}"),
            ("facility page", sample.get_absolute_url()),
            ("procedure list", "/procedures/"),
            ("procedure page", offer.procedure.get_absolute_url()),
        ]
        client = Client()
        self.stdout.write(f"{total:,} listed facilities, {connection.vendor}, {repeat} requests per page\n")
        self.stdout.write(f"{'page':<34}{'status':>7}{'queries':>9}{'median ms':>11}{'p95 ms':>9}")
        for label, url in pages:
            client.get(url)  # Warm caches and connections.
            executed: list[str] = []

            def count(execute, sql, params, many, context, executed=executed):
                executed.append(sql)
                return execute(sql, params, many, context)

            # An execute wrapper survives the reconnects Django makes between requests.
            with connection.execute_wrapper(count):
                status = client.get(url).status_code
            timings = []
            for _ in range(repeat):
                started = time.perf_counter()
                client.get(url)
                timings.append((time.perf_counter() - started) * 1000)
            timings.sort()
            p95 = timings[min(len(timings) - 1, int(round(0.95 * (len(timings) - 1))))]
            self.stdout.write(f"{label:<34}{status:>7}{len(executed):>9}{statistics.median(timings):>11.1f}{p95:>9.1f}")
