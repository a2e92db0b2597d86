"""Imports run one way: quotes → facilities → tourism's shared helpers (DESIGN.md, "Layout").

Every module is parsed with ``ast``, never imported, so a forbidden import is caught wherever it
sits: at the top, inside a function, under ``TYPE_CHECKING``, relative, or as a literal string
handed to ``import_module`` / ``import_string``. Each module is a test case of its own, so a
failure names the file, and its message lists every offending line.
"""

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ("facilities", "quotes")
# The one module of the project package that puts the apps together.
TOURISM_MAY_IMPORT_APPS = {"tourism/urls.py"}
DYNAMIC_IMPORTERS = {"import_module", "import_string", "__import__"}


@dataclass(frozen=True)
class Import:
    module: str
    line: int


def module_name(relative: str) -> str:
    parts = relative.removesuffix(".py").split("/")
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_in(source: str, *, module: str, is_package: bool = False) -> list[Import]:
    """Every module ``source`` imports, absolute names, with the line that does it."""
    package = module if is_package else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [Import(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            # Qualified by each name imported: ``from quotes import admin`` imports quotes.admin.
            found += [Import(f"{target}.{alias.name}", node.lineno) for alias in node.names]
        elif isinstance(node, ast.Call) and node.args:
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            first = node.args[0]
            if name in DYNAMIC_IMPORTERS and isinstance(first, ast.Constant) and isinstance(first.value, str):
                found.append(Import(first.value, node.lineno))
    return found


def names(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def offences(relative: str, forbidden: tuple[str, ...]) -> list[str]:
    path = ROOT / relative
    found = imports_in(
        path.read_text(encoding="utf-8"), module=module_name(relative), is_package=path.name == "__init__.py"
    )
    bad = {item for item in found if any(names(item.module, package) for package in forbidden)}
    return [f"{relative}:{item.line} imports {item.module}" for item in sorted(bad, key=lambda i: (i.line, i.module))]


def modules_of(package: str) -> list[str]:
    return sorted(
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / package).rglob("*.py")
        if "__pycache__" not in path.parts and ".venv" not in path.parts
    )


def cases(package: str, *, skip: set[str] = frozenset()) -> list:
    """One pytest case per module."""
    return [relative for relative in modules_of(package) if relative not in skip]


def assert_clean(relative: str, forbidden: tuple[str, ...], rule: str) -> None:
    found = offences(relative, forbidden)
    assert not found, f"{rule}:\n  " + "\n  ".join(found)


# -- The rules ----------------------------------------------------------------------------------


@pytest.mark.parametrize("relative", cases("facilities"))
def test_facilities_never_imports_quotes(relative):
    assert_clean(relative, ("quotes",), "facilities must not import quotes (quotes imports facilities)")


@pytest.mark.parametrize("relative", cases("tourism", skip=TOURISM_MAY_IMPORT_APPS))
def test_tourism_imports_no_app_except_from_its_root_urls(relative):
    # settings.py names the apps in INSTALLED_APPS, ROOT_URLCONF and the like as strings: no import.
    assert_clean(relative, APPS, "tourism's shared helpers must not import an app (only tourism/urls.py may)")


@pytest.mark.parametrize("relative", cases("quotes/templatetags"))
def test_quote_template_tags_do_not_import_the_admin(relative):
    assert_clean(relative, ("quotes.admin",), "template tags must not import quotes.admin (the admin uses them)")


def test_every_package_checked_has_modules():
    # An empty parametrisation would pass silently if a folder moved.
    for package in ("facilities", "tourism", "quotes/templatetags"):
        assert modules_of(package), package
    assert (ROOT / "tourism/urls.py").exists()


# -- The checker itself -------------------------------------------------------------------------

SAMPLE = """\
import os
import facilities.models
from django.conf import settings
from quotes.models import QuoteRequest


def later():
    from quotes import admin
    from . import views
    import_module("quotes.ratelimit")


APPS = ["facilities", "quotes"]
"""


def test_the_checker_finds_every_kind_of_import_and_ignores_strings_in_data():
    found = {(item.module, item.line) for item in imports_in(SAMPLE, module="tourism.helpers")}
    assert ("facilities.models", 2) in found
    assert ("quotes.models.QuoteRequest", 4) in found
    assert ("quotes.admin", 8) in found
    assert ("tourism.views", 9) in found
    assert ("quotes.ratelimit", 10) in found
    # A list of app names (INSTALLED_APPS and the like) is data, not an import.
    assert not any(line == 13 for _module, line in found)


def test_relative_imports_resolve_against_their_package():
    found = {item.module for item in imports_in("from ..models import Facility\n", module="facilities.sub.module")}
    assert found == {"facilities.models.Facility"}
    found = {item.module for item in imports_in("from .signals import x\n", module="facilities", is_package=True)}
    assert found == {"facilities.signals.x"}
    assert "facilities" not in {item.module for item in imports_in("import facilitiesx\n", module="tourism.a")}
    assert not names("facilitiesx", "facilities") and names("facilities.models", "facilities")


def test_a_failure_names_the_file_and_line(tmp_path, monkeypatch):
    (tmp_path / "tourism").mkdir()
    (tmp_path / "tourism" / "helper.py").write_text("import os\n\nfrom facilities.models import Facility\n")
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    with pytest.raises(AssertionError, match=r"tourism/helper\.py:3 imports facilities\.models\.Facility"):
        assert_clean("tourism/helper.py", APPS, "rule")
