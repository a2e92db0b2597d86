"""Send the e-mail outbox: due notifications, with retries. ``--loop`` keeps a worker running.

The worker is the only sender of mail: web processes only queue (``quotes.services.outbox``).
``make run`` and ``make serve`` start one beside the web server; any number may run, on any number
of machines, as each claims its rows.
"""

import signal
import time

from django.core.management.base import BaseCommand, CommandError

from quotes.services.outbox import notifications_send


class Command(BaseCommand):
    help = "Send pending e-mail notifications (retrying failed ones when they are due)."

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="Keep running, checking every --interval seconds.")
        parser.add_argument("--interval", type=float, default=5.0, help="Seconds between checks with --loop.")
        parser.add_argument("--limit", type=int, default=100, help="Most notifications to send per check.")

    def handle(self, *args, loop: bool, interval: float, limit: int, **options):
        if interval <= 0 or limit < 1:
            raise CommandError("--interval and --limit must be positive.")
        stopping = False

        def stop(*_args):
            nonlocal stopping
            stopping = True

        if loop:
            # Finish the mail in hand, then stop, when the process manager asks.
            signal.signal(signal.SIGTERM, stop)
            signal.signal(signal.SIGINT, stop)
        while True:
            sent = notifications_send(limit=limit)
            if sent or not loop:
                self.stdout.write(f"Sent {sent} notification{'s' if sent != 1 else ''}.")
            if not loop or stopping:
                return
            time.sleep(interval)
            if stopping:
                return
