"""``manage.py load_rates FILE``: enter dated exchange rates from a CSV file (see ``tourism.rates``)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tourism import dates, money
from tourism.rates import RatesFileError, parse_rates, record_rates


class Command(BaseCommand):
    help = (
        "Enter exchange rates from a CSV file with the columns currency, date (YYYY-MM-DD), per_usd "
        "(units of the currency one US dollar bought) and, optionally, source. Nothing is saved if "
        "any line is wrong. Rates are never fetched: this file is where they come from."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="The CSV file; '-' reads standard input.")
        parser.add_argument("--source", default="", help="Where the rates come from, for lines that do not say.")

    def handle(self, *args, file: str, source: str, **options) -> None:
        if file == "-":
            import sys

            text = sys.stdin.read()
            default_source = source
        else:
            path = Path(file)
            try:
                text = path.read_text(encoding="utf-8")
            except FileNotFoundError:
                raise CommandError(f"No such file: {file}") from None
            except (OSError, UnicodeDecodeError) as error:
                raise CommandError(f"Cannot read {file}: {error}") from None
            default_source = source or path.name
        try:
            rows = parse_rates(text, default_source=default_source)
        except RatesFileError as error:
            shown = error.problems[:20]
            more = len(error.problems) - len(shown)
            raise CommandError(
                "Nothing was saved.\n" + "\n".join(shown) + (f"\n… and {more} more." if more > 0 else "")
            ) from None
        result = record_rates(rows)
        self.stdout.write(
            f"{len(rows)} rates read: {result.created} new, {result.updated} changed, {result.unchanged} unchanged."
        )
        newest = money.stored_rates({row.currency for row in rows})
        today = dates.today()
        for currency in sorted(newest):
            rate = newest[currency]
            age = (today - rate.on).days
            line = f"  {currency}: 1 USD = {rate.per_usd.normalize():f} on {rate.on.isoformat()}"
            if today - rate.on > money.rate_max_age():
                self.stdout.write(self.style.WARNING(f"{line}: older than {money.rate_max_age().days} days, not used"))
            else:
                self.stdout.write(f"{line} ({age} day(s) old)")
