"""``manage.py remind_overdue``: tell the coordinators which requests are past the first-reply target.

For a cron job (e.g. every morning). One e-mail per coordinator address lists every submitted
request whose first reply is overdue: reference, due time (UTC) and assignee, never the patient's
name, address or condition. The addresses are ``settings.COORDINATOR_EMAILS`` plus every active
member of the Coordinators group. Nothing overdue, no mail. Running it twice sends the reminder
twice: that is up to the cron schedule.
"""

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.urls import reverse
from django.utils import dateformat, timezone

from quotes.models import Notification, QuoteRequest
from quotes.roles import COORDINATORS
from quotes.services import notification_new, notifications_send

DEFAULT_SITE_URL = "http://127.0.0.1:8000"
TEMPLATE = "coordinator_overdue"


def overdue_requests(now: datetime.datetime | None = None):
    """Submitted requests whose first-reply target has passed, the longest overdue first."""
    return (
        QuoteRequest.objects.filter(status=QuoteRequest.Status.SUBMITTED, first_reply_due_at__lt=now or timezone.now())
        .select_related("assignee")
        .order_by("first_reply_due_at", "pk")
    )


def coordinator_addresses() -> list[str]:
    """The shared addresses, then each active coordinator's own, each address once (any case)."""
    users = (
        get_user_model()
        .objects.filter(is_active=True, groups__name=COORDINATORS)
        .exclude(email="")
        .order_by("pk")
        .values_list("email", flat=True)
        .distinct()
    )
    addresses, seen = [], set()
    for address in [*settings.COORDINATOR_EMAILS, *users]:
        address = (address or "").strip()
        if address and address.lower() not in seen:
            seen.add(address.lower())
            addresses.append(address)
    return addresses


def format_due(moment: datetime.datetime) -> str:
    return dateformat.format(moment.astimezone(datetime.UTC), "j M H:i")


class Command(BaseCommand):
    help = "E-mail the coordinators a list of quote requests past their first-reply target."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--site-url",
            default=None,
            help=f"Address for the admin link (default: MEDTOUR_SITE_URL, else {DEFAULT_SITE_URL}).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Print what would be sent; send nothing.")

    def handle(self, *args, site_url: str | None, dry_run: bool, **options) -> None:
        site_url = (site_url or settings.SITE_URL or DEFAULT_SITE_URL).rstrip("/")
        overdue = list(overdue_requests())
        if not overdue:
            self.stdout.write("No quote requests are past their first-reply target; no reminder sent.")
            return

        rows = [
            {
                "reference": quote_request.reference,
                "due": format_due(quote_request.first_reply_due_at),
                "assignee": quote_request.assignee.get_username() if quote_request.assignee else "",
            }
            for quote_request in overdue
        ]
        changelist = reverse("admin:quotes_quoterequest_changelist")
        context = {
            "count": len(rows),
            "requests": rows,
            "admin_url": f"{site_url}{changelist}?status__exact={QuoteRequest.Status.SUBMITTED}",
        }
        addresses = coordinator_addresses()
        requests_text = f"{len(rows)} overdue quote request{'s' if len(rows) != 1 else ''}"

        if dry_run:
            self.stdout.write(f"{requests_text} (dry run: nothing sent):")
            for row in rows:
                self.stdout.write(f"  {row['reference']}: due {row['due']} UTC, {row['assignee'] or 'unassigned'}")
            self.stdout.write(f"Would e-mail {len(addresses)} address{'es' if len(addresses) != 1 else ''}.")
            return
        if not addresses:
            self.stdout.write(f"{requests_text}, but no coordinator address to e-mail: set MEDTOUR_COORDINATOR_EMAILS.")
            return

        with transaction.atomic():
            # One mail covers many requests, so it belongs to none of them.
            queued = Notification.objects.bulk_create(
                [notification_new(None, address, TEMPLATE, context) for address in addresses]
            )
        sent = notifications_send(ids=[notification.pk for notification in queued])
        self.stdout.write(
            f"{requests_text}; queued {len(queued)} reminder e-mail{'s' if len(queued) != 1 else ''}, sent {sent}."
        )
