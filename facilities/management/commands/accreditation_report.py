"""Daily accreditation report: what expires soon, and which published facilities have dropped out.

Meant for a daily cron job; prints plain text (or JSON with ``--json``) and exits 0. With
``--fail-on-dropouts`` it exits 1 when a published facility is not listed, so a monitor can alert.
"""

import datetime
import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Exists, Max, OuterRef, Subquery

from facilities.models import Accreditation, Facility, today


class Command(BaseCommand):
    help = "List accreditations expiring within N days and published facilities that are no longer listed."

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=settings.ACCREDITATION_WARNING_DAYS,
            help="Warn about current accreditations expiring within this many days (default %(default)s).",
        )
        parser.add_argument("--json", action="store_true", dest="as_json", help="Print JSON instead of text.")
        parser.add_argument(
            "--fail-on-dropouts", action="store_true", help="Exit with status 1 if any published facility is unlisted."
        )

    def handle(self, *args, days: int, as_json: bool, fail_on_dropouts: bool, **options):
        if days < 0 or days > 3650:
            raise CommandError("--days must be between 0 and 3650.")
        on = today()
        expiring = list(
            Accreditation.objects.expiring_within(days, on)
            .select_related("facility", "body")
            .order_by("expires_on", "facility__name")
        )
        last_expiry = Accreditation.objects.filter(facility=OuterRef("pk")).order_by().values("facility")
        dropouts = list(
            Facility.objects.filter(is_published=True)
            .exclude(pk__in=Facility.objects.listed(on).values("pk"))
            .annotate(
                last_expired_on=Subquery(last_expiry.annotate(last=Max("expires_on")).values("last")),
                ever_accredited=Exists(Accreditation.objects.filter(facility=OuterRef("pk"))),
            )
            .order_by("name")
        )
        if as_json:
            self.stdout.write(self._as_json(on, days, expiring, dropouts))
        else:
            self._as_text(on, days, expiring, dropouts)
        if fail_on_dropouts and dropouts:
            raise SystemExit(1)

    def _reason(self, facility: Facility) -> str:
        if not facility.ever_accredited:
            return "no accreditation on record"
        if facility.last_expired_on and facility.last_expired_on < today():
            return f"last accreditation expired on {facility.last_expired_on.isoformat()}"
        return "accreditation suspended, revoked, withdrawn or not yet in force"

    def _as_text(self, on: datetime.date, days: int, expiring, dropouts) -> None:
        self.stdout.write(f"Accreditation report for {on.isoformat()}")
        self.stdout.write("")
        self.stdout.write(f"Current accreditations expiring within {days} days: {len(expiring)}")
        for accreditation in expiring:
            left = (accreditation.expires_on - on).days
            self.stdout.write(
                f"  {accreditation.expires_on.isoformat()} ({left:>3} days)  {accreditation.facility.name}"
                f" [{accreditation.facility.slug}]  {accreditation.body.abbreviation} {accreditation.programme}"
            )
        self.stdout.write("")
        self.stdout.write(f"Published facilities not listed (no current accreditation): {len(dropouts)}")
        for facility in dropouts:
            self.stdout.write(f"  {facility.name} [{facility.slug}]: {self._reason(facility)}")

    def _as_json(self, on: datetime.date, days: int, expiring, dropouts) -> str:
        return json.dumps(
            {
                "date": on.isoformat(),
                "days": days,
                "expiring": [
                    {
                        "facility": a.facility.slug,
                        "body": a.body.abbreviation,
                        "programme": a.programme,
                        "expires_on": a.expires_on.isoformat(),
                        "days_left": (a.expires_on - on).days,
                    }
                    for a in expiring
                ],
                "not_listed": [{"facility": f.slug, "reason": self._reason(f)} for f in dropouts],
            },
            indent=2,
        )
