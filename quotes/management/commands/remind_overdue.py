"""``manage.py remind_overdue``: tell the coordinators which requests are past the first-reply target.

For a cron job (e.g. every morning). One e-mail per coordinator address lists every submitted
request whose first reply is overdue: reference, due time (UTC) and assignee, never the patient's
name, address or condition. The addresses are ``settings.COORDINATOR_EMAILS`` plus every active
member of the Coordinators group. Nothing overdue, no mail. Running it twice sends the reminder
twice: that is up to the cron schedule.
"""

import datetime

from django.core.management.base import BaseCommand
from django.db import transaction
from django.urls import reverse
from django.utils import dateformat

from quotes.selectors import coordinator_addresses, overdue_requests
from quotes.services.outbox import notification_new, notifications_queue
from tourism.seo import mail_base_url

TEMPLATE = "coordinator_overdue"


def format_due(moment: datetime.datetime) -> str:
    return dateformat.format(moment.astimezone(datetime.UTC), "j M H:i")


class Command(BaseCommand):
    help = "E-mail the coordinators a list of quote requests past their first-reply target."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Print what would be sent; send nothing.")

    def handle(self, *args, dry_run: bool, **options) -> None:
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
        # A path: the worker joins it to MEDTOUR_SITE_URL when it sends the mail.
        context = {"count": len(rows), "requests": rows, "admin_path": f"{changelist}?overdue=yes"}
        addresses = coordinator_addresses()
        requests_text = f"{len(rows)} overdue quote request{'s' if len(rows) != 1 else ''}"

        if dry_run:
            self.stdout.write(f"{requests_text} (dry run: nothing sent):")
            for row in rows:
                self.stdout.write(f"  {row['reference']}: due {row['due']} UTC, {row['assignee'] or 'unassigned'}")
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
