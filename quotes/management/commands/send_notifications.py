"""Send the e-mail outbox: due notifications, with retries. ``--loop`` keeps a worker running.

The worker is the only sender of mail: web processes only queue (``quotes.services.outbox``).
``make run`` and ``make serve`` start one beside the web server; any number may run, on any number
of machines, as each claims its rows. It also queues the reminders to facilities whose case is
still unanswered at its reminder time (``cases_remind``: once per case, whichever worker is first),
at most once a minute.
"""

import logging
import signal
import threading
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from facilities import figures
from quotes.services.cases import cases_remind
from quotes.services.outbox import notifications_send

logger = logging.getLogger(__name__)
REMIND_EVERY_SECONDS = 60


class Command(BaseCommand):
    help = "Send pending e-mail notifications (retrying failed ones when they are due)."

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="Keep running, checking every --interval seconds.")
        parser.add_argument("--interval", type=float, default=5.0, help="Seconds between checks with --loop.")
        parser.add_argument("--limit", type=int, default=100, help="Most notifications to send per check.")

    def handle(self, *args, loop: bool, interval: float, limit: int, **options):
        if interval <= 0 or limit < 1:
            raise CommandError("--interval and --limit must be positive.")
        # Set by SIGTERM/SIGINT: the mail in hand is finished, and the wait between checks ends at once.
        stopping = threading.Event()

        def stop(*_args):
            stopping.set()

        if loop:
            signal.signal(signal.SIGTERM, stop)
            signal.signal(signal.SIGINT, stop)
        next_reminders = 0.0
        while True:
            if time.monotonic() >= next_reminders:
                next_reminders = time.monotonic() + REMIND_EVERY_SECONDS
                try:
                    reminded = cases_remind()
                except DatabaseError as exc:  # A locked or absent database: try again next time.
                    logger.warning("Facility reminders not queued this time: %s", type(exc).__name__)
                else:
                    if reminded:
                        self.stdout.write(f"Queued {reminded} reminder{'s' if reminded != 1 else ''} to facilities.")
                if loop:
                    # Tomorrow's directory figures, once a day, before midnight makes them today's.
                    try:
                        if figures.keep_ahead():
                            self.stdout.write("Made tomorrow's directory figures.")
                    except DatabaseError as exc:
                        logger.warning("Directory figures not made this time: %s", type(exc).__name__)
            sent = notifications_send(limit=limit)
            if sent or not loop:
                self.stdout.write(f"Sent {sent} notification{'s' if sent != 1 else ''}.")
            if not loop or stopping.wait(interval):
                return
