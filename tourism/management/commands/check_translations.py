"""Fail when a string people read has no translation, or a translation is fuzzy or not compiled.

``make check`` runs this. It extracts the messages afresh (``makemessages``, in a copy of the
source so nothing in the checkout changes) and merges them into a copy of ``locale/``: a string
added to a template or to Python code without translations shows up there as untranslated. Then
every language's catalogue must have no untranslated and no fuzzy entry, its placeholders must
match (``msgfmt --check-format``), and the committed ``.mo`` must hold exactly what the ``.po``
says (``make messages`` updates both).
"""

import gettext
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

# What makemessages reads: the apps and the templates (not the tests, the benchmark or the venv).
SOURCES = ("facilities", "quotes", "tourism", "templates")
IGNORE = ("node_modules", "tests", "bench", "var", "staticfiles", "migrations")
DOMAINS = ("django",)


def translated_languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


def makemessages_arguments(languages: list[str]) -> list[str]:
    """The one way messages are extracted, here and in ``make messages``."""
    arguments = ["makemessages", "--no-obsolete", "--add-location=file"]
    for code in languages:
        arguments += ["-l", code]
    for pattern in IGNORE:
        arguments += ["--ignore", pattern]
    return arguments


def _problems_in(po_path: Path) -> list[str]:
    catalogue = polib.pofile(str(po_path))
    problems = []
    for entry in catalogue:
        if entry.obsolete:
            continue
        label = entry.msgid if not entry.msgctxt else f"{entry.msgid} [{entry.msgctxt}]"
        if "fuzzy" in entry.flags:
            problems.append(f"fuzzy: {label!r}")
        elif not entry.translated():
            problems.append(f"untranslated: {label!r}")
    return problems


def _compiled_differs(po_path: Path) -> bool:
    """Whether the ``.mo`` beside ``po_path`` is missing or holds other translations than it."""
    mo_path = po_path.with_suffix(".mo")
    if not mo_path.exists():
        return True
    with mo_path.open("rb") as handle:
        compiled = dict(gettext.GNUTranslations(handle)._catalog)
    compiled.pop("", None)
    expected = {}
    for entry in polib.pofile(str(po_path)).translated_entries():
        key = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid
        if entry.msgid_plural:
            for index, text in sorted(entry.msgstr_plural.items()):
                expected[(key, int(index))] = text
        else:
            expected[key] = entry.msgstr
    return compiled != expected


class Command(BaseCommand):
    help = "Check that every message has a current, non-fuzzy translation in every language."

    def handle(self, *args, **options) -> None:
        base = Path(settings.BASE_DIR)
        languages = translated_languages()
        problems: list[str] = []
        with tempfile.TemporaryDirectory(prefix="medtour-messages-") as temporary:
            copy = Path(temporary)
            for name in SOURCES:
                shutil.copytree(base / name, copy / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
            if (base / "locale").is_dir():
                shutil.copytree(base / "locale", copy / "locale")
            else:
                (copy / "locale").mkdir()
            environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
            environment |= {"DJANGO_SETTINGS_MODULE": "tourism.settings", "PYTHONPATH": str(copy)}
            extracted = subprocess.run(  # noqa: S603 (our own interpreter and arguments)
                [sys.executable, "-m", "django", *makemessages_arguments(languages)],
                cwd=copy,
                env=environment,
                capture_output=True,
                text=True,
                check=False,
            )
            if extracted.returncode != 0:
                raise CommandError(f"makemessages failed:\n{extracted.stderr}")
            for code in languages:
                for domain in DOMAINS:
                    fresh = copy / "locale" / code / "LC_MESSAGES" / f"{domain}.po"
                    committed = base / "locale" / code / "LC_MESSAGES" / f"{domain}.po"
                    if not committed.exists():
                        problems.append(f"{code}: locale/{code}/LC_MESSAGES/{domain}.po is missing")
                        continue
                    problems += [f"{code}: {problem}" for problem in _problems_in(fresh)]
                    # GNU gettext's msgfmt, which makemessages needs too.
                    checked = subprocess.run(  # noqa: S603
                        ["msgfmt", "--check-format", "-o", os.devnull, str(committed)],  # noqa: S607
                        capture_output=True,
                        text=True,
                        check=False,
                    )
                    if checked.returncode != 0:
                        problems.append(f"{code}: {checked.stderr.strip()}")
                    if _compiled_differs(committed):
                        problems.append(f"{code}: {domain}.mo is not compiled from {domain}.po (make messages)")
        if problems:
            shown = "\n".join(problems[:200])
            more = f"\n... and {len(problems) - 200} more" if len(problems) > 200 else ""
            raise CommandError(
                f"{len(problems)} translation problem(s); run `make messages`, translate, and run it again:\n"
                f"{shown}{more}"
            )
        self.stdout.write(f"Translations complete in {', '.join(languages)}.")
