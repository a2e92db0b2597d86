"""Prices in the facility's currency, shown converted into the visitor's at a dated, fresh rate.

``tourism.money`` (conversion, formatting, which currency a visitor reads), the reference dollar
figures that filters and sorting read (``facilities.pricing``), the currency chooser, the page
cache keyed by currency, and ``manage.py load_rates``.
"""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from facilities.models import FacilityProcedure
from tests.factories import make_facility, make_offer, make_procedure, make_staff, page_text
from tourism import dates, money
from tourism.models import ExchangeRate

pytestmark = pytest.mark.django_db

TODAY = dates.today()
YESTERDAY = TODAY - datetime.timedelta(days=1)


def rate(currency: str, per_usd: str, on: datetime.date = YESTERDAY) -> ExchangeRate:
    return ExchangeRate.objects.create(currency=currency, on=on, per_usd=Decimal(per_usd), source="test")


def usd(offer: FacilityProcedure) -> tuple[int | None, int | None]:
    offer.refresh_from_db()
    return offer.usd_from, offer.usd_to


# Converting and writing amounts ------------------------------------------------------------------


def test_conversion_goes_through_the_dollar_and_is_dated_by_the_older_rate():
    older = TODAY - datetime.timedelta(days=3)
    rates = {
        "EUR": money.Rate(Decimal("0.9"), YESTERDAY),
        "TRY": money.Rate(Decimal("36"), older),
    }
    change = money.conversion("TRY", "EUR", rates)
    assert change.factor == Decimal("0.9") / Decimal("36")
    assert change.on == older
    assert money.conversion("USD", "EUR", rates).factor == Decimal("0.9")
    assert money.conversion("EUR", "USD", rates).factor == 1 / Decimal("0.9")


def test_no_conversion_for_the_same_currency_a_missing_rate_or_an_old_one():
    rates = {"EUR": money.Rate(Decimal("0.9"), TODAY - datetime.timedelta(days=8))}
    assert money.conversion("USD", "USD", rates) is None
    assert money.conversion("USD", "GBP", rates) is None
    with override_settings(MEDTOUR_RATE_MAX_AGE_DAYS=7):
        assert money.conversion("USD", "EUR", rates) is None
    with override_settings(MEDTOUR_RATE_MAX_AGE_DAYS=8):
        assert money.conversion("USD", "EUR", rates) is not None


@pytest.mark.parametrize(
    ("value", "rounded"),
    [("8276.4", "8280"), ("123456", "123000"), ("999.6", "1000"), ("42.4", "42"), ("1004999", "1000000")],
)
def test_converted_amounts_keep_three_significant_figures(value, rounded):
    assert money.approximately(Decimal(value)) == Decimal(rounded)


def test_a_price_shows_converted_with_the_original_and_the_rate_date():
    rates = {"EUR": money.Rate(Decimal("0.92"), datetime.date(2026, 12, 1))}
    with translation.override("en"), override_settings(MEDTOUR_RATE_MAX_AGE_DAYS=10_000):
        html = money.price_html(9000, "USD", display="EUR", rates=rates)
        text = money.price_text(9000, "USD", display="EUR", rates=rates)
    assert text == "≈ €8,280 · US$9,000 at the 1 Dec 2026 rate"
    assert page_text(html) == text
    assert '<time datetime="2026-12-01">' in html
    assert '<bdi class="money-converted">€8,280</bdi>' in html


def test_without_a_fresh_rate_only_the_original_is_shown():
    stale = {"EUR": money.Rate(Decimal("0.92"), TODAY - datetime.timedelta(days=30))}
    with translation.override("en"):
        assert money.price_text(9000, "USD", display="EUR", rates=stale) == "US$9,000"
        assert money.price_text(9000, "USD", display="EUR", rates={}) == "US$9,000"
        assert page_text(money.price_html(9000, "USD", display="EUR", rates=stale)) == "US$9,000"


def test_ranges_and_cents():
    with translation.override("en"):
        assert money.amount_text(8000, "THB", 9500) == "฿8,000–9,500"
        assert money.amount_text(8000, "THB", 8000) == "฿8,000"
        assert money.amount_text(Decimal("1234.50"), "CHF") == "CHF1,234.50"


@pytest.mark.parametrize(
    ("language", "expected"),
    # Django's own formats group the digits: a no-break space in Spanish, a point in German, none in Arabic.
    [("en", "€8,280"), ("es", "8\xa0280 €"), ("de", "8.280 €"), ("ar", "\u20668280 €\u2069")],
)
def test_each_language_writes_money_its_own_way(language, expected):
    with translation.override(language):
        assert money.amount_text(8280, "EUR") == expected


def test_arabic_money_keeps_its_digits_isolated():
    with translation.override("ar"):
        # A range reads "2–5", never "5–2", inside right-to-left text.
        assert money.amount_text(2, "USD", 5) == "\u20662–5 US$\u2069"
    rates = {"EUR": money.Rate(Decimal("0.92"), YESTERDAY)}
    with translation.override("ar"):
        html = money.price_html(9000, "USD", display="EUR", rates=rates)
    assert html.count("<bdi") == 2
    assert "US$" in html and "€" in html


# Which currency a visitor reads ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "headers", "cookies", "expected"),
    [
        ("/", {}, {}, "USD"),
        ("/es/", {}, {}, "EUR"),
        ("/de/", {}, {}, "EUR"),
        ("/ar/", {}, {}, "USD"),
        ("/de/", {"HTTP_ACCEPT_LANGUAGE": "de-CH,de;q=0.9"}, {}, "CHF"),
        ("/", {"HTTP_ACCEPT_LANGUAGE": "en-GB,en;q=0.8"}, {}, "GBP"),
        ("/ar/", {"HTTP_ACCEPT_LANGUAGE": "ar-AE"}, {}, "AED"),
        ("/es/", {"HTTP_ACCEPT_LANGUAGE": "es-MX"}, {}, "MXN"),
        ("/es/", {"HTTP_ACCEPT_LANGUAGE": "es-MX"}, {"medtour_currency": "gbp"}, "GBP"),
        ("/es/", {"HTTP_ACCEPT_LANGUAGE": "x" * 5000}, {"medtour_currency": "<script>"}, "EUR"),
    ],
)
def test_the_display_currency_comes_from_the_choice_the_country_or_the_language(
    client, path, headers, cookies, expected
):
    for name, value in cookies.items():
        client.cookies[name] = value
    response = client.get(path, **headers)
    assert response.status_code == 200
    assert response.context["display_currency"] == expected
    assert f'<option value="{expected}" selected>' in response.content.decode()
    assert "Accept-Language" in response["Vary"]


def test_the_chooser_remembers_the_currency_and_goes_back_to_the_page(client):
    response = client.get(reverse("choose_currency"), {"currency": "THB", "next": "/es/procedures/?q=fusi%C3%B3n"})
    assert response.status_code == 302
    assert response["Location"] == "/es/procedures/?q=fusi%C3%B3n"
    cookie = response.cookies[money.COOKIE_NAME]
    assert cookie.value == "THB" and cookie["httponly"] and cookie["path"] == "/"
    assert client.get("/es/").context["display_currency"] == "THB"


@pytest.mark.parametrize(
    "params",
    [{"currency": "XXX"}, {"currency": ""}, {}, {"currency": ["EUR", "<b>"]}, {"currency": "E" * 10_000}],
)
def test_the_chooser_refuses_an_unknown_currency_with_a_400(client, params):
    # With the parameter twice, the last value counts, as for every GET form: "<b>" here.
    response = client.get(reverse("choose_currency"), params)
    assert response.status_code == 400
    assert "Choose one of the currencies" in response.content.decode()
    assert money.COOKIE_NAME not in response.cookies


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/", "javascript:alert(1)", ""])
def test_the_chooser_only_goes_back_to_this_site(client, next_url):
    response = client.get(reverse("choose_currency"), {"currency": "EUR", "next": next_url})
    assert response.status_code == 302 and response["Location"] == "/"


def test_robots_keep_out_of_the_chooser(client):
    assert f"Disallow: {reverse('choose_currency')}" in client.get("/robots.txt").content.decode()


# Prices in the facility's own currency on the public pages ---------------------------------------


def test_the_facility_page_shows_its_own_currency_and_the_visitors(client):
    rate("THB", "34.4")
    rate("EUR", "0.92")
    facility = make_facility(name="Bangkok Spine", country="TH", currency="THB")
    make_offer(facility=facility, price_from=400_000, price_to=520_000)
    text = page_text(client.get(facility.get_absolute_url()).content.decode())
    when = YESTERDAY.strftime("%-d %b %Y")
    assert f"≈ US$11,600–15,100 · ฿400,000–520,000 at the {when} rate" in text
    client.cookies[money.COOKIE_NAME] = "EUR"
    text = page_text(client.get(facility.get_absolute_url()).content.decode())
    assert f"≈ €10,700–13,900 · ฿400,000–520,000 at the {when} rate" in text
    client.cookies[money.COOKIE_NAME] = "THB"
    text = page_text(client.get(facility.get_absolute_url()).content.decode())
    assert "฿400,000–520,000" in text and "≈" not in text


def test_a_price_whose_rate_is_too_old_shows_only_the_original(client):
    rate("THB", "34.4", on=TODAY - datetime.timedelta(days=20))
    facility = make_facility(country="TH", currency="THB")
    make_offer(facility=facility, price_from=400_000, price_to=520_000)
    with override_settings(MEDTOUR_RATE_MAX_AGE_DAYS=7):
        text = page_text(client.get(facility.get_absolute_url()).content.decode())
    assert "฿400,000–520,000" in text and "≈" not in text


def test_a_spanish_visitor_sees_euros_on_the_procedure_pages(client):
    rate("EUR", "0.92")
    procedure = make_procedure(name="Lumbar fusion")
    make_offer(procedure=procedure, price_from=9_000, price_to=12_000)
    with translation.override("es"):
        url = procedure.get_absolute_url()
        listing = reverse("procedures:list")
    assert url.startswith("/es/")
    detail = page_text(client.get(url).content.decode())
    assert "desde ≈ 8 280 € · 9 000 US$ al cambio del" in detail
    assert "desde ≈ 8 280 €" in page_text(client.get(listing).content.decode())


def test_a_cached_page_is_never_served_in_another_currency(client, settings):
    settings.DIRECTORY_CACHE = True
    rate("EUR", "0.92")
    procedure = make_procedure()
    make_offer(procedure=procedure, price_from=9_000, price_to=12_000)
    first = page_text(client.get(reverse("home")).content.decode())
    assert "US$9,000" in first and "€" not in first.split("Show prices in")[0]
    client.cookies[money.COOKIE_NAME] = "EUR"
    second = page_text(client.get(reverse("home")).content.decode())
    assert "≈ €8,280" in second
    del client.cookies[money.COOKIE_NAME]
    third = page_text(client.get(reverse("home")).content.decode())
    assert "≈ €8,280" not in third


# The reference dollar figures -----------------------------------------------------------------------


def test_saving_a_price_keeps_its_dollar_figure():
    rate("THB", "34.4")
    offer = make_offer(facility=make_facility(currency="THB"), price_from=344_000, price_to=688_000)
    assert usd(offer) == (10_000, 20_000)
    dollars = make_offer(price_from=5_000, price_to=6_000)
    assert usd(dollars) == (5_000, 6_000)


def test_a_price_without_any_rate_has_no_dollar_figure_until_one_is_entered():
    offer = make_offer(facility=make_facility(currency="INR"), price_from=840_000, price_to=1_680_000)
    assert usd(offer) == (None, None)
    entered = rate("INR", "84")
    assert usd(offer) == (10_000, 20_000)
    entered.per_usd = Decimal("80")
    entered.save()
    assert usd(offer) == (10_500, 21_000)
    newer = rate("INR", "168", on=TODAY)
    assert usd(offer) == (5_000, 10_000)
    newer.delete()
    assert usd(offer) == (10_500, 21_000)
    entered.delete()
    assert usd(offer) == (None, None)


def test_changing_a_facilitys_currency_moves_its_dollar_figures():
    rate("EUR", "0.5")
    facility = make_facility()
    offer = make_offer(facility=facility, price_from=5_000, price_to=6_000)
    assert usd(offer) == (5_000, 6_000)
    facility.currency = "EUR"
    facility.save()
    assert usd(offer) == (10_000, 12_000)
    facility.currency = "USD"
    facility.save()
    assert usd(offer) == (5_000, 6_000)


def test_the_directory_filters_and_sorts_prices_in_different_currencies_together(client):
    rate("THB", "34.4")
    rate("EUR", "0.92")
    procedure = make_procedure()
    cheap_baht = make_offer(
        facility=make_facility(name="A baht", country="TH", currency="THB"),
        procedure=procedure,
        price_from=275_200,  # US$8,000
        price_to=344_000,
    )
    dollars = make_offer(facility=make_facility(name="B dollar"), procedure=procedure, price_from=9_000, price_to=9_500)
    euros = make_offer(
        facility=make_facility(name="C euro", country="DE", currency="EUR"),
        procedure=procedure,
        price_from=6_900,  # US$7,500
        price_to=8_000,
    )
    no_rate = make_offer(
        facility=make_facility(name="D forint", country="HU", currency="HUF"),
        procedure=procedure,
        price_from=1,
        price_to=2,
    )
    response = client.get(reverse("facilities:list"), {"procedure": procedure.slug, "sort": "price"})
    names = [facility.name for facility in response.context["facilities"]]
    assert names == ["C euro", "A baht", "B dollar", "D forint"]
    # Up to US$8,500: the euro and the baht prices start below it.
    response = client.get(reverse("facilities:list"), {"procedure": procedure.slug, "price_max": "8500"})
    assert {f.name for f in response.context["facilities"]} == {"A baht", "C euro"}
    assert response.context["filter"].form.fields["price_max"].label == "Price up to (USD)"
    # The same filter typed in euros: €8,000 is US$8,696.
    client.cookies[money.COOKIE_NAME] = "EUR"
    response = client.get(reverse("facilities:list"), {"procedure": procedure.slug, "price_max": "7000"})
    assert {f.name for f in response.context["facilities"]} == {"C euro"}
    assert response.context["filter"].form.fields["price_max"].label == "Price up to (EUR)"
    assert "up to €7,000" in [active.label for active in response.context["active_filters"]]
    assert "Price for the chosen procedure (EUR)" in response.content.decode()
    # The cards show each price as given and, converted, in euros.
    response = client.get(reverse("facilities:list"), {"procedure": procedure.slug, "sort": "price"})
    cards = page_text(response.content.decode())
    assert "≈ €7,360–9,200 · ฿275,200–344,000 at the" in cards  # US$8,000–10,000 × 0.92
    assert "€6,900–8,000" in cards
    assert cheap_baht.pk and dollars.pk and euros.pk and no_rate.pk


def test_with_no_fresh_rate_for_the_visitors_currency_the_filter_is_in_dollars(client):
    rate("EUR", "0.92", on=TODAY - datetime.timedelta(days=40))
    procedure = make_procedure()
    make_offer(procedure=procedure, price_from=9_000, price_to=9_500)
    client.cookies[money.COOKIE_NAME] = "EUR"
    response = client.get(reverse("facilities:list"), {"procedure": procedure.slug, "price_max": "9000"})
    assert response.context["filter"].form.fields["price_max"].label == "Price up to (USD)"
    assert len(response.context["facilities"]) == 1


def test_the_lowest_price_and_the_cost_table_compare_in_dollars(client):
    rate("INR", "84")
    procedure = make_procedure()
    make_offer(
        facility=make_facility(country="IN", currency="INR"), procedure=procedure, price_from=420_000, price_to=600_000
    )
    make_offer(facility=make_facility(country="DE"), procedure=procedure, price_from=6_000, price_to=20_000)
    html = client.get(procedure.get_absolute_url()).content.decode()
    table = page_text(html.split('class="price-table cost-table"')[1].split("</table>")[0])
    assert table.index("India") < table.index("Germany")
    assert "US$5,000" in table and "US$6,000" in table
    assert "from ≈ US$5,000 · ₹420,000 at the" in page_text(html)


# Entering rates ---------------------------------------------------------------------------------


def write(tmp_path, text: str):
    path = tmp_path / "rates.csv"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_load_rates_enters_a_file_and_moves_the_prices(tmp_path):
    offer = make_offer(facility=make_facility(currency="TRY"), price_from=345_000, price_to=690_000)
    out = io.StringIO()
    path = write(
        tmp_path,
        "currency,date,per_usd,source\n"
        f"TRY,{YESTERDAY.isoformat()},34.5,Central bank\n"
        f'eur,{YESTERDAY.isoformat()},"0,92",\n'
        "\n",
    )
    call_command("load_rates", path, stdout=out)
    assert "2 rates read: 2 new, 0 changed, 0 unchanged." in out.getvalue()
    assert ExchangeRate.objects.get(currency="EUR").source == "rates.csv"
    assert ExchangeRate.objects.get(currency="TRY").source == "Central bank"
    assert usd(offer) == (10_000, 20_000)
    out = io.StringIO()
    call_command("load_rates", write(tmp_path, f"currency,date,per_usd\nTRY,{YESTERDAY.isoformat()},69\n"), stdout=out)
    assert "0 new, 1 changed" in out.getvalue()
    assert usd(offer) == (5_000, 10_000)


def test_load_rates_warns_about_a_rate_too_old_to_be_used(tmp_path):
    old = (TODAY - datetime.timedelta(days=60)).isoformat()
    out = io.StringIO()
    call_command("load_rates", write(tmp_path, f"currency,date,per_usd\nGBP,{old},0.8\n"), stdout=out)
    assert "not used" in out.getvalue()


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("currency,per_usd\nEUR,0.9\n", "missing: date"),
        ("", "missing: currency, date, per_usd"),
        ("currency,date,per_usd\nXYZ,2026-01-01,1\n", "Line 2: unknown currency 'XYZ'"),
        ("currency,date,per_usd\nUSD,2026-01-01,1\n", "the dollar itself needs none"),
        ("currency,date,per_usd\nEUR,01/02/2026,0.9\n", "is not written YYYY-MM-DD"),
        ("currency,date,per_usd\nEUR,2999-01-01,0.9\n", "is in the future"),
        ("currency,date,per_usd\nEUR,2026-01-01,-1\n", "is not a positive number"),
        ("currency,date,per_usd\nEUR,2026-01-01,0\n", "is not a positive number"),
        ("currency,date,per_usd\nEUR,2026-01-01,NaN\n", "is not a positive number"),
        ("currency,date,per_usd\nEUR,2026-01-01,1e400\n", "is not a positive number"),
        ("currency,date,per_usd\nEUR,2026-01-01,0.0000001\n", "is not a positive number"),
        ("currency,date,per_usd\nEUR,2026-01-01,0.9\nEUR,2026-01-01,0.91\n", "already on line 2"),
        ("currency,date,per_usd\n\n", "holds no rates"),
    ],
)
def test_load_rates_saves_nothing_from_a_file_with_a_wrong_line(tmp_path, text, problem):
    good = f"GBP,{YESTERDAY.isoformat()},0.8\n"
    # A good line beside the wrong one: it is not saved either.
    body = text + good if text.startswith("currency,date,per_usd\n") and problem != "holds no rates" else text
    with pytest.raises(CommandError) as raised:
        call_command("load_rates", write(tmp_path, body), stdout=io.StringIO())
    assert problem in str(raised.value)
    assert "Nothing was saved." in str(raised.value)
    assert not ExchangeRate.objects.exists()


def test_load_rates_names_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        call_command("load_rates", str(tmp_path / "nowhere.csv"))
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(CommandError, match="Cannot read|Nothing was saved"):
        call_command("load_rates", str(binary))


def test_a_rate_cannot_be_zero_or_of_the_dollar():
    from django.db import IntegrityError, transaction

    for currency, per_usd in (("EUR", "0"), ("USD", "1")):
        with pytest.raises(IntegrityError), transaction.atomic():
            ExchangeRate.objects.create(currency=currency, on=TODAY, per_usd=Decimal(per_usd))


def test_directory_editors_enter_rates_in_the_admin(client):
    from facilities.roles import DIRECTORY_EDITORS

    offer = make_offer(facility=make_facility(currency="CHF"), price_from=8_800, price_to=8_800)
    editor = make_staff(group=DIRECTORY_EDITORS)
    client.force_login(editor)
    response = client.post(
        reverse("admin:tourism_exchangerate_add"),
        {"currency": "CHF", "on": YESTERDAY.isoformat(), "per_usd": "0.88", "source": "SNB"},
    )
    assert response.status_code == 302, response.context["errors"] if response.context else response
    assert usd(offer) == (10_000, 10_000)
    listing = client.get(reverse("admin:tourism_exchangerate_changelist"))
    assert listing.status_code == 200 and "SNB" in listing.content.decode()
