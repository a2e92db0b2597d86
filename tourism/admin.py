"""The exchange rates in the staff admin: entered by hand here, or many at once by ``manage.py load_rates``."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from tourism import money
from tourism.models import ExchangeRate


@admin.register(ExchangeRate)
class ExchangeRateAdmin(admin.ModelAdmin):
    list_display = ["currency", "on", "per_usd", "fresh", "source", "created_at"]
    list_filter = ["currency"]
    search_fields = ["currency", "source"]
    date_hierarchy = "on"
    fields = ["currency", "on", "per_usd", "source"]
    list_per_page = 100

    @admin.display(boolean=True, description=_("used for showing prices"))
    def fresh(self, rate: ExchangeRate) -> bool:
        """Whether prices are shown converted at this rate today: the newest of its currency, and recent."""
        rates = money.latest_rates()
        newest = rates.get(rate.currency)
        return (
            newest is not None
            and newest.on == rate.on
            and money.conversion(money.REFERENCE, rate.currency, rates) is not None
        )
