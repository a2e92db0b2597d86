"""The tables of the project package: the security counters of ``tourism.throttle`` and exchange rates."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from tourism.money import Currency


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


class ExchangeRateQuerySet(models.QuerySet):
    def latest(self, on) -> "ExchangeRateQuerySet":
        """The newest rate of each currency dated ``on`` or earlier (one row per currency)."""
        newest = (
            ExchangeRate.objects.filter(currency=models.OuterRef("currency"), on__lte=on)
            .order_by("-on")
            .values("on")[:1]
        )
        return self.filter(on=models.Subquery(newest)).order_by("currency")


class ExchangeRate(models.Model):
    """What one US dollar bought in ``currency`` on ``on``: data staff enter, never fetched (``tourism.money``)."""

    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices)
    on = models.DateField(_("date of the rate"))
    per_usd = models.DecimalField(
        _("units per US dollar"),
        max_digits=18,
        decimal_places=6,
        help_text=_("How much of the currency one US dollar bought on that date, e.g. 0.92 for the euro."),
    )
    source = models.CharField(
        _("source"),
        max_length=200,
        blank=True,
        help_text=_("Where the rate was read, e.g. a central bank's daily list."),
    )
    created_at = models.DateTimeField(_("entered at"), auto_now_add=True)

    objects = ExchangeRateQuerySet.as_manager()

    class Meta:
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        ordering = ["-on", "currency"]
        constraints = [
            models.UniqueConstraint(fields=["currency", "on"], name="exchange_rate_once_a_day"),
            models.CheckConstraint(
                condition=models.Q(per_usd__gt=0),
                name="exchange_rate_positive",
                violation_error_message=_("A rate must be above zero."),
            ),
            models.CheckConstraint(
                condition=~models.Q(currency="USD"),
                name="exchange_rate_not_of_the_dollar",
                violation_error_message=_("Rates are per US dollar: the dollar itself needs none."),
            ),
        ]

    def __str__(self) -> str:
        return f"1 USD = {self.per_usd.normalize():f} {self.currency} ({self.on.isoformat()})"
