"""Prices in templates: ``{% price amount currency %}`` and the currency chooser (``tourism.money``)."""

from django import template
from django.urls import reverse

from tourism import money
from tourism.templatetags.languages import this_page

register = template.Library()


@register.simple_tag(takes_context=True)
def price(context, amount, currency, high=None, display=None):
    """A price in its own currency and, converted at a fresh rate, in the visitor's.

    ``{% price offer.price_from facility.currency high=offer.price_to %}`` for a range; ``as name``
    to put it into a sentence (``{% blocktranslate with price=name %}from {{ price }}…``). Pages
    without a request (e-mails) show the price as it was given. ``display`` converts into another
    currency than the visitor's (the quote comparison: the patient's budget currency).
    """
    return money.price_html(
        amount,
        currency or money.REFERENCE,
        high=high,
        display=display or context.get("display_currency"),
        rates=context.get("exchange_rates"),
    )


@register.simple_tag(takes_context=True)
def reference_price(context, amount, high=None):
    """A directory figure kept in US dollars (a lowest price, a median), shown like any price."""
    return price(context, amount, money.REFERENCE, high)


@register.inclusion_tag("includes/currency_chooser.html", takes_context=True)
def currency_chooser(context) -> dict:
    """A small GET form choosing the currency prices are shown in; it comes back to this page."""
    return {
        "action": reverse("choose_currency"),
        "next": this_page(context.get("request")),
        "current": context.get("display_currency") or money.REFERENCE,
        "choices": money.Currency.choices,
    }
