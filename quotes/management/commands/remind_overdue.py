"""``manage.py remind_overdue``: tell the coordinators which requests are past the first-reply target.

For a cron job (e.g. every morning). One e-mail per coordinator address: a digest that stays short
whatever the backlog. It says how many requests are overdue and how many of them nobody has taken,
how many each coordinator holds (the busiest few), lists the longest-overdue few by reference, due
time (UTC) and assignee, and links to the full list, filtered, in the admin. Never the patient's
name, address or condition. The addresses are ``settings.COORDINATOR_EMAILS`` plus every active
member of the Coordinators group. Nothing overdue, no mail. Running it twice sends the reminder
twice: that is up to the cron schedule.

A fixed number of queries whatever the backlog: one count, one grouped count per assignee, and the
oldest ``OLDEST_SHOWN`` rows.
"""

import datetime

from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import dateformat

from quotes.selectors import coordinator_addresses, overdue_requests
from quotes.services.outbox import notification_new, notifications_queue
from tourism.seo import mail_base_url

TEMPLATE = "coordinator_overdue"
# The digest's length, whatever the backlog: the oldest requests by reference, the busiest assignees.
OLDEST_SHOWN = 10
ASSIGNEES_SHOWN = 5


def format_due(moment: datetime.datetime) -> str:
    return dateformat.format(moment.astimezone(datetime.UTC), "j M H:i")


def overdue_digest() -> dict | None:
    """What the reminder says (a JSON-able context), or None when nothing is overdue."""
    overdue = overdue_requests()
    total = overdue.count()
    if not total:
        return None
    oldest = [
        {
            "reference": quote_request.reference,
            "due": format_due(quote_request.first_reply_due_at),
            "assignee": quote_request.assignee.get_username() if quote_request.assignee else "",
        }
        for quote_request in overdue[:OLDEST_SHOWN]
    ]
    per_assignee = list(
        overdue.order_by().values("assignee__username").annotate(n=Count("pk")).order_by("-n", "assignee__username")
    )
    unassigned = next((row["n"] for row in per_assignee if row["assignee__username"] is None), 0)
    assigned = [row for row in per_assignee if row["assignee__username"] is not None]
    changelist = reverse("admin:quotes_quoterequest_changelist")
    return {
        "count": total,
        "unassigned": unassigned,
        "assignees": [{"assignee": row["assignee__username"], "count": row["n"]} for row in assigned[:ASSIGNEES_SHOWN]],
        "other_assignees": len(assigned) - min(len(assigned), ASSIGNEES_SHOWN),
        "requests": oldest,
        "more": total - len(oldest),
        # A path: the worker joins it to MEDTOUR_SITE_URL when it sends the mail.
        "admin_path": f"{changelist}?overdue=yes",
        "unassigned_path": f"{changelist}?overdue=yes&assignee=unassigned",
    }


class Command(BaseCommand):
    help = "E-mail the coordinators a short digest of the quote requests past their first-reply target."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Print what would be sent; send nothing.")

    def handle(self, *args, dry_run: bool, **options) -> None:
        context = overdue_digest()
        if context is None:
            self.stdout.write("No quote requests are past their first-reply target; no reminder sent.")
            return
        count = context["count"]
        addresses = coordinator_addresses()
        requests_text = f"{count} overdue quote request{'s' if count != 1 else ''} ({context['unassigned']} unassigned)"

        if dry_run:
            self.stdout.write(f"{requests_text} (dry run: nothing sent). The longest overdue:")
            for row in context["requests"]:
                self.stdout.write(f"  {row['reference']}: due {row['due']} UTC, {row['assignee'] or 'unassigned'}")
            if context["more"]:
                self.stdout.write(f"  … and {context['more']} more.")
            self.stdout.write(f"Would e-mail {len(addresses)} address{'es' if len(addresses) != 1 else ''}.")
            self.stdout.write(f"The list's link: {mail_base_url()}{context['admin_path']}")
            return
        if not addresses:
            self.stdout.write(f"{requests_text}, but no coordinator address to e-mail: set MEDTOUR_COORDINATOR_EMAILS.")
            return

        with transaction.atomic():
            # One mail covers many requests, so it belongs to none of them.
            queued = notifications_queue([notification_new(None, address, TEMPLATE, context) for address in addresses])
        self.stdout.write(
            f"{requests_text}; queued {len(queued)} reminder e-mail{'s' if len(queued) != 1 else ''} "
            "for the mail worker (manage.py send_notifications) to send."
        )
