"""Values every template needs."""

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from tourism import money
from tourism.seo import site_base_url


def site(request: HttpRequest) -> dict:
    # Query strings never make a page canonical; views that paginate set their own.
    return {"site_name": settings.SITE_NAME, "canonical_url": site_base_url(request) + request.path}


def prices(request: HttpRequest) -> dict:
    """The visitor's currency, and the rates, read (once) only by a page that shows a price."""
    return {
        "display_currency": money.display_currency(request),
        "exchange_rates": SimpleLazyObject(lambda: money.request_rates(request)),
        "currency_choices": money.Currency.choices,
    }
