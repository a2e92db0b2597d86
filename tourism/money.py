"""Money: the currencies we know, dated exchange rates, and prices in the visitor's currency.

A price is entered in the currency its author works in (a facility's own, a hospital's quote) and
is always shown in that currency. Beside it, when the visitor reads another currency, it is shown
converted, approximately, with the date of the rate used: "≈ €8,300 · US$9,000 at the 1 Dec 2026
rate". Rates are data (``ExchangeRate``), entered by staff in the admin or by
``manage.py load_rates FILE``, never fetched by the site on its own. A rate older than
``MEDTOUR_RATE_MAX_AGE_DAYS`` is not used for showing prices: the price then stands alone in its
own currency, never converted at a rate that may be wrong.

Every rate is "units of the currency that one US dollar buys" on a date, so any two currencies
convert through the dollar; the date of a conversion is the older of the two rates'. The US
dollar is also the *reference* currency: each indicative price keeps a dollar figure beside it
(``facilities``), so that filtering, sorting and the directory's figures work on one indexed
column whatever the facilities' currencies.

Which currency a visitor reads (``display_currency``): the one they chose in the chooser at the
bottom of every page (a cookie), else the one of the country their browser names
(``Accept-Language: de-CH`` gives Swiss francs), else the usual one of the page's language.
"""

import datetime
import decimal
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.http import HttpRequest
from django.utils import formats, translation
from django.utils.cache import patch_vary_headers
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from tourism import dates

REFERENCE = "USD"
COOKIE_NAME = "medtour_currency"
COOKIE_AGE = 365 * 24 * 60 * 60
DEFAULT_RATE_MAX_AGE_DAYS = 7


class Currency(models.TextChoices):
    """The currencies prices, budgets and quotes may be in (ISO 4217 codes)."""

    USD = "USD", _("US dollar (USD)")
    EUR = "EUR", _("Euro (EUR)")
    GBP = "GBP", _("Pound sterling (GBP)")
    CAD = "CAD", _("Canadian dollar (CAD)")
    AUD = "AUD", _("Australian dollar (AUD)")
    AED = "AED", _("UAE dirham (AED)")
    SAR = "SAR", _("Saudi riyal (SAR)")
    CHF = "CHF", _("Swiss franc (CHF)")
    NOK = "NOK", _("Norwegian krone (NOK)")
    SEK = "SEK", _("Swedish krona (SEK)")
    DKK = "DKK", _("Danish krone (DKK)")
    PLN = "PLN", _("Polish złoty (PLN)")
    CZK = "CZK", _("Czech koruna (CZK)")
    HUF = "HUF", _("Hungarian forint (HUF)")
    TRY = "TRY", _("Turkish lira (TRY)")
    INR = "INR", _("Indian rupee (INR)")
    THB = "THB", _("Thai baht (THB)")
    MYR = "MYR", _("Malaysian ringgit (MYR)")
    KRW = "KRW", _("South Korean won (KRW)")
    MXN = "MXN", _("Mexican peso (MXN)")
    COP = "COP", _("Colombian peso (COP)")
    CRC = "CRC", _("Costa Rican colón (CRC)")


CODES = frozenset(Currency.values)

# How an amount is marked, written before or after it as the language's money pattern says. A
# currency without a symbol of its own that everyone reads the same is marked by its code.
SYMBOLS = {
    "USD": "US$",
    "EUR": "€",
    "GBP": "£",
    "CAD": "CA$",
    "AUD": "A$",
    "INR": "₹",
    "THB": "฿",
    "TRY": "₺",
    "KRW": "₩",
    "MXN": "MX$",
}

# The currency of each country whose people we expect, for ``Accept-Language`` regions.
COUNTRY_CURRENCY = {
    **dict.fromkeys(
        ("AT", "BE", "CY", "DE", "EE", "ES", "FI", "FR", "GR", "HR", "IE", "IT", "LT", "LU", "LV", "MT", "NL"),
        "EUR",
    ),
    **dict.fromkeys(("PT", "SI", "SK"), "EUR"),
    "US": "USD",
    "GB": "GBP",
    "CA": "CAD",
    "AU": "AUD",
    "AE": "AED",
    "SA": "SAR",
    "CH": "CHF",
    "LI": "CHF",
    "NO": "NOK",
    "SE": "SEK",
    "DK": "DKK",
    "PL": "PLN",
    "CZ": "CZK",
    "HU": "HUF",
    "TR": "TRY",
    "IN": "INR",
    "TH": "THB",
    "MY": "MYR",
    "KR": "KRW",
    "MX": "MXN",
    "CO": "COP",
    "CR": "CRC",
}

# The currency a language's readers most likely think in, when their browser names no country.
LANGUAGE_CURRENCY = {"es": "EUR", "de": "EUR"}


def rate_max_age() -> datetime.timedelta:
    return datetime.timedelta(days=int(getattr(settings, "MEDTOUR_RATE_MAX_AGE_DAYS", DEFAULT_RATE_MAX_AGE_DAYS)))


# Which currency a visitor reads -------------------------------------------------------------


def valid_code(value: object) -> str | None:
    """``value`` as one of our currency codes, or None (cookies and query strings are anyone's)."""
    if isinstance(value, str) and value.strip().upper() in CODES:
        return value.strip().upper()
    return None


def currency_of_browser(accept_language: str) -> str | None:
    """The currency of the first country named in an ``Accept-Language`` header (``es-MX`` → MXN)."""
    for part in accept_language.split(",")[:10]:
        tag = part.split(";")[0].strip().replace("_", "-")
        pieces = tag.split("-")
        for piece in pieces[1:]:
            if len(piece) == 2 and piece.isalpha() and piece.upper() in COUNTRY_CURRENCY:
                return COUNTRY_CURRENCY[piece.upper()]
    return None


def display_currency(request: HttpRequest | None = None) -> str:
    """The currency this visitor reads prices in (see the module's docstring)."""
    if request is not None:
        chosen = getattr(request, "display_currency", None) or valid_code(request.COOKIES.get(COOKIE_NAME))
        if chosen:
            return chosen
        from_browser = currency_of_browser(request.headers.get("Accept-Language", ""))
        if from_browser:
            return from_browser
    language = (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return LANGUAGE_CURRENCY.get(language, REFERENCE)


# Rates ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rate:
    """Units of a currency that one US dollar bought on ``on``."""

    per_usd: Decimal
    on: datetime.date


def stored_rates(currencies: set[str] | None = None) -> dict[str, Rate]:
    """The newest rate of each currency (or of ``currencies``) up to today, read from the database."""
    from tourism.models import ExchangeRate

    rows = ExchangeRate.objects.latest(dates.today())
    if currencies is not None:
        rows = rows.filter(currency__in=currencies)
    return {
        currency: Rate(per_usd=per_usd, on=on)
        for currency, per_usd, on in rows.values_list("currency", "per_usd", "on")
    }


def latest_rates() -> dict[str, Rate]:
    """``stored_rates()``, cached with the directory (a new rate turns the directory over)."""
    from tourism.pagecache import cached_data

    return cached_data("exchange-rates", (), stored_rates)


def request_rates(request: HttpRequest | None) -> dict[str, Rate]:
    """``latest_rates()``, read at most once per request (the views and the templates share it)."""
    if request is None:
        return latest_rates()
    rates = getattr(request, "_exchange_rates", None)
    if rates is None:
        rates = request._exchange_rates = latest_rates()
    return rates


def to_usd(amount: int | Decimal, currency: str, rates: dict[str, Rate]) -> int | None:
    """``amount`` of ``currency`` in whole US dollars at its newest rate, whatever its age; None without one.

    For the reference figures that filters and sorting read: an old rate orders prices better than
    none. What a visitor reads is converted only at a fresh rate (``convert``).
    """
    if currency == REFERENCE:
        return int(amount)
    rate = rates.get(currency)
    if rate is None or rate.per_usd <= 0:
        return None
    return int((Decimal(amount) / rate.per_usd).quantize(Decimal(1), rounding=decimal.ROUND_HALF_UP))


@dataclass(frozen=True)
class Conversion:
    factor: Decimal
    on: datetime.date


def conversion(
    source: str, target: str, rates: dict[str, Rate], today: datetime.date | None = None
) -> Conversion | None:
    """How to turn ``source`` amounts into ``target`` at fresh rates; None when it cannot be done honestly.

    None when the currencies are the same, when either has no rate, or when the older of the two
    rates is older than ``MEDTOUR_RATE_MAX_AGE_DAYS``.
    """
    if source == target or source not in CODES or target not in CODES:
        return None
    used = [rates.get(code) for code in (source, target) if code != REFERENCE]
    if any(rate is None or rate.per_usd <= 0 for rate in used):
        return None
    on = min(rate.on for rate in used)
    if (today or dates.today()) - on > rate_max_age():
        return None
    source_per_usd = rates[source].per_usd if source != REFERENCE else Decimal(1)
    target_per_usd = rates[target].per_usd if target != REFERENCE else Decimal(1)
    return Conversion(factor=target_per_usd / source_per_usd, on=on)


def approximately(value: Decimal) -> Decimal:
    """A converted amount rounded to three significant figures (8,276.4 → 8,280): it is an estimate."""
    value = abs(value)
    if value < 1000:
        return value.quantize(Decimal(1), rounding=decimal.ROUND_HALF_UP)
    step = Decimal(10) ** (value.adjusted() - 2)
    return (value / step).quantize(Decimal(1), rounding=decimal.ROUND_HALF_UP) * step


# Writing amounts -----------------------------------------------------------------------------


def number(value: int | Decimal) -> str:
    """An amount's digits as the page's language groups them: whole units, or with cents if it has any."""
    value = Decimal(value)
    places = 0 if value == value.to_integral_value() else 2
    return formats.number_format(value, decimal_pos=places, use_l10n=True, force_grouping=True)


def amount_text(value: int | Decimal, currency: str, high: int | Decimal | None = None) -> str:
    """``value`` (or ``value``–``high``) marked with its currency, as the page's language writes money."""
    symbol = SYMBOLS.get(currency, currency)
    if high is not None and high != value:
        # Translators: a price range in one currency: US$8,000–9,500. Put %(symbol)s where your language
        # writes the currency's sign (8.000–9.500 €). The amounts are already formatted.
        return pgettext("money", "%(symbol)s%(low)s–%(high)s") % {
            "symbol": symbol,
            "low": number(value),
            "high": number(high),
        }
    # Translators: an amount of money: US$8,000 or €8,000. Put %(symbol)s where your language writes the
    # currency's sign (8.000 €). The amount is already formatted.
    return pgettext("money", "%(symbol)s%(amount)s") % {"symbol": symbol, "amount": number(value)}


def _converted(
    value: int | Decimal, high: int | Decimal | None, currency: str, display: str | None, rates
) -> tuple[str, Conversion] | None:
    """``value`` (–``high``) written in ``display`` at a fresh rate, with that rate; None when not converted."""
    change = conversion(currency, display, rates or {}) if display else None
    if change is None:
        return None
    converted_high = approximately(Decimal(high) * change.factor) if high is not None else None
    return amount_text(approximately(Decimal(value) * change.factor), display, converted_high), change


def _rate_date(on: datetime.date) -> str:
    return formats.date_format(on, dates.local_format("j M Y", translation.get_language()))


def _converted_pattern() -> str:
    # Translators: a price converted into the visitor's currency, then the price the hospital gave and
    # the date of the exchange rate: "≈ €8,300 · US$9,000 at the 1 Dec 2026 rate".
    return pgettext("money", "≈ %(converted)s · %(original)s at the %(date)s rate")


def price_html(
    value: int | Decimal | None,
    currency: str,
    *,
    high: int | Decimal | None = None,
    display: str | None = None,
    rates: dict[str, Rate] | None = None,
) -> SafeString:
    """A price in its own currency and, when ``display`` differs and a fresh rate allows, converted.

    "≈ €8,300 · US$9,000 at the 1 Dec 2026 rate"; the original alone otherwise. Each amount is
    isolated (``<bdi>``) so that right-to-left text around it cannot reorder its digits.
    """
    if value is None:
        return SafeString("")
    original = format_html('<bdi class="money-original">{}</bdi>', amount_text(value, currency, high))
    converted = _converted(value, high, currency, display, rates)
    if converted is None:
        return format_html('<span class="money">{}</span>', original)
    text, change = converted
    parts = {
        "converted": format_html('<bdi class="money-converted">{}</bdi>', text),
        "original": original,
        "date": format_html('<time datetime="{}">{}</time>', change.on.isoformat(), _rate_date(change.on)),
    }
    # The pattern is our own translation; every value in it is escaped above.
    return format_html('<span class="money">{}</span>', SafeString(_converted_pattern() % parts))


def price_text(
    value: int | Decimal,
    currency: str,
    *,
    high: int | Decimal | None = None,
    display: str | None = None,
    rates: dict[str, Rate] | None = None,
) -> str:
    """``price_html`` as plain text, for e-mails and attributes."""
    original = amount_text(value, currency, high)
    converted = _converted(value, high, currency, display, rates)
    if converted is None:
        return original
    text, change = converted
    return _converted_pattern() % {"converted": text, "original": original, "date": _rate_date(change.on)}


def from_display(amount: int | Decimal, display: str, rates: dict[str, Rate]) -> int | None:
    """An amount a visitor typed in ``display`` as whole US dollars, at a fresh rate; None if there is none."""
    if display == REFERENCE:
        return int(amount)
    change = conversion(REFERENCE, display, rates)
    if change is None:
        return None
    return int((Decimal(amount) / change.factor).quantize(Decimal(1), rounding=decimal.ROUND_HALF_UP))


def usable_display(display: str, rates: dict[str, Rate]) -> str:
    """``display`` if prices can be converted into it today, else the reference (US dollars)."""
    return display if display == REFERENCE or conversion(REFERENCE, display, rates) is not None else REFERENCE


class DisplayCurrencyMiddleware:
    """Set ``request.display_currency`` for the views, the page cache's key and the templates.

    Pages then differ by ``Accept-Language`` (its country) as well as by cookie: the response says so.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        request.display_currency = display_currency(request)
        response = self.get_response(request)
        if response.get("Content-Type", "").startswith("text/html"):
            patch_vary_headers(response, ("Accept-Language", "Cookie"))
        return response
