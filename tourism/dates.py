"""The site's calendar: what day it is where the site runs.

One function that the directory's listing rule and the page cache both read, so that a test (or
anything else) moving "today" moves every date-dependent rule at once. It lives among the shared
helpers because the page cache, which imports no app, keys its entries by the date.
"""

import datetime

from django.utils import timezone


def today() -> datetime.date:
    return timezone.localdate()


def add_working_days(start: datetime.datetime, days: int) -> datetime.datetime:
    """``start`` plus ``days`` working days (Monday to Friday), at the same time of day.

    Weekend days are skipped, so Friday 15:00 plus one working day is Monday 15:00, and so is
    Saturday 15:00 plus one. Public holidays are not known (hospitals' differ by country).
    """
    current = timezone.localtime(start)
    added = 0
    while added < days:
        current += datetime.timedelta(days=1)
        if current.weekday() < 5:
            added += 1
    return current


# How each language writes the date patterns the templates use (``local_date``): the English
# pattern is the name. A language or pattern not listed here is written as in English. Django
# translates the month and day names; the order, the "de" and the dots are the language's.
LOCAL_FORMATS: dict[str, dict[str, str]] = {
    "es": {
        "j F Y": r"j \d\e F \d\e Y",
        "j F Y, H:i e": r"j \d\e F \d\e Y, H:i e",
        "l j F Y, H:i": r"l j \d\e F \d\e Y, H:i",
        "l j F, H:i": r"l j \d\e F, H:i",
        "l j F, H:i e": r"l j \d\e F, H:i e",
    },
    "de": {
        "j M Y": "j. M Y",
        "j M Y, H:i": "j. M Y, H:i",
        "j M Y, H:i e": "j. M Y, H:i e",
        "j F Y": "j. F Y",
        "j F Y, H:i e": "j. F Y, H:i e",
        "l j F Y, H:i": "l, j. F Y, H:i",
        "l j F, H:i": "l, j. F, H:i",
        "l j F, H:i e": "l, j. F, H:i e",
    },
    "ar": {
        # The full month name: Arabic has no customary three-letter abbreviation.
        "j M Y": "j F Y",
        "j M Y, H:i": "j F Y، H:i",
        "j M Y, H:i e": "j F Y، H:i e",
        "j F Y, H:i e": "j F Y، H:i e",
        "l j F Y, H:i": "l j F Y، H:i",
        "l j F, H:i": "l j F، H:i",
        "l j F, H:i e": "l j F، H:i e",
        "M Y": "F Y",
    },
}


def local_format(pattern: str, language: str | None) -> str:
    """``pattern`` (a date format as written for English) as ``language`` writes it."""
    return LOCAL_FORMATS.get((language or "").split("-")[0], {}).get(pattern, pattern)
