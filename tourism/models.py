"""The one table of the project package: the security counters of ``tourism.throttle``."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Counter(models.Model):
    """A count that expires: failed sign-ins, wrong codes, quote submissions, or a lock (count 1).

    Kept in the database, not in the cache, so that no amount of page traffic can push a count or
    a lock out (a full cache drops entries at random). ``key`` is a digest, never a username or an
    address; ``expires_at`` is a Unix time, so the one SQL statement that counts (see
    ``tourism.throttle.count``) compares plain numbers on every database.
    """

    key = models.CharField(_("key"), max_length=160, primary_key=True)
    count = models.IntegerField(_("count"), default=0)
    expires_at = models.FloatField(_("expires at (Unix time)"), db_index=True)

    class Meta:
        verbose_name = _("security counter")
        verbose_name_plural = _("security counters")

    def __str__(self) -> str:
        return self.key
