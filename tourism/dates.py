"""The site's calendar: what day it is where the site runs.

One function that the directory's listing rule and the page cache both read, so that a test (or
anything else) moving "today" moves every date-dependent rule at once. It lives among the shared
helpers because the page cache, which imports no app, keys its entries by the date.
"""

import datetime

from django.utils import timezone


def today() -> datetime.date:
    return timezone.localdate()
