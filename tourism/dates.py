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
