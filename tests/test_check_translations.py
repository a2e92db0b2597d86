"""``make check`` fails when a string people read has no translation (manage.py check_translations).

Each test copies the project's sources and ``locale/`` to a temporary directory, changes the copy,
and points the command at it (``BASE_DIR``); the checkout itself is never touched.
"""

import shutil
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from tourism.management.commands.check_translations import SOURCES

pytestmark = pytest.mark.subprocess  # makemessages and msgfmt run as processes.


@pytest.fixture
def project(tmp_path, settings) -> Path:
    base = Path(settings.BASE_DIR)
    for name in (*SOURCES, "locale"):
        shutil.copytree(base / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    settings.BASE_DIR = tmp_path
    return tmp_path


def test_the_committed_translations_are_complete(project):
    call_command("check_translations")


def test_a_template_string_added_without_translations_fails(project):
    template = project / "templates" / "pages" / "privacy.html"
    template.write_text(
        template.read_text().replace(
            "{% endblock %}", '<p>{% translate "A sentence nobody has translated." %}</p>{% endblock %}', 1
        )
    )
    with pytest.raises(CommandError) as failure:
        call_command("check_translations")
    for code, _name in settings.LANGUAGES:
        if code != settings.LANGUAGE_CODE:
            assert f"{code}: untranslated: 'A sentence nobody has translated.'" in str(failure.value)


def test_a_python_string_added_without_translations_fails(project):
    views = project / "facilities" / "views.py"
    views.write_text(views.read_text() + '\n\ndef _unused():\n    return _("Another new sentence.")\n')
    with pytest.raises(CommandError, match="untranslated: 'Another new sentence.'"):
        call_command("check_translations")


def test_a_fuzzy_or_badly_formatted_translation_fails(project):
    path = project / "locale" / "de" / "LC_MESSAGES" / "django.po"
    catalogue = polib.pofile(str(path))
    entry = next(entry for entry in catalogue if "%(name)s" in entry.msgid and not entry.msgid_plural)
    entry.flags.append("fuzzy")
    catalogue.save(str(path))
    with pytest.raises(CommandError, match="de: fuzzy"):
        call_command("check_translations")
    entry.flags.remove("fuzzy")
    entry.msgstr = entry.msgstr.replace("%(name)s", "%(nom)s")
    catalogue.save(str(path))
    with pytest.raises(CommandError, match="de: "):
        call_command("check_translations")


def test_a_mo_file_not_compiled_from_its_po_fails(project):
    path = project / "locale" / "es" / "LC_MESSAGES" / "django.po"
    catalogue = polib.pofile(str(path))
    entry = next(entry for entry in catalogue if entry.msgstr and not entry.msgid_plural)
    entry.msgstr += " (cambiado)"
    catalogue.save(str(path))
    with pytest.raises(CommandError, match="es: django.mo is not compiled from django.po"):
        call_command("check_translations")
