"""Entering exchange rates: from a file (``manage.py load_rates FILE``) or a list (the demo).

A rates file is CSV with a header row naming at least ``currency``, ``date`` and ``per_usd``
(units of the currency one US dollar bought that day), and optionally ``source``::

    currency,date,per_usd,source
    EUR,2026-12-01,0.9234,European Central Bank reference rate
    TRY,2026-12-01,34.71,Central Bank of the Republic of Türkiye

The whole file is checked before anything is saved: one wrong line (an unknown currency, a date
that is not a date or is in the future, a rate that is not a positive number, the same currency
and date twice) and nothing is saved, with every problem named by its line. A currency and date
already stored are updated to the file's rate. Nothing here ever fetches a rate from anywhere.
"""

import csv
import datetime
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction

from tourism import dates, money
from tourism.models import ExchangeRate

REQUIRED_COLUMNS = ("currency", "date", "per_usd")
MAX_LINES = 100_000
# The column's precision (ExchangeRate.per_usd: 18 digits, 6 after the point).
MAX_RATE = Decimal("999999999999")


@dataclass(frozen=True)
class RateRow:
    currency: str
    on: datetime.date
    per_usd: Decimal
    source: str = ""


@dataclass
class LoadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    currencies: set[str] = field(default_factory=set)


class RatesFileError(ValueError):
    """What is wrong with a rates file, line by line."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def parse_rates(text: str, *, default_source: str = "", today: datetime.date | None = None) -> list[RateRow]:
    """The rows of a rates file, checked; raises ``RatesFileError`` naming every problem."""
    today = today or dates.today()
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [name.strip().lower() for name in (reader.fieldnames or [])]
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        raise RatesFileError([f"The first line must name the columns; missing: {', '.join(missing)}."])
    reader.fieldnames = header
    rows: list[RateRow] = []
    problems: list[str] = []
    seen: dict[tuple[str, datetime.date], int] = {}
    for number, raw in enumerate(reader, start=2):
        if number > MAX_LINES:
            problems.append(f"More than {MAX_LINES:,} lines: split the file.")
            break
        values = {key: (value or "").strip() for key, value in raw.items() if isinstance(key, str)}
        if not any(values.values()):
            continue
        line_problems = []
        currency = money.valid_code(values.get("currency"))
        if currency is None:
            line_problems.append(f"unknown currency {values.get('currency')!r}")
        elif currency == money.REFERENCE:
            line_problems.append("rates are per US dollar: the dollar itself needs none")
        try:
            on = datetime.date.fromisoformat(values.get("date", ""))
        except ValueError:
            on = None
            line_problems.append(f"the date {values.get('date')!r} is not written YYYY-MM-DD")
        if on is not None and on > today:
            line_problems.append(f"the date {on.isoformat()} is in the future")
        try:
            per_usd = Decimal(values.get("per_usd", "").replace(",", "."))
            if not per_usd.is_finite() or per_usd <= 0 or per_usd > MAX_RATE:
                raise InvalidOperation
            per_usd = per_usd.quantize(Decimal("0.000001"))
            if per_usd <= 0:
                raise InvalidOperation
        except InvalidOperation:
            per_usd = None
            line_problems.append(f"the rate {values.get('per_usd')!r} is not a positive number")
        source = values.get("source", "")[:200] or default_source[:200]
        if currency and on and currency != money.REFERENCE:
            if (currency, on) in seen:
                line_problems.append(f"{currency} on {on.isoformat()} is already on line {seen[currency, on]}")
            else:
                seen[currency, on] = number
        if line_problems:
            problems.append(f"Line {number}: " + "; ".join(line_problems) + ".")
        else:
            rows.append(RateRow(currency=currency, on=on, per_usd=per_usd, source=source))
    if problems:
        raise RatesFileError(problems)
    if not rows:
        raise RatesFileError(["The file holds no rates."])
    return rows


def record_rates(rows: list[RateRow]) -> LoadResult:
    """Save ``rows`` in one transaction (new, or updating the same currency and date).

    Each save moves the US-dollar figures of the prices in that currency (``facilities.signals``)
    and turns the cached pages over once it commits.
    """
    result = LoadResult()
    with transaction.atomic():
        stored = {
            (rate.currency, rate.on): rate
            for rate in ExchangeRate.objects.filter(
                currency__in={row.currency for row in rows}, on__in={row.on for row in rows}
            )
        }
        for row in rows:
            rate = stored.get((row.currency, row.on))
            if rate is None:
                ExchangeRate.objects.create(currency=row.currency, on=row.on, per_usd=row.per_usd, source=row.source)
                result.created += 1
            elif rate.per_usd != row.per_usd or (row.source and rate.source != row.source):
                rate.per_usd, rate.source = row.per_usd, row.source or rate.source
                rate.save(update_fields=["per_usd", "source"])
                result.updated += 1
            else:
                result.unchanged += 1
                continue
            result.currencies.add(row.currency)
    return result
