"""``manage.py purge_upload_spool``: delete uploads left half-written in the upload spool.

Django writes an upload bigger than ``FILE_UPLOAD_MAX_MEMORY_SIZE`` to a temporary file in
``FILE_UPLOAD_TEMP_DIR`` while it arrives, and deletes it when the request ends. A worker killed
mid-request (a timeout, a restart, the machine out of memory) never gets there, and the patient's
partial medical file would stay for ever. For an hourly cron job: it deletes every file in the
spool not written to for ``UPLOAD_SPOOL_MAX_AGE_MINUTES`` (``MEDTOUR_UPLOAD_SPOOL_MAX_AGE_MINUTES``),
long after any request that could still be using it has ended.
"""

import stat
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


def upload_spool_purge(*, folder: Path, max_age_seconds: float, now: float | None = None) -> int:
    """Delete the files directly in ``folder`` last written more than ``max_age_seconds`` ago; how many.

    Only regular files: a link or a folder someone put there is left alone (and never followed).
    """
    cutoff = (time.time() if now is None else now) - max_age_seconds
    deleted = 0
    try:
        entries = list(folder.iterdir())
    except FileNotFoundError:
        return 0
    for entry in entries:
        try:
            found = entry.lstat()
            if not stat.S_ISREG(found.st_mode) or found.st_mtime >= cutoff:
                continue
            entry.unlink()
        except FileNotFoundError:
            continue  # Its request ended and deleted it meanwhile.
        deleted += 1
    return deleted


class Command(BaseCommand):
    help = "Delete uploads left in the upload spool (FILE_UPLOAD_TEMP_DIR) by requests that never finished."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--minutes",
            type=int,
            default=None,
            help="Delete files not written to for this many minutes (default: MEDTOUR_UPLOAD_SPOOL_MAX_AGE_MINUTES, "
            f"now {settings.UPLOAD_SPOOL_MAX_AGE_MINUTES}).",
        )

    def handle(self, *args, minutes: int | None, **options) -> None:
        if minutes is None:
            minutes = settings.UPLOAD_SPOOL_MAX_AGE_MINUTES
        if minutes < 10:
            # An upload still arriving on a slow line is written to all the time, but not every second.
            raise CommandError("--minutes must be at least 10: a slow upload may still be arriving.")
        if not settings.FILE_UPLOAD_TEMP_DIR:
            raise CommandError("FILE_UPLOAD_TEMP_DIR is not set: uploads are spooled in the system's temporary folder.")
        folder = Path(settings.FILE_UPLOAD_TEMP_DIR)
        count = upload_spool_purge(folder=folder, max_age_seconds=minutes * 60)
        self.stdout.write(
            f"Deleted {count} unfinished upload{'s' if count != 1 else ''} older than {minutes} minutes from {folder}."
        )
