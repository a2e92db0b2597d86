"""``manage.py refresh_responsiveness``: recompute every facility's answering figures from its cases.

The figures are kept up to date as cases are answered; this is for after a restore, an import or
a change to how they are computed. Safe to run at any time, any number of times.
"""

from django.core.management.base import BaseCommand

from quotes.models import FacilityCase
from quotes.services.responsiveness import facility_responsiveness_refresh


class Command(BaseCommand):
    help = "Recompute each facility's responsiveness figures from its cases."

    def handle(self, *args, **options):
        facility_ids = FacilityCase.objects.order_by().values_list("facility_id", flat=True).distinct()
        count = 0
        for facility_id in facility_ids:
            facility_responsiveness_refresh(facility_id)
            count += 1
        self.stdout.write(f"Refreshed the figures of {count} facilit{'ies' if count != 1 else 'y'}.")
