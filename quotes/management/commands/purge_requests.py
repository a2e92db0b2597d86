"""``manage.py purge_requests``: erase the personal data of requests finished long enough ago.

For a daily cron job. Every request closed or accepted more than ``--months`` months ago
(default ``MEDTOUR_RETENTION_MONTHS``) loses the patient's details, texts and medical files; its
reference, status, procedure, countries, dates and the facilities' quotes stay as anonymous
figures, and the erasure is recorded (``Erasure``). Open requests are never touched. Running it
again erases nothing more.

It also deletes the medical files kept from quote forms that were never sent, once they are older
than ``PENDING_UPLOAD_LIFETIME`` (an hour).
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from quotes.models import PendingUpload, QuoteRequest
from quotes.services.retention import quote_requests_purge
from quotes.uploads import pending_uploads_purge
from tourism import throttle


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


class Command(BaseCommand):
    help = "Erase personal data and medical files of quote requests closed or accepted more than N months ago."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--months",
            type=int,
            default=None,
            help="Keep finished requests this many months (default: MEDTOUR_RETENTION_MONTHS, now "
            f"{settings.QUOTE_RETENTION_MONTHS}).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Only count the requests that would be erased.")

    def handle(self, *args, months: int | None, dry_run: bool, **options) -> None:
        if months is None:
            months = settings.QUOTE_RETENTION_MONTHS
        if months < 1:
            raise CommandError("--months must be at least 1: a request is never erased the moment it closes.")
        if dry_run:
            count = QuoteRequest.objects.due_for_purge(months=months).count()
            kept = PendingUpload.objects.expired().count()
            self.stdout.write(
                f"Dry run: {plural(count, 'quote request')} closed or accepted more than "
                f"{plural(months, 'month')} ago would be erased, and {plural(kept, 'file')} kept from "
                "unsent forms deleted; nothing changed."
            )
            return
        count = quote_requests_purge(months=months)
        self.stdout.write(
            f"Erased the personal data of {plural(count, 'quote request')} closed or accepted more than "
            f"{plural(months, 'month')} ago."
        )
        kept = pending_uploads_purge()
        self.stdout.write(f"Deleted {plural(kept, 'file')} kept from quote forms never sent.")
        counters = throttle.purge_expired()
        self.stdout.write(f"Deleted {plural(counters, 'expired rate-limit or sign-in counter')}.")
