"""How staff pages name statuses, people and lengths of time; shared by the admin, the dashboard
and commands (so none of them imports another)."""

import datetime

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from quotes.models import QuoteRequest

S = QuoteRequest.Status

# The model's status labels are written for the patient ("Waiting for your information"); staff
# read these instead.
STAFF_STATUS_LABELS = {
    S.SUBMITTED: _("Submitted"),
    S.IN_REVIEW: _("In review"),
    S.AWAITING_PATIENT: _("Waiting for the patient"),
    S.SENT_TO_FACILITIES: _("Sent to facilities"),
    S.QUOTED: _("Quoted"),
    S.ACCEPTED: _("Accepted"),
    S.CLOSED: _("Closed"),
}


def staff_status_label(status: str) -> str:
    return str(STAFF_STATUS_LABELS.get(status, status))


def span(delta: datetime.timedelta) -> str:
    """A short, rough length of time for a busy list: '2 d 3 h', '5 h 12 min', '7 min'."""
    minutes = int(abs(delta).total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        # Translators: a short length of time in a busy list, "2 d 3 h": d = days, h = hours.
        return gettext("%(days)d d %(hours)d h") % {"days": days, "hours": hours}
    if hours:
        # Translators: a short length of time in a busy list, "5 h 12 min": h = hours, min = minutes.
        return gettext("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": minutes}
    # Translators: a short length of time in a busy list, "7 min": min = minutes.
    return gettext("%(minutes)d min") % {"minutes": minutes}


def user_label(user) -> str:
    return user.get_full_name() or user.get_username()
