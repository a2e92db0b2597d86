"""Send the e-mail outbox: due notifications, with retries. ``--loop`` keeps a worker running.

The worker is the only sender of mail: web processes only queue (``quotes.services.outbox``).
``make run`` and ``make serve`` start one beside the web server; any number may run, on any number
of machines, as each claims its rows.
"""

import signal
import threading

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
        # Set by SIGTERM/SIGINT: the mail in hand is finished, and the wait between checks ends at once.
        stopping = threading.Event()

        def stop(*_args):
            stopping.set()

        if loop:
            signal.signal(signal.SIGTERM, stop)
            signal.signal(signal.SIGINT, stop)
        while True:
            sent = notifications_send(limit=limit)
            if sent or not loop:
                self.stdout.write(f"Sent {sent} notification{'s' if sent != 1 else ''}.")
            if not loop or stopping.wait(interval):
                return
