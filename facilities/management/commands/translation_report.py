"""``manage.py translation_report``: the content not yet translated, per language.

For each language other than English: every published procedure, category, listed facility,
accreditation body and language name whose English text has no translation, field by field, and
the procedure guides whose translation nobody has reviewed yet. Exits with status 1 when a
translation is missing (so a script can stop on it), unless ``--no-fail``.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from facilities.translation import missing_translations


class Command(BaseCommand):
    help = "List the content (procedure guides, names, descriptions) not yet translated, per language."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--language",
            action="append",
            choices=[code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE],
            help="Only this language (repeat for several). Default: every language but English.",
        )
        parser.add_argument("--no-fail", action="store_true", help="Exit 0 even when something is missing.")

    def handle(self, *args, language=None, no_fail=False, **options) -> None:
        languages = language or [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
        total = 0
        for code in languages:
            report = missing_translations(code)
            count = sum(len(fields) for _label, fields in report.missing)
            total += count
            unreviewed = len(report.unreviewed)
            self.stdout.write(f"== {code}: {count} field(s) not translated, {unreviewed} guide(s) not reviewed")
            for label, fields in report.missing:
                self.stdout.write(f"  {label}: {', '.join(fields)}")
            for label in report.unreviewed:
                self.stdout.write(f"  {label}: translation not reviewed")
        if total and not no_fail:
            raise CommandError(f"{total} field(s) not yet translated.")
