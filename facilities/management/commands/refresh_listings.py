"""Daily: bring every facility's stored listing window in line with its accreditation records.

Expiries take effect on their own; this picks up accreditations whose stretch starts later than the
stored one (a renewal awarded to start after a gap, a future-dated award) and repairs any window
left behind by a bulk write that bypassed the services. Safe to run at any time and as often as
wanted; see ``facilities.listing``.
"""

from django.core.management.base import BaseCommand

from facilities.services import facility_listing_refresh
from tourism.pagecache import directory_changed


class Command(BaseCommand):
    help = "Recompute which facilities are listed today from their accreditation records (run daily)."

    def handle(self, *args, **options) -> None:
        changed = facility_listing_refresh()
        if changed:
            directory_changed()
        self.stdout.write(f"Listing windows refreshed: {changed} changed.")
