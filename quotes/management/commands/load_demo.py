"""``manage.py load_demo``: the fictional demo directory, then demo quote requests at every step.

The command lives in ``quotes`` because it needs both halves and imports run one way (quotes →
facilities): the directory is loaded by ``facilities.demo.load_demo_directory``, the requests by
``quotes.demo_requests.load_demo_requests``. Running it again changes nothing (see both modules).
"""

from django.core.management.base import BaseCommand

from facilities.demo import load_demo_directory
from quotes.demo_requests import load_demo_requests


class Command(BaseCommand):
    help = "Load the fictional demo directory (bodies, procedures, facilities with photos), then demo quote requests."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--no-photos", action="store_true", help="Skip drawing photos (much faster; for tests and quick checks)."
        )
        parser.add_argument(
            "--refresh",
            action="store_true",
            help="Put existing demo rows back to the demo values (staff edits are lost).",
        )
        parser.add_argument(
            "--no-requests",
            action="store_true",
            help="Skip the demo quote requests (fictional patients at each step of the workflow).",
        )

    def handle(self, *args, **options) -> None:
        directory = load_demo_directory(refresh=options["refresh"], photos=not options["no_photos"])
        for line in directory.lines():
            self.stdout.write(line)
        # Demo quote requests are only ever created, never refreshed: they are workflow state.
        if not options["no_requests"]:
            for line in load_demo_requests().lines():
                self.stdout.write(line)
